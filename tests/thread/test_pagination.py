"""Comment pages (?cpage=N): whole threads per page, and permalinks that know their page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from tests.factories import form_token, make_article, make_comment, post_url
from tests.thread.test_queries import make_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def paged(settings, article):
    """Seven threads of a comment and a reply each, three threads a page: pages 1, 2, 3."""
    settings.COMMENTS_PER_PAGE = 3
    start = timezone.now() - timedelta(days=1)
    threads = []
    for n in range(7):
        top = make_comment(article, body=f"Thread {n}", submitted_at=start + timedelta(minutes=n))
        reply = make_comment(
            article,
            body=f"Reply in thread {n}",
            parent=top,
            submitted_at=start + timedelta(hours=2, minutes=n),
        )
        threads.append((top, reply))
    return threads


def shown_threads(client, url):
    html = client.get(url).content.decode()
    return html, sorted(int(n) for n in re.findall(r"<p>Thread (\d+)</p>", html))


def test_pages_hold_whole_threads_oldest_first(client, article, paged):
    html, threads = shown_threads(client, article.get_absolute_url())
    assert threads == [0, 1, 2]
    assert all(f"Reply in thread {n}" in html for n in threads)
    html, threads = shown_threads(client, f"{article.get_absolute_url()}?cpage=3")
    assert threads == [6]
    assert "Reply in thread 6" in html and "Reply in thread 5" not in html


def test_the_count_is_of_every_page(client, article, paged):
    html = client.get(f"{article.get_absolute_url()}?cpage=2").content.decode()
    assert "14 comments on “" in html


def test_page_links_prev_next_and_the_current_page(client, article, paged):
    html = client.get(f"{article.get_absolute_url()}?cpage=2").content.decode()
    assert 'rel="prev" href="?cpage=1#comments"' in html
    assert 'rel="next" href="?cpage=3#comments"' in html
    assert '<span class="page-link" aria-current="page">2</span>' in html
    assert 'href="?cpage=3#comments">3</a>' in html


def test_canonical_and_title_name_the_comment_page(client, article, paged):
    first = client.get(article.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="{article.get_absolute_url()}">' in first
    assert "Comments page" not in first
    second = client.get(f"{article.get_absolute_url()}?cpage=2").content.decode()
    assert f'<link rel="canonical" href="{article.get_absolute_url()}?cpage=2">' in second
    assert f"<title>{article.headline} · Comments page 2 · The Meridian</title>" in second


@pytest.mark.parametrize(("value", "expected"), [("0", 1), ("99", 3), ("x", 1), ("-2", 1)])
def test_a_page_out_of_range_lands_on_the_nearest(client, article, paged, value, expected):
    html = client.get(f"{article.get_absolute_url()}?cpage={value}").content.decode()
    assert f'aria-current="page">{expected}</span>' in html


def test_a_permalink_knows_its_page(client, article, paged):
    _, reply = paged[4]  # thread 4: the second page
    assert reply.get_absolute_url() == (f"{article.get_absolute_url()}?cpage=2#comment-{reply.pk}")
    assert (
        paged[0][1].get_absolute_url() == f"{article.get_absolute_url()}#comment-{paged[0][1].pk}"
    )
    page = client.get(reply.get_absolute_url().split("#")[0]).content.decode()
    assert f'id="comment-{reply.pk}"' in page


def test_a_new_reply_redirects_to_its_threads_page(client, article, paged):
    top = paged[6][0]
    data = {"name": "Bo", "email": "bo@example.com", "comment": "Late reply.", "parent": top.pk}
    data["token"] = form_token(article)
    response = client.post(post_url(article), data)
    reply = Comment.objects.get(author_name="Bo")
    assert (
        response["Location"]
        == f"{article.get_absolute_url()}?comment={reply.pk}#comment-{reply.pk}"
    )
    landed = client.get(response["Location"]).content.decode()
    assert 'aria-current="page">3</span>' in landed
    assert f'id="comment-{reply.pk}"' in landed  # the poster's own, pending


def test_a_link_to_a_comment_opens_its_page_for_any_reader(client, article, paged):
    """?comment=N (where a post lands) shows the page holding N to a reader who did not
    post it too (the cached page, its number found by one query)."""
    reply = paged[6][1]
    page = client.get(f"{article.get_absolute_url()}?comment={reply.pk}").content.decode()
    assert 'aria-current="page">3</span>' in page
    assert f'id="comment-{reply.pk}"' in page


def test_a_post_does_not_count_threads_for_its_redirect(client, article, paged):
    """Guards the COUNT over the discussion's threads (the comment's page) coming back into
    every post: the redirect names the comment, and the page it lands on finds its page."""
    data = {
        "name": "Bo",
        "email": "bo@example.com",
        "comment": "Late reply.",
        "parent": paged[6][0].pk,
    }
    data["token"] = form_token(article)
    with CaptureQueriesContext(connection) as queries:
        client.post(post_url(article), data)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_a_removed_thread_with_replies_still_takes_its_place(client, article, paged):
    moderation.remove([paged[0][0]], by="test")
    assert paged[4][1].get_absolute_url().startswith(f"{article.get_absolute_url()}?cpage=2")


def test_a_later_page_costs_the_same_queries(client, settings, django_assert_max_num_queries):
    """Guards a query per page or per thread when paging 1,000 threaded comments."""
    settings.COMMENTS_PER_PAGE = 50
    article = make_article()
    make_threads(article, 1000)
    with django_assert_max_num_queries(4):
        response = client.get(f"{article.get_absolute_url()}?cpage=3")
    assert 'aria-current="page">3</span>' in response.content.decode()
