"""What a reader's browser keeps between pages: the session's poster key (its comments
carry it), the threads it posted in, and the name, email and website it asked to remember
(a signed cookie). Read by the views and the template tags alike."""

import json
import secrets

from django.conf import settings

# Session key of this browser's random poster key; its comments carry it (Comment.poster_key).
POSTER_KEY_SESSION_KEY = "comments_poster_key"
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


def reader_key(request):
    """This browser's reader key, made (with a session) if it has none: the poster key,
    which also says who recommends or reports a comment (comments.moderation.reactions)."""
    key = request.session.get(POSTER_KEY_SESSION_KEY, "")
    if not key:
        key = request.session[POSTER_KEY_SESSION_KEY] = secrets.token_hex(16)
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
    server can read back (HttpOnly: no script sees it; SameSite=Lax)."""
    value = json.dumps({"name": data["name"], "email": data["email"], "url": data["url"]})
    response.set_signed_cookie(
        REMEMBER_COOKIE,
        value,
        salt=REMEMBER_SALT,
        max_age=REMEMBER_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remembered_author(request):
    """The details a reader asked this browser to remember, or None."""
    if request is None or REMEMBER_COOKIE not in request.COOKIES:
        return None
    value = request.get_signed_cookie(
        REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT, max_age=REMEMBER_MAX_AGE
    )
    try:
        data = json.loads(value) if value else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {key: str(data.get(key, "")) for key in ("name", "email", "url")}
