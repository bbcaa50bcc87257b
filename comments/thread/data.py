"""A discussion's thread as data, for the JSON API (comments.api.reads): the same rows, the
same nesting and the same pages as the HTML thread, kept in the cache under the same
generation as its pages, so a decision on a comment shows in both at once.

What a reader may see is decided where the HTML's is: `Comment.objects.for_thread_of` picks
the rows (approved comments, removed ones kept as placeholders of approved replies, and a
poster's own pending ones), `ThreadComment` reads only the thread's columns (no email, IP
address or raw text is even loaded) and `nest` builds the threads, dropping replies to what
is not shown. A page is encoded once per change, as JSON bytes, like the HTML thread's bytes:
a warm read decodes nothing and encodes nothing.
"""

from contextlib import suppress
from datetime import timedelta

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from ..conf import settings
from ..models import Comment
from .cache import PAGE_TIMEOUT
from .render import ThreadComment, nest, page_query, thread_order

Status = Comment.Status

# Under the discussion's generation (comments.thread.cache.GENERATION_KEY), replaced by the
# write path with every change readers see. `edited`: the discussion's own change (its
# object's address, in every permalink); `order`, its threads' (render.thread_order). The
# "3": what an entry holds (bump it when that changes, so a deploy never reads the old kind;
# 3: each comment's "recommendations").
DATA_KEY = "comments:thread-data:3:{discussion_id}:{generation}:{edited}:{per_page}:{order}:{page}"

# Dates as django-ninja writes them (DjangoJSONEncoder: ISO 8601, milliseconds, "Z"), so
# every endpoint of the API writes a comment alike.
ENCODER = DjangoJSONEncoder(separators=(",", ":"), ensure_ascii=False)


def thread_data(discussion, *, page, generation, poster_key="", order=None):
    """The thread's page `page` as data: {"comments" (JSON bytes: the page's threads, each
    comment with its "replies"), "approved_count", "page", "num_pages", "personal"}; its
    threads in `order` (None or anything else: the site's default, as the HTML's ?csort=).

    The poster holding `poster_key`, when they have something of their own here to see
    (`has_own_to_show`), gets a page made for them alone ("personal": it must not be shared).
    Everyone else gets the cached page, stored under `generation` (comments.thread.page_state;
    None when the cache is unreachable: made for this request, slower, never wrong).
    """
    order = thread_order(order)
    if poster_key and has_own_to_show(discussion, poster_key):
        comments = ThreadComment.load(Comment.objects.for_thread_of(discussion, poster_key))
        return page_data(discussion, comments, page=page, poster_key=poster_key, order=order)
    return cached_page_data(discussion, page=page, generation=generation, order=order)


def has_own_to_show(discussion, poster_key):
    """Whether the poster holding `poster_key` has a comment in the discussion that the
    shared page does not show as they should see it: one waiting for an editor
    (`shown_as_pending`), or one they may still edit (`editable_by_poster`), which may be
    newer than a copy a CDN keeps. The model's rules decide; the query only narrows the rows
    to those that could pass them."""
    editable_since = timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    candidates = Comment.objects.filter(discussion=discussion, poster_key=poster_key).filter(
        Q(status__in=(Status.PENDING, Status.SPAM)) | Q(submitted_at__gte=editable_since)
    )
    return any(
        comment.shown_as_pending or comment.editable_by_poster(poster_key)
        for comment in ThreadComment.load(candidates)
    )


def cached_page_data(discussion, *, page, generation, order=None):
    """The public page's data from the cache, made and stored on a miss."""
    order = thread_order(order)
    key = found = None
    if generation is not None:
        key = DATA_KEY.format(
            discussion_id=discussion.pk,
            generation=generation,
            edited=discussion.updated_at.timestamp(),
            per_page=settings.COMMENTS_PER_PAGE,
            order=order,
            page=page,
        )
        try:
            found = cache.get(key)
        except Exception:  # Redis unreachable, …: whatever the backend raises
            key = None
    if found is not None:
        return found
    comments = ThreadComment.load(Comment.objects.for_thread_of(discussion))
    data = page_data(discussion, comments, page=page, order=order)
    # A page number past the end gives the last page; it is not stored under the number
    # asked for, so made-up numbers cannot fill the cache.
    if key is not None and data["page"] == page:
        with suppress(Exception):  # unreachable: the page is answered all the same
            cache.set(key, data, PAGE_TIMEOUT)
    return data


def page_data(discussion, comments, *, page, poster_key="", order=None):
    """Nest `comments` (oldest first), its threads in `order`, and cut page `page` of them,
    as comments.thread.render.render_page does (COMMENTS_PER_PAGE threads a page; a page
    past the end is the last)."""
    order = thread_order(order)
    personal = any(c.shown_as_pending or c.editable_by_poster(poster_key) for c in comments)
    threads = nest(comments, order)
    per_page = settings.COMMENTS_PER_PAGE
    num_pages = max(1, -(-len(threads) // per_page))
    page = min(max(page, 1), num_pages)
    shown = threads[(page - 1) * per_page : page * per_page]
    return {
        "comments": encode_threads(shown, discussion.get_absolute_url(), order),
        "approved_count": sum(comment.is_approved for comment in comments),
        "page": page,
        "num_pages": num_pages,
        "personal": personal,
    }


def encode_threads(threads, discussion_url, order=None):
    """The JSON list of `threads` (nested by `nest`, in `order`), each comment's replies in
    its "replies". Depth first without recursion, as the HTML thread is rendered: a thread as
    deep as imports allow encodes like a flat one."""
    order = thread_order(order)
    page_urls = {}  # the address of each comment page in this order, made once
    parts = [b"["]
    pending = [iter(threads)]  # the unfinished reply lists, innermost last
    first = True
    while pending:
        comment = next(pending[-1], None)
        if comment is None:
            pending.pop()
            parts.append(b"]}" if pending else b"]")
            first = False
            continue
        if not first:
            parts.append(b",")
        page = comment.page
        if page not in page_urls:
            page_urls[page] = discussion_url + page_query(page, order)
        fields = ENCODER.encode(comment_fields(comment, page_urls[page])).encode()
        parts.append(fields[:-1] + b',"replies":[')
        pending.append(iter(comment.children))
        first = True
    return b"".join(parts)


def comment_fields(comment, page_url):
    """What the API shows of one comment (comments.api.schemas.CommentOut, but "replies"),
    as the HTML thread shows it: a removed comment, kept as the placeholder of its approved
    replies, shows nothing but where it stood; a poster's own comment waiting for an editor
    (or sent to spam by a rule, which its poster must not learn) is "pending". Only an
    approved comment shows its readers' recommendations (the count its row keeps, as the
    HTML's Recommend link shows it). Its "url" is its place on `page_url`, the HTML comment
    page its thread is on (in the order asked)."""
    pk = comment.pk
    if comment.is_removed:
        status = "removed"
    elif comment.is_approved:
        status = "approved"
    else:
        status = "pending"
    shown = status != "removed"
    return {
        "id": pk,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "status": status,
        "author": comment.author_name if shown else "",
        "author_url": comment.author_link if shown else "",
        "staff": shown and comment.staff_author_id is not None,
        "body_html": comment.body_html if shown else "",
        "submitted_at": comment.submitted_at,
        "edited_at": comment.edited_at if shown else None,
        "featured": status == "approved" and comment.featured_at is not None,
        "recommendations": comment.recommendation_count if status == "approved" else 0,
        "url": f"{page_url}#comment-{pk}",  # as Comment.get_absolute_url
    }
