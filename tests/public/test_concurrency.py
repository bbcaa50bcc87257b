"""Posts that arrive together, through a real server: the database decides, not the process.

Each request runs in its own thread of Django's live server, with its own connection (on
SQLite a file database, so they really contend), as gunicorn's workers would.
"""

import gzip
import http.cookiejar
import io
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db import connection

from comments import moderation
from comments.models import Comment
from tests import factories
from tests.factories import discussion_of

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = 20
READERS = 50
READING_THREADS = 4


def open_session(live_server, article, *handlers):
    """A browser: a cookie jar and the CSRF token from the article page's form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), *handlers)
    html = opener.open(live_server.url + article.get_absolute_url(), timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return opener, token


def post_all_at_once(opener, url, bodies):
    """Send every body to `url` from its own thread, released together; return the statuses."""
    return post_together(url, [(opener, body) for body in bodies])


def post_together(url, posts):
    """Send each (opener, body) to `url` from its own thread, released together; return the
    statuses and pages (a status of None: no answer)."""
    barrier = threading.Barrier(len(posts))
    statuses = [None] * len(posts)
    pages = [""] * len(posts)

    def send(index, opener, body):
        request = urllib.request.Request(
            url, data=body, headers={"Origin": url.split("/comments/")[0]}
        )
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                statuses[index] = response.status
                pages[index] = response.read().decode()
        except urllib.error.HTTPError as error:
            statuses[index] = error.code
            pages[index] = error.read().decode()

    threads = [
        threading.Thread(target=send, args=(i, opener, body))
        for i, (opener, body) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, pages


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Gzip(urllib.request.BaseHandler):
    """Ask for pages gzipped, as every browser does, and hand them back unzipped.

    (A page sent uncompressed has its Content-Length counted before the thread is spliced in,
    so a client that does not ask for gzip reads it cut short: see ThreadSplicingMiddleware.)
    """

    def http_request(self, request):
        request.add_unredirected_header("Accept-Encoding", "gzip")
        return request

    def http_response(self, request, response):
        if response.headers.get("Content-Encoding") != "gzip":
            return response
        body = io.BytesIO(gzip.decompress(response.read()))
        unzipped = urllib.response.addinfourl(body, response.headers, response.url, response.code)
        unzipped.msg = response.msg
        return unzipped


def queue_connections(live_server, count):
    """Let the live server queue `count` connections not yet accepted, as gunicorn's backlog
    would: Django's test server listens with a backlog of 10, and the kernel resets
    connections beyond it (listening again on a listening socket sets the new backlog)."""
    live_server.thread.httpd.socket.listen(count)


def read_page(opener, url):
    """GET `url`: (status, html)."""
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def is_whole(page):
    return page.rstrip().endswith("</html>")


def shown_count(page):
    """The "N comments" near the headline."""
    return int(re.search(r'class="comment-count"[^>]*>(\d+) comments?<', page)[1])


def test_twenty_identical_posts_at_once_make_one_comment(live_server):
    article = factories.make_article()
    opener, token = open_session(live_server, article, NoRedirect())
    data = {
        "csrfmiddlewaretoken": token,
        "name": "Ada Reader",
        "email": "ada@example.com",
        "comment": "Posted twenty times by an impatient finger.",
        "token": factories.form_token(article),  # the form was shown a minute ago
    }
    body = urllib.parse.urlencode(data).encode()
    url = f"{live_server.url}{factories.post_url(article)}"
    statuses, pages = post_all_at_once(opener, url, [body] * POSTS)

    assert Comment.objects.count() == 1
    assert sorted(statuses) == [302] + [409] * (POSTS - 1), statuses
    for status, page in zip(statuses, pages, strict=True):
        if status == 409:
            assert "Duplicate comment detected" in page
            assert "Posted twenty times by an impatient finger.</textarea>" in page


def test_one_session_posting_several_comments_at_once_sees_them_all(live_server):
    article = factories.make_article()
    opener, token = open_session(live_server, article)
    url = f"{live_server.url}{factories.post_url(article)}"

    def body(text):
        data = {"csrfmiddlewaretoken": token, "name": "Bo", "email": "bo@example.com"}
        data["token"] = factories.form_token(article)
        return urllib.parse.urlencode(data | {"comment": text}).encode()

    # The first post starts the session; the next five race each other within it.
    post_all_at_once(opener, url, [body("First thought.")])
    texts = [f"Thought number {n}." for n in range(5)]
    statuses, _ = post_all_at_once(opener, url, [body(text) for text in texts])
    assert statuses == [200] * 5  # each followed its redirect back to the article

    page = opener.open(live_server.url + article.get_absolute_url(), timeout=30).read().decode()
    assert Comment.objects.pending().count() == 6
    for text in ["First thought.", *texts]:
        assert text in page
    assert page.count("Your comment is awaiting moderation.") == 6


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="50 writers at once need a server database (CI runs the suite on PostgreSQL too); "
    "SQLite takes them one at a time",
)
def test_fifty_readers_posting_at_once_each_comment_stored_once(live_server):
    """Guards: fifty readers posting together, each from their own browser, get no error
    page; every comment accepted is stored once and none refused is; the count on the article
    page is the approved comments' once they are in."""
    article = factories.make_article()
    # Some of them were approved before, so the policy publishes their new comment at once:
    # the race then also changes what everyone sees.
    known = range(0, READERS, 3)
    for n in known:
        factories.make_comment(
            article,
            body=f"An earlier word from racer {n}.",
            author_name=f"Racer {n}",
            author_email=f"racer{n}@example.org",
        )
    queue_connections(live_server, READERS)
    url = f"{live_server.url}{factories.post_url(article)}"
    texts = [f"Racer {n} says the accord needs clause {n} rewritten." for n in range(READERS)]
    posts = []
    for n, text in enumerate(texts):
        opener, csrf_token = open_session(live_server, article, NoRedirect(), Gzip())
        data = {
            "csrfmiddlewaretoken": csrf_token,
            "name": f"Racer {n}",
            "email": f"racer{n}@example.org",
            "comment": text,
            "token": factories.form_token(article),  # the form was shown a minute ago
        }
        posts.append((opener, urllib.parse.urlencode(data).encode()))

    statuses, _ = post_together(url, posts)

    assert not [s for s in statuses if s is None or s >= 500], Counter(statuses)
    # Nothing here should be refused: the texts differ and flood control is off.
    assert statuses == [302] * READERS, Counter(statuses)
    accepted = [text for text, status in zip(texts, statuses, strict=True) if status == 302]
    stored = Counter(
        Comment.objects.filter(discussion=discussion_of(article), body_raw__in=texts).values_list(
            "body_raw", flat=True
        )
    )
    assert {text: stored[text] for text in accepted} == dict.fromkeys(accepted, 1)
    assert sum(stored.values()) == len(accepted)

    approved = Comment.objects.approved().filter(discussion=discussion_of(article)).count()
    assert approved > len(known)  # the known authors' new comments went straight up
    status, page = read_page(
        urllib.request.build_opener(Gzip()), live_server.url + article.get_absolute_url()
    )
    assert status == 200
    assert is_whole(page)
    assert shown_count(page) == approved
    assert page.count('class="comment ') == approved


