"""Posting a comment: the one flow behind both front ends, the "Leave a Reply" form
(comments.public.views) and the JSON API (comments.api.posting), so that no rule exists twice
and neither is a way round the other.

CommentForm has already judged what was typed (the text, its markup, the signed token, the
honeypot, the comment it answers, whether the discussion is open). `post` then asks what only a
valid post may be asked (is it a duplicate? is it too soon after the poster's last one?) and
hands the comment to the write path, whose policy decides its status (blocks, word lists, the
spam filter, holds). The poster's own edits go the same way for both (`own_comment`, `edit`).
A post whose notification boxes are ticked subscribes its address (comments.notify), for both.
"""

import logging
import re
import secrets

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import get_language, gettext, gettext_noop

from .. import moderation, notify
from ..models import Comment, Discussion
from . import throttle
from .network import client_ip

logger = logging.getLogger(__name__)

# In English here (importable as such), translated where they are said (Refused, the form).
FLOOD_MESSAGE = gettext_noop("You are posting comments too quickly. Slow down.")
DUPLICATE_MESSAGE = gettext_noop(
    "Duplicate comment detected; it looks as though you've already said that!"
)

# A poster key as new_poster_key makes them (secrets.token_hex(16)).
POSTER_KEY_SHAPE = re.compile(r"[0-9a-f]{32}")

# What the post itself gives away (CommentForm.bot_tell): the rule that sends it to spam.
BOT_TELLS = {"honeypot": moderation.HONEYPOT, "too fast": moderation.TOO_FAST}


class Refused(Exception):
    """A valid post that was not saved: `message` says why, in the words the reader sees (in
    the request's language), and `http_status` is the answer's code (409: said already, 429:
    too soon)."""

    def __init__(self, message, http_status):
        super().__init__(message)
        self.message = message
        self.http_status = http_status


def new_poster_key():
    """A new poster key: the random secret a browser session (or an API client) keeps and its
    comments carry (Comment.poster_key), so that it alone sees them while they are pending and
    may edit them for a while."""
    return secrets.token_hex(16)


def valid_poster_key(value):
    """`value` if it is shaped as new_poster_key makes them (32 lower-case hex digits), else
    "": what a client sends is no key at all unless it could be one."""
    value = (value or "").strip()
    return value if POSTER_KEY_SHAPE.fullmatch(value) else ""


def is_closed(form):
    """Whether the form was refused because the discussion takes no comments now: a 403 on
    both front ends, not a mistake the reader can fix."""
    return form.has_error(NON_FIELD_ERRORS, code="closed")


def preview(form):
    """The valid form's comment as it would appear, sanitized exactly as it would be saved.
    Nothing is stored or counted, and no address is kept with it."""
    return form.build_comment(ip_address=None, user_agent="")


def post(request, form, poster_key, *, flood_exempt=False):
    """Save the valid form's comment through the write path, carrying `poster_key`; return it.

    Raises Refused for a duplicate of a comment on file (409) and, unless `flood_exempt`
    (staff, on the HTML side), for a post sooner than the policy's flood seconds after the
    poster's last one (429). The client's IP (comments.public.network.client_ip) and user
    agent are kept for moderation; a bot's tell sends the comment to spam while its poster is
    answered as anyone. The ticked notification boxes subscribe the poster (`subscribe`).
    """
    comment = form.build_comment(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        poster_key=poster_key,
    )
    if moderation.is_duplicate(comment):
        # Said before flood control, which would otherwise call a double click "too quick".
        raise Refused(gettext(DUPLICATE_MESSAGE), 409)
    held, flood_keys = None, []
    seconds = form.policy.flood_seconds
    if seconds > 0 and not flood_exempt:
        held, flood_keys = claim_flood_slot(comment, seconds)
    try:
        comment = moderation.submit(
            comment, spam=BOT_TELLS.get(form.bot_tell), held=held, policy=form.policy
        )
    except moderation.DuplicateComment:
        throttle.release(flood_keys)  # nothing was posted
        raise Refused(gettext(DUPLICATE_MESSAGE), 409) from None
    subscribe(form, comment)
    return comment


# The form's notification boxes, and the scope each asks for (comments.notify).
NOTIFY_BOXES = {"notify_replies": "replies", "notify_all": "all"}


def subscribe(form, comment):
    """Subscribe the poster's address to what the ticked boxes ask for, in the language of
    this request: one confirmation message for the boxes ticked together, none for what is
    subscribed already. Never for a comment kept as spam: a bot's post mails nobody's
    address. The comment is saved whatever happens here."""
    scopes = [scope for box, scope in NOTIFY_BOXES.items() if form.cleaned_data.get(box)]
    if not scopes or comment.status == Comment.Status.SPAM:
        return []
    try:
        return notify.subscribe_to(
            comment.discussion, comment.author_email, scopes, language=get_language() or ""
        )
    except Exception:
        logger.exception("Could not subscribe the poster of comment %s", comment.pk)
        return []


def claim_flood_slot(comment, seconds):
    """Take the poster's flood-control slots (by IP and by email) for `seconds`: returns
    (hold, keys taken). Raises Refused (429) when one is taken already."""
    keys = throttle.flood_keys(comment.ip_address, comment.email_normalized)
    try:
        claimed = throttle.claim(keys, seconds)
    except throttle.CacheUnavailable:
        # Fail open, to the queue: the comment is kept and held for an editor, so a Redis
        # outage neither loses a reader's words nor lets a flood be published.
        return moderation.FLOOD_UNCHECKED, []
    if not claimed:
        raise Refused(gettext(FLOOD_MESSAGE), 429)
    return None, keys


def own_comment(comment_id, poster_key):
    """The comment with this id if the holder of `poster_key` may still edit or delete it
    (Comment.editable_by_poster: theirs, not decided against, within COMMENTS_EDIT_MINUTES,
    in a discussion readers may see); else None, whatever the reason, so that nobody else
    learns even that it exists."""
    comment = (
        Comment.objects.select_related("discussion")
        .filter(discussion__in=Discussion.objects.public(), pk=comment_id)
        .first()
    )
    if comment is None or not comment.editable_by_poster(poster_key):
        return None
    return comment


def edit(comment, form):
    """Save the poster's valid edit (OwnCommentForm) through the write path; True if saved.
    An edit that makes it the same as another of their comments in the discussion is not
    saved: the form says so on its "comment" field."""
    try:
        moderation.edit_own(comment, form.cleaned_data["comment"])
    except moderation.DuplicateComment:
        form.add_error("comment", gettext(DUPLICATE_MESSAGE))
        return False
    return True
