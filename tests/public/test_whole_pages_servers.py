"""Whole pages behind a load balancer: two real app servers (tests/processes.py's AppServer)
share one Redis, each keeping the article's page stored (in Redis, and its body in its own
memory). This process makes each change through the product's own code (a model's save(),
comments.moderation's decisions, whose write path tells the registry here, which writes the
thread's new generation to the same Redis), and both servers must show it on the very next
request.

Whether a server answered from its stored page is read off Redis: every page stored writes
a body under a name of its own, never reused, so a request that made the page again adds
one, and a request served whole adds none.
"""

import gzip
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import Comment, DiscussionSettings
from comments.thread import pages
from tests import factories
from tests.factories import discussion_of, post_url
from tests.processes import REDIS_URL, Browser, input_value, logs

AWAITING_TEXT = "Waiting for an editor."
CLOSED = "Comments are closed."
OPEN = "Leave a Reply"
BODY_PREFIX = pages.BODY_KEY.split("{", 1)[0]
ENTRY_PREFIX = pages.ENTRY_KEY.split("{", 1)[0]
TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|token)" value=")[^"]*"')


@pytest.fixture
def shared(redis_prefix):
    """This process's cache is the servers' Redis, under their prefix, for the test's body
    (so the write path's word reaches them); the servers' environment to match."""
    prefix, client = redis_prefix
    cache = {"BACKEND": "newsite.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": cache}):
        yield {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}, client


def fetch(server, path, **headers):
    """(status, headers, body bytes) of a GET from a new browser (no cookie)."""
    request = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def keys(client, prefix, kind):
    return {key for key in client.scan_iter(match=f"{prefix}:*{kind}*")}


class Servers:
    """Both servers and what Redis holds of their pages."""

    def __init__(self, servers, prefix, client):
        self.servers, self.prefix, self.client = servers, prefix, client

    def bodies(self):
        return len(keys(self.client, self.prefix, BODY_PREFIX))

    def read_each(self, path):
        """Each server's page (status, text) on the next request after a change: made
        again, and stored, by each (one new body per server)."""
        before = self.bodies()
        answers = []
        for server in self.servers:
            status, _, body = fetch(server, path)
            answers.append((status, body.decode()))
        stored = sum(1 for status, _ in answers if status == 200)
        assert self.bodies() == before + stored, "a server answered from a page it had"
        return answers

    def served_whole(self, path, answers):
        """Each server's next request for `path` is served whole (no new body) and is the
        page `answers` (from read_each) gave, but for the tokens."""
        before = self.bodies()
        for server, (status, made) in zip(self.servers, answers, strict=True):
            again, _, body = fetch(server, path)
            assert again == status == 200, f"{again}\n{logs(*self.servers)}"
            assert TOKENS.sub(r"\1…", body.decode()) == TOKENS.sub(r"\1…", made)
        assert self.bodies() == before, "the next request was not served whole"


@pytest.mark.django_db(transaction=True)
def test_each_change_shows_on_both_servers_at_once(shared, app_servers):
    """Guards: with the page stored on both servers, each change made here shows on each
    server's next request: a decision approving a pending comment, an edit of the article,
    Discussion settings that close it (and open it again), the discussion closed (a
    Discussion save, as the admin does), and the article unpublished."""
    env, client = shared
    article = factories.make_article(published_at=timezone.now() - timedelta(days=3))
    factories.make_comment(article, body="Already there.")
    pending = factories.make_comment(article, body=AWAITING_TEXT, status="pending")
    servers = Servers(app_servers(env, env), env["CACHE_KEY_PREFIX"], client)
    path = article.get_absolute_url()

    answers = servers.read_each(path)
    for status, page in answers:
        assert status == 200
        assert "Already there." in page and AWAITING_TEXT not in page and OPEN in page
    servers.served_whole(path, answers)
    assert len(keys(client, env["CACHE_KEY_PREFIX"], ENTRY_PREFIX)) == 2  # a host each

    moderation.approve([pending], by="a test of two servers")
    answers = servers.read_each(path)
    for status, page in answers:
        assert status == 200
        assert AWAITING_TEXT in page and "2 comments on “" in page
    servers.served_whole(path, answers)

    article.headline = "Envoys sign the harbour accord"
    article.save()
    answers = servers.read_each(path)
    for status, page in answers:
        assert status == 200 and "Envoys sign the harbour accord" in page
    servers.served_whole(path, answers)

    DiscussionSettings(close_after_days=2).save()
    answers = servers.read_each(path)
    for status, page in answers:
        assert status == 200 and CLOSED in page and OPEN not in page
    servers.served_whole(path, answers)

    DiscussionSettings(close_after_days=None).save()
    answers = servers.read_each(path)
    for status, page in answers:
        assert status == 200 and OPEN in page
    servers.served_whole(path, answers)

    discussion = discussion_of(article)
    discussion.is_open = False
    discussion.save()
    answers = servers.read_each(path)
    for status, page in answers:
        assert status == 200 and CLOSED in page and OPEN not in page
    servers.served_whole(path, answers)

    article.status = Article.Status.DRAFT
    article.save()
    for status, page in servers.read_each(path):
        assert status == 404 and "Envoys sign the harbour accord" not in page


@pytest.mark.django_db(transaction=True)
def test_gzip_from_a_server_is_the_plain_page(shared, app_servers):
    """Guards: a server's gzip answer (Accept-Encoding: gzip), made and stored or served
    whole, carries its length and Vary, and decompresses to the page the same server gives a
    plain reader (but for the tokens); the tokens of a page served whole by one server post
    a comment through the other."""
    env, _ = shared
    article = factories.make_article()
    factories.make_comment(article, body="Compressed once per change.")
    a, b = app_servers(env, env)
    path = article.get_absolute_url()

    for _ in range(2):  # made and stored, then served whole
        status, headers, body = fetch(a, path, **{"Accept-Encoding": "gzip"})
        assert status == 200, logs(a, b)
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Content-Length"] == str(len(body))
        assert "Accept-Encoding" in headers["Vary"]
        page = gzip.decompress(body).decode()
        _, plain_headers, plain = fetch(a, path)
        assert "Content-Encoding" not in plain_headers
        assert TOKENS.sub(r"\1…", page) == TOKENS.sub(r"\1…", plain.decode())
        assert "Compressed once per change." in page

    browser = Browser()
    status, page = browser.open(a.url + path)
    assert status == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = {
        "csrfmiddlewaretoken": csrf,
        "token": input_value(page, "token"),
        "name": "Ada Reader",
        "email": "ada@example.com",
        "comment": "Read on one server, posted to the other.",
    }
    request = urllib.request.Request(
        f"{b.url}{post_url(article)}",
        data=urllib.parse.urlencode(data).encode(),
        headers={"Origin": b.url},
    )
    status, _ = browser.open(request)
    assert status == 302, logs(a, b)
    assert Comment.objects.filter(body_raw="Read on one server, posted to the other.").exists()
