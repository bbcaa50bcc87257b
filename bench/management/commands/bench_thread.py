"""Benchmark the hot path: an article page with a long comment thread, cold and warm.

Creates an article whose discussion holds --comments approved comments in threads of 20
(all on the first comment page when there are at most 50 threads) inside a transaction that
is rolled back, and requests its page through Django's test client (the whole middleware and
template stack, no network): --requests times with the discussion's cached thread forgotten
before each (cold: what the first reader after a change waits for), then --requests times as
it is (warm: everyone else). Prints the medians, the query counts and the page size. Run it
by hand with DEBUG off, e.g.

    SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py \
        bench_thread --comments 1000
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from bench.management.benchmarks import benchmark_article, make_threads, rolled_back
from comments import thread
from comments.models import Discussion


class Command(BaseCommand):
    help = "Time the article page with a long comment thread, cold and warm (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, default=1000)
        parser.add_argument("--requests", type=int, default=20)

    def handle(self, *args, comments, requests, **options):
        with rolled_back():
            self._run(comments, requests)

    def _run(self, count, requests):
        article = benchmark_article()
        make_threads(article, count)
        discussion = Discussion.objects.of(article)
        client = Client(SERVER_NAME="localhost")
        url = article.get_absolute_url()
        client.get(url)  # load the templates
        for name, forget in (("cold", True), ("warm", False)):
            if forget:
                thread.forget_discussions([discussion.pk])
            queries = []
            with connection.execute_wrapper(_recorder(queries)):
                response = client.get(url)
            timings = []
            for _ in range(requests):
                if forget:
                    thread.forget_discussions([discussion.pk])
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            median = statistics.median(timings)
            shown = response.content.count(b'<li id="comment-')
            self.stdout.write(
                f"{name}: article page, {count} comments, {requests} requests: median "
                f"{median:.1f} ms, min {min(timings):.1f} ms, max {max(timings):.1f} ms "
                f"({1000 / median:.0f} pages/s), {len(queries)} queries, "
                f"{len(response.content) / 1024:.0f} KiB, "
                f"{shown} comments shown, "
                f"status {response.status_code}"
            )


def _recorder(queries):
    """An execute wrapper appending each query's SQL to `queries`."""

    def record(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    return record
