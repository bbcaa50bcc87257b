"""The admin's comment list on a big table: counts the planner estimates instead of COUNT(*).

See comments/desk/paginator.py; on a million comments an exact count per page view was most of
the list's time (bench/results.md).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import EXACT_BELOW, Comment, estimated_count
from tests.factories import discussion_of

pytestmark = pytest.mark.django_db


def pending_comments(article, count):
    """`count` pending comments in one INSERT (sanitized once, not `count` times)."""
    probe = Comment()
    probe.set_body("Waiting for an editor.")
    rows = []
    for n in range(count):
        comment = Comment(
            discussion=discussion_of(article),
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.com",
            status=Comment.Status.PENDING,
        )
        comment.body_raw, comment.body_html = f"{probe.body_raw} {n}", probe.body_html
        comment._sanitized_from = comment.body_raw
        comment.derive_fields()
        rows.append(comment)
    Comment.objects.bulk_create(rows, batch_size=2000)


def counts_run(queries):
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_a_short_queue_is_counted_exactly(article):
    """Guards: below EXACT_BELOW rows the number editors see is exact, on every database."""
    pending_comments(article, 7)
    assert estimated_count(Comment.objects.pending()) == 7


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's (CI runs it)"
)
def test_a_long_list_is_estimated_without_counting(article, editor_client):
    """Guards: with EXACT_BELOW rows or more, the queue's count and the list's paginator take
    PostgreSQL's estimate (EXPLAIN) and run no COUNT(*) over the table; the estimate is
    close to the truth once the table is analysed."""
    total = EXACT_BELOW + 2_000
    pending_comments(article, total)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    with CaptureQueriesContext(connection) as queries:
        estimate = estimated_count(Comment.objects.pending())
    assert counts_run(queries.captured_queries) == []
    assert abs(estimate - total) / total < 0.2, estimate

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == response.context["pending_count"]
    counts = counts_run(queries.captured_queries)
    assert not any("comments_comment" in sql for sql in counts), counts
