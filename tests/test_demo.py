"""`make run`'s demo content loads once, makes living pages and gives editors a queue."""

import pytest
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment
from tests.factories import discussion_of

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent():
    call_command("load_demo")
    articles, comments = Article.objects.count(), Comment.objects.count()
    assert articles >= 3
    assert comments >= articles
    call_command("load_demo")
    assert (Article.objects.count(), Comment.objects.count()) == (articles, comments)
    assert Article.objects.published().count() == articles


def test_demo_leaves_three_comments_for_the_editors_one_of_them_link_spam():
    call_command("load_demo")
    pending = Comment.objects.pending()
    assert pending.count() == 3
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved", "pending"}
    spam = [c for c in pending if c.body_html.count("<a ") >= 3]
    assert len(spam) == 1
    # The policy publishes a known author's comment at once: a pending author has no other.
    for comment in pending:
        assert (
            not Comment.objects.approved()
            .filter(author_email__iexact=comment.author_email)
            .exists()
        )


def test_every_approved_demo_comment_shows_on_its_article_and_no_pending_one_does(client):
    call_command("load_demo")
    for article in Article.objects.published():
        html = client.get(article.get_absolute_url()).content.decode()
        assert article.headline in html
        comments = Comment.objects.filter(discussion=discussion_of(article))
        approved = comments.approved()
        assert approved.exists()
        for comment in approved:
            assert f'id="comment-{comment.pk}"' in html
        for comment in comments.pending():
            assert f'id="comment-{comment.pk}"' not in html
        assert html.count('class="comment ') == approved.count()


def test_the_demo_has_a_threaded_discussion(client):
    call_command("load_demo")
    reply = Comment.objects.approved().filter(depth=2).get()
    assert reply.parent.parent is not None
    assert reply.root == reply.parent.parent
    html = client.get(reply.discussion.get_absolute_url()).content.decode()
    assert html.count('<ol class="children') == 2
