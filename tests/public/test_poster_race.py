"""A browser with no session yet that sends several comments at once (two tabs, say): each
post makes a session of its own and the browser keeps whichever cookie came last, so the
poster key cannot be the session's alone. A browser without one gets a key derived from its
CSRF secret (comments.public.session.browser_poster_key): every such post carries the same
key, and whichever session the browser keeps shows all of them.

Through a real server (Django's live server, a thread per request), as in
tests/public/test_concurrency.py.
"""

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from comments.models import Comment
from comments.public.session import POSTER_KEY_SESSION_KEY
from tests import factories
from tests.factories import discussion_of, form_token, post_url
from tests.public.test_concurrency import NoRedirect, post_together

AWAITING = "Your comment is awaiting moderation."
POSTS = 10


def cookies_of(jar):
    return {cookie.name: cookie.value for cookie in jar}


def open_browser(live_server, article):
    """A browser that does not follow redirects, its cookie jar, and its form's CSRF token
    from the article page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    html = opener.open(live_server.url + article.get_absolute_url(), timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return jar, opener, token


def bodies(article, token, texts):
    data = {"csrfmiddlewaretoken": token, "name": "Bo", "email": "bo@example.com"}
    return [
        urllib.parse.urlencode(
            data | {"comment": text, "token": factories.form_token(article)}
        ).encode()
        for text in texts
    ]


@pytest.mark.django_db(transaction=True)
def test_ten_first_posts_at_once_from_one_browser_are_all_shown_to_it(live_server):
    article = factories.make_article()
    jar, opener, token = open_browser(live_server, article)
    assert set(cookies_of(jar)) == {"csrftoken"}  # no session yet
    texts = [f"First thought number {n}, sent from one of many tabs." for n in range(POSTS)]
    url = f"{live_server.url}{post_url(article)}"

    statuses, _ = post_together(url, [(opener, body) for body in bodies(article, token, texts)])

    assert statuses == [302] * POSTS, statuses
    stored = Comment.objects.filter(discussion=discussion_of(article), body_raw__in=texts)
    assert stored.count() == POSTS
    assert all(comment.is_pending for comment in stored)
    assert len({comment.poster_key for comment in stored}) == 1
    assert "sessionid" in cookies_of(jar)
    page = opener.open(live_server.url + article.get_absolute_url(), timeout=30).read().decode()
    for text in texts:
        assert text in page
    assert page.count(AWAITING) == POSTS


@pytest.mark.django_db(transaction=True)
def test_whichever_session_the_browser_keeps_shows_every_post(live_server):
    """The race made certain: each post leaves with the browser's CSRF cookie and no
    session (as from tabs whose posts all left before any answer came), so each makes a
    session of its own; each of those sessions shows all ten."""
    article = factories.make_article()
    first, _, token = open_browser(live_server, article)
    [csrf_cookie] = list(first)
    texts = [f"Tab {n} says the harbour accord needs work." for n in range(POSTS)]
    jars = []
    posts = []
    for body in bodies(article, token, texts):
        jar = http.cookiejar.CookieJar()
        jar.set_cookie(csrf_cookie)
        jars.append(jar)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        posts.append((opener, body))

    statuses, _ = post_together(f"{live_server.url}{post_url(article)}", posts)

    assert statuses == [302] * POSTS, statuses
    sessions = {cookies_of(jar)["sessionid"] for jar in jars}
    assert len(sessions) == POSTS  # one session per post: the race every post lost but one
    assert Session.objects.count() == POSTS
    for jar in jars:  # each holds the CSRF cookie and the session its post made
        reader = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = reader.open(live_server.url + article.get_absolute_url(), timeout=30)
        page = page.read().decode()
        assert page.count(AWAITING) == POSTS
        assert all(text in page for text in texts)


# In process: what the key is, and what it is not ---------------------------------------------


def browser(article):
    """A test client that read the article page (its CSRF cookie) and checks CSRF."""
    client = Client(enforce_csrf_checks=True)
    html = client.get(article.get_absolute_url()).content.decode()
    client.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return client


def post_with_csrf(client, article, text):
    data = {
        "csrfmiddlewaretoken": client.csrf,
        "name": "Bo",
        "email": "bo@example.com",
        "comment": text,
        "token": form_token(article),
    }
    response = client.post(post_url(article), data)
    assert response.status_code == 302, response.status_code
    return Comment.objects.get(body_raw=text)


@pytest.mark.django_db
def test_the_key_is_the_browsers_and_the_sessions_once_kept(article, settings):
    one = browser(article)
    comment = post_with_csrf(one, article, "From the first browser.")
    key = comment.poster_key
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert one.session[POSTER_KEY_SESSION_KEY] == key
    # Another browser (another CSRF cookie) gets another key.
    other = post_with_csrf(browser(article), article, "From another browser.")
    assert other.poster_key != key
    # Once the session holds the key, it wins over the CSRF cookie (a new one: signing in
    # rotates it).
    one.cookies[django_settings.CSRF_COOKIE_NAME] = "x" * 32
    one.csrf = "x" * 32
    assert post_with_csrf(one, article, "After a new CSRF cookie.").poster_key == key


@pytest.mark.django_db
def test_the_same_csrf_cookie_without_a_session_gets_the_same_key(article):
    """Two tabs' posts that both left before either answer came back: no session, the same
    CSRF cookie."""
    one = browser(article)
    twin = Client(enforce_csrf_checks=True)
    twin.cookies[django_settings.CSRF_COOKIE_NAME] = one.cookies[
        django_settings.CSRF_COOKIE_NAME
    ].value
    twin.csrf = one.csrf
    first = post_with_csrf(one, article, "From the first tab.")
    second = post_with_csrf(twin, article, "From the second tab.")
    assert first.poster_key == second.poster_key
    assert one.session.session_key != twin.session.session_key
    page = one.get(article.get_absolute_url()).content.decode()
    assert "From the first tab." in page and "From the second tab." in page


@pytest.mark.django_db
def test_an_api_client_keeps_its_own_key(article):
    """The API knows a poster by X-Poster-Key alone, cookies or none."""
    reader = browser(article)
    html_comment = post_with_csrf(reader, article, "Through the form.")
    key = "0123456789abcdef0123456789abcdef"

    def api_post(text, **headers):
        data = {
            "name": "Bo",
            "email": "bo@example.com",
            "comment": text,
            "token": form_token(article),
            "hp": "",
        }
        return reader.post(
            f"/api/v1/discussions/{discussion_of(article).pk}/comments",
            json.dumps(data),
            content_type="application/json",
            **headers,
        )

    sent = api_post("Through the API, with a key.", HTTP_X_POSTER_KEY=key)
    assert sent.status_code == 201, sent.content
    assert sent.json()["poster_key"] == key
    assert Comment.objects.get(body_raw="Through the API, with a key.").poster_key == key
    fresh = api_post("Through the API, without one.")
    assert fresh.status_code == 201, fresh.content
    new_key = fresh.json()["poster_key"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_key)
    assert new_key not in (key, html_comment.poster_key)
    assert reader.session[POSTER_KEY_SESSION_KEY] == html_comment.poster_key
