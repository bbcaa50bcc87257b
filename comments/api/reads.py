"""Reading discussions: one with a page of its threads (by id, by a page's address, or by
the discussed object), and the approved counts of many at once.

The same data and rules as the HTML page: only discussions readers may see (an unpublished
object's is a 404), the thread's own rows, nesting and pages (comments.thread.data: removed
comments kept as placeholders of approved replies, a page past the end is the last), cached
under the discussion's generation, so a decision shows on the next read. `?sort=` chooses
the threads' order as the HTML page's ?csort= does (oldest, newest, best: most recommended
first); each order is a page, an answer and an ETag of its own, and the answer says which
order it is in. No email, hash of one or IP address is ever read, and a body is the
sanitized HTML.

Caching by others: every answer carries a strong ETag (a hash of its bytes) and answers
If-None-Match with 304. A shared answer is `Cache-Control: public, max-age=30`: a CDN or a
browser may keep it for 30 seconds, so readers behind one see a decision within 30 seconds
(at once when they ask the site). It varies with `X-Poster-Key`, so such a cache never
hands it to a poster in place of their own view: with the key the posting endpoints give a
poster, a poster who has a comment here waiting for an editor or still editable gets the
thread as they see it, pending comments included ("pending"), never another key's. That
answer is `Cache-Control: private, no-cache`: only the poster's own browser may keep it,
and it asks again each time (a 304 when nothing changed), so the editor's decision on their
comment shows at once; not `no-store`, which would leave the browser no copy to revalidate.

From a browser: listed origins (COMMENTS_EMBED_ORIGINS) get CORS headers (comments.api.
origins), and an OPTIONS preflight answer; others get the same JSON without them (their
pages cannot read it). No cookie is read or set: nothing here knows a session.

Bad input is a 400 or 404 with an ErrorOut, never a 500: the parameters are taken as text
and read here, so every refusal says what was wrong in the API's own words.
"""

import hashlib
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from ninja import Header, Path, Query, Router, Schema

from .. import thread
from ..conf import settings
from ..models import Discussion, discussed_models, normalize_page_url
from ..public import addresses
from ..public.posting import valid_poster_key
from ..thread.data import ENCODER
from ..thread.render import ORDERS, thread_order
from . import origins
from .schemas import DiscussionOut, ErrorOut

router = Router(tags=["reads"])

SHARED = "public, max-age=30"
PERSONAL = "private, no-cache"
REFUSED = "no-store"  # a 404 may be a 200 as soon as its object is published
METHODS = "GET, OPTIONS"

MAX_COUNTED = 100
SORT_REFUSED = "sort= takes oldest, newest or best (or nothing: the site's default order)."
PAGE_NUMBER = re.compile(r"[0-9]{1,8}")
DISCUSSION_ID = re.compile(r"[0-9]{1,18}")  # within a 64-bit integer

DISCUSSION_ANSWERS = {200: DiscussionOut, 304: None, 400: ErrorOut, 404: ErrorOut}
PAGE_PARAM = Query("1", description="The comment page: 1 to num_pages (later: the last).")
SORT_PARAM = Query(
    "",
    description="The threads' order: oldest (first), newest (first) or best (most "
    "recommended first); none: the site's default. The answer's `order` says which.",
)
IDS_PARAM = Query([], description="Discussion ids (repeat the parameter).")
URLS_PARAM = Query([], description="Pages' absolute addresses (repeat it too).")
POSTER_KEY_HEADER = Header(
    "",
    alias="X-Poster-Key",
    description="The key the posting endpoints gave this poster: their pending comments too.",
)


