"""Whole list pages (comments.public.pages.whole_list_page): the front page, kept whole in
the cache, served in one query, and made again as soon as an article readers may see or any
comment count changes.

"Served whole" is told by the query count: a stored list page costs one query (the articles'
stamp), a page made by the view four.
"""

import gzip
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.public import pages as public_pages
from comments.thread import pages as comments_pages
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def front_page(client=None, path="/", **extra):
    """(text, queries) of the front page as a new reader (no cookie) asks for it."""
    client = client or Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode(), len(queries)


def served_whole(path="/"):
    """Ask twice; the second answer, which must have come whole from the cache."""
    front_page(path=path)
    text, queries = front_page(path=path)
    assert queries == 1, f"made by the view ({queries} queries)"
    return text


def test_the_front_page_is_served_whole_in_one_query():
    make_article(headline="Talks resume")
    made, queries = front_page()
    assert queries > 1
    assert served_whole() == made
    assert "Talks resume" in made


def test_gzip_is_compressed_once_and_decompresses_to_the_plain_page():
    make_article(headline="Talks resume")
    plain = served_whole()
    response = Client().get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Length"] == str(len(response.content))
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content).decode() == plain
    assert "Accept-Encoding" in Client().get("/")["Vary"]


def test_a_new_article_shows_at_once():
    make_article(headline="Old news")
    served_whole()
    make_article(headline="Fresh news", published_at=timezone.now())
    assert "Fresh news" in front_page()[0]


def test_an_edited_headline_shows_at_once():
    article = make_article(headline="Old headline")
    served_whole()
    article.headline = "New headline"
    article.save()
    text = front_page()[0]
    assert "New headline" in text and "Old headline" not in text


def test_an_unpublished_or_deleted_article_goes_at_once():
    kept, withdrawn = make_article(headline="Kept"), make_article(headline="Withdrawn")
    served_whole()
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    assert "Withdrawn" not in front_page()[0]
    served_whole()
    Article.objects.filter(pk=kept.pk).delete()
    assert "Kept" not in front_page()[0]


def test_a_scheduled_article_shows_when_its_time_has_come():
    """Its publication time passes by the clock alone, nothing saved: the count of articles
    readers may see changes (within a second: the stamp's SQL is built once a second)."""
    make_article(headline="Already out")
    scheduled = make_article(
        headline="Embargoed story", published_at=timezone.now() + timedelta(hours=1)
    )
    assert "Embargoed story" not in served_whole()
    Article.objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() - timedelta(seconds=1), updated_at=scheduled.updated_at
    )
    deadline = timezone.now() + timedelta(seconds=3)
    while "Embargoed story" not in front_page()[0]:
        assert timezone.now() < deadline, "still not listed"


def test_a_new_approved_comment_changes_the_count_at_once(django_capture_on_commit_callbacks):
    article = make_article(headline="Talks resume")
    make_comment(article)
    assert ">1 comment<" in served_whole()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve([make_comment(article, status="pending")], by="test")
    assert ">2 comments<" in front_page()[0]


def test_each_page_of_the_list_is_kept_apart(settings):
    for n in range(12):
        make_article(headline=f"Story {n:02d}", published_at=timezone.now() - timedelta(hours=n))
    first, second = served_whole(), served_whole("/?page=2")
    assert "Story 00" in first and "Story 00" not in second
    assert "Story 11" in second


@pytest.mark.parametrize("query", ["?utm_source=mail", "?page=1&utm_source=mail"])
def test_any_other_query_is_made_by_the_view(query):
    for n in range(12):
        make_article(headline=f"Story {n:02d}")
    client = Client()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/{query}")
        assert len(queries) > 1


def test_a_signed_in_reader_gets_the_page_made_for_them(editor_client):
    make_article(headline="Talks resume")
    served_whole()
    with CaptureQueriesContext(connection) as queries:
        assert editor_client.get("/").status_code == 200
    assert len(queries) > 1


def test_a_page_that_sets_a_cookie_is_not_kept(settings, tmp_path):
    """A project's front page with a form (its CSRF token and cookie) is never stored: the
    token would be one reader's."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "article_list.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        '<form method="post">{% csrf_token %}<button>Subscribe</button></form>'
        "{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    make_article()
    tokens = set()
    for _ in range(3):
        text, queries = front_page()
        assert queries > 1
        tokens.add(text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
    assert len(tokens) == 3


def test_pages_without_a_thread_cost_no_lookup_after_the_first(monkeypatch):
    """The front page (kept by its decorator) and any page that shows no thread are
    remembered as such by WholePageCacheMiddleware, which then spends no cache round trip
    looking for a whole page of them."""
    make_article()
    public_pages._not_whole.clear()
    looked_up = []
    find = comments_pages.find
    monkeypatch.setattr(comments_pages, "find", lambda key: looked_up.append(key) or find(key))
    for _ in range(3):
        front_page()
    assert len(looked_up) == 1
    assert public_pages.shared_page_key(RequestFactory().get("/")) in public_pages._not_whole
