"""Readers' article pages: the list, the permalink, and what stays hidden."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_scheduled_articles():
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.published()) == [live]


def test_list_shows_published_articles_newest_first(client):
    older = make_article(headline="Older story", published_at=timezone.now() - timedelta(days=2))
    newer = make_article(headline="Newer story", published_at=timezone.now() - timedelta(days=1))
    make_article(headline="Secret draft", status=Article.Status.DRAFT)
    html = client.get("/").content.decode()
    assert html.index(newer.headline) < html.index(older.headline)
    assert "Secret draft" not in html
    assert newer.get_absolute_url() in html


def test_list_counts_only_approved_comments(client):
    article = make_article()
    make_comment(article)
    make_comment(article)
    make_comment(article, status="pending")
    make_comment(article, status="spam")
    make_article()
    html = client.get("/").content.decode()
    assert "2 comments</a>" in html
    assert "0 comments</a>" in html


def test_list_is_paginated(client):
    for day in range(12):
        make_article(headline=f"Story {day:02d}", published_at=timezone.now() - timedelta(days=day))
    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    assert "Story 00" in first
    assert "Story 10" not in first
    assert "Story 10" in second
    assert "Page 2 of 2" in second
    assert client.get("/?page=9").status_code == 404


def test_list_query_count_does_not_grow_with_articles(client, django_assert_max_num_queries):
    """Guards the N+1 of counting comments per article on the front page: made, four
    queries (the articles' stamp for the whole-page cache, the articles, their number for
    the pages, their counts); then served whole, one (the stamp)."""
    for _ in range(10):
        make_comment(make_article())
    with django_assert_max_num_queries(4):
        client.get("/")
    with django_assert_max_num_queries(1):
        client.get("/")


def test_article_page_shows_the_story(client):
    article = make_article(
        headline="Talks resume in the capital",
        photo_caption="The minister speaks after the meeting",
        byline="Our correspondent",
        body="First paragraph.\n\nSecond <paragraph>.",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<h1" in html
    assert "Talks resume in the capital" in html
    assert "The minister speaks after the meeting" in html
    assert "Our correspondent" in html
    assert "<p>First paragraph.</p>" in html
    assert "<p>Second &lt;paragraph&gt;.</p>" in html
    assert f"<title>{article.headline} · The Meridian</title>" in html


def test_approved_comments_are_shown_oldest_first(client):
    article = make_article()
    now = timezone.now()
    late = make_comment(article, body="Second word", submitted_at=now)
    early = make_comment(article, body="First word", submitted_at=now - timedelta(hours=1))
    make_comment(article, body="Held back", status="pending")
    make_comment(article, body="Junk mail", status="spam")
    make_comment(article, body="Taken down", status="removed")
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index(f'id="comment-{early.pk}"') < html.index(f'id="comment-{late.pk}"')
    assert "2 comments on" in html
    for hidden in ("Held back", "Junk mail", "Taken down"):
        assert hidden not in html


@pytest.mark.parametrize(
    "fields",
    [{"status": Article.Status.DRAFT}, {"published_at": timezone.now() + timedelta(days=3)}],
    ids=["draft", "scheduled"],
)
def test_unpublished_articles_are_404(client, fields):
    article = make_article(**fields)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_article_string_and_url():
    article = make_article(headline="Headline here", slug="headline-here")
    assert str(article) == "Headline here"
    assert article.get_absolute_url() == "/articles/headline-here/"


def test_pages_load_bootstrap_from_this_site_only(client):
    article = make_article()
    for url in ("/", article.get_absolute_url()):
        html = client.get(url).content.decode()
        assert '<link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css">' in html
        head = html.split("<body")[0]
        for address in re.findall(r'(?:href|src)="([^"]*)"', head):
            assert address.startswith("/") and not address.startswith("//"), address


def test_article_published_after_the_server_started_is_listed(client):
    """published() must be evaluated per request, not once when the views are imported."""
    client.get("/")
    article = make_article(published_at=timezone.now())
    assert article.headline in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_reader_pages_send_a_strict_content_security_policy(client):
    article = make_article()
    for url in ("/", article.get_absolute_url(), "/no-such-page/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        # Scripts from this site only: no inline script, no eval, no other origin.
        assert "script-src 'self';" in policy
        assert "unsafe" not in policy
        assert "style-src 'self'" in policy


def test_admin_is_left_out_of_the_policy(client):
    assert "Content-Security-Policy" not in client.get("/admin/login/")
