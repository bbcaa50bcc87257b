"""Whole pages for readers with nothing of their own on them: who may share a stored page
(comments.thread.pages), and their own tokens filled in.

Most readers of an article have posted nothing in its discussion, are not signed in and
asked the site to remember nothing: the page they get is the same for all of them but for
the CSRF token and the form token. WholePageCacheMiddleware serves them the stored page
with those two filled in, plain or, to a browser that accepts it, gzip compressed once per
change; without running the view, the template or GZipMiddleware.

Everyone else keeps the page made for them, as before: a reader whose session posted in
this discussion (their pending comment, their Edit links), one with a remembered name (the
form is filled in), staff and signed-in users, a page with a message to show, any address
with a query string other than a comment page and an order (`?cpage=N`, `?csort=X`, or
both), and every method but GET.

A page is stored from a request that had no session and no remembered name, when it is the
discussed object's own page (its get_absolute_url) and the comment tags saw exactly one
discussion's shared thread on it (and its blank form) and nothing marked it personal; and
never if anything else on it could belong to one reader (a cookie set besides the CSRF one,
a CSRF token or secret other than the form's).
"""

import re
import time
from functools import wraps
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape

from ..conf import settings
from ..models import Discussion
from ..thread import pages
from ..thread.middleware import splice_threads
from ..thread.render import ORDERS, thread_order
from .forms import sign_form_token
from .session import OWN_THREADS_SESSION_KEY, REMEMBER_COOKIE, rewrite_remembered

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware reads Accept-Encoding
# The query strings a shared page answers: none, a comment page, an order (?csort=: its key
# is the order's name, so nothing a request sends is reflected but these), or both, in
# either order (the thread's links write csort first, the picks' cpage first).
_PAGE, _ORDER = "[1-9][0-9]{0,7}", "|".join(ORDERS)
SHARED_QUERY = re.compile(
    rf"cpage=(?P<page>{_PAGE})(?:&csort=(?P<order>{_ORDER}))?"
    rf"|csort=(?P<sorted>{_ORDER})(?:&cpage=(?P<paged>{_PAGE}))?"
)
# A masked CSRF token as Django writes it (64 letters and digits), standing on its own.
CSRF_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# Session keys that make a page one reader's own (signed in; a message waiting).
PERSONAL_SESSION_KEYS = ("_auth_user_id", "_messages")


