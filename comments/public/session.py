"""What a reader's browser keeps between pages: the session's poster key (its comments
carry it), the threads it posted in, and the name, email and website it asked to remember
(a signed cookie). Read by the views and the template tags alike."""

import json
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

# Session key of this browser's poster key; its comments carry it (Comment.poster_key).
POSTER_KEY_SESSION_KEY = "comments_poster_key"
# A browser without one yet gets a key derived from its CSRF secret (browser_poster_key).
POSTER_KEY_SALT = "comments.poster-key"
# Session key of the discussions this browser posted in (see remember_posted_in).
OWN_THREADS_SESSION_KEY = "comments_own_discussions"

# "Save my name, email, and website in this browser": the one cookie besides CSRF and the
# session that anonymous readers get, and only when they tick the box.
REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "comments.remember"
REMEMBER_MAX_AGE = 365 * 24 * 60 * 60


def poster_key(request):
    """This browser session's poster key, or "" if it has posted nothing (no session is made)."""
    if request is None or not request.session.session_key:
        return ""
    return request.session.get(POSTER_KEY_SESSION_KEY, "")


def browser_poster_key(request):
    """The poster key of this browser, whether or not its session holds it yet: the
    session's; else one derived from its CSRF secret (a session may not exist yet); else
    (no CSRF secret: never on a POST that passed the CSRF check) a new random one.

    Derived so that posts sent together by a browser with no session yet (two tabs, a
    double-quick reader) all carry the same key: each of them makes a session of its own,
    the browser keeps whichever cookie came last, and that session then shows every one of
    them, not only the comment whose session won. The CSRF cookie is per browser and never
    in a shared page (comments.public.pages); the key is an HMAC of it under SECRET_KEY, so
    it gives the secret away to nobody. Once the session holds the key, the session's wins:
    signing in rotates the CSRF secret, the session keeps its key.
    """
    key = request.session.get(POSTER_KEY_SESSION_KEY, "")
    if key:
        return key
    secret = request.META.get("CSRF_COOKIE", "")
    if secret:
        return salted_hmac(POSTER_KEY_SALT, secret, algorithm="sha256").hexdigest()[:32]
    return secrets.token_hex(16)


def reader_key(request):
    """This browser's reader key, kept (with a session) if it has none: the poster key
    (browser_poster_key), which also says who recommends or reports a comment
    (comments.moderation.reactions)."""
    key = request.session.get(POSTER_KEY_SESSION_KEY, "")
    if not key:
        key = request.session[POSTER_KEY_SESSION_KEY] = browser_poster_key(request)
    return key


def posted_in(request, discussion):
    """Whether this browser session posted in the discussion (see remember_posted_in)."""
    if request is None or not request.session.session_key:
        return False
    return discussion.pk in request.session.get(OWN_THREADS_SESSION_KEY, ())


def remember_posted_in(request, discussion):
    """Note in the session that this browser posted in the discussion: its pages are
    then rendered for it alone (its comment may await moderation or still be editable),
    never taken from or put into the shared cache. The last 100 threads are kept."""
    threads = request.session.get(OWN_THREADS_SESSION_KEY, [])
    if threads and threads[-1] == discussion.pk:
        return  # already the latest: the session need not be written again
    threads = [pk for pk in threads if pk != discussion.pk]
    request.session[OWN_THREADS_SESSION_KEY] = [*threads[-99:], discussion.pk]


def forget_posted_in(request, discussion):
    """The reader's comments in this thread show as everyone's now: back to the cached page."""
    threads = request.session.get(OWN_THREADS_SESSION_KEY, ())
    request.session[OWN_THREADS_SESSION_KEY] = [pk for pk in threads if pk != discussion.pk]


def mark_personal(request):
    """Say that the response shows something of this session only (see PrivateCacheMiddleware)."""
    request.is_personal = True


def remember_author(response, data):
    """Keep the reader's name, email and website for a year, in a signed cookie only this
    server can read back (HttpOnly: no script sees it; SameSite=Lax).

    Its value is what signing.dumps makes (as Django's signed cookie sessions store theirs):
    URL-safe base64, "." and ":" only, so every client keeps it as sent. RFC 6265 leaves
    quotes, commas, semicolons, spaces and backslashes out of cookie values, and the signed
    JSON stored before was sent quoted with backslash escapes (Python's cookie jar, for one,
    strips them and breaks the signature)."""
    details = {"name": data["name"], "email": data["email"], "url": data["url"]}
    response.set_cookie(
        REMEMBER_COOKIE,
        signing.dumps(details, salt=REMEMBER_SALT, compress=True),
        max_age=REMEMBER_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remembered_author(request):
    """The details a reader asked this browser to remember, or None.

    A cookie of the old form (signed JSON, set_signed_cookie) is still read, and marked on
    the request to be written again in the new form (rewrite_remembered)."""
    if request is None or REMEMBER_COOKIE not in request.COOKIES:
        return None
    value = request.COOKIES[REMEMBER_COOKIE]
    try:
        data = signing.loads(value, salt=REMEMBER_SALT, max_age=REMEMBER_MAX_AGE)
    except signing.BadSignature:  # expired, forged, or of the old form
        data = _old_form(request)
        if data is not None:
            request.comments_remember_again = data = _details(data)
    return _details(data) if isinstance(data, dict) else None


def _details(data):
    return {key: str(data.get(key, "")) for key in ("name", "email", "url")}


def _old_form(request):
    """The details of a remember cookie as set before (set_signed_cookie of JSON), or None."""
    value = request.get_signed_cookie(
        REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT, max_age=REMEMBER_MAX_AGE
    )
    try:
        data = json.loads(value) if value else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def rewrite_remembered(request, response):
    """Write the remember cookie again in its current form if this request read it in the
    old one (remembered_author), unless the response sets or deletes it itself (a post).
    comments.public.pages.WholePageCacheMiddleware calls it on each response it passes on;
    a reader with that cookie is never served, nor stored, a shared page."""
    details = getattr(request, "comments_remember_again", None)
    if details is not None and REMEMBER_COOKIE not in response.cookies:
        remember_author(response, details)
    return response
