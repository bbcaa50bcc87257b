"""Posts that arrive together, through a real server: the database decides, not the process.

Each request runs in its own thread of Django's live server, with its own connection (on
SQLite a file database, so they really contend), as gunicorn's workers would.
"""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from comments.models import Comment

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = 20


def open_session(live_server, article, *handlers):
    """A browser: a cookie jar and the CSRF token from the article page's form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), *handlers)
    html = opener.open(live_server.url + article.get_absolute_url(), timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return opener, token


def post_all_at_once(opener, url, bodies):
    """Send every body to `url` from its own thread, released together; return the statuses."""
    barrier = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)
    pages = [""] * len(bodies)

    def send(index, body):
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

    threads = [threading.Thread(target=send, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, pages


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


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
    url = f"{live_server.url}/comments/post/{article.pk}/"
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
    url = f"{live_server.url}/comments/post/{article.pk}/"

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