class WholePageCacheMiddleware:
    """Serve a discussed object's page whole from the cache when this reader may share it,
    and store pages made for readers who may. The last in MIDDLEWARE: it needs the session,
    the user and the CSRF middleware around it, and the response it makes passes out
    through every other middleware (the security headers, the CSRF cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = shared_page_key(request)
        if key is None or _not_whole.get(key, 0) > time.monotonic():
            # A remember cookie read in its old form is written in the new one (it only
            # ever comes this way: shared_page_key is None for a reader with it).
            return rewrite_remembered(request, self.get_response(request))
        found = pages.find(key)
        if found is not None and may_share(request, found[0]):
            entry, body = found
            return answer(request, entry, body, _values_for(request, entry))
        request.comment_page_offer = {}
        response = self.get_response(request)
        offer = request.comment_page_offer
        shows_no_whole_page = offer is not None and (
            not offer.get("thread") or not pages.kept_whole(offer["object"])
        )
        if shows_no_whole_page and response.status_code == 200:
            _remember_not_whole(key)  # the front page, the admin, a feed, …
        stored = store(request, response, key) if may_store(request) else None
        if stored is None:
            return response
        entry, body, values = stored
        return answer(request, entry, body, values, response)


# Addresses whose last page showed no discussion's thread, or one not kept whole: no
# cache round trip is spent looking for them for NOT_WHOLE_SECONDS. Bounded: emptied at
# MAX_NOT_WHOLE.
_not_whole = {}
NOT_WHOLE_SECONDS = 60
MAX_NOT_WHOLE = 10_000


def _remember_not_whole(key):
    if len(_not_whole) >= MAX_NOT_WHOLE:
        _not_whole.clear()
    _not_whole[key] = time.monotonic() + NOT_WHOLE_SECONDS


def shared_page_key(request):
    """The stored page's key for this request, or None when it may be nobody's but this
    reader's (see the module's docstring). With DEBUG on, never: template edits show."""
    if request.method != "GET" or settings.DEBUG:
        return None
    requested = _requested(request)
    if requested is None or _has_personal_cookie(request):
        return None
    page, order = requested
    return pages.page_key(
        secure=request.is_secure(),
        host=request.get_host(),
        path=request.path,
        page=page,
        order=order,
    )


def may_share(request, entry):
    """Whether this reader gets the stored page: no session, or one that holds nothing
    that would show on it (not signed in, no message, nothing posted in this discussion)."""
    if not _session_is_impersonal(request):
        return False
    if django_settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return entry.discussion_id not in request.session.get(OWN_THREADS_SESSION_KEY, ())


def whole_list_page(model_label, *, params=("page",)):
    """A view decorator, for the URLconf: keep a page that lists the public objects of a
    discussed model with their comment counts whole in the cache, e.g. a front page:

        path("", whole_list_page("articles.Article")(ArticleListView.as_view()))

    Only for a page that shows nothing else that changes. It is served whole until an
    object readers may see is published, edited, unpublished or deleted (one query: how
    many there are and the latest `updated_at`, COMMENTS_MODELS "updated_at") or any
    discussion's comments change (a generation the write path replaces), to every reader
    without something of their own (as for object pages); its address may carry only the
    query parameters in `params` (the list's page)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            key = _list_key(request, params)
            if key is None:
                return view(request, *args, **kwargs)
            model = apps.get_model(model_label)
            entry = pages.find_list(key, model)
            if entry is not None and _session_is_impersonal(request):
                return answer(request, entry, entry.body, [])
            state = pages.list_state(model)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if not may_store(request) or not _storable(request, response, {}):
                return response
            entry = pages.store_list(
                key, content=response.content, content_type=response["Content-Type"], state=state
            )
            return response if entry is None else answer(request, entry, entry.body, [], response)

        return wrapped

    return decorator


def _list_key(request, params):
    if request.method != "GET" or settings.DEBUG or _has_personal_cookie(request):
        return None
    query = request.GET
    if any(name not in params or len(query.getlist(name)) > 1 for name in query):
        return None
    if not all(value.isdecimal() and len(value) < 9 for value in query.values()):
        return None
    return pages.list_key(
        secure=request.is_secure(),
        host=request.get_host(),
        path=request.path,
        query="&".join(f"{name}={int(query[name])}" for name in sorted(query)),
    )


def _has_personal_cookie(request):
    """The remembered name (a filled-in form), or a message waiting in a cookie."""
    return REMEMBER_COOKIE in request.COOKIES or CookieStorage.cookie_name in request.COOKIES


def _session_is_impersonal(request):
    """No session, or one that is not signed in and holds no message."""
    if django_settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not any(name in request.session for name in PERSONAL_SESSION_KEYS)


def may_store(request):
    """Whether a page made for this request may be stored for everyone: it had no session,
    so nothing of one reader's can be on it."""
    return django_settings.SESSION_COOKIE_NAME not in request.COOKIES


def offer(request, *, discussion, obj, page, order, generation, policy, was_open):
    """The comment tags say the page shows this discussion's shared thread page (what every
    reader sees). A second discussion on the same page, or a personal one, spoils it."""
    found = getattr(request, "comment_page_offer", None)
    if found is None:
        return
    seen = found.get("discussion")
    if seen is not None and seen.pk != discussion.pk:
        request.comment_page_offer = None
        return
    found |= {
        "discussion": discussion,
        "object": obj,
        "page": page,
        "order": order,
        "generation": generation,
        "policy": policy,
        "was_open": was_open,
    }


def offer_thread(request):
    """The page shows the thread itself (`{% comment_thread %}`), not only its count."""
    found = getattr(request, "comment_page_offer", None)
    if found is not None:
        found["thread"] = True


def offer_values(request, csrf_token, form_token):
    """The blank form's per-reader values as the page shows them (HTML-escaped)."""
    found = getattr(request, "comment_page_offer", None)
    if found is not None:
        found["values"] = {
            conditional_escape(csrf_token).encode(): "csrf",
            conditional_escape(form_token).encode(): "token",
        }


def withdraw_offer(request):
    """Something of this reader's is on the page: it is not stored."""
    if hasattr(request, "comment_page_offer"):
        request.comment_page_offer = None


def store(request, response, key):
    """Keep the page just made for this request, if everyone may share it: (entry, body,
    this request's own values in the entry's order), else None."""
    found = getattr(request, "comment_page_offer", None)
    if (
        not found
        or not found.get("thread")
        or request.path != _path_of(found["object"])
        or (found["page"], found["order"]) != _requested(request)
    ):
        return None
    splice_threads(request, response)
    values = found.get("values", {})
    if not _storable(request, response, values):
        return None
    content = response.content
    stored = pages.store(
        key,
        content=content,
        content_type=response["Content-Type"],
        values=values,
        discussion=found["discussion"],
        generation=found["generation"],
        policy=found["policy"],
        was_open=found["was_open"],
        obj=found["object"],
    )
    if stored is None:
        return None
    entry, body = stored
    by_slot = {slot: value for value, slot in values.items()}
    return entry, body, [by_slot[slot] for slot in entry.slots]


def _path_of(obj):
    """The path of the object's own page: only that page is stored whole (a list that shows
    one object's thread or count would not be told when the list changes)."""
    return urlsplit(obj.get_absolute_url()).path


def _storable(request, response, values):
    """Whether a response may be kept for every reader: a whole HTML page, nothing marked
    personal, no cookie set but the CSRF one (and that one only with the form's `values`),
    no CSRF token but those values and no CSRF secret in it."""
    allowed = {django_settings.CSRF_COOKIE_NAME} if values else set()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.has_header("Content-Encoding")
        and response.get("Content-Type", "").startswith("text/html")
        and not getattr(request, "is_personal", False)
        and not set(response.cookies) - allowed
        and _only_these_tokens(request, response.content, values)
    )


