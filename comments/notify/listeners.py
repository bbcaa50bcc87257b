"""The write path's listener that queues reply notifications: `notify_subscribers`.

Attached in comments.apps after the editors' alerts, told after the response. A change that
makes comments approved (a submit straight to approved, an editor's approve, a restore, a
staff reply; never an import) queues `send_notifications` for each confirmed subscription
those comments may concern, found in one query for the whole change. The task decides what
each subscriber is told and when (comments.notify.tasks); this only spares it the changes
that concern nobody.

With a backend that runs tasks later (the database queue), a subscriber mailed less than
COMMENTS_NOTIFY_MINUTES ago has the task queued for the window's end (run_after), so the
comments approved meanwhile go in one message then. With the immediate backend the task runs
at once: in the window it sends nothing, and the next comment approved after the window
sends what gathered.
"""

from django.db.models import Q
from django.utils import timezone

from ..models import Comment, ModerationEvent, Subscription
from .tasks import may_defer, send_notifications, window_end

Scope = Subscription.Scope
Status = Comment.Status


def notify_subscribers(change):
    """A moderation listener: queue the notifications the comments approved by `change`
    call for; returns the subscriptions queued for."""
    if change.to_status != Status.APPROVED or change.action == ModerationEvent.Action.IMPORT:
        return []
    fresh = [c for c in change.comments if change.from_status.get(c.pk) != Status.APPROVED]
    if not fresh:
        return []
    subscriptions = concerned(fresh)
    defer = may_defer() if subscriptions else False
    now = timezone.now()
    for subscription in subscriptions:
        later = window_end(subscription)
        if defer and later is not None and later > now:
            send_notifications.using(run_after=later).enqueue(subscription.pk)
        else:
            send_notifications.enqueue(subscription.pk)
    return subscriptions


def concerned(comments):
    """The confirmed subscriptions the newly approved `comments` may concern, in one query:
    every "all" one of their discussions, and the "replies" ones of the addresses they
    answer; less those whose address wrote every one of these comments itself, and a
    "replies" one whose address has an "all" one there too (it covers it)."""
    parent_ids = {c.parent_id for c in comments if c.parent_id}
    concerns = Q(scope=Scope.ALL)
    if parent_ids:
        answered = Comment.objects.filter(pk__in=parent_ids).exclude(email_normalized="")
        concerns |= Q(scope=Scope.REPLIES, email_normalized__in=answered.values("email_normalized"))
    found = (
        Subscription.objects.confirmed()
        .filter(discussion_id__in={c.discussion_id for c in comments})
        .filter(concerns)
        .only("pk", "discussion_id", "scope", "email_normalized", "last_sent_at")
        .order_by("pk")
    )
    authors = {}
    for comment in comments:
        authors.setdefault(comment.discussion_id, set()).add(comment.email_normalized)
    found = [s for s in found if authors[s.discussion_id] != {s.email_normalized}]
    with_all = {(s.discussion_id, s.email_normalized) for s in found if s.scope == Scope.ALL}
    return [
        s
        for s in found
        if s.scope == Scope.ALL or (s.discussion_id, s.email_normalized) not in with_all
    ]
