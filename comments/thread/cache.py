"""A discussion's comment thread, rendered once per change and kept in the cache.

The hot path of the site. What every reader sees (approved comments, and removed ones kept
as placeholders for their approved replies) is the same for all of them, so it is rendered
once and kept in the cache until the write path says it changed (`forget_threads`, attached
to comments.moderation's registry in comments.apps). What belongs to one reader (the comment
they posted that waits for an editor, their Edit links, a staff preview) is never cached:
such a page is rendered for that request alone, by the same code (comments.thread.render).
"""

import logging
import secrets
from contextlib import suppress
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from ..conf import settings
from ..models import POLICY_FOR_PAGES_KEY, Comment, ModerationEvent, Policy, current_policy
from .render import ThreadComment, catalogs_digest, render_page, thread_order

logger = logging.getLogger(__name__)

Action = ModerationEvent.Action

# Each discussion's cached pages live under its current generation; a change gives it
# a new one, so every page of it is forgotten at once and a page rendered from data read
# before the change is stored where nobody looks.
GENERATION_KEY = "comments:thread-generation:{discussion_id}"
# Replaced with any discussion's generation: what lists of objects show (their counts).
COUNTS_GENERATION_KEY = "comments:counts-generation"
# The "6": what a page holds (bump it when that changes, so a deploy never reads the old kind).
# `order`: the order of its threads (?csort=, comments.thread.render.thread_order);
# `language`: the one it was rendered in ("says:", "Reply", the dates), the reader's;
# `words`: the deployed translations it was rendered with (render.catalogs_digest).
PAGE_KEY = (
    "comments:thread:6:{discussion_id}:{generation}:{edited}:{per_page}:{can_reply:d}"
    ":{order}:{language}:{words}:{page}"
)
# A safety net only: a change is forgotten at once, but a cache that missed the word (Redis
# unreachable at that moment) is right again within this time.
PAGE_TIMEOUT = 60 * 60
POLICY_TIMEOUT = 5 * 60


@dataclass(frozen=True)
class PageState:
    """What a discussion's page needs from the cache before anything else."""

    generation: str | None  # None: the cache is unreachable
    policy: Policy


def page_state(discussion):
    """The discussion's thread generation and the discussion policy (is it open?), in
    one round trip to the cache. The policy is kept there until Discussion settings are
    saved (DiscussionSettings.save forgets it; POLICY_TIMEOUT is the safety net); posting
    never uses this copy, it reads the row."""
    generation_key = GENERATION_KEY.format(discussion_id=discussion.pk)
    try:
        found = cache.get_many([generation_key, POLICY_FOR_PAGES_KEY])
    except Exception:  # Redis unreachable, …: whatever the backend raises
        return PageState(None, current_policy())
    policy = pages_policy(found)
    generation = found.get(generation_key)
    if generation is None:
        with suppress(Exception):
            generation = _generation(discussion.pk)
    return PageState(generation, policy)


def pages_policy(found):
    """The policy from the pages' copy among `found` (what a cache get_many with
    POLICY_FOR_PAGES_KEY returned), or from the row, then kept for the next page."""
    policy = found.get(POLICY_FOR_PAGES_KEY)
    if policy is None:
        policy = current_policy()
        with suppress(Exception):
            cache.set(POLICY_FOR_PAGES_KEY, policy, POLICY_TIMEOUT)
    return policy


def thread_page(
    discussion,
    *,
    page,
    can_reply,
    order=None,
    poster_key="",
    own=False,
    preview_id=None,
    generation=None,
    showing=None,
):
    """The thread's page `page` for one reader: {"html" (UTF-8 bytes), "approved_count",
    "page", "num_pages", "personal"}, its threads in `order` (?csort=; None or anything
    else: the site's default, comments.thread.render.thread_order). With `showing` (a
    comment id: ?comment=, where a post lands), the page that holds that comment instead,
    in that order, when this reader may see it.

    A reader who posted in this thread (`own`: their session says so), or staff previewing
    a comment, gets a page rendered for them alone; "personal" says whether it showed them
    anything of their own (then the response must not be shared). Everyone else gets the
    cached page.
    """
    order = thread_order(order)
    if preview_id or (poster_key and own):
        comments = ThreadComment.load(_visible(discussion, poster_key, preview_id))
        return render_page(
            discussion,
            comments,
            page=page,
            can_reply=can_reply,
            order=order,
            poster_key=poster_key,
            preview_id=preview_id,
            showing=showing or preview_id,
        )
    if showing:
        page = _page_showing(discussion, showing, order) or page
    return cached_page(
        discussion, page=page, can_reply=can_reply, order=order, generation=generation
    )


