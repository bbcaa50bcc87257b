"""The one write path: every change to a comment is made here, and only here.

Each public function takes the comments and who acts (`by`: an editor, i.e. a User, or the
name of an automatic rule) and returns the comments it changed. They all go through `record`,
which appends a ModerationEvent per comment (the audit trail), writes the admin's LogEntry
when a person acted (so History and "Recent actions" show bulk decisions too), and, once the
transaction commits, tells the registry's listeners (comments.moderation.registry).

`DECISIONS` is the one table of the decisions editors take: the admin's actions and change
page buttons, the moderation queue and its keys all read it.
"""

from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ..models import (
    Comment,
    Discussion,
    ModerationEvent,
    Report,
    current_policy,
    normalize_email,
)
from ..spam import filter as spam_filter
from .registry import Change, tell_on_commit
from .rules import count_links, initial_decision, word_added

Status = Comment.Status
Action = ModerationEvent.Action


class DuplicateComment(Exception):
    """The same author already posted the same text in this discussion."""


# ---------------------------------------------------------------------------------------------
# The private step every change goes through.


def _is_person(by):
    return isinstance(by, AbstractBaseUser)


def record(action, comments, from_status, to_status, by, reason=""):
    """Append the trail, log the admin entry for a person, and queue the listeners."""
    if not comments:
        return
    person = by if _is_person(by) else None
    rule = "" if person else str(by or "")
    ModerationEvent.objects.bulk_create(
        ModerationEvent(
            comment=comment if action != Action.DELETE else None,
            comment_ref=comment.pk,
            action=action,
            from_status=from_status[comment.pk],
            to_status=to_status,
            actor=person,
            rule=rule,
            reason=reason,
        )
        for comment in comments
    )
    if person is not None:
        label = Action(action).label
        LogEntry.objects.log_actions(
            user_id=person.pk,
            queryset=comments,
            action_flag=DELETION if action == Action.DELETE else CHANGE,
            change_message=f"{label}: {reason}" if reason else f"{label}.",
        )
    if action != Action.DELETE and any(
        (from_status[c.pk] == Status.APPROVED) != (to_status == Status.APPROVED) for c in comments
    ):
        recount(comments)
    tell_on_commit(
        Change(Action(action), tuple(comments), dict(from_status), to_status, by, reason)
    )


def recount(comments):
    """Keep each touched discussion's approved_count true, in the change's own transaction:
    counted here, on write, so no page ever counts rows."""
    Discussion.objects.recount({comment.discussion_id for comment in comments})


def locked(comments):
    """The comments as a queryset of their rows, locked until the transaction ends."""
    if isinstance(comments, models.QuerySet):
        pks = list(comments.values_list("pk", flat=True))
    else:
        pks = [getattr(comment, "pk", comment) for comment in comments]
    return (
        Comment.objects.filter(pk__in=pks)
        .order_by("pk")
        .select_related("discussion")
        .select_for_update(of=("self",))
    )


def _move(comments, to_status, action, by, reason, only_from=None):
    """Set the status of every comment not already there (and, with `only_from`, still in
    one of those statuses once locked); return those that changed."""
    person = by if _is_person(by) else None
    with transaction.atomic():
        selected = locked(comments).exclude(status=to_status)
        if only_from is not None:
            selected = selected.filter(status__in=only_from)
        changed = list(selected)
        if to_status != Status.REMOVED:
            changed = _without_live_twins(changed)
        if not changed:
            return []
        from_status = {comment.pk: comment.status for comment in changed}
        now = timezone.now()
        Comment.objects.filter(pk__in=from_status).update(
            status=to_status, moderated_at=now, moderated_by=person
        )
        for comment in changed:
            comment.status, comment.moderated_at, comment.moderated_by = to_status, now, person
        if to_status == Status.APPROVED:
            clear_reports(changed)
        record(action, changed, from_status, to_status, by, reason)
    return changed


def clear_reports(comments):
    """An editor (or a restore) published these comments: readers' reports of them are
    answered and no longer count (a comment approved after reports needs twice as many to be
    held again: moderation.reactions)."""
    Report.objects.filter(comment__in=[c.pk for c in comments], cleared_at=None).update(
        cleared_at=timezone.now()
    )


def _without_live_twins(comments):
    """Drop removed comments whose duplicate is live: bringing them back would repeat it."""
    removed = [c for c in comments if c.status == Status.REMOVED]
    if not removed:
        return comments
    twins = set(Comment.objects.live_twins(removed).values_list("discussion_id", "fingerprint"))
    return [c for c in comments if (c.discussion_id, c.fingerprint) not in twins]


# ---------------------------------------------------------------------------------------------
# The decisions.


