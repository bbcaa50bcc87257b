"""Posting through the API: what a client needs to post (the form token), a post, a preview,
and the poster's own comments (listed, edited, deleted) through the poster key it keeps.

A second front end on the same write path and the same rules as the HTML form, never a way
round one: a body is bound, field for field, to the same CommentForm (or OwnCommentForm) as
form data, and a valid post goes through the same flow (comments.public.posting): the
duplicate check, flood control (held for an editor when the cache is down), then the write
path's policy (blocks, word lists, the spam filter, holds). The honeypot and a token sent
back too fast send a comment to spam while its poster is answered as anyone ("pending").
The form's email boxes (notify_replies, notify_all: JSON booleans) subscribe the poster as
the HTML form's do, double opt-in: one confirmation message, never for a comment kept as
spam.

No cookie is read or set here: the poster is known only by the poster key the client keeps
and sends in `X-Poster-Key`, never by a session, and `request.user` is never asked (staff
get no exemption here). A request therefore carries no authority that a browser adds by
itself, which is all CSRF abuses, so CSRF does not apply and the views are exempt from it
(django-ninja's default). What a browser's request does carry is its `Origin`: a write from
a site that is neither this one nor listed in COMMENTS_EMBED_ORIGINS is refused before its
body is read, and every answer carries CORS headers for listed origins only (api.origins).

No answer holds an email, a hash of one, or an IP address; bodies are the sanitized HTML.
Every refusal is an ErrorOut, with the HTML form's own messages.
"""

import json
import math
from datetime import datetime, timedelta

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop
from ninja import Field, Header, Router, Schema, Status

from .. import moderation
from ..conf import settings
from ..models import (
    COMMENT_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REPORT_TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
    Comment,
    Report,
    current_policy,
)
from ..public import posting, views
from ..public.forms import CommentForm, OwnCommentForm, notify_all_label, sign_form_token
from . import origins
from .schemas import CommentOut, ErrorOut

router = Router(tags=["posting"])

METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
POSTER_KEY_HEADER = "X-Poster-Key"

# What a post's body may hold: the HTML form's fields but "remember", which is a cookie's.
POST_FIELDS = (
    "name",
    "email",
    "url",
    "comment",
    "parent",
    "token",
    "hp",
    "notify_replies",
    "notify_all",
)
# The form's boxes (comments.public.posting.NOTIFY_BOXES): JSON true ticks one (the form
# data "on", as a browser sends a ticked box), false or nothing leaves it unticked.
BOXES = ("notify_replies", "notify_all")
# The answers' words, in English here (importable as such) and in the request's language
# where they are said (`refusal`, Refusal.answer).
# What the HTML form says under the boxes (comments/_form.html's #notify-notes).
BOXES_NOTE = gettext_noop(
    "Email boxes: we first send one message to confirm your address, and nothing else until "
    "you follow its link. Every email has a link that stops them at once."
)

NOT_FOUND = gettext_noop("Not found.")
FOREIGN_ORIGIN = gettext_noop(
    "Posting is not allowed from this origin: the site must be listed in COMMENTS_EMBED_ORIGINS."
)
NOT_JSON = gettext_noop("The body must be a JSON object.")
FORM_ERRORS = gettext_noop("The comment was not posted: see the errors of each field.")
# The form's own words for a bad number: Django's IntegerField's, which Django's own catalog
# translates (gettext where said finds it there).
WRONG_TYPES = {"parent": "Enter a whole number."}
WRONG_BOX = gettext_noop("Enter true or false.")
WRONG_TYPE = gettext_noop("Enter text.")


def too_big():
    """The answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE, in the request's language."""
    return gettext(
        "The request body is too large. Comments may be up to %(count)s characters long; if "
        "you pasted a long text, shorten it and post again."
    ) % {"count": number_format(COMMENT_MAX_LENGTH, force_grouping=True)}


class PostIn(Schema):
    """A post's body (and a preview's): the HTML form's fields, as JSON."""

    name: str = Field(max_length=NAME_MAX_LENGTH)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, description="Never shown to anyone.")
    url: str = Field("", max_length=URL_MAX_LENGTH, description="The author's website.")
    comment: str = Field(max_length=COMMENT_MAX_LENGTH, description="Text with allowed HTML.")
    parent: int | None = Field(None, description="The approved comment this one answers.")
    token: str = Field(description="The form token of GET …/form, for this discussion.")
    hp: str = Field("", description="The honeypot: always send it empty.")
    notify_replies: bool = Field(
        False,
        description="Email me when someone replies to me. Double opt-in: a box ticked sends "
        "one message to confirm the address (one for both boxes), and nothing else until "
        "its link is followed.",
    )
    notify_all: bool = Field(
        False,
        description="Email me when anyone comments here (double opt-in, as notify_replies).",
    )


