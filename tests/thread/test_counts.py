"""The comment count near the headline, the thread's heading and the front page agree."""

import pytest

from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def test_the_count_near_the_headline_links_to_the_thread_and_matches(client, article):
    make_comment(article)
    make_comment(article)
    make_comment(article, status="pending")
    make_comment(article, status="spam")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a class="comment-count" href="#comments">2 comments</a>' in html
    assert "2 comments on “" in html
    assert "2 comments</a>" in client.get("/").content.decode()


def test_one_comment_is_singular(client, article):
    make_comment(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a class="comment-count" href="#comments">1 comment</a>' in html


def test_the_count_costs_no_query_of_its_own(client, django_assert_max_num_queries):
    """Guards the extra COUNT query the headline's count would cost: it reuses the thread."""
    article = make_article()
    make_comment(article)
    with django_assert_max_num_queries(4):  # the article, its discussion, settings, thread
        client.get(article.get_absolute_url())


def test_a_skip_link_leads_to_the_comments(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'href="#comments">Skip to comments</a>' in html
    assert html.index("Skip to comments") < html.index("<header")
    front = client.get("/").content.decode()
    assert 'href="#content">Skip to content</a>' in front