def submit(comment, *, spam=None, held=None, policy=None):
    """Save a new comment with the status the policy gives it; return it.

    `spam` is a spam Decision the request already reached (the honeypot was filled, the form
    came back too fast): the comment is kept, as spam, for an editor to rescue. `held` is a
    hold the request reached, and `policy` the one it read (see initial_decision).

    Raises DuplicateComment if the same author already has the same text in this discussion
    (the database's unique constraint decides, so simultaneous identical posts make one).
    """
    comment.email_normalized = normalize_email(comment.author_email)
    verdict = spam_filter.assess(comment)
    comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons
    decision = spam or initial_decision(comment, policy=policy, held=held, verdict=verdict)
    comment.status = decision.status
    try:
        with transaction.atomic():
            comment.save()
            # The rule has its own column in the trail: the reason does not repeat its name.
            record(
                Action.SUBMIT,
                [comment],
                {comment.pk: ""},
                comment.status,
                decision.rule,
                decision.reason,
            )
    except IntegrityError as error:
        comment.pk = None
        if not is_duplicate(comment):
            raise
        raise DuplicateComment from error
    return comment


def is_duplicate(comment):
    """Whether a live comment in the same discussion already has this one's fingerprint."""
    return Comment.objects.live_twins([comment]).exists()


def approve(comments, *, by, reason="", only_from=None):
    """Publish the comments; returns those that changed (see _move for `only_from`)."""
    return _move(comments, Status.APPROVED, Action.APPROVE, by, reason, only_from)


def mark_spam(comments, *, by, reason="", only_from=None):
    """Hide the comments as spam; returns those that changed (see _move for `only_from`)."""
    return _move(comments, Status.SPAM, Action.SPAM, by, reason, only_from)


def remove(comments, *, by, reason="", only_from=None):
    """Hide the comments as removed by an editor; returns those that changed (see _move
    for `only_from`)."""
    return _move(comments, Status.REMOVED, Action.REMOVE, by, reason, only_from)


def hold(comments, *, by, reason=""):
    """Put published comments back in the queue (readers reported them:
    moderation.reactions); returns those that changed."""
    return _move(comments, Status.PENDING, Action.HOLD, by, reason, [Status.APPROVED])


def restore(comments, *, by, reason=""):
    """Undo the last decision: put each comment back in the status it had before it.

    The trail says what that was; a comment submitted straight into spam goes to pending.
    """
    changed = []
    with transaction.atomic():
        for comment in locked(comments):
            last = (
                comment.events.exclude(action=Action.EDIT).filter(to_status=comment.status).first()
            )
            previous = (last.from_status if last else "") or Status.PENDING
            if previous != comment.status:
                changed += _move([comment], previous, Action.RESTORE, by, reason)
    return changed


def feature(comments, *, by, reason=""):
    """Make approved comments editors' picks (shown above the thread too); returns those
    that changed. A comment readers can't see can't be a pick."""
    return _set_featured(comments, timezone.now(), Action.FEATURE, by, reason)


def unfeature(comments, *, by, reason=""):
    """Take comments out of the editors' picks; returns those that changed."""
    return _set_featured(comments, None, Action.UNFEATURE, by, reason)


def _set_featured(comments, featured_at, action, by, reason):
    with transaction.atomic():
        selected = locked(comments)
        if featured_at is not None:
            selected = selected.filter(status=Status.APPROVED, featured_at__isnull=True)
        else:
            selected = selected.filter(featured_at__isnull=False)
        changed = list(selected)
        if not changed:
            return []
        Comment.objects.filter(pk__in=[c.pk for c in changed]).update(featured_at=featured_at)
        for comment in changed:
            comment.featured_at = featured_at
        statuses = {comment.pk: comment.status for comment in changed}
        # Picks are approved comments, so readers' pages change: the listeners hear of it.
        record(action, changed, statuses, Status.APPROVED, by, reason)
    return changed


def staff_reply(parent, body_raw, *, by):
    """An editor answers a comment as staff: published at once under the editor's display
    name with a "Staff" badge; no email of theirs is stored with it. Returns the reply."""
    if not parent.is_approved:
        raise ValueError("Only a comment readers can see can be answered.")
    reply = Comment(
        discussion=parent.discussion,
        parent=parent,
        author_name=staff_name(by),
        author_email="",
        staff_author=by,
        status=Status.APPROVED,
        moderated_at=timezone.now(),
        moderated_by=by,
    )
    reply.set_body(body_raw)
    try:
        with transaction.atomic():
            reply.save()
            record(Action.SUBMIT, [reply], {reply.pk: ""}, Status.APPROVED, by, "staff reply")
    except IntegrityError as error:
        raise DuplicateComment from error
    return reply


def staff_name(user):
    """How an editor is named in public: their full name, else their username."""
    return user.get_full_name().strip() or user.get_username()


