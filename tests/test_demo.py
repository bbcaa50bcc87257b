"""`make run`'s demo content loads once and makes a living page."""

import pytest
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent(client):
    call_command("load_demo")
    articles, comments = Article.objects.count(), Comment.objects.count()
    assert articles >= 3
    assert comments >= articles
    call_command("load_demo")
    assert (Article.objects.count(), Comment.objects.count()) == (articles, comments)

    assert Article.objects.published().count() == articles
    assert Comment.objects.approved().count() == comments
    article = Article.objects.published().first()
    html = client.get(article.get_absolute_url()).content.decode()
    assert article.headline in html
    assert html.count('class="comment ') == article.comments.count()
