"""The staff endpoints: the moderation queue and the decisions, for an editor's own tools
(a newsroom app, a script) holding an API token (comments.models.ApiToken, made in the
admin).

- `GET /staff/queue?page=N`: the pending comments in the queue's own order, 50 a page.
- `POST /staff/comments/{id}/decision`: approve, mark as spam, remove or restore one comment,
  through the write path as the token's user, so the trail records who decided and why.

A token acts as its user, with that user's permissions: reading the queue needs
comments.view_comment, deciding comments.change_comment (the Editors group has both). No
answer holds an email, a hash of one, an IP address or a user agent: the admin is where
editors see those.

These endpoints answer this site's own pages and tools, never another origin: a request
that names another origin is refused before the token is even looked at, and no answer
carries CORS headers, so no other site's page can read one.
"""

import json
from datetime import datetime
from functools import wraps
from typing import Literal, get_args

from django.db.models import OuterRef, Subquery
from django.http import JsonResponse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from .. import moderation
from ..models import ApiToken, Comment, ModerationEvent, estimated_count
from .origins import own_origin, request_origin
from .schemas import ErrorOut

PER_PAGE = 50
# Far past any queue, and small enough that the offset stays a 64-bit integer.
LAST_PAGE = 1_000_000
LARGEST_ID = 2**63 - 1
# The decisions a tool may take here: the queue's, by their keys in moderation.DECISIONS.
Action = Literal["approve", "spam", "remove", "restore"]
ACTIONS = get_args(Action)
StatusName = Literal["pending", "approved", "spam", "removed"]
REASON_MAX_LENGTH = 1000
# Recorded as the reason when the tool gives none, so the trail says where it came from.
REASON = "staff API"


# ---------------------------------------------------------------------------------------------
# Who may call.


class StaffToken(HttpBearer):
    """`Authorization: Bearer <secret>`: the token's user, if the token is active, the user
    is active and has `permission` (an active token without it is refused with 403, not 401:
    the token is good, the account may not do this)."""

    def __init__(self, permission):
        super().__init__()
        self.permission = permission

    def authenticate(self, request, token):
        found = ApiToken.objects.authenticate(token)
        if found is None:
            return None
        if not found.user.has_perm(self.permission):
            raise AuthorizationError(message="This token's account may not do this.")
        return found


may_view = StaffToken("comments.view_comment")
may_decide = StaffToken("comments.change_comment")


def refusal(status, message, errors=None):
    """An ErrorOut answer."""
    body = ErrorOut(message=message, errors=errors or {}).model_dump()
    return JsonResponse(body, status=status)


def this_site_only(run):
    """Wraps each operation, authentication included: a request from another origin is
    refused 403 before its token is looked at; django-ninja's own refusals come out as
    ErrorOut like every other (as_error_out); and no answer carries CORS headers or may be
    kept by any cache."""

    @wraps(run)
    def guarded(request, *args, **kwargs):
        origin = request_origin(request)
        if origin and origin != own_origin(request):
            response = refusal(403, "The staff API answers this site's own pages only.")
        else:
            response = as_error_out(run(request, *args, **kwargs))
        if response.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="staff"'
        for header in [h for h in response.headers if h.lower().startswith("access-control-")]:
            del response[header]
        response["Cache-Control"] = "no-store"
        response["Vary"] = "Origin, Authorization"
        return response

    return guarded


def as_error_out(response):
    """django-ninja's own refusals, {"detail": …}, as ErrorOut: a token refused (401, 403), a
    body that is no JSON (400), and input that does not validate (its 422, answered 400 with
    each field's messages, as the other routers answer bad input). Any other answer as it
    is."""
    if response.status_code not in (400, 401, 403, 422):
        return response
    try:
        detail = json.loads(response.content)["detail"]
    except (ValueError, KeyError, TypeError):
        return response
    if response.status_code == 422 and isinstance(detail, list):
        errors = {}
        for error in detail:
            errors.setdefault(field_of(error.get("loc", ())), []).append(error.get("msg", ""))
        return refusal(400, "The request does not match this endpoint's parameters.", errors)
    if response.status_code == 401:
        return refusal(401, "A staff API token is needed: Authorization: Bearer <token>.")
    if isinstance(detail, str):
        return refusal(response.status_code, detail)
    return response


def field_of(location):
    """The field a validation error is about: ("query", "page") is "page", ("body",
    "decision", "action") "action"; the body as a whole "__all__"."""
    parts = list(location)
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(str(part) for part in parts) or "__all__"


router = Router(tags=["staff"])
router.add_decorator(this_site_only, mode="view")  # "view": around authentication too

REFUSALS = dict.fromkeys((400, 401, 403), ErrorOut)


# ---------------------------------------------------------------------------------------------
# The queue.


