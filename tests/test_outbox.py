"""Mail off the request path (comments.outbox): each message is a task in the database queue
(django-tasks-db) that `manage.py db_worker` runs, and runs again after a back-off while the
mail server fails; `manage.py task_queue` and /healthz say how far behind the queue is;
`make run` and `make worker` start workers.

Nothing is mocked: the mail server is an aiosmtpd server the test starts and stops on a port of
127.0.0.1 (conftest's smtp_server; Django's SMTP backend talks to it), the queue is the test
database's table and the worker the real command (conftest's task_worker). Tests that run the
worker commit (COMMITS): it closes the database connection between tasks, which would end a
test's transaction. The editors' alerts through the real post view, with the same
outage, are in tests/desk/test_alerts.py.
"""

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments import outbox

from .processes import ROOT, database_url

READY, FAILED = TaskResultStatus.READY, TaskResultStatus.FAILED
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tests that run the worker commit, and start from the migrations' rows, restored (serialized
# rollback: said here, so that the database is serialized even when these tests run alone).
COMMITS = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def a_message(to="ada.reader@example.com", subject="A reply to your comment"):
    return mail.EmailMessage(
        subject,
        "Bea replied to you on “The harbour accord”.\nRead it: https://meridian.example/r/7\n",
        "newsroom@meridian.example",
        [to],
        reply_to=["editors@meridian.example"],
        headers={"Auto-Submitted": "auto-generated"},
    )


def outbox_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "comments.outbox"]


def text_of(message):
    """A received message's body as the sender wrote it (SMTP carries it with CRLF)."""
    return message.get_content().replace("\r\n", "\n")


def make_due(tasks):
    """Retries are due BACKOFF_FIRST (a minute) or more after their failure. Rather than wait,
    a test makes them due now, as time passing would: the worker takes a row once its
    run_after has passed, and nothing else about the row changes."""
    return tasks.update(run_after=timezone.now())


# --------------------------------------------------------------------------------------------
# The mail server stops: the mail waits in the queue and goes out once it is back


@COMMITS
def test_a_mail_the_server_could_not_take_is_sent_once_it_is_back(smtp_server, task_worker, caplog):
    """Guards (issue 19): the server stopped, the worker's attempt fails and is logged, the
    same message is queued again for BACKOFF_FIRST later, and not run before; the server
    back and the back-off over, the worker delivers it: same subject, sender, recipient,
    body, Reply-To and headers."""
    smtp_server.stop()
    outbox.send(a_message())
    assert DBTaskResult.objects.get().status == READY  # queued: nothing sent by the caller

    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="comments.outbox"):
        task_worker()
    after = timezone.now()
    first = DBTaskResult.objects.get(status=FAILED)
    assert first.exception_class_path == "builtins.ConnectionRefusedError"
    retry = DBTaskResult.objects.get(status=READY)
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.args_kwargs["args"] == first.args_kwargs["args"]
    assert before + outbox.BACKOFF_FIRST <= retry.run_after <= after + outbox.BACKOFF_FIRST
    [warning] = outbox_warnings(caplog)
    assert "Mail to 1 recipient(s) failed (attempt 1" in warning
    assert "queued again" in warning
    assert "ada.reader@example.com" not in caplog.text  # a count, not the address

    smtp_server.start()
    task_worker()
    assert smtp_server.received == []  # not due yet: the back-off is kept

    make_due(DBTaskResult.objects.filter(pk=retry.pk))
    task_worker()
    [(recipients, message)] = smtp_server.received
    assert recipients == ["ada.reader@example.com"]
    assert message["To"] == "ada.reader@example.com"
    assert message["From"] == "newsroom@meridian.example"
    assert message["Subject"] == "A reply to your comment"
    assert message["Reply-To"] == "editors@meridian.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert text_of(message) == a_message().body
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.SUCCESSFUL
    assert not DBTaskResult.objects.filter(status=READY).exists()


@COMMITS
def test_each_failure_waits_twice_as_long_as_the_one_before(smtp_server, task_worker):
    """Guards: the second failure queues the third attempt two BACKOFF_FIRST later."""
    smtp_server.stop()
    outbox.send(a_message())
    task_worker()
    make_due(DBTaskResult.objects.filter(status=READY))
    before = timezone.now()
    task_worker()
    after = timezone.now()
    third = DBTaskResult.objects.get(status=READY)
    assert third.args_kwargs["kwargs"] == {"attempt": 3}
    assert before + 2 * outbox.BACKOFF_FIRST <= third.run_after <= after + 2 * outbox.BACKOFF_FIRST
    assert DBTaskResult.objects.filter(status=FAILED).count() == 2


