"""The move from articles to discussions (comments' migrations 0017 to 0020, articles' 0002
and 0003), both ways, on whichever database the suite runs on, with the rows a site had."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("comments", "0016_imported_comments"), ("articles", "0001_initial")]


def latest():
    """Every app's latest migration: the schema the rest of the suite expects."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate(targets):
    """Migrate to `targets`; return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_comments_move_to_their_articles_discussions_and_back():
    old = migrate(BEFORE)
    Article = old.get_model("articles", "Article")
    Comment = old.get_model("comments", "Comment")
    now = timezone.now()
    open_one = Article.objects.create(
        headline="Open", slug="open", body="b", byline="x", status="published", published_at=now
    )
    closed = Article.objects.create(
        headline="Closed",
        slug="closed",
        body="b",
        byline="x",
        status="published",
        published_at=now - timedelta(days=3),
        comments_open=False,
    )
    silent = Article.objects.create(headline="Silent", slug="silent", body="b", byline="x")
    statuses = ["approved", "approved", "pending", "spam", "removed"]
    for n, status in enumerate(statuses):
        Comment.objects.create(
            article=open_one,
            author_name=f"R{n}",
            author_email=f"r{n}@example.com",
            body_raw=f"Text {n}",
            body_html=f"<p>Text {n}</p>",
            status=status,
            fingerprint=f"f{n}",
        )
    Comment.objects.create(
        article=closed,
        author_name="C",
        author_email="c@example.com",
        body_raw="On the closed one",
        body_html="<p>On the closed one</p>",
        status="approved",
        fingerprint="fc",
    )

    new = migrate(latest())
    Discussion = new.get_model("comments", "Discussion")
    Comment = new.get_model("comments", "Comment")
    by_article = {int(d.object_id): d for d in Discussion.objects.all()}
    assert set(by_article) == {open_one.pk, closed.pk, silent.pk}
    assert by_article[open_one.pk].title == "Open"
    assert by_article[open_one.pk].url == "/articles/open/"
    assert by_article[open_one.pk].published_at == open_one.published_at
    assert (by_article[open_one.pk].is_open, by_article[closed.pk].is_open) == (True, False)
    assert [by_article[pk].approved_count for pk in (open_one.pk, closed.pk, silent.pk)] == [
        2,
        1,
        0,
    ]
    assert sorted(
        Comment.objects.filter(discussion=by_article[open_one.pk]).values_list("status", flat=True)
    ) == sorted(statuses)
    assert not Comment.objects.filter(discussion__isnull=True).exists()

    back = migrate(BEFORE)
    Article = back.get_model("articles", "Article")
    Comment = back.get_model("comments", "Comment")
    assert Comment.objects.filter(article_id=open_one.pk).count() == len(statuses)
    assert Comment.objects.filter(article_id=closed.pk).count() == 1
    assert not Article.objects.get(pk=closed.pk).comments_open
    assert Article.objects.get(pk=open_one.pk).comments_open

    migrate(latest())  # the schema the rest of the suite expects


@pytest.mark.django_db(transaction=True)
def test_the_way_back_refuses_comments_the_old_schema_cannot_hold():
    """A comment on a page discussion has no article to go back to: the way back stops
    and says so, rather than losing it."""
    from comments.models import Comment, Discussion

    page = Discussion.objects.of_url("https://static.example/page", "A page")
    Comment.objects.create(
        discussion=page, author_name="P", author_email="p@example.com", body_raw="Kept"
    )
    with pytest.raises(RuntimeError, match="1 comments belong to discussions of pages"):
        migrate(BEFORE)
    migrate(latest())
    assert Comment.objects.filter(body_raw="Kept").exists()