class DiscussionRef(Schema):
    id: int
    title: str
    url: str


class QueuedComment(Schema):
    """A pending comment as the queue shows it, and why it is held: the rule that held it
    ("" when an editor put it back) and the reason the trail gives."""

    id: int
    discussion: DiscussionRef
    parent: int | None
    author: str
    author_url: str
    body_html: str
    submitted_at: datetime
    spam_score: float | None
    rule: str
    reason: str


class QueueOut(Schema):
    """One page of the queue. `pending` is how many comments wait in all (estimated past
    10,000). Deciding comments takes them out of the queue, so a tool that decides as it
    reads asks for page 1 again rather than the next page."""

    page: int
    per_page: int
    has_next: bool
    pending: int
    comments: list[QueuedComment]


def queue_rows():
    """The pending comments in QUEUE_ORDER (read from its index), with the latest decision's
    rule and reason from the trail, loading no email, IP address or user agent."""
    latest = ModerationEvent.objects.filter(comment=OuterRef("pk")).exclude(
        action=ModerationEvent.Action.EDIT
    )
    return (
        Comment.objects.in_queue_order()
        .select_related("discussion")
        .only(
            "pk",
            "discussion",
            "parent_id",
            "author_name",
            "author_url",
            "body_html",
            "submitted_at",
            "spam_score",
            "status",
        )
        .annotate(
            held_by_rule=Subquery(latest.values("rule")[:1]),
            held_because=Subquery(latest.values("reason")[:1]),
        )
    )


def queued(request, comment):
    discussion = comment.discussion
    return QueuedComment(
        id=comment.pk,
        discussion=DiscussionRef(
            id=discussion.pk,
            title=discussion.title,
            url=request.build_absolute_uri(discussion.get_absolute_url()),
        ),
        parent=comment.parent_id,
        author=comment.author_name,
        author_url=comment.author_link,
        body_html=comment.body_html,
        submitted_at=comment.submitted_at,
        spam_score=comment.spam_score,
        rule=comment.held_by_rule or "",
        reason=comment.held_because or "",
    )


@router.get(
    "/queue",
    auth=may_view,
    response={200: QueueOut, **REFUSALS},
    summary="The moderation queue: pending comments, 50 a page",
)
def queue(request, page: int = Query(1, ge=1, le=LAST_PAGE)):
    """The pending comments, likeliest spam first, then newest (the admin's queue order),
    PER_PAGE a page."""
    start = (page - 1) * PER_PAGE
    rows = list(queue_rows()[start : start + PER_PAGE + 1])
    has_next = len(rows) > PER_PAGE
    if page == 1 and not has_next:
        pending = len(rows)  # the whole queue is on this page: no count to ask
    else:
        pending = estimated_count(Comment.objects.pending())
    return QueueOut(
        page=page,
        per_page=PER_PAGE,
        has_next=has_next,
        pending=pending,
        comments=[queued(request, comment) for comment in rows[:PER_PAGE]],
    )


# ---------------------------------------------------------------------------------------------
# The decisions.


class DecisionIn(Schema):
    action: Action
    reason: str = Field("", max_length=REASON_MAX_LENGTH)


class DecisionOut(Schema):
    """The comment's status after the decision."""

    id: int
    action: Action
    status: StatusName


class UnchangedOut(ErrorOut):
    """Nothing changed (the comment was in that status already, or there was nothing to
    undo, or approving it would repeat a live duplicate): its status as it is."""

    status: StatusName


@router.post(
    "/comments/{comment_id}/decision",
    auth=may_decide,
    response={200: DecisionOut, 404: ErrorOut, 409: UnchangedOut, **REFUSALS},
    summary="Approve, mark as spam, remove or restore a comment",
)
def decide(request, decision: DecisionIn, comment_id: int = Path(..., ge=1, le=LARGEST_ID)):
    """Take a decision on one comment, through the write path as the token's user: the trail
    records who decided and why (`reason`, or "staff API"), readers' pages follow at once."""
    comment = Comment.objects.filter(pk=comment_id).only("pk", "status").first()
    if comment is None:
        return Status(404, ErrorOut(message="There is no comment with this id."))
    reason = decision.reason.strip() or REASON
    take = moderation.DECISIONS[decision.action].decide
    changed = take([comment], by=request.auth.user, reason=reason)
    if not changed:
        status = Comment.objects.filter(pk=comment.pk).values_list("status", flat=True).first()
        if status is None:  # deleted meanwhile, by a superuser
            return Status(404, ErrorOut(message="There is no comment with this id."))
        label = Comment.Status(status).label.lower()
        return Status(
            409, UnchangedOut(message=f"The comment is {label}; nothing changed.", status=status)
        )
    return DecisionOut(id=comment.pk, action=decision.action, status=changed[0].status)
