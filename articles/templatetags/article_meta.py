"""What the site's pages tell search engines and link previews of themselves: the meta
description, OpenGraph and Twitter card tags' values, the feed's <link>, and the article's
schema.org NewsArticle as JSON-LD.

The articles app never imports the comments app: the comments' part of the JSON-LD (their
count and the first page's comments) comes in from the template, from the comments app's
own tag:

    {% comment_structured_data article as comments_data %}
    {% news_article_json_ld article comments_data %}
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, to_locale

from ..feeds import feed_title
from ..site import SITE_NAME

register = template.Library()

LOGO = "articles/favicon.svg"

# OpenGraph's locales (language_TERRITORY) for languages whose code names no territory:
# the ones link previews know (Facebook's list has ar_AR for Arabic).
OG_LOCALES = {"en": "en_GB", "fr": "fr_FR", "ar": "ar_AR", "de": "de_DE", "es": "es_ES"}

# Inside <script>, "</script>" (or "<!--") would end the data block early: <, > and & are
# written as JSON escapes instead, as Django's json_script does.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _absolute(context, path):
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag(takes_context=True)
def absolute_uri(context, path):
    """`path` as an absolute address on this site (the request's scheme and host)."""
    return _absolute(context, path)


@register.simple_tag
def og_locale():
    """The active language as OpenGraph's og:locale: fr_FR, ar_AR, en_GB …"""
    language = get_language() or "en"
    locale = to_locale(language)
    if "_" in locale:
        return locale
    return OG_LOCALES.get(locale, f"{locale}_{locale.upper()}")


@register.simple_tag
def article_feed_link():
    """<link rel="alternate"> to the articles' Atom feed, titled as the feed is."""
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        feed_title(),
        reverse("articles:feed"),
    )


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, article, comments_data=None):
    """The article as a schema.org NewsArticle, in a <script type="application/ld+json">
    data block (no script runs; the page's CSP allows it). `comments_data`: the comments
    app's {"commentCount", "comment"} (comment_structured_data), or nothing."""
    url = _absolute(context, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.summary(),
        "datePublished": _to_the_second(article.published_at),
        "dateModified": _to_the_second(article.updated_at),
        "author": {"@type": "Person", "name": article.byline},
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": _absolute(context, static(LOGO))},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": get_language() or "en",
    }
    for name in ("commentCount", "comment"):
        if comments_data and name in comments_data:
            data[name] = comments_data[name]
    return json_ld(data)


def json_ld(data):
    """`data` as a JSON-LD data block, safe to put in a page whatever its strings hold."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        SafeString(text.translate(_JSON_SCRIPT_ESCAPES)),
    )


def _to_the_second(value):
    return timezone.localtime(value).replace(microsecond=0) if value else None
