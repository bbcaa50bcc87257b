"""Time a newsroom's history through comments.history: write a generated WordPress export of
--comments comments (in threads of 1,000, every fifth comment starting a thread of replies)
with `write_wordpress`, then read it back with `read_wordpress`, and print both times and the
file's size. With --import, also time bringing the file in (`moderation.bring_in`, as
`import_comments` does: sanitizing, threading, the trail) into the discussion of an article
per thread, in a transaction rolled back at the end; --workers as import_comments takes it
(default: one sanitizing process per CPU; 1: none but this one).

    SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py \\
        bench_history --comments 100000 --import
"""

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand

from bench.management.benchmarks import benchmark_article, rolled_back
from comments import moderation
from comments.history import ImportedComment, Thread, read_wordpress, write_wordpress
from comments.models import Discussion

PER_THREAD = 1000


def generated(count):
    """(Thread, comments) pairs: `count` comments, PER_THREAD a thread."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for first in range(0, count, PER_THREAD):
        key = str(first // PER_THREAD + 1)
        thread = Thread(key=key, link=f"https://news.example/{key}/", title=f"Story {key}")
        comments = [
            ImportedComment(
                thread_key=key,
                source_id=str(n),
                parent_id=str(n - 1) if (n - first) % 5 else None,
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.org",
                author_url="",
                ip_address="192.0.2.1",
                submitted_at=start + timedelta(seconds=n),
                body=f"<p>Comment {n}, with <b>bold</b> and https://example.org/{n}</p>",
                status="approved",
            )
            for n in range(first + 1, min(first + PER_THREAD, count) + 1)
        ]
        yield thread, comments


class Command(BaseCommand):
    help = "Time writing, reading (and with --import, importing) a generated WordPress export."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, default=100_000)
        parser.add_argument("--import", action="store_true", dest="bring_in")
        parser.add_argument("--workers", type=int, help="with --import: as import_comments")

    def handle(self, *args, **options):
        count = options["comments"]
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "export.xml")
            started = time.perf_counter()
            with open(path, "wb") as out:
                write_wordpress(generated(count), out)
            written = time.perf_counter() - started
            started = time.perf_counter()
            read = sum(isinstance(r, ImportedComment) for r in read_wordpress(path))
            reading = time.perf_counter() - started
            size = os.path.getsize(path)
            self.stdout.write(
                f"{count:,} comments, {size / 1e6:.0f} MB: written in {written:.1f} s, "
                f"{read:,} read back in {reading:.1f} s"
            )
            if options["bring_in"]:
                self.import_into_database(path, options["workers"])

    def import_into_database(self, path, workers=None):
        with rolled_back():
            discussions = {}

            def discussion_for(thread):
                if thread.key not in discussions:
                    article = benchmark_article(thread.title)
                    discussions[thread.key] = Discussion.objects.of(article)
                return discussions[thread.key]

            started = time.perf_counter()
            report = moderation.bring_in(
                read_wordpress(path),
                source="bench",
                find_discussed=discussion_for,
                workers=workers,
            )
            seconds = time.perf_counter() - started
        self.stdout.write(
            f"imported {report.added_total:,} comments in {seconds:.1f} s "
            f"({report.added_total / seconds:,.0f} a second; rolled back)"
        )
