"""What the bench_* commands share: they run on the real database and keep nothing."""

import time
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from articles.models import Article


@contextmanager
def rolled_back():
    """Run the block in a transaction that is rolled back however it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


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
