"""The comment thread is the hot path: its query count must not grow with its size."""

import pytest
from django.test import Client
from django.urls import reverse

from .factories import make_article, make_comments

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [5, 200])
def test_article_page_queries_do_not_grow_with_comments(
    client, count, django_assert_max_num_queries
):
    """Guards the N+1 of fetching each comment's article or author on the article page:
    one query for the article, one for the whole thread."""
    article = make_article()
    make_comments(article, count)
    with django_assert_max_num_queries(2):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="comment ') == count


@pytest.mark.parametrize("count", [5, 200])
def test_posters_page_queries_do_not_grow_with_comments(count, django_assert_max_num_queries):
    """With a session (a reader who posted) the page adds only the session read."""
    article = make_article()
    make_comments(article, count)
    poster = Client()
    poster.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"name": "Poster", "email": "poster@example.com", "comment": "Mine"},
    )
    with django_assert_max_num_queries(3):
        response = poster.get(article.get_absolute_url())
    assert response.content.decode().count('class="comment ') == count + 1
