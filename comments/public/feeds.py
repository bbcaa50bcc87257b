"""Atom feeds of the latest approved comments: site-wide, and one per published article.

Each entry carries only what the article page already shows of a comment: the name (linked
only to an http(s) website), the sanitized HTML, the time and the permalink. The queryset
loads nothing else (`for_thread()`), so no email, IP, user agent or raw text can slip in.
"""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article

from ..conf import settings
from ..models import Comment

FEED_LENGTH = 50

# Characters XML 1.0 can't hold: Django refuses to write them, which would fail the whole
# feed. The reader's form already refuses them; this keeps one odd old or admin-edited
# comment from taking the feed down for everyone.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text):
    return _XML_INVALID.sub("", text or "")


def site_feed_title():
    return f"{settings.COMMENTS_SITE_NAME}: latest comments"


def article_feed_title(article):
    return f"Comments on “{article.headline}” · {settings.COMMENTS_SITE_NAME}"


class LatestCommentsFeed(Feed):
    """The latest approved comments on every published article, newest first."""

    feed_type = Atom1Feed
    link = "/"

    def subtitle(self):
        return f"The latest readers' comments on {settings.COMMENTS_SITE_NAME}."

    def title(self):
        return site_feed_title()

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's Atom id is its own address, not the page it links to (the default).
        feed.feed["id"] = feed.feed["feed_url"]
        return feed

    def comments(self):
        """Approved comments of published articles, with each one's article in the same query."""
        return (
            Comment.objects.approved()
            .filter(article__in=Article.objects.published())
            .for_thread()
            .with_thread_position()
            .select_related("article")
            .order_by("-submitted_at", "-pk")
        )

    def items(self):
        return self.comments()[:FEED_LENGTH]

    def item_title(self, comment):
        # Atom titles are plain text: the XML writer escapes them, so no escape() here.
        return _xml_text(f"{comment.author_name} on “{comment.article.headline}”")

    def item_description(self, comment):
        # Already sanitized on write; Atom sends it as <summary type="html">.
        return _xml_text(comment.body_html)

    def item_link(self, comment):
        # The unique id defaults to this absolute link: the comment's permalink.
        return comment.get_absolute_url()

    def item_author_name(self, comment):
        return _xml_text(comment.author_name)

    def item_author_link(self, comment):
        return comment.author_link or None

    def item_author_email(self, comment):
        return None  # Never published, in a feed or anywhere else.

    def item_pubdate(self, comment):
        return comment.submitted_at


class ArticleCommentsFeed(LatestCommentsFeed):
    """The latest approved comments of one published article, newest first."""

    def get_object(self, request, article_id):
        return get_object_or_404(Article.objects.published(), pk=article_id)

    def title(self, article):
        return article_feed_title(article)

    def link(self, article):
        return f"{article.get_absolute_url()}#comments"

    def subtitle(self, article):
        return f"Readers' comments on “{article.headline}”, newest first."

    def feed_url(self, article):
        return reverse("comments:article_feed", kwargs={"article_id": article.pk})

    def items(self, article):
        return self.comments().filter(article=article)[:FEED_LENGTH]