def edit(comment, fields, *, by, reason=""):
    """Save changes to a comment's text or author fields, already set on `comment`.

    `fields` names what changed; the text is sanitized again by Comment.save(). The trail
    says "edited by staff" when a person did it. Raises DuplicateComment if the edit would
    make it the same as another live comment by the same author in the discussion.
    """
    fields = [name for name in fields if name != "status"]  # status changes are decisions
    if not fields:
        return []
    try:
        with transaction.atomic():
            _save_edit(comment, fields, by, reason)
    except IntegrityError as error:
        raise DuplicateComment from error
    return [comment]


def _save_edit(comment, fields, by, reason):
    status = Comment.objects.select_for_update().values_list("status", flat=True)
    comment.status = status.get(pk=comment.pk)
    comment.edited_at = timezone.now() if "body_raw" in fields else comment.edited_at
    comment.save(update_fields=[*fields, "edited_at"])
    if not reason:
        who = "staff" if _is_person(by) else by
        reason = f"edited by {who}: {', '.join(fields)}"
    record(Action.EDIT, [comment], {comment.pk: comment.status}, comment.status, by, reason)


POSTER = "its poster"


def edit_own(comment, body_raw):
    """The poster changes their comment's text (within the edit window, checked by the view).

    Sanitized again like any edit. An approved comment goes back through the policy for new
    comments if the edit adds a link or a listed word to the text, so a trusted author can't
    slip one in later.
    """
    policy = current_policy()
    links_before = count_links(comment.body_raw)
    text_before = comment.body_raw
    comment.body_raw = body_raw
    changed = edit(comment, ["body_raw"], by=POSTER, reason="edited by its poster")
    if not changed or not comment.is_approved:
        return changed
    if count_links(body_raw) > links_before:
        added = "a link"
    else:
        word = word_added(text_before, body_raw, policy)
        added = f"“{word}” to the text" if word else None
    if added:
        decision = initial_decision(comment, policy=policy)
        reason = f"the poster's edit added {added}"
        _move([comment], decision.status, Action.SUBMIT, decision.rule, reason)
    return changed


def remove_own(comment):
    """The poster deletes their comment (within the edit window): removed, trail kept."""
    return _move([comment], Status.REMOVED, Action.REMOVE, POSTER, "deleted by its poster")


def delete(comments, *, by, reason=""):
    """Delete the comments for good (superusers only); the trail keeps that it happened."""
    with transaction.atomic():
        doomed = list(locked(comments))
        from_status = {comment.pk: comment.status for comment in doomed}
        record(Action.DELETE, doomed, from_status, "", by, reason or "deleted")
        Comment.objects.filter(pk__in=from_status).delete()
        recount(doomed)
    return doomed


# ---------------------------------------------------------------------------------------------
# The decisions editors take, as every screen names them.


@dataclass(frozen=True)
class EditorsDecision:
    """One decision an editor can take on comments, and each name it goes by: the admin's
    action and change page button, the moderation queue's button and key."""

    key: str  # in the queue's URLs and the change page's form
    decide: object  # the write path's function: decide(comments, by=…, reason=…)
    label: str  # the change page's button
    past: str  # "The comment was …"
    action_name: str  # the admin action
    action_label: str  # the admin action, in the list's menu
    queue_label: str = ""  # the queue's button ("": not a button there)
    queue_past: str = ""  # "The comment by … was …" in the queue ("": not offered there)
    shortcut: str = ""  # the queue's key
    approved_only: bool = False  # offered on a published comment only


DECISIONS = {
    decision.key: decision
    for decision in (
        EditorsDecision(
            "approve",
            approve,
            "Approve",
            "approved",
            "approve_comments",
            "Approve selected comments",
            queue_label="Approve",
            queue_past="approved",
            shortcut="a",
        ),
        EditorsDecision(
            "spam",
            mark_spam,
            "Mark as spam",
            "marked as spam",
            "mark_comments_as_spam",
            "Mark selected comments as spam",
            queue_label="Spam",
            queue_past="marked as spam",
            shortcut="s",
        ),
        EditorsDecision(
            "remove",
            remove,
            "Remove",
            "removed",
            "remove_comments",
            "Remove selected comments",
            queue_label="Remove",
            queue_past="removed",
            shortcut="r",
        ),
        EditorsDecision(
            "restore",
            restore,
            "Restore (undo the last decision)",
            "restored",
            "restore_comments",
            "Restore selected comments (undo)",
            queue_past="put back in the queue",
        ),
        EditorsDecision(
            "feature",
            feature,
            "Feature as an editors' pick",
            "made an editors' pick",
            "feature_comments",
            "Feature selected comments as editors' picks",
            approved_only=True,
        ),
        EditorsDecision(
            "unfeature",
            unfeature,
            "Unfeature",
            "taken out of the editors' picks",
            "unfeature_comments",
            "Take selected comments out of the editors' picks",
            approved_only=True,
        ),
    )
}