def _requested(request):
    """(comment page, order) a shared page at this request's address shows, or None: its
    query string is not one of SHARED_QUERY's."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return 1, thread_order()
    found = SHARED_QUERY.fullmatch(query)
    if found is None:
        return None
    page = found["page"] or found["paged"] or "1"
    return int(page), thread_order(found["order"] or found["sorted"])


def _only_these_tokens(request, content, values):
    """Whether the page holds no CSRF secret, and no CSRF token but the form's (a template
    with another `{% csrf_token %}` would otherwise hand this reader's to everyone)."""
    secret = request.META.get("CSRF_COOKIE", "")
    if secret and secret.encode() in content:
        return False
    for match in CSRF_TOKEN.finditer(content):
        token = match.group()
        if token not in values and _unmask_cipher_token(token.decode()) == secret:
            return False
    return True


def _values_for(request, entry):
    """This reader's own values for the entry's slots, as the page shows them."""
    values = []
    for slot in entry.slots:
        if slot == "csrf":
            value = get_token(request)
        else:
            value = sign_form_token(Discussion(pk=entry.discussion_id))
        values.append(conditional_escape(value).encode())
    return values


def answer(request, entry, body, values, response=None):
    """The stored page with these values, gzip compressed if the browser accepts it."""
    if response is None:
        response = HttpResponse(content_type=entry.content_type)
    if _accepts_gzip(request):
        response.content = body.gzip(values)
        response["Content-Encoding"] = "gzip"
    else:
        response.content = body.plain(values)
    response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _accepts_gzip(request):
    return ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) is not None
