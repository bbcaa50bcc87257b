"""Readers' recommendations and reports: the write path's part of them.

A recommendation changes what every reader sees (the comment's count, and the "best" order),
so it is told to the registry like any change to a comment (action "recommend", not kept in
the trail: it is not a moderation decision) and the cached thread forgets. A report is the
editors' business until enough distinct readers agree: then the comment goes back to the
queue through `_move`, as any decision does, by the rule "reader reports" with the readers'
reasons in the trail, and the editors are alerted (comments.desk.alerts). An editor's
approval clears the reports (decisions.clear_reports, a step of every publication).

Who a reader is: their browser's reader key (the session's poster key, or an API client's
X-Poster-Key), and for reports their IP address too: one report per comment per key and
per address counts.
"""

import enum
from collections import Counter

from django.db import IntegrityError, models, transaction
from django.utils import translation

from ..conf import settings
from ..models import Comment, ModerationEvent, Recommendation, Report
from .decisions import hold
from .registry import Change, tell_on_commit

Status = Comment.Status
Action = ModerationEvent.Action

READER_REPORTS = "reader reports"  # the rule's name in the trail


class CannotReact(Exception):
    """The comment can't be recommended or reported by this reader: not published, or (for a
    recommendation) their own."""


def recommend(comment, reader_key):
    """Count this reader's recommendation of a published comment; True if it is new.

    Raises CannotReact for a comment not published or posted from this browser."""
    _check(comment, reader_key, own_allowed=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Recommendation.objects.create(comment=comment, reader_key=reader_key)
        except IntegrityError:
            return False  # counted already
        _count(comment, +1)
    return True


def unrecommend(comment, reader_key):
    """Take back this reader's recommendation; True if there was one."""
    with transaction.atomic():
        deleted, _ = Recommendation.objects.filter(comment=comment, reader_key=reader_key).delete()
        if not deleted:
            return False
        _count(comment, -1)
    return True


def recommended_by(reader_key, comments):
    """The ids among `comments` (ids or objects) this reader recommends: one query."""
    if not reader_key:
        return set()
    pks = [getattr(comment, "pk", comment) for comment in comments]
    found = Recommendation.objects.filter(reader_key=reader_key, comment_id__in=pks)
    return set(found.values_list("comment_id", flat=True))


def _count(comment, step):
    Comment.objects.filter(pk=comment.pk).update(
        recommendation_count=models.F("recommendation_count") + step
    )
    comment.refresh_from_db(fields=["recommendation_count", "status"])
    tell_on_commit(
        Change(
            Action.RECOMMEND,
            (comment,),
            {comment.pk: comment.status},
            comment.status,
            "reader",
            "recommended" if step > 0 else "recommendation taken back",
        )
    )


class Reported(enum.Enum):
    """What became of a report."""

    COUNTED = "counted"  # stored; the comment stays published
    ALREADY = "already"  # this browser or this address reported it already: not counted again
    HELD = "held"  # it was one too many: the comment is back in the queue


def report(comment, *, reason, text="", reader_key, ip_address=None):
    """Store a reader's report of a published comment, and hold the comment for the editors
    once enough distinct readers reported it (reports_to_hold). Returns a Reported.

    Raises CannotReact for a comment readers can't see. A reader may report their own."""
    _check(comment, reader_key, own_allowed=True)
    with transaction.atomic():
        # The comment's row, locked: reports of one comment are counted one at a time (two
        # arriving together can't both fall short of the threshold), against its status now.
        status = Comment.objects.select_for_update().filter(pk=comment.pk).values("status")
        if status.first() != {"status": Status.APPROVED}:
            raise CannotReact("Only a published comment can be reported.")
        earlier = Report.objects.filter(comment=comment, cleared_at=None)
        seen = models.Q(reader_key=reader_key)
        if ip_address:
            seen |= models.Q(ip_address=ip_address)
        if (
            earlier.filter(seen).exists()
            or Report.objects.filter(comment=comment, reader_key=reader_key).exists()
        ):
            return Reported.ALREADY
        Report.objects.create(
            comment=comment,
            reason=reason,
            text=text.strip(),
            reader_key=reader_key,
            ip_address=ip_address,
        )
        active = list(earlier.order_by("created_at", "pk"))
        if comment.staff_author_id or len(active) < reports_to_hold(comment):
            return Reported.COUNTED
        held = hold([comment], by=READER_REPORTS, reason=summary(active))
    return Reported.HELD if held else Reported.COUNTED


def reports_to_hold(comment):
    """How many distinct readers' reports hold this comment: COMMENTS_REPORTS_TO_HOLD, twice
    that once an editor approved it after reports (0: reports never hold)."""
    threshold = int(settings.COMMENTS_REPORTS_TO_HOLD)
    if threshold <= 0:
        return float("inf")
    if Report.objects.filter(comment=comment, cleared_at__isnull=False).exists():
        threshold *= 2
    return threshold


def summary(reports):
    """The reports as the trail says them: "3 reports: Spam (2); Abusive or hateful: …".
    Stored, so in the site's language, not the reporting reader's."""
    with translation.override(settings.LANGUAGE_CODE):
        counts = Counter(report.why for report in reports)
    parts = [f"{why} ({n})" if n > 1 else why for why, n in counts.items()]
    return f"{len(reports)} reports: " + "; ".join(parts)


def _check(comment, reader_key, *, own_allowed):
    if not reader_key:
        raise CannotReact("No reader key.")
    if comment.status != Status.APPROVED:
        raise CannotReact("Only a published comment can be recommended or reported.")
    if not own_allowed and comment.poster_key and comment.poster_key == reader_key:
        raise CannotReact("Your own comment can't be recommended by you.")
