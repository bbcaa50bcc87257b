"""The messages of reply notifications: the confirmation, the news of approved comments, and
the link to the page listing an address's subscriptions.

Every message goes to one address (the subscriber's own, in To:, nobody in Cc: or Bcc:) and
names no other reader's address: of a comment it gives its author's display name, its text
as plain text and a link to it, nothing else (no email, website, IP or user agent is even
loaded). Plain text only, from templates under comments/templates/comments/email/.

Headers: `Auto-Submitted: auto-generated` (RFC 3834: no out-of-office replies), and on
every message `List-Unsubscribe: <https://…/unsubscribe/<token>/>` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), so a mail client's own
"Unsubscribe" ends the subscriptions the message speaks for with one POST, no sign-in.
Links are absolute, from COMMENTS_SITE_URL.
"""

from contextlib import nullcontext
from dataclasses import dataclass

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from ..conf import settings
from ..models import Subscription
from ..sanitize import comment_text
from . import tokens

CONFIRM_TEMPLATE = "comments/email/notify_confirm.txt"
NEWS_TEMPLATE = "comments/email/notify_news.txt"
MANAGE_TEMPLATE = "comments/email/notify_manage.txt"
# A comment's text is given whole up to this many characters; longer, its link says the rest.
TEXT_CHARS = 4000
Scope = Subscription.Scope


def site_url(path):
    """An absolute address on this site (COMMENTS_SITE_URL) for `path`."""
    if path.startswith(("http://", "https://")):
        return path
    base = getattr(settings, "COMMENTS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}"


def unsubscribe_url(subscriptions):
    token = tokens.unsubscribe_token(subscriptions)
    return site_url(reverse("comments:notify_unsubscribe", kwargs={"token": token}))


def confirm_url(subscriptions):
    token = tokens.confirm_token(subscriptions)
    return site_url(reverse("comments:notify_confirm", kwargs={"token": token}))


def manage_url(email_normalized):
    token = tokens.manage_token(email_normalized)
    return site_url(reverse("comments:notify_manage", kwargs={"token": token}))


def request_url():
    """The page where an address asks for a link to its subscriptions."""
    return site_url(reverse("comments:notify_request"))


def one_line(text):
    """Whitespace collapsed: a title or name with line breaks can't fake lines of a message
    (nor break its Subject header)."""
    return " ".join((text or "").split())


def plain_text(body_html):
    """A comment's sanitized HTML as the plain text a reader would see (line breaks kept,
    tags dropped, entities decoded), at most TEXT_CHARS characters."""
    return Truncator(comment_text(body_html)).chars(TEXT_CHARS)


def indented(text, margin="   "):
    """Each line of a comment's text set in by `margin`, so that nothing a reader typed
    ("-- ", a fake link line) reads as the message's own."""
    return "\n".join(f"{margin}{line}" if line.strip() else "" for line in text.split("\n"))


def headers(unsubscribe):
    return {
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _message(subject, body, address, unsubscribe):
    return mail.EmailMessage(
        one_line(subject),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [address],
        headers=headers(unsubscribe),
    )


def _in_language(language):
    """The subscriber's language (kept when they subscribed) for what the message says."""
    return translation.override(language) if language else nullcontext()


def _common(discussion):
    return {
        "site_name": settings.COMMENTS_SITE_NAME,
        "title": one_line(discussion.title) or one_line(str(discussion)),
        "discussion_url": site_url(discussion.get_absolute_url()),
        "request_url": request_url(),
    }


def confirmation_message(subscriptions):
    """The one message a new subscription sends (double opt-in): one message for the
    subscriptions of one address in one discussion, ticked together."""
    first = subscriptions[0]
    with _in_language(first.language):
        context = _common(first.discussion) | {
            "scopes": [s.scope for s in subscriptions],
            "confirm_url": confirm_url(subscriptions),
            "unsubscribe_url": unsubscribe_url(subscriptions),
            "days": settings.COMMENTS_NOTIFY_CONFIRM_DAYS,
        }
        # Translators: the subject of the message confirming a subscription to a discussion.
        subject = gettext("Please confirm: email about “%(title)s”") % {"title": context["title"]}
        body = render_to_string(CONFIRM_TEMPLATE, context)
    return _message(subject, body, first.email, context["unsubscribe_url"])


@dataclass(frozen=True)
class NewsItem:
    """One approved comment as a notification tells of it: plain text, no address."""

    author: str
    text: str
    link: str
    replies_to_you: bool


def news_item(comment, subscription):
    return NewsItem(
        author=one_line(comment.author_name),
        text=indented(plain_text(comment.body_html)),
        link=site_url(comment.get_absolute_url()),
        replies_to_you=getattr(comment, "parent_email", None) == subscription.email_normalized,
    )


def news_message(subscription, comments, *, speaks_for=()):
    """The notification of `comments` (approved, gathered since the previous one) for
    `subscription`; its unsubscribe link ends `speaks_for` too (the same address's other
    subscription in the discussion, which this one covers)."""
    with _in_language(subscription.language):
        items = [news_item(comment, subscription) for comment in comments]
        unsubscribe = unsubscribe_url([subscription, *speaks_for])
        replies = subscription.scope == Scope.REPLIES
        count = len(items)
        context = _common(subscription.discussion) | {
            "items": items,
            "count": count,
            "replies": replies,
            "minutes": notify_minutes(),
            "unsubscribe_url": unsubscribe,
        }
        subject = news_subject(replies, count) % {"count": count, "title": context["title"]}
        body = render_to_string(NEWS_TEMPLATE, context)
    return _message(subject, body, subscription.email, unsubscribe)


def news_subject(replies, count):
    """The subject of a notification of `count` replies (or comments), in the active
    language: a format string taking the count and the discussion's title."""
    if replies:
        # Translators: the subject of a notification. Where your language uses the singular
        # form for other numbers than 1 too, put %(count)s in it.
        return ngettext("A new reply on “%(title)s”", "%(count)s new replies on “%(title)s”", count)
    # Translators: the subject of a notification. Where your language uses the singular form
    # for other numbers than 1 too, put %(count)s in it.
    return ngettext("A new comment on “%(title)s”", "%(count)s new comments on “%(title)s”", count)


def manage_message(subscriptions):
    """The link to the page listing an address's subscriptions (asked on the site)."""
    first = subscriptions[0]
    with _in_language(first.language):
        unsubscribe = unsubscribe_url(subscriptions)
        context = {
            "site_name": settings.COMMENTS_SITE_NAME,
            "manage_url": manage_url(first.email_normalized),
            "hours": tokens.MANAGE_MAX_AGE // 3600,
            "count": len(subscriptions),
            "unsubscribe_url": unsubscribe,
        }
        subject = gettext("Your email subscriptions on %(site_name)s") % {
            "site_name": context["site_name"]
        }
        body = render_to_string(MANAGE_TEMPLATE, context)
    return _message(subject, body, first.email, unsubscribe)


def notify_minutes():
    """COMMENTS_NOTIFY_MINUTES: at most one notification per discussion per subscriber
    this often."""
    return max(0, int(settings.COMMENTS_NOTIFY_MINUTES))