def test_readers_never_see_a_stale_thread_after_a_change_commits(live_server):
    """Guards: once a change to a comment has returned (committed, its listeners run), every
    page a reader asks for after it shows it, while readers keep the cached thread busy: an
    approved comment is there, an edited one says its new words and not its old, a removed
    one is gone. No reader gets an error page."""
    article = factories.make_article()
    # Staff, by name only: a flushed database has no "Editors" group (make_editor's).
    editor = User.objects.create_user("editor", is_staff=True)
    rounds = 3
    factories.make_comment(article, body="A comment nobody touches.")
    held = [
        factories.make_comment(
            article, body=f"Held comment {n} awaits an editor.", status=Comment.Status.PENDING
        )
        for n in range(rounds)
    ]
    edited = factories.make_comment(article, body="Edited comment, version 0.")
    doomed = [
        factories.make_comment(article, body=f"Doomed comment {n} will be removed.")
        for n in range(rounds)
    ]
    url = live_server.url + article.get_absolute_url()

    fetches = []  # (when it was asked for, when it came back, status, page)
    lock = threading.Lock()
    stop = threading.Event()

    def read():
        opener = urllib.request.build_opener(Gzip())  # no cookies: each fetch a new reader
        while not stop.is_set():
            started = time.monotonic()
            try:
                status, page = read_page(opener, url)
            except Exception as error:  # a failed fetch is reported below
                status, page = None, repr(error)
            with lock:
                fetches.append((started, time.monotonic(), status, page))

    def let_readers_read(since):
        """Wait until the readers have fetched the page a few times since `since`."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                if sum(fetch[0] > since for fetch in fetches) >= 3 * READING_THREADS:
                    return
            time.sleep(0.01)

    shown = {"A comment nobody touches.", "Edited comment, version 0."}
    shown |= {f"Doomed comment {n} will be removed." for n in range(rounds)}
    hidden = {f"Held comment {n} awaits an editor." for n in range(rounds)}
    states = []  # per change: (when it was called, when it returned, shown, hidden)

    def change(make, show=(), hide=()):
        """Make a change; note what every page asked for after it returns must show."""
        called = time.monotonic()
        assert make(), "nothing changed"
        returned = time.monotonic()
        shown.difference_update(hide)
        shown.update(show)
        hidden.difference_update(show)
        hidden.update(hide)
        states.append((called, returned, frozenset(shown), frozenset(hidden)))
        let_readers_read(returned)

    def edit(comment, text):
        comment.body_raw = text
        return moderation.edit(comment, ["body_raw"], by=editor)

    readers = [threading.Thread(target=read) for _ in range(READING_THREADS)]
    for reader in readers:
        reader.start()
    try:
        let_readers_read(time.monotonic())  # the thread is in the cache before any change
        for n in range(rounds):
            text = f"Held comment {n} awaits an editor."
            change(lambda n=n: moderation.approve([held[n]], by=editor), show=[text])
            old, new = f"Edited comment, version {n}.", f"Edited comment, version {n + 1}."
            change(lambda new=new: edit(edited, new), show=[new], hide=[old])
            text = f"Doomed comment {n} will be removed."
            change(lambda n=n: moderation.remove([doomed[n]], by=editor), hide=[text])
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)

    failed = [(status, page[:300]) for *_, status, page in fetches if status != 200]
    assert not failed, f"{len(failed)} of {len(fetches)} fetches failed, first: {failed[0]}"
    assert all(is_whole(page) for *_, page in fetches)
    for n, (_, returned, _, _) in enumerate(states):
        until = states[n + 1][0] if n + 1 < len(states) else float("inf")
        after = sum(returned < fetch[0] and fetch[1] < until for fetch in fetches)
        assert after >= 3 * READING_THREADS, f"only {after} pages read after change {n + 1}"

    def shows(page, state):
        _, _, show, hide = state
        return all(text in page for text in show) and not any(text in page for text in hide)

    stale = []
    for started, finished, _, page in fetches:
        done = [n for n, state in enumerate(states) if state[1] < started]
        if not done:
            continue
        # The last change that returned before the page was asked for, or one that was
        # under way while it was served.
        latest = done[-1]
        possible = [state for state in states[latest:] if state[0] < finished]
        if not any(shows(page, state) for state in possible):
            _, returned, show, hide = states[latest]
            missing = sorted(text for text in show if text not in page)
            still_there = sorted(text for text in hide if text in page)
            late = f"asked {started - returned:.3f}s after"
            stale.append((f"change {latest + 1}", late, missing, still_there))
    assert not stale, f"{len(stale)} of {len(fetches)} pages stale, first: {stale[:3]}"
