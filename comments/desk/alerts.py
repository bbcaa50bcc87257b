"""Email alerts to the editors when comments are held for moderation.

`alert_editors` listens to the write path (a listener on comments.moderation's registry,
attached in comments.apps). A change that puts comments in the queue by itself, action "submit" to
"pending" (a new comment a rule held, or a poster's edit that a rule sent back) or "hold"
(readers reported it), alerts the editors. An editor's own Restore back to pending does not:
they put it there.

- At most one alert every COMMENTS_ALERT_MINUTES (10; 0 turns alerts off), across every app
  server: the alert that opens a quiet period takes a lock in the cache (`cache.add`, atomic
  in Redis too), so a held post costs one cache call and nothing more while the lock stands.
- Nothing held is left out: an alert lists every comment held since the previous one and
  still pending (from the trail, ModerationEvent), the previous one's time kept in the cache.
  What is held during a quiet period goes in the next alert, sent by the next held comment
  after it, or by `manage.py send_comment_alerts` from cron (every minute or so), so the last
  comments of a burst are not left waiting for another one.
- One message per editor (active users of the Editors group with an email address; a
  superuser gets alerts by joining the group): each message has one address in To:, none in
  Cc: or Bcc:, so editors never see each other's addresses.
- The message says what the queue needs: the discussion, the author's display name, the rule
  and reason that held it, an excerpt of the text and a link to it in the queue. Never the
  commenter's email, IP address or user agent: those columns are not even loaded.
- Failures cost nothing to the reader who posted: the listener runs after the response, and
  each message is a task (comments.outbox) that the worker sends, and sends again later while
  the mail server is down. The cache unreachable, the alert is queued anyway for the
  comments just held (fail open: more mail, never a lost alert).

Known limits: without the cron job, comments held in a quiet period are reported only when
another one is held after it. If the cache loses the previous alert's time (a flush, a new
Redis), the next alert lists whatever is still pending from the last LOOKBACK, some of it
perhaps reported before. A held comment whose transaction commits more than OVERLAP after
its row was written may miss the alert that ran meanwhile.
"""

import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import ngettext

from .. import moderation, outbox
from ..conf import settings
from ..models import Comment, ModerationEvent
from ..sanitize import comment_text

logger = logging.getLogger(__name__)

EDITORS = "Editors"
TEMPLATE = "comments/email/held_comments.txt"
# Taken by the alert that opens a quiet period, for COMMENTS_ALERT_MINUTES.
LOCK_KEY = "comments:alerts:lock"
# The previous alert: {"since": datetime, "reported": {event pk: created_at}}; no expiry.
STATE_KEY = "comments:alerts:state"
# The next alert looks this far before the previous one, for rows written before it and
# committed after it (and app servers' clocks that disagree); "reported" keeps it from
# listing a comment twice.
OVERLAP = timedelta(minutes=1)
# With no previous alert in the cache (the first one, or after a flush), how far back to look.
LOOKBACK = timedelta(days=1)
MAX_LISTED = 50  # a bigger batch is counted, and the queue linked
EXCERPT_CHARS = 200

Status = Comment.Status
Action = ModerationEvent.Action
# What puts comments in the queue by itself: a rule holding a new comment (or a poster's
# edit), and readers' reports (moderation.reactions).
HOLDING_ACTIONS = (Action.SUBMIT, Action.HOLD)


def alert_editors(change):
    """A moderation listener: comments just held for moderation are news for the editors.

    Runs after the post's transaction commits, in the post's request: it never raises, so
    no failure here reaches the reader (the comment is saved whatever happens)."""
    if change.action not in HOLDING_ACTIONS or change.to_status != Status.PENDING:
        return
    try:
        send_due_alert(held=change)
    except Exception:
        logger.exception(
            "Could not alert the editors to held comments %s", [c.pk for c in change.comments]
        )


def alert_minutes():
    """COMMENTS_ALERT_MINUTES: the quiet period after an alert (0: no alerts)."""
    return max(0, int(getattr(settings, "COMMENTS_ALERT_MINUTES", 10)))


def send_due_alert(held=None):
    """Send the editors an alert listing what was held since the previous one, unless one went
    out less than COMMENTS_ALERT_MINUTES ago; return how many messages were sent.

    `held` is the change that asks (None from the management command): if the cache can't
    be reached, its comments are alerted at once, without the rate limit.
    """
    minutes = alert_minutes()
    if not minutes:
        return 0
    try:
        if not cache.add(LOCK_KEY, timezone.now(), timeout=minutes * 60):
            return 0  # quiet period: the next alert lists these
        state = cache.get(STATE_KEY)
    except Exception as error:  # Redis unreachable, …: whatever the backend raises
        if held is None:
            logger.warning("The cache did not answer (%s): no alert sent", error)
            return 0
        logger.warning("The cache did not answer (%s): alerting without the rate limit", error)
        items = [held_item(c, str(held.by or ""), held.reason) for c in held.comments]
        sent, _ = _deliver(items, len(items))
        return sent
    now = timezone.now()
    events = list(_unreported(state, now))
    if not events:
        # Decided already (or the command's race): let the next held comment alert at once.
        with suppress(Exception):
            cache.delete(LOCK_KEY)
        return 0
    latest = {}  # one line per comment, with the latest reason it was held
    for event in events:
        latest[event.comment_id] = event
    items = [held_item(e.comment, e.rule, e.reason) for e in latest.values()]
    sent, recipients = _deliver(items[:MAX_LISTED], len(items))
    if sent or not recipients:  # not sent at all: the next alert tries them again
        _remember(state, events, now)
    return sent