def test_the_back_off_doubles_up_to_its_cap_over_about_four_days():
    """Guards: 1, 2, 4 … minutes, never more than BACKOFF_LAST (6 h); MAX_ATTEMPTS attempts
    span about four days of outage before a message is given up."""
    minute = timedelta(minutes=1)
    assert [outbox.backoff(n) for n in range(1, 6)] == [minute * m for m in (1, 2, 4, 8, 16)]
    assert outbox.backoff(9) == 256 * minute
    assert outbox.backoff(10) == outbox.backoff(30) == outbox.BACKOFF_LAST == timedelta(hours=6)
    waited = sum((outbox.backoff(n) for n in range(1, outbox.MAX_ATTEMPTS)), timedelta())
    assert timedelta(days=3.5) < waited < timedelta(days=4.5)


@COMMITS
def test_the_last_attempt_gives_the_mail_up_and_says_so(smtp_server, task_worker, caplog):
    """Guards: attempt MAX_ATTEMPTS failing queues nothing more, and the log says it is given
    up (the one way a message is lost: four days of outage)."""
    smtp_server.stop()
    outbox.deliver.enqueue(outbox.as_data(a_message()), attempt=outbox.MAX_ATTEMPTS)
    with caplog.at_level(logging.WARNING, logger="comments.outbox"):
        task_worker()
    assert DBTaskResult.objects.get().status == FAILED
    [warning] = outbox_warnings(caplog)
    assert f"(attempt {outbox.MAX_ATTEMPTS}: " in warning
    assert warning.endswith("given up")


@pytest.mark.django_db
def test_the_immediate_backend_logs_a_failure_once_and_does_not_retry(smtp_server, caplog):
    """Guards: with the immediate backend (TASKS_BACKEND=immediate, the tests' default) the
    message is sent where it is queued; a failure is logged as given up, never queued again
    (that backend can't wait: a retry would run at once, in a loop), and the caller goes on."""
    smtp_server.stop()
    with caplog.at_level(logging.WARNING, logger="comments.outbox"):
        result = outbox.send(a_message())
    assert result.status == FAILED
    [warning] = outbox_warnings(caplog)
    assert "(attempt 1: " in warning and warning.endswith("given up")
    assert not DBTaskResult.objects.exists()
    smtp_server.start()
    outbox.send(a_message(subject="After the outage"))
    assert [m["Subject"] for _, m in smtp_server.received] == ["After the outage"]


@COMMITS
def test_a_message_is_queued_in_the_callers_transaction(smtp_server, task_worker):
    """Guards: a message queued in a transaction that rolls back is never sent; one whose
    transaction commits is."""

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        outbox.send(a_message(subject="About a change undone"))
        assert DBTaskResult.objects.count() == 1
        raise Undone
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        outbox.send(a_message(subject="About a change made"))
    task_worker()
    assert [m["Subject"] for _, m in smtp_server.received] == ["About a change made"]


# --------------------------------------------------------------------------------------------
# How far behind the queue is: manage.py task_queue, /healthz


def queue_with_a_backlog(settings):
    """The database queue holding: three tasks ready (queued now; 10 minutes ago; a retry due
    15 minutes ago whose failed attempt was 20 minutes ago), one retry due in an hour, one
    running, one attempt failed an hour ago and one two days ago."""
    settings.TASKS = DATABASE_BACKEND
    now = timezone.now()
    data = outbox.as_data(a_message())

    def queued(**fields):
        result = outbox.send(a_message())
        DBTaskResult.objects.filter(pk=result.id).update(**fields)

    queued()
    queued(enqueued_at=now - timedelta(minutes=10))
    retry = outbox.deliver.using(run_after=now - timedelta(minutes=15)).enqueue(data, attempt=2)
    DBTaskResult.objects.filter(pk=retry.id).update(enqueued_at=now - timedelta(minutes=20))
    outbox.deliver.using(run_after=now + timedelta(hours=1)).enqueue(data, attempt=3)
    queued(status=TaskResultStatus.RUNNING, started_at=now)
    queued(status=FAILED, finished_at=now - timedelta(hours=1))
    queued(status=FAILED, finished_at=now - timedelta(days=2))


