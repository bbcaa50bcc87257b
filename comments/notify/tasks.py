"""The task that sends a subscriber the news of their discussion: `send_notifications`.

Queued by the listener (comments.notify.listeners) for each confirmed subscription an
approved comment concerns, and run by the task worker. Under a lock on the subscription's
row it gathers what the subscriber has not been told of yet (`news_for`) and, unless a
notification went out less than COMMENTS_NOTIFY_MINUTES ago, queues one message telling of
all of it (comments.outbox) and notes it as told, in the same transaction: a message the
mail server refuses is sent again by the outbox, and no comment is ever told twice.

What concerns a subscription: comments of its discussion approved since it was confirmed
(submitted after confirmed_at, now approved, so never a pending or spam one), not by its
own address; for scope "replies", only answers to that address's comments. An address with
both scopes in a discussion gets one message: its "all" subscription covers its replies.

What was told is kept as a place in the trail (ModerationEvent): notified_through is the
newest approval told of. A comment counts as news once an approval of it comes after that
place and none before it, so a reply held for moderation and approved after later ones is
still told (a comment's own pk would have left it behind), and a comment removed and
restored is not told again. Imported history never counts.

Within the window: with a backend that runs tasks later (the database queue), the task
queues itself again for the window's end, when what gathered meanwhile goes in one message.
With the immediate backend (TASKS_BACKEND=immediate, the tests) it cannot: it returns, and
what gathered goes with the next comment approved after the window.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django_tasks import task

from .. import outbox
from ..models import Comment, ModerationEvent, Subscription
from . import mail

Scope = Subscription.Scope
Status = Comment.Status
Action = ModerationEvent.Action


def window():
    return timedelta(minutes=mail.notify_minutes())


def window_end(subscription):
    """When the subscriber may next be mailed (None: now)."""
    if subscription.last_sent_at is None or not mail.notify_minutes():
        return None
    return subscription.last_sent_at + window()


def may_defer():
    return send_notifications.get_backend().supports_defer


@task
def send_notifications(subscription_pk):
    """Mail one subscriber what is new in their discussion, gathered (see the module);
    returns how many comments the message told of (0: none sent)."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("discussion")
            .filter(pk=subscription_pk, confirmed_at__isnull=False)
            .first()
        )
        if subscription is None or covered(subscription):
            return 0
        news = list(news_for(subscription))
        if not news:
            return 0
        later = window_end(subscription)
        if later is not None and later > timezone.now():
            if may_defer():
                send_notifications.using(run_after=later).enqueue(subscription_pk)
            return 0
        outbox.send(mail.news_message(subscription, news, speaks_for=also_ended(subscription)))
        subscription.last_sent_at = timezone.now()
        subscription.notified_through = max(
            subscription.notified_through, *(comment.told_by for comment in news)
        )
        subscription.save(update_fields=["last_sent_at", "notified_through"])
    return len(news)


def covered(subscription):
    """Whether a "replies" subscription is covered by the same address's confirmed "all"
    one in the same discussion (which tells of every comment, replies included)."""
    return (
        subscription.scope == Scope.REPLIES
        and Subscription.objects.confirmed()
        .filter(
            discussion_id=subscription.discussion_id,
            email_normalized=subscription.email_normalized,
            scope=Scope.ALL,
        )
        .exists()
    )


def also_ended(subscription):
    """What the message's unsubscribe link ends besides `subscription`: for an "all"
    subscription, the same address's "replies" one in the discussion, whose news it carries
    (one click stops the mail about this discussion)."""
    if subscription.scope != Scope.ALL:
        return []
    return list(
        Subscription.objects.filter(
            discussion_id=subscription.discussion_id,
            email_normalized=subscription.email_normalized,
            scope=Scope.REPLIES,
        ).only("pk")
    )


def approvals():
    """The trail's events that approved the outer comment (from any other status), imports
    left out."""
    return (
        ModerationEvent.objects.filter(comment=OuterRef("pk"), to_status=Status.APPROVED)
        .exclude(from_status=Status.APPROVED)
        .exclude(action=Action.IMPORT)
    )


def news_for(subscription):
    """The approved comments `subscription` has not been told of yet, oldest first, each
    with `told_by` (its latest approval) and `parent_email` (to say "replied to you"; never
    put in a message). The authors' addresses, websites, IPs and agents are not loaded."""
    through = subscription.notified_through
    found = (
        Comment.objects.approved()
        .filter(
            discussion_id=subscription.discussion_id,
            submitted_at__gt=subscription.confirmed_at,
        )
        .exclude(email_normalized=subscription.email_normalized)
        .filter(Exists(approvals().filter(pk__gt=through)))
        .filter(~Exists(approvals().filter(pk__lte=through)))
        .annotate(
            told_by=Subquery(approvals().order_by("-pk").values("pk")[:1]),
            parent_email=F("parent__email_normalized"),
        )
        .select_related("discussion")
        .defer(
            "author_email",
            "author_url",
            "ip_address",
            "user_agent",
            "poster_key",
            "body_raw",
            "spam_reasons",
        )
        .order_by("submitted_at", "pk")
    )
    if subscription.scope == Scope.REPLIES:
        found = found.filter(parent__email_normalized=subscription.email_normalized)
    return found
