"""Atom feeds of the latest approved comments: site-wide, and one per public discussion.

Each entry carries only what the discussion's page already shows of a comment: the name (linked
only to an http(s) website), the sanitized HTML, the time and the permalink. The queryset
loads nothing else (`for_thread()`), so no email, IP, user agent or raw text can slip in.
"""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from ..conf import settings
from ..models import Comment, Discussion

FEED_LENGTH = 50

# Characters XML 1.0 can't hold: Django refuses to write them, which would fail the whole
# feed. The reader's form already refuses them; this keeps one odd old or admin-edited
# comment from taking the feed down for everyone.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text):
    return _XML_INVALID.sub("", text or "")


def site_feed_title():
    # Translators: the title of the feed of a whole site's comments.
    return gettext("%(site)s: latest comments") % {"site": settings.COMMENTS_SITE_NAME}


def discussion_feed_title(discussion):
    # Translators: the title of the feed of one discussion's comments.
    return gettext("Comments on “%(title)s” · %(site)s") % {
        "title": discussion.title,
        "site": settings.COMMENTS_SITE_NAME,
    }


class LatestCommentsFeed(Feed):
    """The latest approved comments of every public discussion, newest first; its words in
    the request's language (which the feed says it is in: Feed.language's default)."""

    feed_type = Atom1Feed
    link = "/"

    def subtitle(self):
        return gettext("The latest readers' comments on %(site)s.") % {
            "site": settings.COMMENTS_SITE_NAME
        }

    def title(self):
        return site_feed_title()

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's Atom id is its own address, not the page it links to (the default).
        feed.feed["id"] = feed.feed["feed_url"]
        return feed

    def comments(self):
        """Approved comments of public discussions, with each one's discussion in the same
        query."""
        return (
            Comment.objects.approved()
            .filter(discussion__in=Discussion.objects.public())
            .for_thread()
            .with_thread_position()
            .select_related("discussion")
            .order_by("-submitted_at", "-pk")
        )

    def items(self):
        return self.comments()[:FEED_LENGTH]

    def item_title(self, comment):
        # Atom titles are plain text: the XML writer escapes them, so no escape() here.
        # Translators: the title of one comment in a feed: who wrote it, and where.
        title = gettext("%(name)s on “%(title)s”") % {
            "name": comment.author_name,
            "title": comment.discussion.title,
        }
        return _xml_text(title)

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


class DiscussionCommentsFeed(LatestCommentsFeed):
    """The latest approved comments of one public discussion, newest first."""

    def get_object(self, request, discussion_id):
        return get_object_or_404(Discussion.objects.public(), pk=discussion_id)

    def title(self, discussion):
        return discussion_feed_title(discussion)

    def link(self, discussion):
        return f"{discussion.get_absolute_url()}#comments"

    def subtitle(self, discussion):
        return gettext("Readers' comments on “%(title)s”, newest first.") % {
            "title": discussion.title
        }

    def feed_url(self, discussion):
        return reverse("comments:discussion_feed", kwargs={"discussion_id": discussion.pk})

    def items(self, discussion):
        return self.comments().filter(discussion=discussion)[:FEED_LENGTH]
