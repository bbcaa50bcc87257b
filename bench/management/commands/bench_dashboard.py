"""Time the editors' dashboard: its figures counted anew, cold and warm, query by query.

    SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgres://…/newsite_dash \
        .venv/bin/python manage.py bench_dashboard --repeat 20 [--explain]

Meant for a big database (`make_load_data --articles 1000 --comments 1000000`, then
`VACUUM ANALYZE`). It calls comments.stats.figures.figures() itself, never the
cached copy the page reads: cold (a new database connection and Django's content-type cache
emptied before each run, as a fresh worker process finds them) and warm (the same connection
again), --repeat runs each, with the median, the 95th percentile and the slowest. Then the
page itself (the admin's dashboard, through Django's test client as a superuser made inside
a transaction rolled back afterwards): with its cached figures forgotten before each request,
and with them cached. Then each query of a warm run, with the function of figures.py that
asked it and its time (the median over the warm runs); with --explain (PostgreSQL), each
one's EXPLAIN (ANALYZE, BUFFERS). Reads only: nothing is kept.
"""

import importlib
import math
import statistics
import sys
import time

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from comments.models import Comment, ModerationEvent

PAGE = "admin:comments_comment_dashboard"


class Command(BaseCommand):
    help = "Time the dashboard's figures (uncached) cold and warm, and list their queries."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=10, help="runs of each (default 10)")
        parser.add_argument(
            "--explain",
            action="store_true",
            help="EXPLAIN (ANALYZE, BUFFERS) each query (PostgreSQL)",
        )

    def handle(self, *args, repeat, explain, **options):
        if explain and connection.vendor != "postgresql":
            raise CommandError("--explain needs PostgreSQL (DATABASE_URL=postgres://…).")
        try:
            # (the package may name the function `figures` too: the module, by its path)
            module = importlib.import_module("comments.stats.figures")
        except ImportError as error:
            raise CommandError(f"No dashboard figures to time: {error}") from error
        repeat = max(1, repeat)
        self.stdout.write(
            f"{connection.vendor}: {Comment.objects.count():,} comments, "
            f"{ModerationEvent.objects.count():,} trail events; {repeat} runs each"
        )
        self.stdout.write(f"{'':<30} {'median':>9} {'p95':>9} {'max':>9} {'queries':>8}")
        self._row("figures(), cold", self._time(module.figures, repeat, cold=True))
        warm = self._time(module.figures, repeat, cold=False, source=module.__file__)
        self._row("figures(), warm", warm)
        for name, timings in self._page(module, repeat):
            self._row(name, timings)

        runs = warm[2]
        queries = runs[-1]
        each = [
            statistics.median(run[n]["ms"] for run in runs if len(run) == len(queries))
            for n in range(len(queries))
        ]
        self.stdout.write(
            f"\nThe queries of a warm run, each the median of {len(runs)} "
            f"({sum(each):.1f} ms in all):"
        )
        self.stdout.write(f"{'#':>3} {'ms':>8}  {'asked by':<22} SQL")
        for number, (query, ms) in enumerate(zip(queries, each, strict=True), 1):
            sql = " ".join(query["sql"].split())
            shown = sql if len(sql) <= 90 else f"{sql[:87]}..."
            self.stdout.write(f"{number:>3} {ms:>8.1f}  {query['caller']:<22} {shown}")
        if explain:
            self._explain(queries)

    def _explain(self, queries):
        """EXPLAIN (ANALYZE, BUFFERS) each query, each in a transaction of its own with the
        settings in force when it ran (a SET LOCAL inside a savepoint still open then)."""
        settings = [[]]  # the SET statements of each open savepoint, outermost first
        for number, query in enumerate(queries, 1):
            sql = query["sql"]
            verb = sql.lstrip().split(None, 1)[0].upper()
            if verb == "SAVEPOINT":
                settings.append([])
            elif verb in {"RELEASE", "ROLLBACK"} and len(settings) > 1:
                settings.pop()
            elif verb == "SET":
                settings[-1].append(sql)
            if verb not in {"SELECT", "WITH"}:
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"\n#{number} ({query['caller']}): {sql}"))
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in (setting for level in settings for setting in level):
                    cursor.execute(statement)
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))

    def _time(self, work, repeat, *, cold, source=None):
        """(milliseconds of each run, queries of a run, [each run's queries])."""
        timings, runs = [], []
        for _ in range(repeat):
            if cold:
                if not connection.in_atomic_block:  # (a test's transaction stays open)
                    connection.close()
                ContentType.objects.clear_cache()
            queries = []
            with connection.execute_wrapper(_Recorder(queries, source)):
                start = time.perf_counter()
                work()
                timings.append((time.perf_counter() - start) * 1000)
            runs.append(queries)
        return timings, len(runs[-1]), runs

    def _page(self, module, repeat):
        """[(row name, (timings, queries))] of the dashboard page, its figures forgotten
        before each request and cached; nothing if the page isn't there."""
        try:
            url = reverse(PAGE)
        except NoReverseMatch:
            self.stdout.write(f"(no page to time: {PAGE} is not in the URLs)")
            return []
        key = getattr(module, "CACHE_KEY", None)
        rows = []
        with transaction.atomic():
            user = get_user_model().objects.create_superuser(
                "bench-dashboard", "", None, is_staff=True
            )
            client = Client(SERVER_NAME="localhost")
            client.force_login(user)
            response = client.get(url)
            if response.status_code != 200:
                self.stdout.write(f"(the page answered {response.status_code}: not timed)")
            else:
                forget = None
                if key is not None:
                    tz_name = timezone.get_current_timezone_name()
                    forget = lambda: cache.delete(f"{key}:{tz_name}")  # noqa: E731
                    counted = self._time_page(client, url, repeat, forget)
                    rows.append(("page, figures counted", counted))
                cached = self._time_page(client, url, repeat, None)
                rows.append(("page, figures cached", cached))
                size = len(response.content) / 1024
                self.stdout.write(f"(the page: {size:.0f} KiB)")
            transaction.set_rollback(True)
        return rows

    @staticmethod
    def _time_page(client, url, repeat, forget):
        timings, counted = [], 0
        for _ in range(repeat):
            if forget is not None:
                forget()
            queries = []
            with connection.execute_wrapper(_Recorder(queries)):
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            counted = len(queries)
        return timings, counted, None

    def _row(self, name, measured):
        timings, queries, _ = measured
        ordered = sorted(timings)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        self.stdout.write(
            f"{name:<30} {statistics.median(ordered):>6.1f} ms {p95:>6.1f} ms "
            f"{ordered[-1]:>6.1f} ms {queries:>8}"
        )


class _Recorder:
    """An execute wrapper recording each query's SQL (as sent, parameters in place where
    the backend can say), its time, and the function of `source` that asked it."""

    def __init__(self, queries, source=None):
        self.queries = queries
        self.source = source

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            cursor = context["cursor"]
            try:
                sent = connection.ops.last_executed_query(cursor, sql, params)
            except Exception:  # some backends can't say: the SQL with its placeholders
                sent = sql
            self.queries.append({"sql": sent, "ms": elapsed, "caller": self._caller()})

    def _caller(self):
        if self.source is None:
            return ""
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            # The function, not a comprehension inside it ("<listcomp>").
            if code.co_filename == self.source and not code.co_name.startswith("<"):
                return code.co_name
            frame = frame.f_back
        return "?"
