"""How far behind the task queue is: the work the app does off the request path (every email
it sends, comments.outbox), queued in the database for `manage.py db_worker`.

    manage.py task_queue [--max-lag SECONDS]

Prints the tasks ready to run and how long the oldest of them has waited, those running,
those waiting to run later (a mail retried after a failure waits out its back-off there), and
the attempts that failed in the last 24 hours. With --max-lag, exits with status 1 when the
oldest ready task has waited longer than that: for monitoring (cron, a check of your
monitoring system), a queue that grows means no worker runs, or too few. /healthz shows the
first two numbers too (newsite.views).

With a backend that keeps no queue (TASKS_BACKEND=immediate: each task runs where it is
queued), says so and exits 0.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

FAILED_WITHIN = timedelta(hours=24)


def queue_backend():
    """The default task backend if it keeps a queue in the database, else None."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return backend if isinstance(backend, DatabaseBackend) else None


def backend_kind():
    """The default backend's short name: "database", "immediate", "dummy", …"""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        return "database"
    return type(backend).__name__.removesuffix("Backend").lower()


def ready_backlog(backend, now=None):
    """(tasks ready to run, whole seconds the oldest of them has waited) in `backend`'s queue,
    in one query over its ready rows (those django_tasks_db keeps a partial index on).

    A task waits from when it was queued, or from its run_after if that is later: a retry
    queued for 10:05 has waited since 10:05, not since its failed attempt at 10:04."""
    now = now or timezone.now()
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),  # queued to run at once
        default=Greatest("run_after", "enqueued_at"),
    )
    row = (
        DBTaskResult.objects.ready()
        .filter(backend_name=backend.alias)
        .aggregate(ready=Count("pk"), oldest=Min(waiting_since))
    )
    waited = (now - row["oldest"]).total_seconds() if row["oldest"] else 0
    return row["ready"], max(0, int(waited))


def queue_state(backend, now=None):
    """Everything the command prints: ready, oldest_seconds, later, running, failed (24 h)."""
    now = now or timezone.now()
    ready, oldest = ready_backlog(backend, now)
    rows = DBTaskResult.objects.filter(backend_name=backend.alias)
    return {
        "ready": ready,
        "oldest_seconds": oldest,
        "later": rows.filter(status=TaskResultStatus.READY, run_after__gt=now)
        .exclude(run_after=get_date_max())
        .count(),
        "running": rows.filter(status=TaskResultStatus.RUNNING).count(),
        "failed": rows.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=now - FAILED_WITHIN
        ).count(),
    }


def duration(seconds):
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


class Command(BaseCommand):
    help = "How far behind the task queue (the app's email) is; --max-lag for monitoring."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-lag",
            type=int,
            metavar="SECONDS",
            help="Exit with status 1 if the oldest ready task has waited longer than this.",
        )

    def handle(self, *args, max_lag=None, **options):
        backend = queue_backend()
        if backend is None:
            self.stdout.write(
                f"No queue: the task backend is the {backend_kind()} one "
                "(TASKS_BACKEND=immediate runs each task where it is queued, at once)."
            )
            return
        state = queue_state(backend)
        ready, oldest = state["ready"], state["oldest_seconds"]
        waited = f", the oldest waiting for {duration(oldest)}" if ready else ""
        self.stdout.write(f"Ready to run: {ready}{waited}")
        self.stdout.write(f"Running: {state['running']}")
        self.stdout.write(f"Waiting to run later (retries after a failure): {state['later']}")
        self.stdout.write(f"Failed attempts in the last 24 hours: {state['failed']}")
        if max_lag is not None and ready and oldest > max_lag:
            raise CommandError(
                f"The oldest ready task has waited {oldest} s, more than --max-lag {max_lag}: "
                "is a worker running (manage.py db_worker), and are there enough of them?"
            )
