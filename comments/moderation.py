"""The one write path: every change to a comment is made here, and only here.

Each public function takes the comments and who acts (`by`: an editor, i.e. a User, or the
name of an automatic rule) and returns the comments it changed. They all go through `_record`,
which appends a ModerationEvent per comment (the audit trail), writes the admin's LogEntry
when a person acted (so History and "Recent actions" show bulk decisions too), and, once the
transaction commits, tells the listeners registered with `on_change`: the cached thread,
editors' alerts and the spam filter's training hang there and nowhere else. No Django
signals: the call sites are explicit.
"""

import html
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from . import spamfilter
from .models import (
    Block,
    Comment,
    ModerationEvent,
    SpamExample,
    current_policy,
    normalize_email,
)

Status = Comment.Status
Action = ModerationEvent.Action


class DuplicateComment(Exception):
    """The same author already posted the same text on this article."""


# ---------------------------------------------------------------------------------------------
# The registry of what happens after a change is committed.


@dataclass(frozen=True)
class Change:
    """What a listener is told: which comments moved, from which status to which, and who."""

    action: str
    comments: tuple
    from_status: dict  # comment pk -> status before ("" for a new comment)
    to_status: str  # "" for a deletion
    by: object  # a User or a rule name
    reason: str = ""
    article_ids: frozenset = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "article_ids", frozenset(c.article_id for c in self.comments))


_listeners = []


