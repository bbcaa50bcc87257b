"""The comment thread is the hot path: its query count must not grow with its size."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from tests.factories import form_token, make_article, make_comments, post_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_comment_page(settings):
    """Every comment on one page, so the page shows (and counts) them all."""
    settings.COMMENTS_PER_PAGE = 10_000


@pytest.mark.parametrize("count", [5, 200])
def test_article_page_queries_do_not_grow_with_comments(
    client, count, django_assert_max_num_queries
):
    """Guards the N+1 of fetching each comment's article or author on the article page:
    one query for the article, one for its Discussion (public? open?), one for the
    Discussion settings, one for the whole thread."""
    article = make_article()
    make_comments(article, count)
    with django_assert_max_num_queries(4):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="comment ') == count


@pytest.mark.parametrize("count", [5, 200])
def test_posters_page_queries_do_not_grow_with_comments(count, django_assert_max_num_queries):
    """With a session (a reader who posted) the page adds only the session read."""
    article = make_article()
    make_comments(article, count)
    poster = Client()
    poster.post(
        post_url(article),
        {
            "name": "Poster",
            "email": "poster@example.com",
            "comment": "Mine",
            "token": form_token(article),
        },
    )
    with django_assert_max_num_queries(5):
        response = poster.get(article.get_absolute_url())
    assert response.content.decode().count('class="comment ') == count + 1


def make_threads(article, count):
    """`count` approved comments in threads up to five deep (one INSERT per level)."""
    levels = [make_comments(article, count // 5)]
    for _ in range(1, 5):
        replies = make_comments(article, count // 5)
        for reply, parent in zip(replies, levels[-1], strict=True):
            reply.parent = parent
            reply.derive_fields()  # depth and root, as save() would
        Comment.objects.bulk_update(replies, ["parent", "depth", "root", "fingerprint"])
        levels.append(replies)
    return [comment for level in levels for comment in level]


@pytest.mark.parametrize("count", [10, 1000])
def test_threaded_article_page_queries_do_not_grow(client, count, django_assert_max_num_queries):
    """Guards the N+1 of fetching each reply's parent or children while nesting the thread:
    still one query for the article, one for its discussion, one for the settings and one for
    the whole thread, however deep."""
    article = make_article()
    make_threads(article, count)
    with django_assert_max_num_queries(4):
        response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert html.count('class="comment ') == count
    assert html.count('<ol class="children') == count - count // 5


def test_a_post_reads_the_discussion_settings_once(client, article, comment_data):
    """Guards reading the settings row twice per post (the form's "still open?" check and
    the view's flood control share the policy the form read)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(post_url(article), comment_data)
    assert response.status_code == 302
    reads = [q["sql"] for q in queries if "comments_discussionsettings" in q["sql"]]
    assert len(reads) == 1, reads
