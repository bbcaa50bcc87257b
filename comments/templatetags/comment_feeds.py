"""`<link rel="alternate">` tags for the comment feeds, for a page's <head>."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..public.feeds import article_feed_title, site_feed_title

register = template.Library()

LINK = '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">'


@register.simple_tag
def comment_feed_link(article=None):
    """The site-wide comments feed, or with an article, that article's comments feed."""
    if article is None:
        return format_html(LINK, site_feed_title(), reverse("comments:feed"))
    return format_html(
        LINK,
        article_feed_title(article),
        reverse("comments:article_feed", kwargs={"article_id": article.pk}),
    )