def on_change(listener):
    """Register `listener(change)` to run after each committed change. Usable as a decorator."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def disconnect(listener):
    """Stop telling `listener` (tests use it; features register for the life of the process)."""
    if listener in _listeners:
        _listeners.remove(listener)


def _notify(change):
    for listener in list(_listeners):
        listener(change)


# ---------------------------------------------------------------------------------------------
# The private step every change goes through.


def _is_person(by):
    return isinstance(by, AbstractBaseUser)


def _record(action, comments, from_status, to_status, by, reason=""):
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
    change = Change(action, tuple(comments), dict(from_status), to_status, by, reason)
    transaction.on_commit(lambda: _notify(change))


def _selected(comments):
    """The comments as a queryset of their rows, locked until the transaction ends."""
    if isinstance(comments, models.QuerySet):
        pks = list(comments.values_list("pk", flat=True))
    else:
        pks = [getattr(comment, "pk", comment) for comment in comments]
    return (
        Comment.objects.filter(pk__in=pks)
        .order_by("pk")
        .select_related("article")
        .select_for_update(of=("self",))
    )


def _move(comments, to_status, action, by, reason, only_from=None):
    """Set the status of every comment not already there (and, with `only_from`, still in
    one of those statuses once locked); return those that changed."""
    person = by if _is_person(by) else None
    with transaction.atomic():
        selected = _selected(comments).exclude(status=to_status)
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
        _record(action, changed, from_status, to_status, by, reason)
    return changed


def _without_live_twins(comments):
    """Drop removed comments whose duplicate is live: bringing them back would repeat it."""
    removed = [c for c in comments if c.status == Status.REMOVED]
    if not removed:
        return comments
    twins = set(
        Comment.objects.live()
        .filter(fingerprint__in={c.fingerprint for c in removed})
        .values_list("article_id", "fingerprint")
    )
    return [c for c in comments if (c.article_id, c.fingerprint) not in twins]


# ---------------------------------------------------------------------------------------------
# The policy for new comments.


# A link as a reader types it: a tag's href, or an address typed as text.
_TYPED_URL = re.compile(r"(?i)(?:https?://|www\.)[^\s\"'<>]+")
_LINK_TAG = re.compile(r"(?i)<a\b")


def count_links(text):
    """How many links `text` holds, counted in what the reader typed: distinct addresses,
    typed as text or in a tag, or the number of <a> tags if that is more."""
    text = text or ""
    return max(len(set(_TYPED_URL.findall(text))), len(_LINK_TAG.findall(text)))


@dataclass(frozen=True)
class Decision:
    status: str
    rule: str
    reason: str


# Decisions the request reaches before the comment is built (comments.forms, comments.views).
HONEYPOT = Decision(Status.SPAM, "honeypot", "the field people never see was filled in")
TOO_FAST = Decision(Status.SPAM, "form token", "posted sooner than a person could type it")
FLOOD_UNCHECKED = Decision(
    Status.PENDING, "flood control", "the cache did not answer, so the posting rate was unchecked"
)


def _text_variants(raw):
    """A comment's text as the word lists read it: as typed, and with its tags stripped
    ("c<b></b>asino" reads "casino")."""
    raw = raw or ""
    return (raw, html.unescape(strip_tags(raw)))


def _fields_to_match(comment):
    """What the word lists are matched against, as WordPress does, by field."""
    return (
        ("name", comment.author_name),
        ("email", comment.author_email),
        ("website", comment.author_url),
        *(("text", text) for text in _text_variants(comment.body_raw)),
        ("IP address", str(comment.ip_address or "")),
        ("browser", comment.user_agent),
    )


def find_listed_word(words, comment):
    """The first of `words` (lower-cased) found inside any of the comment's fields, and which
    field, or (None, None)."""
    if not words:
        return None, None
    for where, value in _fields_to_match(comment):
        value = (value or "").casefold()
        for word in words:
            if word in value:
                return word, where
    return None, None


def initial_decision(comment, *, policy=None, held=None, verdict=None):
    """The status a new comment gets, and which rule decided it, first match wins:

    1. spam: its email or IP is blocked, it contains a "disallowed" word, or the spam
       filter's `verdict` (spamfilter.assess) scores it at or above its spam threshold;
    2. held (pending): `held` (a Decision the request reached: the flood check could not
       run), everything held (COMMENTS_HOLD_ALL), a "hold for moderation" word, more than
       COMMENTS_MAX_LINKS links, the spam filter's hold threshold; these hold even a known
       author;
    3. approved if the same name and email (normalised) already have an approved comment,
       as WordPress does by default; otherwise held for an editor.
    """
    policy = policy or current_policy()
    block = Block.objects.matching(comment.email_normalized, comment.ip_address)
    if block is not None:
        on = "email" if block.email else f"IP address ({block.network})"
        return Decision(Status.SPAM, "blocked", f"the {on} is blocked")
    word, where = find_listed_word(policy.disallowed_words, comment)
    if word:
        return Decision(Status.SPAM, "disallowed words", f"“{word}” in the {where}")
    if verdict is not None and verdict.status == Status.SPAM:
        return Decision(Status.SPAM, spamfilter.RULE, verdict.reason)
    if held is not None:
        return held
    if policy.hold_all:
        return Decision(Status.PENDING, "hold all", "every new comment is held")
    word, where = find_listed_word(policy.hold_words, comment)
    if word:
        return Decision(Status.PENDING, "hold words", f"“{word}” in the {where}")
    links = count_links(comment.body_raw)
    if links > policy.max_links:
        return Decision(Status.PENDING, "links", f"{links} links (more than {policy.max_links})")
    if verdict is not None and verdict.status == Status.PENDING:
        return Decision(Status.PENDING, spamfilter.RULE, verdict.reason)
    known_author = (
        Comment.objects.approved()
        .filter(author_name=comment.author_name, email_normalized=comment.email_normalized)
        .exclude(pk=comment.pk)  # an edited comment doesn't vouch for itself
    )
    if known_author.exists():
        return Decision(Status.APPROVED, "known author", "this name and email were approved before")
    return Decision(Status.PENDING, "new author", "no approved comment from this name and email")


# ---------------------------------------------------------------------------------------------
# The decisions.


def submit(comment, *, spam=None, held=None, policy=None):
    """Save a new comment with the status the policy gives it; return it.

    `spam` is a spam Decision the request already reached (the honeypot was filled, the form
    came back too fast): the comment is kept, as spam, for an editor to rescue. `held` is a
    hold the request reached, and `policy` the one it read (see initial_decision).

    Raises DuplicateComment if the same author already has the same text on this article
    (the database's unique constraint decides, so simultaneous identical posts make one).
    """
    comment.email_normalized = normalize_email(comment.author_email)
    verdict = spamfilter.assess(comment)
    comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons
    decision = spam or initial_decision(comment, policy=policy, held=held, verdict=verdict)
    comment.status = decision.status
    try:
        with transaction.atomic():
            comment.save()
            reason = f"{decision.rule}: {decision.reason}"
            _record(
                Action.SUBMIT, [comment], {comment.pk: ""}, comment.status, decision.rule, reason
            )
    except IntegrityError as error:
        comment.pk = None
        if not is_duplicate(comment):
            raise
        raise DuplicateComment from error
    return comment


def is_duplicate(comment):
    """Whether a live comment on the same article already has this one's fingerprint."""
    return (
        Comment.objects.live()
        .filter(article_id=comment.article_id, fingerprint=comment.fingerprint)
        .exists()
    )


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


def restore(comments, *, by, reason=""):
    """Undo the last decision: put each comment back in the status it had before it.

    The trail says what that was; a comment submitted straight into spam goes to pending.
    """
    changed = []
    with transaction.atomic():
        for comment in _selected(comments):
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
        selected = _selected(comments)
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
        _record(action, changed, statuses, Status.APPROVED, by, reason)
    return changed


def staff_reply(parent, body_raw, *, by):
    """An editor answers a comment as staff: published at once under the editor's display
    name with a "Staff" badge; no email of theirs is stored with it. Returns the reply."""
    if not parent.is_approved:
        raise ValueError("Only a comment readers can see can be answered.")
    reply = Comment(
        article=parent.article,
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
            _record(Action.SUBMIT, [reply], {reply.pk: ""}, Status.APPROVED, by, "staff reply")
    except IntegrityError as error:
        raise DuplicateComment from error
    return reply


def staff_name(user):
    """How an editor is named in public: their full name, else their username."""
    return user.get_full_name().strip() or user.get_username()


# ---------------------------------------------------------------------------------------------
# Readers' personal data: erasure on request, and the IP retention period.

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
    too. Returns the comments changed."""
    now = timezone.now()
    with transaction.atomic():
        selected = list(_selected(comments))
        if not selected:
            return []
        from_status = {comment.pk: comment.status for comment in selected}
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
            _record(Action.ERASE, group, from_status, status, by, why)
    return selected


def purge_ips(before, *, by=IP_RETENTION, batch_size=1000):
    """Clear the IP address and user agent of comments submitted before `before`, in
    batches (each its own transaction, so a cron job on a big table holds no long lock);
    returns how many comments were purged."""
    purged = 0
    pending = (
        Comment.objects.filter(submitted_at__lt=before, ip_purged_at__isnull=True)
        .filter(models.Q(ip_address__isnull=False) | ~models.Q(user_agent=""))
        .order_by("pk")
    )
    while True:
        with transaction.atomic():
            batch = list(_selected(list(pending.values_list("pk", flat=True)[:batch_size])))
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
                _record(Action.PURGE, group, statuses, status, by, reason)
            purged += len(batch)


def edit(comment, fields, *, by, reason=""):
    """Save changes to a comment's text or author fields, already set on `comment`.

    `fields` names what changed; the text is sanitized again by Comment.save(). The trail
    says "edited by staff" when a person did it. Raises DuplicateComment if the edit would
    make it the same as another live comment by the same author on the article.
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
    _record(Action.EDIT, [comment], {comment.pk: comment.status}, comment.status, by, reason)


POSTER = "its poster"


def edit_own(comment, body_raw):
    """The poster changes their comment's text (within the edit window, checked by the view).

    Sanitized again like any edit. An approved comment goes back through the policy for new
    comments if the edit adds a link or a listed word to the text, so a trusted author can't
    slip one in later.
    """
    policy = current_policy()
    links_before = comment.body_html.count("<a ")
    text_before = comment.body_raw
    comment.body_raw = body_raw
    changed = edit(comment, ["body_raw"], by=POSTER, reason="edited by its poster")
    if not changed or not comment.is_approved:
        return changed
    if comment.body_html.count("<a ") > links_before:
        added = "a link"
    else:
        word = _word_added(text_before, body_raw, policy)
        added = f"“{word}” to the text" if word else None
    if added:
        decision = initial_decision(comment, policy=policy)
        reason = f"{decision.rule}: the poster's edit added {added}"
        _move([comment], decision.status, Action.SUBMIT, decision.rule, reason)
    return changed


def _word_added(before, after, policy):
    """A disallowed or hold word the new text has and the old one had not, or None."""

    old = [text.casefold() for text in _text_variants(before)]
    new = [text.casefold() for text in _text_variants(after)]
    for word in (*policy.disallowed_words, *policy.hold_words):
        if any(word in text for text in new) and not any(word in text for text in old):
            return word
    return None


def remove_own(comment):
    """The poster deletes their comment (within the edit window): removed, trail kept."""
    return _move([comment], Status.REMOVED, Action.REMOVE, POSTER, "deleted by its poster")


def delete(comments, *, by, reason=""):
    """Delete the comments for good (superusers only); the trail keeps that it happened."""
    with transaction.atomic():
        doomed = list(_selected(comments))
        from_status = {comment.pk: comment.status for comment in doomed}
        _record(Action.DELETE, doomed, from_status, "", by, reason or "deleted")
        Comment.objects.filter(pk__in=from_status).delete()
    return doomed