class EditIn(Schema):
    """A poster's edit of their comment's text."""

    comment: str = Field(max_length=COMMENT_MAX_LENGTH)


class FieldOut(Schema):
    name: str
    max_length: int | None


class ChoiceOut(Schema):
    value: str
    label: str


class BoxOut(Schema):
    """One of the form's optional boxes (unticked unless the reader ticks it), its label as
    the HTML form words it for this discussion, and the note the form shows under them."""

    name: str
    label: str
    note: str


class FormOut(Schema):
    """What a client needs to post: the signed token (a post sooner than min_seconds after
    it is taken for a bot's; one older than max_age_seconds has expired), whether the
    discussion takes comments now, the fields with their limits, the optional boxes (the
    email notifications, sent as true or false), and what else there is: a preview, the
    poster's edit window, and what a report of a comment takes (its reasons, with the
    HTML report form's labels, and the most its words may be)."""

    token: str
    accepts_comments: bool
    min_seconds: int
    max_age_seconds: int
    fields: list[FieldOut]
    boxes: list[BoxOut]
    preview: bool
    edit_minutes: int
    report_reasons: list[ChoiceOut]
    report_text_max_length: int


class OwnCommentOut(Schema):
    """One of the poster's own comments, and until when they may edit or delete it."""

    comment: CommentOut
    edit_until: datetime


class PostedOut(OwnCommentOut):
    """A saved post: the comment as its poster sees it, and the poster key to keep (sent
    back in X-Poster-Key, it shows them their pending comments and lets them edit)."""

    poster_key: str


class MineOut(Schema):
    comments: list[OwnCommentOut]


class PreviewOut(Schema):
    body_html: str


def json_body(schema):
    """The OpenAPI requestBody of a body read by hand (see read_form_data)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


# ---------------------------------------------------------------------------------------------
# Answers


class Refusal(Exception):
    """A request answered with an ErrorOut before it got anywhere: `message` and the fields'
    `errors` in the request's language (translated where the refusal is made)."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.http_status, self.message, self.errors = status, message, errors or {}

    def answer(self):
        errors = {field: [str(m) for m in messages] for field, messages in self.errors.items()}
        return Status(self.http_status, ErrorOut(message=str(self.message), errors=errors))


def refusal(status, message, errors=None):
    return Refusal(status, message, errors).answer()


def form_errors(form):
    """Each field's messages, as the HTML form shows them ("__all__": the form's own)."""
    return {
        field: [error["message"] for error in field_errors]
        for field, field_errors in form.errors.get_json_data().items()
    }


def form_refusal(form):
    """An invalid form's answer: 403 when the discussion takes no comments, else 400."""
    errors = form_errors(form)
    if posting.is_closed(form):
        return refusal(403, " ".join(errors["__all__"]), errors)
    return refusal(400, gettext(FORM_ERRORS), errors)


def with_cors(request, response):
    origins.allow(request, response, methods=METHODS)


def personal(response):
    """The answer shows one poster's comments: no shared cache keeps it, and a browser's
    own cache keeps it apart for each poster key."""
    patch_cache_control(response, private=True)
    patch_vary_headers(response, (POSTER_KEY_HEADER,))


def refuse_foreign_origin(request):
    """A write from a browser on a site neither this one nor listed: refused, unread."""
    if not origins.is_allowed(request):
        raise Refusal(403, gettext(FOREIGN_ORIGIN))


# ---------------------------------------------------------------------------------------------
# What comes in


def public_discussion(discussion_id):
    """The discussion readers may see with this id, as the HTML form finds it; Refusal (404)
    otherwise."""
    try:
        return views.public_discussion(discussion_id)
    except Http404:
        raise Refusal(404, gettext(NOT_FOUND)) from None


