"""What the bench_* commands share: they run on the real database and keep nothing."""

import time
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import Article


@contextmanager
def rolled_back():
    """Run the block in a transaction that is rolled back however it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def make_threads(article, count, *, status="approved", thread_size=20):
    """`count` comments in `article`'s discussion (or a Discussion's) in threads of
    `thread_size` (so count / thread_size top-level comments, rounded up): a comment, then
    replies at depth 1 to 3 in turn, a second apart, so threads are both long and nested.
    Sanitized once. The discussion's approved count is kept, as the write path keeps it.
    Most comments have a few recommendations (0 to 6), so pages show counts as a live site's
    do."""
    from comments.models import Comment, Discussion

    discussion = Discussion.objects.of(article)
    probe = Comment()
    probe.set_body(
        "I was at the talks, and <em>nobody</em> expected this. The minister said as much, "
        "and the opposition, for once, agreed.\n\nWe will see what the next round brings."
    )
    made, start = [], timezone.now() - timedelta(days=1)
    for n in range(count):
        position = n % thread_size
        parent = None if position == 0 else made[n - 1 - (position - 1) % 3]
        comment = Comment(
            discussion=discussion,
            parent=parent,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.com",
            author_url="https://example.org/" if n % 5 == 0 else "",
            status=status,
            submitted_at=start + timedelta(seconds=n),
            ip_address="10.0.0.1",
            recommendation_count=n % 7,
        )
        comment.body_raw, comment.body_html = f"{probe.body_raw} ({n})", probe.body_html
        comment._sanitized_from = comment.body_raw
        comment.save()
        made.append(comment)
    Discussion.objects.recount([discussion.pk])
    return made


def benchmark_article(headline="Benchmark article"):
    """A published article of its own (inside rolled_back())."""
    return Article.objects.create(
        headline=headline,
        slug=f"benchmark-{time.time_ns()}",
        body="Body.",
        byline="Bench",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def benchmark_discussion(headline="Benchmark article"):
    """The Discussion of a published article of its own (inside rolled_back()): what the
    comment form, the post URL and the write path take."""
    from comments.models import Discussion

    return Discussion.objects.of(benchmark_article(headline))
