"""The hot queries on the comments table read an index, not the whole table.

Plans depend on the data: at scale `manage.py explain_hot_queries` shows them (quoted in
bench/results.md). Here, on a handful of rows, each query is asked whether it *can* use its
index: PostgreSQL with sequential scans priced out of reach, SQLite as it plans.
"""

import pytest
from django.db import connection

from bench.management.commands.explain_hot_queries import hot_queries
from tests import factories

pytestmark = pytest.mark.django_db

# Which index each hot query must be able to read, by database.
EXPECTED = {
    "postgresql": {
        "the thread of the busiest discussion": "comment_thread",
        "the discussion of an article's page": "unique_discussion_per_object",
        "the duplicate check": "unique_comment_unless_removed",
        "the moderation queue, first page": "comment_pending_queue",
        "the pending count": "comment",
        "all comments, newest first, first page": "comment_submitted",
        "approved comments, newest first": "comments_co_status_",
        "the policy's known-author look-up": "comment_author_status",
    },
    "sqlite": {
        "the thread of the busiest discussion": "comment_thread",
        "the discussion of an article's page": "unique_discussion_per_object",
        "the duplicate check": "unique_comment_unless_removed",
        # SQLite sorts the queue (it can't match NULLS LAST to the index): by status first.
        "the moderation queue, first page": "comments_co_status_",
        "the pending count": "comments_co_status_",
        "all comments, newest first, first page": "comment_submitted",
        "approved comments, newest first": "comments_co_status_",
        "the policy's known-author look-up": "comment_author_status",
    },
}


@pytest.fixture
def some_comments(article):
    for n in range(5):
        factories.make_comment(article, author_email=f"reader{n}@example.com")
    factories.make_comment(article, status="pending", author_email="new@example.com")


def plans(*, sorting=True):
    """Each hot query's plan, with PostgreSQL's sequential scans (and, with sorting=False,
    its bitmap scans and sorts) priced out of reach: what remains is what the indexes allow.
    On a few rows the planner would otherwise rightly prefer reading the table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            if not sorting:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
    return {name: queryset.explain() for name, queryset in hot_queries().items()}


def test_every_hot_query_can_read_its_index(some_comments):
    """Guards: the indexes of Comment.Meta (and migration 0012) exist and serve the queries
    that pages, posts and the moderation queue run; a dropped or mismatched index would
    leave a query scanning a million rows."""
    expected = EXPECTED[connection.vendor]
    found = plans()
    assert set(found) == set(expected)
    for name, plan in found.items():
        assert expected[name] in plan, f"{name}:\n{plan}"
        assert "Seq Scan on comments_comment" not in plan, f"{name}:\n{plan}"
        assert "SCAN comments_comment\n" not in plan + "\n", f"{name}:\n{plan}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index order")
def test_the_queue_is_read_in_index_order_without_sorting(some_comments):
    """Guards: on PostgreSQL the pending queue's first page (likeliest spam first, unscored
    last) comes straight from comment_pending_queue, with no sort of the whole queue. (CI
    runs this file on PostgreSQL too.)"""
    plan = plans(sorting=False)["the moderation queue, first page"]
    assert "comment_pending_queue" in plan
    assert "Sort" not in plan, plan