def read_form_data(request, fields, message=FORM_ERRORS):
    """The JSON object in the body, as form data for `fields`: text as sent, a number as its
    digits, a box (BOXES) true as ticked ("on") and false as unticked (not sent), null or
    missing as not sent; any other key is ignored, as the HTML form ignores fields it does
    not know. Refusal (400) for a body that is no JSON object or a value of the wrong type
    (saying `message`, with each such field's error), (413) for one over
    DATA_UPLOAD_MAX_MEMORY_SIZE, the HTML form's bound. `message` as these module's constants
    are: in English, translated here."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refusal(413, too_big()) from None
    try:
        sent = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
        raise Refusal(400, gettext(NOT_JSON)) from None
    if not isinstance(sent, dict):
        raise Refusal(400, gettext(NOT_JSON))
    data, wrong = {}, {}
    for name in fields:
        value = sent.get(name)
        if value is None:
            continue
        if name in BOXES:
            if not isinstance(value, bool):
                wrong[name] = [gettext(WRONG_BOX)]
            elif value:
                data[name] = "on"
            continue
        if isinstance(value, str) or (
            name == "parent" and isinstance(value, int) and not isinstance(value, bool)
        ):
            data[name] = str(value)
        else:
            wrong[name] = [gettext(WRONG_TYPES.get(name, WRONG_TYPE))]
    if wrong:
        raise Refusal(400, gettext(message), wrong)
    return data


# ---------------------------------------------------------------------------------------------
# What goes out


def edit_window():
    """How long a poster may edit or delete their comment (Comment.editable_by_poster)."""
    return timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)


def edit_until(comment):
    """When the poster's edit window for the comment ends."""
    return comment.submitted_at + edit_window()


def own_comment_out(request, comment):
    """The poster's own comment as they see it: "approved", or else "pending", also when a
    rule sent it to spam (as the HTML page shows it to its poster: a bot learns nothing)."""
    return CommentOut(
        id=comment.pk,
        parent=comment.parent_id,
        depth=comment.depth,
        status="approved" if comment.is_approved else "pending",
        author=comment.author_name,
        author_url=comment.author_link,
        staff=comment.staff_author_id is not None,
        body_html=comment.body_html,
        submitted_at=comment.submitted_at,
        edited_at=comment.edited_at,
        featured=comment.featured_at is not None,
        recommendations=comment.recommendation_count if comment.is_approved else 0,
        url=comment.get_posted_url(),
    )


def own_with_window(request, comment):
    """The poster's own comment, and until when they may edit or delete it."""
    return OwnCommentOut(comment=own_comment_out(request, comment), edit_until=edit_until(comment))


def own_comments_in(discussion, key):
    """The poster's comments in the discussion that await an editor (as they see it: spam
    a rule decided on too) or that they may still edit, oldest first."""
    if not key:
        return []
    theirs = Comment.objects.filter(discussion=discussion, poster_key=key)
    recent = theirs.filter(submitted_at__gt=timezone.now() - edit_window())
    candidates = (theirs.awaiting_for_poster() | recent).select_related("discussion")
    return [
        comment
        for comment in candidates.order_by("submitted_at", "pk")
        if comment.shown_as_pending or comment.editable_by_poster(key)
    ]


# ---------------------------------------------------------------------------------------------
# The endpoints


def errors(*statuses):
    """The refusals an endpoint may answer, for the OpenAPI document."""
    return dict.fromkeys(statuses, ErrorOut)


@router.get(
    "/discussions/{discussion_id}/form",
    response={200: FormOut, **errors(404)},
    summary="What a client needs to post in a discussion",
)
def comment_form(request, discussion_id: int, response: HttpResponse):
    """The signed form token and the form's rules. Take a new one for each comment: a token
    is this discussion's only, and is spam if sent back sooner than min_seconds."""
    with_cors(request, response)
    response["Cache-Control"] = "no-store"
    try:
        discussion = public_discussion(discussion_id)
    except Refusal as refused:
        return refused.answer()
    fields = CommentForm.base_fields
    # The boxes' labels as the HTML form words them for this discussion.
    labels = {name: str(fields[name].label) for name in BOXES}
    labels["notify_all"] = notify_all_label(discussion)
    return FormOut(
        token=sign_form_token(discussion),
        accepts_comments=discussion.accepts_comments(current_policy()),
        min_seconds=math.ceil(settings.COMMENTS_MIN_SECONDS),
        max_age_seconds=int(settings.COMMENTS_FORM_MAX_AGE),
        fields=[
            FieldOut(name=name, max_length=getattr(fields[name], "max_length", None))
            for name in POST_FIELDS
        ],
        boxes=[BoxOut(name=name, label=labels[name], note=gettext(BOXES_NOTE)) for name in BOXES],
        preview=True,
        edit_minutes=settings.COMMENTS_EDIT_MINUTES,
        report_reasons=[
            ChoiceOut(value=value, label=str(label)) for value, label in Report.Reason.choices
        ],
        report_text_max_length=REPORT_TEXT_MAX_LENGTH,
    )