def _page_showing(discussion, comment_id, order):
    """The comment page whose threads, in `order`, hold the approved comment `comment_id`
    of the discussion, or None: two queries (its thread's first comment; how many public
    threads come before it), as render.sort_threads orders them."""
    found = (
        Comment.objects.approved()
        .filter(discussion=discussion, pk=comment_id)
        .values_list(
            Coalesce("root_id", "pk"),
            Coalesce("root__submitted_at", "submitted_at"),
            Coalesce("root__recommendation_count", "recommendation_count"),
        )
        .first()
    )
    if found is None:
        return None
    pk, at, count = found
    older = Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk)
    newer = Q(submitted_at__gt=at) | Q(submitted_at=at, pk__gt=pk)
    before = {
        "oldest": older,
        "newest": newer,
        "best": Q(recommendation_count__gt=count) | (Q(recommendation_count=count) & older),
    }[order]
    earlier = Comment.objects.public_threads().filter(before, discussion=discussion).count()
    return earlier // settings.COMMENTS_PER_PAGE + 1


def cached_page(discussion, *, page, can_reply, order=None, generation=None):
    """The public page (its threads in `order`, as thread_page) from the cache, rendering
    and storing it on a miss.

    With the cache unreachable the page is rendered for this request: slower, never wrong.
    """
    order = thread_order(order)
    try:
        generation = generation or _generation(discussion.pk)
        key = PAGE_KEY.format(
            discussion_id=discussion.pk,
            generation=generation,
            edited=discussion.updated_at.timestamp(),  # a new title shows in the heading
            per_page=settings.COMMENTS_PER_PAGE,
            can_reply=can_reply,
            order=order,
            language=get_language(),
            words=catalogs_digest(),
            page=page,
        )
        found = cache.get(key)
    except Exception:  # Redis unreachable, …: whatever the backend raises
        key = found = None
    if found is not None:
        return found
    comments = ThreadComment.load(Comment.objects.for_thread_of(discussion))
    rendered = render_page(discussion, comments, page=page, can_reply=can_reply, order=order)
    # A page number past the end shows the last page; it is not stored under the number
    # asked for, so made-up numbers cannot fill the cache.
    if key is not None and rendered["page"] == page:
        with suppress(Exception):  # unreachable: the page is served all the same
            cache.set(key, rendered, PAGE_TIMEOUT)
    return rendered


def _generation(discussion_id):
    key = GENERATION_KEY.format(discussion_id=discussion_id)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, secrets.token_hex(4), None)
        generation = cache.get(key)
    return generation


def forget_threads(change):
    """A listener on the write path's registry (attached in comments.apps): when a change
    alters what readers see, give each discussion it touched a new generation, so its cached
    pages are not used again.

    Readers see approved comments, and removed ones that have approved replies (as a
    placeholder), so a change matters when a comment was or becomes approved, or was or
    becomes such a placeholder; anything else moving between pending, spam and removed is
    seen by nobody but its poster, whose page is never cached.
    """
    approved, removed = Comment.Status.APPROVED, Comment.Status.REMOVED
    if change.action == Action.PURGE:  # an IP address or user agent: never on a page
        return
    if change.action == Action.RECOMMEND:  # a count in the thread; lists' counts stay
        forget_discussions(change.discussion_ids, counts=False)
    elif change.to_status == approved or approved in change.from_status.values():
        forget_discussions(change.discussion_ids)
    elif removed in (change.to_status, *change.from_status.values()) and (
        change.action == Action.DELETE or _answered(change.comments)
    ):
        # A removed comment with approved replies is shown, as a placeholder above them.
        forget_discussions(change.discussion_ids)


def _answered(comments):
    """Whether any of these comments has an approved reply."""
    return Comment.objects.approved().filter(parent__in=[c.pk for c in comments]).exists()


def forget_discussions(discussion_ids, *, counts=True):
    """Forget every cached page of these discussions (one edited, settings changed), and
    with `counts` the lists of objects, which show their comment counts."""
    if not discussion_ids:
        return
    generations = {
        GENERATION_KEY.format(discussion_id=pk): secrets.token_hex(4) for pk in discussion_ids
    }
    if counts:  # lists of objects show their counts (comments.thread.pages, whole list pages)
        generations[COUNTS_GENERATION_KEY] = secrets.token_hex(4)
    try:
        cache.set_many(generations, None)
    except Exception:  # the change is made; pages expire within PAGE_TIMEOUT
        logger.warning("Could not tell the cache that threads %s changed", sorted(discussion_ids))


def _visible(discussion, poster_key, preview_id):
    visible = Comment.objects.for_thread_of(discussion, poster_key)
    if preview_id:
        visible = visible | Comment.objects.filter(discussion=discussion, pk=preview_id)
    return visible