class Refusal(Exception):
    """Bad input: answered with `status` and an ErrorOut saying `message`."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class CountsOut(Schema):
    """Approved-comment counts. `discussions`: by id (as text, as JSON keys are), only
    discussions readers may see; an unknown id or one they may not see is left out.
    `urls`: by each address as asked, 0 for a page nobody has commented on."""

    discussions: dict[str, int]
    urls: dict[str, int]


# The endpoints --------------------------------------------------------------------------


@router.get(
    "/discussions/{discussion_id}",
    response=DISCUSSION_ANSWERS,
    summary="A discussion and one page of its threads",
)
def discussion_by_id(
    request,
    discussion_id: str = Path(..., description="The discussion's id."),
    page: str = PAGE_PARAM,
    sort: str = SORT_PARAM,
    poster_key: str = POSTER_KEY_HEADER,
):
    """The discussion with page `page` of its threads in the order `sort`, nested and paged
    as its HTML page nests and pages them."""
    try:
        number = page_number(page)
        order = sort_order(sort)
        found = None
        if DISCUSSION_ID.fullmatch(discussion_id):
            found = Discussion.objects.public().filter(pk=int(discussion_id)).first()
        if found is None:
            raise Refusal(404, "No such discussion.")
        return discussion_answer(request, found, number, order, poster_key)
    except Refusal as refusal:
        return refused(request, refusal)


@router.get(
    "/discussions",
    response=DISCUSSION_ANSWERS,
    summary="The discussion of a page or of an object, and one page of its threads",
)
def discussion_by_url_or_object(
    request,
    url: str = Query("", description="A page's absolute http(s) address."),
    object_: str = Query(
        "", alias="object", description="A discussed object: <app_label.model>:<pk>."
    ),
    page: str = PAGE_PARAM,
    sort: str = SORT_PARAM,
    poster_key: str = POSTER_KEY_HEADER,
):
    """The discussion of the page at `url`, or of `object`, with page `page` of its threads
    in the order `sort`.

    A page's discussion begins on its first read only when the address is on this site or
    on a site of COMMENTS_EMBED_ORIGINS, so strangers cannot fill the database. An address
    on this site that is a discussed object's page is that object's discussion."""
    try:
        if bool(url) == bool(object_):
            raise Refusal(400, "Ask for url=<absolute address> or object=<app_label.model>:<pk>.")
        number = page_number(page)
        order = sort_order(sort)
        found = discussion_at(request, url) if url else discussion_of_object(object_)
        return discussion_answer(request, found, number, order, poster_key)
    except Refusal as refusal:
        return refused(request, refusal)


@router.get(
    "/counts",
    response={200: CountsOut, 304: None, 400: ErrorOut},
    summary="Approved-comment counts of many discussions",
)
def counts(
    request,
    discussion: list[str] = IDS_PARAM,
    url: list[str] = URLS_PARAM,
):
    """The approved counts the write path keeps (Discussion.approved_count) for up to 100
    discussions by id and pages by address, in one request."""
    try:
        if len(discussion) + len(url) > MAX_COUNTED:
            raise Refusal(400, f"At most {MAX_COUNTED} discussions and addresses at once.")
        found = {"discussions": counts_by_id(discussion), "urls": counts_by_url(request, url)}
        return answer(request, ENCODER.encode(found).encode(), SHARED)
    except Refusal as refusal:
        return refused(request, refusal)


@router.api_operation(["OPTIONS"], "/discussions/{discussion_id}", include_in_schema=False)
def discussion_by_id_preflight(request, discussion_id: str):
    return preflight(request)


@router.api_operation(["OPTIONS"], "/discussions", include_in_schema=False)
def discussion_by_url_or_object_preflight(request):
    return preflight(request)


@router.api_operation(["OPTIONS"], "/counts", include_in_schema=False)
def counts_preflight(request):
    return preflight(request)


# Finding the discussion -----------------------------------------------------------------


def page_number(value):
    """?page=N as a number (0 is the first page, as ?cpage=0 is)."""
    if not PAGE_NUMBER.fullmatch(value):
        raise Refusal(400, "page= takes a page number (1, 2, …).")
    return int(value)


def sort_order(value):
    """?sort= as an order (comments.thread.render.ORDERS); none: the site's default. An
    unknown one is refused (the HTML page's ?csort= falls back to the default instead: a
    link may be old, while a client asking the API for an order means it)."""
    if not value:
        return thread_order()
    if value not in ORDERS:
        raise Refusal(400, SORT_REFUSED)
    return value


def discussion_at(request, url):
    """The discussion of the page at `url` (comments.public.addresses, as the embed's link
    finds it)."""
    try:
        found = addresses.discussion_at(request, url)
    except ValueError:
        raise Refusal(400, "url= takes a page's absolute http(s) address.") from None
    if found is None:
        raise Refusal(404, "No discussion at that address.")
    return found


def split_address(url):
    """(the address as a page's discussion is keyed, its origin, its path and query)."""
    try:
        address = normalize_page_url(url)
    except ValueError:
        raise Refusal(400, "url= takes a page's absolute http(s) address.") from None
    parts = urlsplit(address)
    origin = f"{parts.scheme}://{parts.netloc}"
    return address, origin, address[len(origin) :]


def discussion_of_object(name):
    """The discussion of the object `<app_label.model>:<pk>`, when its model is discussed
    (COMMENTS_MODELS) and readers may see it."""
    label, _, pk = name.partition(":")
    model = next((m for m in discussed_models() if m._meta.label_lower == label.lower()), None)
    if model is None:
        raise Refusal(404, "No discussed object by that name.")
    try:
        pk = model._meta.pk.clean(pk, None)  # its type and range, as the database takes them
    except ValidationError:
        raise Refusal(404, "No discussed object by that name.") from None
    obj = model._default_manager.filter(pk=pk).first()
    found = Discussion.objects.of(obj, public_only=True) if obj is not None else None
    if found is None:
        raise Refusal(404, "No discussed object by that name.")
    return found


# Counting -------------------------------------------------------------------------------


def counts_by_id(values):
    """{id as text: approved count} of the discussions readers may see among `values`."""
    if not all(DISCUSSION_ID.fullmatch(value) for value in values):
        raise Refusal(400, "discussion= takes discussion ids (1, 2, …).")
    if not values:
        return {}
    found = Discussion.objects.public().filter(pk__in={int(value) for value in values})
    return {str(pk): count for pk, count in found.values_list("pk", "approved_count")}


def counts_by_url(request, urls):
    """{url as asked: approved count} for pages' addresses (0 for a page with no
    discussion, or one readers may not see); an address on this site that is an object's
    page counts that object's discussion. Nothing is created."""
    if not urls:
        return {}
    split = {url: split_address(url) for url in urls}
    wanted = Q(content_type=None, url__in={address for address, _, _ in split.values()})
    own = origins.own_origin(request)
    on_this_site = [(address, local) for address, origin, local in split.values() if origin == own]
    if on_this_site:
        wanted |= Q(content_type__isnull=False, url__in={u for pair in on_this_site for u in pair})
    found = Discussion.objects.public().filter(wanted)
    by_page, by_object = {}, {}
    for content_type, address, count in found.values_list("content_type", "url", "approved_count"):
        (by_page if content_type is None else by_object)[address] = count
    counted = {}
    for url, (address, origin, local) in split.items():
        counted[url] = by_page.get(address, 0)
        if origin == own:
            counted[url] = by_object.get(local, by_object.get(address, counted[url]))
    return counted


# Answering ------------------------------------------------------------------------------


def discussion_answer(request, discussion, page, order, poster_key):
    """The discussion and its page in `order` as a DiscussionOut, shared or the poster's
    own."""
    state = thread.page_state(discussion)
    poster_key = valid_poster_key(poster_key)  # anything else matches no comment
    data = thread.thread_data(
        discussion, page=page, generation=state.generation, poster_key=poster_key, order=order
    )
    head = {
        "id": discussion.pk,
        "title": discussion.title,
        "url": discussion.get_absolute_url(),
        "is_open": discussion.accepts_comments(state.policy),
        "approved_count": data["approved_count"],
        "page": data["page"],
        "num_pages": data["num_pages"],
        "threads_per_page": settings.COMMENTS_PER_PAGE,
        "order": order,
    }
    # The comments spliced in as the thread keeps them: a warm read encodes only the head.
    body = ENCODER.encode(head).encode()[:-1] + b',"comments":' + data["comments"] + b"}"
    response = answer(request, body, PERSONAL if data["personal"] else SHARED)
    patch_vary_headers(response, ("X-Poster-Key",))
    return response


def answer(request, body, cache_control):
    """A 200 with the JSON `body`, or a 304 when the client holds it (If-None-Match)."""
    etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    if client_holds(request, etag):
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return origins.allow(request, response, methods=METHODS)


def client_holds(request, etag):
    """Whether If-None-Match names `etag` (compared weakly, as RFC 9110 says for it: a
    gzip-compressed copy's ETag is made weak by GZipMiddleware)."""
    held = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in held or etag in (tag.removeprefix("W/") for tag in held)


def refused(request, refusal):
    """The refusal as an ErrorOut, never kept by a cache, readable by a listed origin."""
    body = ENCODER.encode(ErrorOut(message=refusal.message).model_dump()).encode()
    response = HttpResponse(body, status=refusal.status, content_type="application/json")
    response["Cache-Control"] = REFUSED
    return origins.allow(request, response, methods=METHODS)


def preflight(request):
    """A browser's CORS preflight: 204, with the CORS headers for a listed origin only."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return origins.allow(request, response, methods=METHODS)