@router.post(
    "/discussions/{discussion_id}/comments",
    response={201: PostedOut, **errors(400, 403, 404, 409, 413, 429)},
    openapi_extra=json_body(PostIn),
    summary="Post a comment",
)
def post_comment(
    request,
    discussion_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Post a comment under the HTML form's rules. The answer's poster_key is the one sent
    in X-Poster-Key, or a new one if none (or no valid one) was sent: keep it."""
    with_cors(request, response)
    try:
        refuse_foreign_origin(request)
        discussion = public_discussion(discussion_id)
        form = CommentForm(read_form_data(request, POST_FIELDS), discussion=discussion)
        if not form.is_valid():
            return form_refusal(form)
        key = posting.valid_poster_key(poster_key) or posting.new_poster_key()
        comment = posting.post(request, form, key)
    except Refusal as refused:
        return refused.answer()
    except posting.Refused as refused:
        return refusal(refused.http_status, refused.message)
    personal(response)
    posted = PostedOut(
        comment=own_comment_out(request, comment), edit_until=edit_until(comment), poster_key=key
    )
    return Status(201, posted)


@router.post(
    "/discussions/{discussion_id}/preview",
    response={200: PreviewOut, **errors(400, 403, 404, 413)},
    openapi_extra=json_body(PostIn),
    summary="Preview a comment",
)
def preview_comment(request, discussion_id: int, response: HttpResponse):
    """The comment's body as it would be saved (sanitized), after the same checks as a
    post's, the token's included; nothing is stored or counted."""
    with_cors(request, response)
    response["Cache-Control"] = "no-store"
    try:
        refuse_foreign_origin(request)
        discussion = public_discussion(discussion_id)
        form = CommentForm(read_form_data(request, POST_FIELDS), discussion=discussion)
    except Refusal as refused:
        return refused.answer()
    if not form.is_valid():
        return form_refusal(form)
    return PreviewOut(body_html=posting.preview(form).body_html)


@router.get(
    "/discussions/{discussion_id}/mine",
    response={200: MineOut, **errors(404)},
    summary="The poster's own comments in a discussion",
)
def my_comments(
    request,
    discussion_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """The comments of the poster key that await an editor or may still be edited."""
    with_cors(request, response)
    personal(response)
    try:
        discussion = public_discussion(discussion_id)
    except Refusal as refused:
        return refused.answer()
    key = posting.valid_poster_key(poster_key)
    comments = own_comments_in(discussion, key)
    return MineOut(comments=[own_with_window(request, comment) for comment in comments])


@router.patch(
    "/comments/{comment_id}",
    response={200: OwnCommentOut, **errors(400, 403, 404, 409, 413)},
    openapi_extra=json_body(EditIn),
    summary="Edit one's own comment",
)
def edit_comment(
    request,
    comment_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Within the edit window, from the poster key that posted it; 404 for anything else."""
    with_cors(request, response)
    personal(response)
    try:
        refuse_foreign_origin(request)
        comment = posting.own_comment(comment_id, posting.valid_poster_key(poster_key))
        if comment is None:
            raise Refusal(404, gettext(NOT_FOUND))
        form = OwnCommentForm(read_form_data(request, ("comment",)))
    except Refusal as refused:
        return refused.answer()
    if not form.is_valid():
        return form_refusal(form)
    if not posting.edit(comment, form):
        return refusal(409, gettext(posting.DUPLICATE_MESSAGE), form_errors(form))
    comment.refresh_from_db()  # the policy may have moved it (an edit that adds a link)
    return own_with_window(request, comment)


@router.delete(
    "/comments/{comment_id}",
    response={204: None, **errors(403, 404)},
    summary="Delete one's own comment",
)
def delete_comment(
    request,
    comment_id: int,
    response: HttpResponse,
    poster_key: str = Header("", alias=POSTER_KEY_HEADER),
):
    """Within the edit window, from the poster key that posted it; 404 for anything else."""
    with_cors(request, response)
    try:
        refuse_foreign_origin(request)
        comment = posting.own_comment(comment_id, posting.valid_poster_key(poster_key))
        if comment is None:
            raise Refusal(404, gettext(NOT_FOUND))
    except Refusal as refused:
        return refused.answer()
    moderation.remove_own(comment)
    return Status(204, None)


def discussion_preflight(request, discussion_id: int, response: HttpResponse):
    """A browser's CORS preflight: the CORS headers for a listed origin, none for another."""
    with_cors(request, response)
    return Status(204, None)


def comment_preflight(request, comment_id: int, response: HttpResponse):
    """A browser's CORS preflight: the CORS headers for a listed origin, none for another."""
    with_cors(request, response)
    return Status(204, None)


PREFLIGHT = {"response": {204: None}, "include_in_schema": False}
for what in ("form", "comments", "preview", "mine"):
    path = f"/discussions/{{discussion_id}}/{what}"
    router.api_operation(["OPTIONS"], path, **PREFLIGHT)(discussion_preflight)
router.api_operation(["OPTIONS"], "/comments/{comment_id}", **PREFLIGHT)(comment_preflight)
