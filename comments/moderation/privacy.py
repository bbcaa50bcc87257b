"""Readers' personal data: what is stored about a commenter (for their export), erasure at
their request, and the IP retention period. Erasure and the purge change comments, so they go
through the write path's `record` like every decision."""

from django.contrib.admin.models import LogEntry
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone

from .. import outbox
from ..conf import settings
from ..models import (
    Comment,
    ModerationEvent,
    Report,
    SpamExample,
    Subscription,
    normalize_email,
)
from .decisions import Action, Status, locked, record

ANONYMOUS = "Anonymous"
IP_RETENTION = "IP retention"
PERSONAL_FIELDS = (
    "author_name",
    "author_email",
    "author_url",
    "email_normalized",
    "ip_address",
    "user_agent",
    "poster_key",
    "fingerprint",
    "ip_purged_at",
)


def erase(comments, *, by, remove_text=False, reason=""):
    """Anonymise comments at their author's request: name "Anonymous"; email, website, IP,
    user agent and browser key cleared; the text kept unless `remove_text`, which also
    removes the comment (a removed comment with approved replies stays as a placeholder, so
    replies keep their place). The spam filter's copies of their name, website and text go
    too, and so do their addresses' email subscriptions (end_subscriptions) and the mail to
    them in the task queue (comments.outbox.forget_mail_to). Returns the comments changed."""
    now = timezone.now()
    with transaction.atomic():
        selected = list(locked(comments))
        if not selected:
            return []
        from_status = {comment.pk: comment.status for comment in selected}
        emails = {comment.email_normalized for comment in selected} - {""}
        for comment in selected:
            comment.author_name, comment.author_email, comment.author_url = ANONYMOUS, "", ""
            comment.email_normalized, comment.poster_key = "", ""
            comment.ip_address, comment.user_agent, comment.ip_purged_at = None, "", now
            # The fingerprint was made from the email: one of the comment's own instead.
            comment.fingerprint = f"erased-{comment.pk}"
            comment.spam_reasons = []  # may name the reader's website
            if remove_text:
                comment.set_body("")
                comment.status = Status.REMOVED
        fields = [*PERSONAL_FIELDS, *(("body_raw", "body_html", "status") if remove_text else ())]
        Comment.objects.bulk_update(selected, [*fields, "spam_reasons"])
        SpamExample.objects.filter(comment__in=selected).delete()
        Subscription.objects.filter(email_normalized__in=emails).delete()
        outbox.forget_mail_to(emails)  # confirmations and notifications, sent or waiting
        # The admin's log names each comment by its author: "Comment by Anonymous" now.
        LogEntry.objects.filter(
            content_type__app_label="comments",
            content_type__model="comment",
            object_id__in=[str(comment.pk) for comment in selected],
        ).update(
            object_repr=models.Case(
                *(
                    models.When(object_id=str(c.pk), then=models.Value(str(c)[:200]))
                    for c in selected
                ),
                default=models.F("object_repr"),
            )
        )
        why = reason or "erased at the author's request"
        why += ", text removed" if remove_text else ""
        for status in {comment.status for comment in selected}:
            group = [comment for comment in selected if comment.status == status]
            record(Action.ERASE, group, from_status, status, by, why)
    return selected


def purge_ips(before, *, by=IP_RETENTION, batch_size=1000):
    """Clear the IP address and user agent of comments submitted before `before`, and the
    IP address of readers' reports made before it, in batches (each its own transaction, so
    a cron job on a big table holds no long lock); returns how many comments were purged."""
    reports = Report.objects.filter(created_at__lt=before, ip_address__isnull=False)
    while pks := list(reports.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        Report.objects.filter(pk__in=pks).update(ip_address=None)
    purged = 0
    pending = (
        Comment.objects.filter(submitted_at__lt=before, ip_purged_at__isnull=True)
        .filter(models.Q(ip_address__isnull=False) | ~models.Q(user_agent=""))
        .order_by("pk")
    )
    while True:
        with transaction.atomic():
            batch = list(locked(list(pending.values_list("pk", flat=True)[:batch_size])))
            if not batch:
                return purged
            now = timezone.now()
            for comment in batch:
                comment.ip_address, comment.user_agent, comment.ip_purged_at = None, "", now
            Comment.objects.bulk_update(batch, ["ip_address", "user_agent", "ip_purged_at"])
            reason = f"older than {settings.COMMENTS_IP_RETENTION_DAYS} days"
            statuses = {comment.pk: comment.status for comment in batch}
            for status in set(statuses.values()):
                group = [comment for comment in batch if comment.status == status]
                record(Action.PURGE, group, statuses, status, by, reason)
            purged += len(batch)


def end_subscriptions(email):
    """Delete every email subscription of this address (normalised), confirmed or not, as
    an erasure does; returns how many. For an address with no comments left to erase."""
    normalized = normalize_email(email)
    if not normalized:
        return 0
    outbox.forget_mail_to([normalized])
    return Subscription.objects.filter(email_normalized=normalized).delete()[0]


def comments_of(email):
    """Every comment stored under this email, as the policy compares it (normalised). A blank
    email matches nothing (staff replies and erased comments have none)."""
    normalized = normalize_email(email)
    if not normalized:
        return Comment.objects.none()
    return Comment.objects.filter(email_normalized=normalized).order_by("pk")


def commenter_data(email):
    """Everything stored about the author with this email, as plain data for JSON: each
    comment with its status, dates, IP address, user agent and trail, and whether the spam
    filter keeps a copy of its text; and each email subscription of the address."""
    trail = Prefetch("events", queryset=ModerationEvent.objects.select_related("actor"))
    comments = comments_of(email).select_related("discussion").prefetch_related(trail)
    subscriptions = (
        Subscription.objects.of_email(email).select_related("discussion").order_by("pk")
        if normalize_email(email)
        else Subscription.objects.none()
    )
    return {
        "email": normalize_email(email),
        "comments": [_comment_data(comment) for comment in comments],
        "subscriptions": [_subscription_data(s) for s in subscriptions],
    }


def _subscription_data(subscription):
    return {
        "discussion": {
            "title": subscription.discussion.title,
            "url": subscription.discussion.get_absolute_url(),
        },
        "scope": subscription.scope,
        "email": subscription.email,
        "language": subscription.language,
        "created_at": _date(subscription.created_at),
        "confirmed_at": _date(subscription.confirmed_at),
        "last_sent_at": _date(subscription.last_sent_at),
    }


def _comment_data(comment):
    return {
        "id": comment.pk,
        "discussion": {
            "title": comment.discussion.title,
            "url": comment.discussion.get_absolute_url(),
        },
        "in_reply_to": comment.parent_id,
        "status": comment.status,
        "name": comment.author_name,
        "email": comment.author_email,
        "website": comment.author_url,
        "text": comment.body_raw,
        "submitted_at": _date(comment.submitted_at),
        "edited_at": _date(comment.edited_at),
        "moderated_at": _date(comment.moderated_at),
        "ip_address": "purged" if comment.ip_purged_at else comment.ip_address,
        "user_agent": "purged" if comment.ip_purged_at else comment.user_agent,
        "editors_pick": comment.featured_at is not None,
        "kept_by_the_spam_filter": hasattr(comment, "spam_example"),
        "trail": [
            {
                "at": _date(event.created_at),
                "action": event.get_action_display(),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "by": "an editor" if event.actor_id else event.rule,
                "reason": event.reason,
            }
            for event in reversed(comment.events.all())
        ],
    }


def _date(value):
    return value.isoformat() if value else None
