"""Mail, sent off the request path: each message is a task (Django's task framework, as
backported by django-tasks) that a worker runs, and runs again later while the mail server
fails, so no reader waits for it and no message is lost to an outage.

`send(message)` queues an EmailMessage; the task `deliver` sends it. A send that raises (the
server down, refusing, timing out) queues the same message again to run after a back-off
that doubles from BACKOFF_FIRST up to BACKOFF_LAST, for MAX_ATTEMPTS in all (about four
days), then gives it up, logged with its recipient count. With a backend that can't run a
task later (the immediate backend: `TASKS_BACKEND=immediate`, the tests' default), a failure
is logged and not retried.

A message is queued in the caller's transaction (see `send`). A message is stored as
plain data (subject, body, sender, recipients, headers) in the queue's table, and stays there
until `manage.py prune_db_task_results` removes finished tasks (docs/deploy.md: daily): its
addresses stay on this server, in its database, as the comments' own do.

Base layer: imports nothing from the app but its settings.
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.core import mail
from django.db import models
from django.utils import timezone
from django_tasks import task

from .conf import settings

logger = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_LAST = timedelta(hours=6)
MAX_ATTEMPTS = 24
SEND_TIMEOUT = 10  # seconds, unless EMAIL_TIMEOUT says otherwise


def send(message):
    """Queue `message` (an EmailMessage, text only) for the worker; return the task's result.

    With the database queue, in the caller's transaction: the message and the change it
    tells of are kept or rolled back together. A backend that runs a task at once (the
    immediate one) sends it there and then, inside that transaction: the callers queue mail
    from the registry's listeners, which run after the change has committed, or (a
    confirmation) after the comment it comes with was saved."""
    return deliver.enqueue(as_data(message))


def forget_mail_to(addresses):
    """Delete from the queue's table every message to one of `addresses`, sent or waiting,
    but one a worker is sending now: an erasure leaves no copy of the reader's address (or of
    what was mailed to them) behind. Returns how many; 0 with a backend that keeps no table."""
    if not addresses or not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    mentions = models.Q()
    for address in addresses:
        mentions |= models.Q(args_kwargs__icontains=address)
    rows = DBTaskResult.objects.filter(mentions, task_path=deliver.module_path).exclude(
        status="RUNNING"
    )
    found = [
        row.pk
        for row in rows.only("pk", "args_kwargs")
        if {a.lower() for a in _recipients(row.args_kwargs)} & {a.lower() for a in addresses}
    ]
    return DBTaskResult.objects.filter(pk__in=found).delete()[0]


def _recipients(args_kwargs):
    """The To: of a queued `deliver` call, as the queue stored its arguments."""
    args = args_kwargs.get("args") or []
    message = args[0] if args else (args_kwargs.get("kwargs") or {}).get("message") or {}
    return [address for address in message.get("to", ()) if isinstance(address, str)]


def as_data(message):
    """What the queue stores of a message: JSON-serialisable, enough to build it again."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
    }


def as_message(data):
    return mail.EmailMessage(
        data["subject"],
        data["body"],
        data["from_email"],
        data["to"],
        reply_to=data.get("reply_to") or None,
        headers=data.get("headers") or {},
    )


def backoff(attempt):
    """How long to wait before attempt `attempt + 1`: BACKOFF_FIRST doubled each time."""
    return min(BACKOFF_FIRST * 2 ** (attempt - 1), BACKOFF_LAST)


@task
def deliver(message, attempt=1):
    """Send one message (as `as_data` stored it). On failure, queue it again for later and
    raise, so the failed attempt shows in the queue's results."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT
    try:
        with mail.get_connection(timeout=timeout) as connection:
            return connection.send_messages([as_message(message)])
    except Exception as error:
        again = attempt < MAX_ATTEMPTS and deliver.get_backend().supports_defer
        if again:
            later = timezone.now() + backoff(attempt)
            deliver.using(run_after=later).enqueue(message, attempt=attempt + 1)
        logger.warning(
            "Mail to %d recipient(s) failed (attempt %d: %r); %s",
            len(message["to"]),
            attempt,
            error,
            "queued again" if again else "given up",
        )
        raise
