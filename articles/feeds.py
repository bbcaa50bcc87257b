"""The Atom feed of the latest articles (/feed/), beside the comment feeds (/comments/feed/).

In the reader's language where it has words of its own (its title and subtitle, its
xml:lang); the articles themselves as written. Each entry gives what the article page shows:
the headline, the standfirst (else the start of the body), the byline, the dates and the
permalink, made absolute by the feed framework.
"""

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext

from .models import Article
from .site import SITE_NAME

FEED_LENGTH = 20

# Characters XML 1.0 can't hold: Django refuses to write them, which would fail the whole
# feed for one pasted control character.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text):
    return _XML_INVALID.sub("", text or "")


def feed_title():
    """The feed's title, as the pages' <link rel="alternate"> names it too."""
    return gettext("%(site)s: latest articles") % {"site": SITE_NAME}


class LatestArticlesFeed(Feed):
    """The latest published articles, newest first."""

    feed_type = Atom1Feed
    link = reverse_lazy("articles:list")

    def title(self):
        return feed_title()

    def subtitle(self):
        return gettext("Foreign affairs, read closely: the latest articles from %(site)s.") % {
            "site": SITE_NAME
        }

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's Atom id is its own address, not the page it links to (the default).
        feed.feed["id"] = feed.feed["feed_url"]
        return feed

    def items(self):
        return Article.objects.published()[:FEED_LENGTH]

    def item_title(self, article):
        # Atom titles are plain text: the XML writer escapes them.
        return _xml_text(article.headline)

    def item_description(self, article):
        # Sent as <summary type="html">: the plain text escaped once, for HTML.
        return _xml_text(escape(article.summary()))

    def item_link(self, article):
        # The entry's id defaults to this link, made absolute: the article's permalink.
        return article.get_absolute_url()

    def item_author_name(self, article):
        return _xml_text(article.byline)

    def item_author_email(self, article):
        return None

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at