def task_queue(*args):
    """manage.py task_queue's output, and its exit status as the command line gives it."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("task_queue", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode, str(error)
    return out.getvalue(), 0, ""


@pytest.mark.django_db
def test_task_queue_says_how_far_behind_the_queue_is(settings):
    """Guards: ready tasks and the oldest one's wait (a retry waits from when it was due, not
    from when it was queued: 15 minutes, not 20), running, retries waiting for later, failed
    attempts of the last 24 hours."""
    queue_with_a_backlog(settings)
    output, status, _ = task_queue()
    assert status == 0
    assert re.search(r"^Ready to run: 3, the oldest waiting for 15 min [01] s$", output, re.M)
    assert "Running: 1\n" in output
    assert "Waiting to run later (retries after a failure): 1\n" in output
    assert "Failed attempts in the last 24 hours: 1\n" in output


@pytest.mark.django_db
def test_task_queue_max_lag_fails_when_the_oldest_ready_task_waits_longer(settings):
    """Guards: for monitoring: exit status 1, saying why, once the oldest ready task has
    waited more than --max-lag seconds; 0 below it, and 0 for an empty queue."""
    settings.TASKS = DATABASE_BACKEND
    output, status, _ = task_queue("--max-lag", "0")
    assert (status, output.splitlines()[0]) == (0, "Ready to run: 0")
    queue_with_a_backlog(settings)
    assert task_queue("--max-lag", "1000")[1] == 0
    _, status, error = task_queue("--max-lag", "300")
    assert status == 1
    assert re.search(r"The oldest ready task has waited 90[01] s, more than --max-lag 300", error)
    assert "db_worker" in error


@pytest.mark.django_db
def test_task_queue_with_the_immediate_backend_says_there_is_no_queue():
    output, status, _ = task_queue("--max-lag", "0")
    assert status == 0
    assert "No queue: the task backend is the immediate one" in output


@pytest.mark.django_db
def test_healthz_says_how_far_behind_the_queue_is_and_stays_200(
    client, settings, django_assert_num_queries
):
    """Guards: /healthz's "tasks" counts the ready tasks and the oldest one's wait, from one
    query beside the database check; a backlog never makes it a 503 (an app server is not
    taken out of the load balancer because the workers are behind)."""
    settings.TASKS = DATABASE_BACKEND
    with django_assert_num_queries(2):
        response = client.get(reverse("healthz"))
    assert response.json()["tasks"] == {"ready": 0, "oldest_seconds": 0}
    queue_with_a_backlog(settings)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert (body["database"], body["cache"], body["tasks"]["ready"]) == ("ok", "ok", 3)
    assert 900 <= body["tasks"]["oldest_seconds"] <= 902


# --------------------------------------------------------------------------------------------
# make run and make worker


def make_dry_run(target, **variables):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    arguments = [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(
        [make, "--dry-run", target, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_starts_a_worker_beside_the_server_that_stops_with_it():
    """Guards: the command that starts runserver starts db_worker first (DEBUG on, as the
    server), and its trap kills the worker with the embed demo when the server stops; the
    lines before say where mail goes, with a worker or with TASKS_BACKEND=immediate."""
    lines = make_dry_run("run", PORT=8123).splitlines()
    serve = next(i for i, line in enumerate(lines) if "manage.py runserver" in line)
    start = max(i for i in range(1, serve) if not lines[i - 1].endswith("\\"))
    command = "\n".join(lines[start : serve + 1])
    assert re.search(r"DEBUG=1 .*manage\.py db_worker --reload &", command)
    assert "trap 'kill $demo $worker 2>/dev/null' EXIT INT TERM" in command
    assert command.index("db_worker") < command.index("trap") < command.index("runserver")
    assert 'if [ "${TASKS_BACKEND:-}" != immediate ]' in command
    before = "\n".join(lines[:start])
    assert "printed here by the task worker running beside the server" in before
    assert "TASKS_BACKEND=immediate, no worker" in before


def test_make_worker_runs_db_worker_in_production_mode():
    worker = [line for line in make_dry_run("worker").splitlines() if "db_worker" in line]
    assert worker == ["DEBUG=0 .venv/bin/python manage.py db_worker --no-reload"]


@COMMITS
def test_the_production_worker_sends_through_smtp_and_stops_on_sigterm(smtp_server, settings):
    """Guards: `make worker`'s command, a process of its own with the demo site's settings
    (DEBUG off, EMAIL_HOST set: SMTP) on this test's database, sends what the site queued
    and, on SIGTERM (systemd's stop), exits cleanly."""
    settings.TASKS = DATABASE_BACKEND
    unset = {"DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND", "TASKS_BACKEND", "LOG_LEVEL"}
    env = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("EMAIL_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "newsite.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "INFO",
    }
    outbox.send(a_message(subject="Queued by the site"))
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [m["Subject"] for _, m in smtp_server.received] == ["Queued by the site"]
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
    assert "shutting down gracefully" in output
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_an_erasure_leaves_no_mail_to_the_reader_in_the_queue(settings):
    """Guards forget_mail_to, called by the write path's erasure: messages to the erased
    address (waiting, sent or failed) leave the queue's table; a message being sent now, and
    mail to anyone else (an address that merely contains theirs too), stay."""
    from comments import moderation
    from tests.factories import make_article, make_comment

    settings.TASKS = DATABASE_BACKEND
    waiting = outbox.send(a_message(to="Ada.Reader@Example.com"))
    sent = outbox.send(a_message(subject="Sent already"))
    DBTaskResult.objects.filter(pk=sent.id).update(status=TaskResultStatus.SUCCESSFUL)
    sending = outbox.send(a_message(subject="Being sent"))
    DBTaskResult.objects.filter(pk=sending.id).update(status=TaskResultStatus.RUNNING)
    other = outbox.send(a_message(to="grace.ada.reader@example.com.au"))
    comment = make_comment(make_article(), author_email="ada.reader@example.com")
    moderation.erase([comment], by="a test")
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert {str(pk) for pk in left} == {str(sending.id), str(other.id)}
    assert waiting.id not in left
