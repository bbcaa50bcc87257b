"""Readers' reactions through the API: recommending a comment (and taking it back), reporting
one to the editors, and which comments a reader recommends.

The same write path as the HTML pages (comments.moderation.reactions) with the same rules:
one recommendation per comment per reader, never of one's own comment; one report per
comment per reader and per IP address, flood-limited, and enough distinct readers' reports
put the comment back in the queue. The reader is the poster key the client keeps and sends
in X-Poster-Key (a new one is answered when none is sent: keep it), never a cookie; writes
from a browser on a site not listed in COMMENTS_EMBED_ORIGINS are refused, as posts are.
"""

from typing import Literal

from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from ninja import Field, Header, Router, Schema, Status

from .. import moderation
from ..models import REPORT_TEXT_MAX_LENGTH, Comment, Recommendation, Report
from ..public import posting, reactions
from ..public.forms import ReportForm
from .posting import (
    NOT_FOUND,
    POSTER_KEY_HEADER,
    PREFLIGHT,
    Refusal,
    comment_preflight,
    discussion_preflight,
    errors,
    form_errors,
    json_body,
    personal,
    public_discussion,
    read_form_data,
    refusal,
    refuse_foreign_origin,
    with_cors,
)

router = Router(tags=["reactions"])

# In English here (importable as such), translated where they are said.
OWN_COMMENT = reactions.OWN_COMMENT
REPORT_ERRORS = gettext_noop("The report was not sent: see the errors of each field.")


def _reasons_described():
    """The reasons for the OpenAPI document, in English (made once, at import, whatever
    language a request that imports it has)."""
    with translation.override("en"):
        reasons = "; ".join(f"{value}: {label}" for value, label in Report.Reason.choices)
    return reasons + " (then say what in `text`)."


class RecommendationOut(Schema):
    """The comment's recommendations after the request, and whether this reader's is one."""

    comment: int
    recommended: bool
    count: int
    poster_key: str


class ReportIn(Schema):
    """A report: why (spam, abuse, off_topic, or other with a few words). The reasons and
    their labels are the HTML report form's (also in GET …/form's report_reasons)."""

    reason: Literal[tuple(Report.Reason.values)] = Field(description=_reasons_described())
    text: str = Field("", max_length=REPORT_TEXT_MAX_LENGTH, description="Needed for other.")


class ReportOut(Schema):
    """Always the same answer, counted or not: nobody learns how many reported it."""

    message: str
    poster_key: str


class RecommendedOut(Schema):
    """The ids of the discussion's comments this reader recommends."""

    recommended: list[int]


def published_comment(comment_id):
    """The approved comment with this id in a discussion readers may see, as the HTML pages
    find it; Refusal (404) otherwise."""
    try:
        return reactions.published_comment(comment_id)
    except Http404:
        raise Refusal(404, gettext(NOT_FOUND)) from None


def reader(poster_key):
    """The reader's key: the one sent, if it could be one, else a new one."""
    return posting.valid_poster_key(poster_key) or posting.new_poster_key()


def recommendation_out(comment, key, recommended):
    """The count as the write path left it on `comment` (it re-reads it after a change)."""
    return RecommendationOut(
        comment=comment.pk,
        recommended=recommended,
        count=comment.recommendation_count,
        poster_key=key,
    )


@router.post(
    "/comments/{comment_id}/recommendation",
    response={200: RecommendationOut, **errors(403, 404)},
    summary="Recommend a comment",
)
def recommend(
    request,
    comment_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Count this reader's recommendation (once: again changes nothing). 403 for the
    reader's own comment."""
    with_cors(request, response)
    personal(response)
    key = reader(poster_key)
    try:
        refuse_foreign_origin(request)
        comment = published_comment(comment_id)
        moderation.recommend(comment, key)
    except Refusal as refused:
        return refused.answer()
    except moderation.CannotReact:
        return refusal(403, gettext(OWN_COMMENT))
    return recommendation_out(comment, key, True)


@router.delete(
    "/comments/{comment_id}/recommendation",
    response={200: RecommendationOut, **errors(403, 404)},
    summary="Take back a recommendation",
)
def unrecommend(
    request,
    comment_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Take back this reader's recommendation (none: nothing changes)."""
    with_cors(request, response)
    personal(response)
    key = reader(poster_key)
    try:
        refuse_foreign_origin(request)
        comment = published_comment(comment_id)
    except Refusal as refused:
        return refused.answer()
    moderation.unrecommend(comment, key)
    return recommendation_out(comment, key, False)


@router.post(
    "/comments/{comment_id}/reports",
    response={202: ReportOut, **errors(400, 403, 404, 413, 429)},
    openapi_extra=json_body(ReportIn),
    summary="Report a comment to the editors",
)
def report(
    request,
    comment_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Report a published comment, with the HTML report form's rules and answer."""
    with_cors(request, response)
    personal(response)
    key = reader(poster_key)
    try:
        refuse_foreign_origin(request)
        comment = published_comment(comment_id)
        form = ReportForm(read_form_data(request, ("reason", "text"), REPORT_ERRORS))
    except Refusal as refused:
        return refused.answer()
    if not form.is_valid():
        return refusal(400, gettext(REPORT_ERRORS), form_errors(form))
    try:
        reactions.file_report(request, comment, form, key)
    except reactions.TooSoon as too_soon:
        return refusal(429, str(too_soon))
    return Status(202, ReportOut(message=gettext(reactions.THANKS), poster_key=key))


@router.get(
    "/discussions/{discussion_id}/recommended",
    response={200: RecommendedOut, **errors(404)},
    summary="The comments a reader recommends in a discussion",
)
def recommended(
    request,
    discussion_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Ids of the discussion's published comments recommended with this X-Poster-Key (none
    without one); 404 for a discussion readers may not see, as its thread is."""
    with_cors(request, response)
    personal(response)
    try:
        discussion = public_discussion(discussion_id)
    except Refusal as refused:
        return refused.answer()
    key = posting.valid_poster_key(poster_key)
    if not key:
        return RecommendedOut(recommended=[])
    ids = Recommendation.objects.filter(
        reader_key=key,
        comment__discussion=discussion,
        comment__status=Comment.Status.APPROVED,
    ).values_list("comment_id", flat=True)
    return RecommendedOut(recommended=sorted(ids))


for what in ("recommendation", "reports"):
    router.api_operation(["OPTIONS"], f"/comments/{{comment_id}}/{what}", **PREFLIGHT)(
        comment_preflight
    )
router.api_operation(["OPTIONS"], "/discussions/{discussion_id}/recommended", **PREFLIGHT)(
    discussion_preflight
)
