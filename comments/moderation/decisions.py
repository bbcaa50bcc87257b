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
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from ..conf import settings
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
        # Stored, so in the site's language whoever acts (as editors' alerts are written).
        # (The entries name each comment by its str(), "Comment by …", written there too.)
        with translation.override(settings.LANGUAGE_CODE):
            label = str(Action(action).label)
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
    action and change page button, the moderation queue's button and key, and what each of
    them says once it is taken.

    Whole sentences, each translated as one (lazily, in the editor's language): a past
    participle agrees with what it tells of in many languages, so no sentence is assembled
    from a translated fragment."""

    key: str  # in the queue's URLs and the change page's form
    decide: object  # the write path's function: decide(comments, by=…, reason=…)
    label: str  # the change page's button
    done: str  # the admin action's message: `done % {"count": n}` (a plural, by "count")
    done_one: str  # the change page's message: "The comment was …."
    already: str  # the change page's message when nothing changed
    action_name: str  # the admin action
    action_label: str  # the admin action, in the list's menu
    queue_label: str = ""  # the queue's button ("": not a button there)
    queue_done: str = ""  # the queue's message: `queue_done % {"author": name}` ("": not there)
    shortcut: str = ""  # the queue's key
    approved_only: bool = False  # offered on a published comment only


DECISIONS = {
    decision.key: decision
    for decision in (
        EditorsDecision(
            "approve",
            approve,
            _("Approve"),
            ngettext_lazy(
                "%(count)d comment was approved.", "%(count)d comments were approved.", "count"
            ),
            _("The comment was approved."),
            _("The comment was already approved; nothing changed."),
            "approve_comments",
            _("Approve selected comments"),
            queue_label=_("Approve"),
            queue_done=_("The comment by %(author)s was approved."),
            shortcut="a",
        ),
        EditorsDecision(
            "spam",
            mark_spam,
            _("Mark as spam"),
            ngettext_lazy(
                "%(count)d comment was marked as spam.",
                "%(count)d comments were marked as spam.",
                "count",
            ),
            _("The comment was marked as spam."),
            _("The comment was already marked as spam; nothing changed."),
            "mark_comments_as_spam",
            _("Mark selected comments as spam"),
            # Translators: the moderation queue's button that marks a comment as spam.
            queue_label=pgettext_lazy("decision", "Spam"),
            queue_done=_("The comment by %(author)s was marked as spam."),
            shortcut="s",
        ),
        EditorsDecision(
            "remove",
            remove,
            _("Remove"),
            ngettext_lazy(
                "%(count)d comment was removed.", "%(count)d comments were removed.", "count"
            ),
            _("The comment was removed."),
            _("The comment was already removed; nothing changed."),
            "remove_comments",
            _("Remove selected comments"),
            queue_label=_("Remove"),
            queue_done=_("The comment by %(author)s was removed."),
            shortcut="r",
        ),
        EditorsDecision(
            "restore",
            restore,
            _("Restore (undo the last decision)"),
            ngettext_lazy(
                "%(count)d comment was restored.", "%(count)d comments were restored.", "count"
            ),
            _("The comment was restored."),
            _("The comment was already restored; nothing changed."),
            "restore_comments",
            _("Restore selected comments (undo)"),
            queue_done=_("The comment by %(author)s was put back in the queue."),
        ),
        EditorsDecision(
            "feature",
            feature,
            _("Feature as an editors' pick"),
            ngettext_lazy(
                "%(count)d comment was made an editors' pick.",
                "%(count)d comments were made editors' picks.",
                "count",
            ),
            _("The comment was made an editors' pick."),
            _("The comment was already an editors' pick; nothing changed."),
            "feature_comments",
            _("Feature selected comments as editors' picks"),
            approved_only=True,
        ),
        EditorsDecision(
            "unfeature",
            unfeature,
            _("Unfeature"),
            ngettext_lazy(
                "%(count)d comment was taken out of the editors' picks.",
                "%(count)d comments were taken out of the editors' picks.",
                "count",
            ),
            _("The comment was taken out of the editors' picks."),
            _("The comment was already out of the editors' picks; nothing changed."),
            "unfeature_comments",
            _("Take selected comments out of the editors' picks"),
            approved_only=True,
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# The automatic rules, as editors read their names.

# Who decided when no editor did: each rule's name as the trail stores it (in `rule`: from
# comments.moderation.rules, .reactions, .privacy, .imports, the spam filter, the erasure
# command), and as the admin, the queue and the alerts show it, in the editor's language. The
# stored names stay as they are (the comment list filters on them); a name not listed here is
# shown as stored.
RULE_LABELS = {
    "honeypot": pgettext_lazy("an automatic moderation rule", "honeypot"),
    "form token": pgettext_lazy("an automatic moderation rule", "form token"),
    "flood control": pgettext_lazy("an automatic moderation rule", "flood control"),
    "blocked": pgettext_lazy("an automatic moderation rule", "blocked"),
    "disallowed words": pgettext_lazy("an automatic moderation rule", "disallowed words"),
    "spam filter": pgettext_lazy("an automatic moderation rule", "spam filter"),
    "hold all": pgettext_lazy("an automatic moderation rule", "hold all"),
    "hold words": pgettext_lazy("an automatic moderation rule", "hold words"),
    "links": pgettext_lazy("an automatic moderation rule", "links"),
    "known author": pgettext_lazy("an automatic moderation rule", "known author"),
    "new author": pgettext_lazy("an automatic moderation rule", "new author"),
    "reader reports": pgettext_lazy("an automatic moderation rule", "reader reports"),
    "its poster": pgettext_lazy("an automatic moderation rule", "its poster"),
    "IP retention": pgettext_lazy("an automatic moderation rule", "IP retention"),
    "import": pgettext_lazy("an automatic moderation rule", "import"),
    "erasure request": pgettext_lazy("an automatic moderation rule", "erasure request"),
}


def rule_label(rule):
    """A rule's name as editors read it (see RULE_LABELS); "" and None stay as they are."""
    return RULE_LABELS.get(rule, rule) if rule else rule