def _remember(state, events, now):
    """Keep this alert as the previous one: its time less OVERLAP, and every event reported
    within OVERLAP of it (this alert's and the previous ones', still in that stretch)."""
    since = now - OVERLAP
    reported = dict((state or {}).get("reported", {}))
    reported.update((event.pk, event.created_at) for event in events)
    reported = {pk: at for pk, at in reported.items() if at > since}
    with suppress(Exception):
        cache.set(STATE_KEY, {"since": since, "reported": reported}, timeout=None)


def has_unreported():
    """Whether comments were held since the previous alert and are still pending (for the
    management command: it takes the lock only when there is something to say). Raises what
    the cache raises if it can't be reached."""
    return _unreported(cache.get(STATE_KEY), timezone.now()).exists()


def _unreported(state, now):
    """The trail's events that held a comment (still pending) since the previous alert."""
    if state:
        since, reported = state["since"], list(state["reported"])
    else:
        since, reported = now - LOOKBACK, ()
    return (
        ModerationEvent.objects.filter(
            action__in=HOLDING_ACTIONS,
            to_status=Status.PENDING,
            created_at__gt=since,
            comment__status=Status.PENDING,
        )
        .exclude(pk__in=reported)
        .select_related("comment__discussion")
        # What the message shows, and no more: no email, IP or user agent is even loaded.
        .only(
            "created_at",
            "rule",
            "reason",
            "comment__author_name",
            "comment__body_html",
            "comment__discussion__title",
        )
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class HeldItem:
    """One held comment as the message lists it: plain text, one line per field."""

    headline: str
    author: str
    why: str
    excerpt: str
    link: str


def held_item(comment, rule, reason):
    # The rule's name in the site's language, as the message is written (messages_for).
    with translation.override(settings.LANGUAGE_CODE):
        rule = str(moderation.rule_label(rule) or "")
    why = ": ".join(filter(None, (rule, reason)))
    text = comment_text(comment.body_html)
    return HeldItem(
        headline=_one_line(comment.discussion.title),
        author=_one_line(comment.author_name),
        why=_one_line(why),
        excerpt=Truncator(_one_line(text)).chars(EXCERPT_CHARS),
        link=f"{_queue_url()}#queue-{comment.pk}",
    )


def _one_line(text):
    """Whitespace collapsed: a name or text with line breaks can't fake lines of the message."""
    return " ".join((text or "").split())


def _queue_url():
    base = getattr(settings, "COMMENTS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{reverse('admin:comments_comment_queue')}"


def editor_addresses():
    """Active members of the Editors group with an email address, each address once."""
    User = get_user_model()
    field = User.get_email_field_name()
    addresses = (
        User.objects.filter(is_active=True, groups__name=EDITORS)
        .exclude(**{field: ""})
        .order_by("pk")
        .values_list(field, flat=True)
    )
    unique = {}
    for address in addresses:
        unique.setdefault(address.strip().lower(), address.strip())
    return list(unique.values())


def messages_for(items, total, recipients):
    """One EmailMessage per recipient, each to that address alone, in the site's language
    (LANGUAGE_CODE): the alert is written while serving a reader, in the reader's."""
    site_name = settings.COMMENTS_SITE_NAME
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "%(count)s comment awaits moderation on %(site_name)s",
            "%(count)s comments await moderation on %(site_name)s",
            total,
        ) % {"count": total, "site_name": site_name}
        body = render_to_string(
            TEMPLATE,
            {
                "site_name": site_name,
                "total": total,
                "items": items,
                "more": total - len(items),
                "queue_url": _queue_url(),
                "minutes": alert_minutes(),
            },
        )
    return [
        mail.EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no out-of-office replies
        )
        for address in recipients
    ]


def _deliver(items, total):
    """Queue the alert for each editor (comments.outbox: sent by the task worker, retried
    while the mail server fails); return (messages queued, recipients)."""
    recipients = editor_addresses()
    if not recipients:
        logger.warning("%d comment(s) held, but no active editor has an email address", total)
        return 0, recipients
    messages = messages_for(items, total, recipients)
    for message in messages:
        outbox.send(message)
    return len(messages), recipients
