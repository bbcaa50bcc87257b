"""Benchmark the hot path: an article page with a long comment thread.

Creates an article with --comments approved comments inside a transaction that is rolled back,
requests its page --requests times through Django's test client (the whole middleware and
template stack, no network) and prints the timings and the query count. Run it by hand with
DEBUG off, e.g. `SECRET_KEY=x .venv/bin/python manage.py bench_thread --comments 1000`.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from comments.management.benchmarks import benchmark_article, rolled_back
from comments.models import Comment


class Command(BaseCommand):
    help = "Time the article page with a long comment thread (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, default=1000)
        parser.add_argument("--requests", type=int, default=20)

    def handle(self, *args, comments, requests, **options):
        with rolled_back():
            self._run(comments, requests)

    def _run(self, count, requests):
        article = benchmark_article()
        now = timezone.now()
        thread = []
        for i in range(count):
            comment = Comment(
                article=article,
                author_name=f"Reader {i}",
                author_email=f"reader{i}@example.com",
                author_url="https://example.org/" if i % 3 == 0 else "",
                status=Comment.Status.APPROVED,
                submitted_at=now,
            )
            comment.set_body(f"Comment {i} with <em>some</em> markup.\n\nAnd a second paragraph.")
            comment.derive_fields()  # bulk_create skips save()
            thread.append(comment)
        Comment.objects.bulk_create(thread, batch_size=500)

        client = Client(SERVER_NAME="localhost")
        url = article.get_absolute_url()
        client.get(url)  # warm the template cache
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
        ):
            response = client.get(url)
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(url)
            timings.append(time.perf_counter() - start)
        ms = sorted(t * 1000 for t in timings)
        self.stdout.write(
            f"article page, {count} comments, {requests} requests: "
            f"median {statistics.median(ms):.1f} ms, min {ms[0]:.1f} ms, max {ms[-1]:.1f} ms "
            f"({1000 / statistics.median(ms):.1f} pages/s), {len(queries)} queries, "
            f"{len(response.content) / 1024:.0f} KiB, status {response.status_code}"
        )
