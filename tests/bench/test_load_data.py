"""manage.py make_load_data: realistic threaded comments in bulk, idempotent."""

import pytest
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.django_db


def load(articles, comments):
    call_command("make_load_data", articles=articles, comments=comments, stdout=None)


def load_comments():
    return Comment.objects.filter(article__slug__startswith="load-")


def test_it_makes_the_articles_and_comments_asked_for():
    load(3, 400)
    assert Article.objects.published().filter(slug__startswith="load-").count() == 3
    assert load_comments().count() == 400


def test_running_it_again_adds_nothing_and_a_larger_number_adds_the_difference():
    load(3, 300)
    first = set(load_comments().values_list("pk", flat=True))
    load(3, 300)
    assert set(load_comments().values_list("pk", flat=True)) == first
    load(3, 450)
    assert load_comments().count() == 450
    assert Article.objects.filter(slug__startswith="load-").count() == 3


def test_the_comments_are_threads_as_the_site_would_make_them():
    """Replies answer an approved comment of the same article, their depth and root derived,
    never earlier than what they answer; bodies sanitized; mostly approved."""
    load(2, 1000)
    replies = load_comments().filter(parent__isnull=False).select_related("parent")
    assert replies.count() > 300
    assert set(replies.values_list("depth", flat=True)) == {1, 2, 3}
    for reply in replies[:200]:
        assert reply.parent.status == Comment.Status.APPROVED
        assert reply.article_id == reply.parent.article_id
        assert reply.depth == reply.parent.depth + 1
        assert reply.root_id == (reply.parent.root_id or reply.parent_id)
        assert reply.submitted_at >= reply.parent.submitted_at
    assert not load_comments().filter(body_html="").exists()
    approved = load_comments().approved().count()
    assert 800 <= approved < 1000
    assert load_comments().pending().exists()


def test_the_article_page_serves_a_loaded_thread(client):
    load(1, 300)
    article = Article.objects.get(slug="load-1")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'class="comment ' in response.content.decode()
