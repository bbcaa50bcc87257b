"""manage.py make_load_data: realistic threaded comments in bulk, idempotent."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment, Discussion

pytestmark = pytest.mark.django_db


def load(articles, comments):
    call_command("make_load_data", articles=articles, comments=comments, stdout=None)


def load_articles():
    return Article.objects.filter(slug__startswith="load-")


def load_discussions():
    return Discussion.objects.filter(
        content_type=ContentType.objects.get_for_model(Article),
        object_id__in=[str(pk) for pk in load_articles().values_list("pk", flat=True)],
    )


def load_comments():
    return Comment.objects.filter(discussion__in=load_discussions())


def test_it_makes_the_articles_and_comments_asked_for():
    load(3, 400)
    assert Article.objects.published().filter(slug__startswith="load-").count() == 3
    assert load_comments().count() == 400


def test_each_article_has_its_discussion_described_and_counted():
    """One discussion per article, with what Discussion.objects.of() would give it, and the
    approved count the write path keeps."""
    load(3, 400)
    assert load_discussions().count() == 3
    for article in load_articles():
        discussion = Discussion.objects.get(
            content_type=ContentType.objects.get_for_model(Article), object_id=str(article.pk)
        )
        assert discussion.title == article.headline
        assert discussion.url == article.get_absolute_url()
        assert discussion.published_at == article.published_at
        assert discussion.is_open
        assert discussion.approved_count == discussion.comments.approved().count() > 0
        updated_at = discussion.updated_at
        assert Discussion.objects.of(article, public_only=True) == discussion
        discussion.refresh_from_db()
        assert discussion.updated_at == updated_at  # nothing was stale


def test_running_it_again_adds_nothing_and_a_larger_number_adds_the_difference():
    load(3, 300)
    first = set(load_comments().values_list("pk", flat=True))
    discussions = set(load_discussions().values_list("pk", flat=True))
    load(3, 300)
    assert set(load_comments().values_list("pk", flat=True)) == first
    assert set(load_discussions().values_list("pk", flat=True)) == discussions
    load(3, 450)
    assert load_comments().count() == 450
    assert load_articles().count() == 3
    assert set(load_discussions().values_list("pk", flat=True)) == discussions
    assert sum(load_discussions().values_list("approved_count", flat=True)) == (
        load_comments().approved().count()
    )


def test_a_larger_number_of_articles_adds_their_discussions():
    load(2, 100)
    load(4, 200)
    assert load_discussions().count() == 4
    assert load_comments().count() == 200


def test_the_comments_are_threads_as_the_site_would_make_them():
    """Replies answer an approved comment of the same discussion, their depth and root
    derived, never earlier than what they answer; bodies sanitized; mostly approved."""
    load(2, 1000)
    replies = load_comments().filter(parent__isnull=False).select_related("parent")
    assert replies.count() > 300
    assert set(replies.values_list("depth", flat=True)) == {1, 2, 3}
    for reply in replies[:200]:
        assert reply.parent.status == Comment.Status.APPROVED
        assert reply.discussion_id == reply.parent.discussion_id
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
