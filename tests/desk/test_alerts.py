"""Email alerts to the editors when comments are held for moderation (comments.desk.alerts).

Comments are posted through the real view, inside `committed()` (pytest-django's
django_capture_on_commit_callbacks with execute=True), which runs the write path's
listeners as a real commit would. Mail goes to Django's locmem backend (mail.outbox), sent at
once by the tests' immediate task backend, except where a test takes the database queue, its
worker and a real SMTP server (conftest's task_worker and smtp_server); the
cache is the suite's own (local memory, or Redis in CI), emptied between tests, and a Redis
that doesn't answer where a test says so (conftest's dead_redis). Nothing is mocked.
"""

import logging
from functools import partial

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments import moderation
from comments.desk import alerts
from comments.models import Comment
from tests import factories
from tests.factories import post_url

pytestmark = pytest.mark.django_db

SITE_URL = "https://www.meridian.example"
FROM = "newsroom@meridian.example"
READER_IP = "203.0.113.77"
READER_AGENT = "Mozilla/5.0 (X11; AlertTest) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def alert_settings(settings):
    """The defaults, whatever the environment says, and an absolute base for the links."""
    settings.COMMENTS_ALERT_MINUTES = 10
    settings.COMMENTS_SITE_URL = SITE_URL
    settings.DEFAULT_FROM_EMAIL = FROM


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def editors(db):
    """Two editors with an email address each."""
    first = factories.make_editor("editor")
    second = factories.make_editor("second-editor")
    first.email, second.email = "ed.one@meridian.example", "ed.two@meridian.example"
    User.objects.bulk_update([first, second], ["email"])
    return [first, second]


@pytest.fixture
def post(client, article, committed):
    """post(data) posts a comment through the view from READER_IP with READER_AGENT,
    listeners run as on a commit; returns the response."""

    def post(data):
        with committed():
            return client.post(
                post_url(article),
                data,
                REMOTE_ADDR=READER_IP,
                HTTP_USER_AGENT=READER_AGENT,
            )

    return post


def as_reader(data, name, email, text):
    return data | {"name": name, "email": email, "comment": text}


def queue_link(comment):
    return f"{SITE_URL}/admin/comments/comment/queue/#queue-{comment.pk}"


def posted(data):
    return Comment.objects.get(author_email=data["email"], body_raw=data["comment"])


def next_window():
    """The quiet period is over (as if COMMENTS_ALERT_MINUTES had passed)."""
    cache.delete(alerts.LOCK_KEY)


# --------------------------------------------------------------------------------------------
# Who is told


def test_a_held_comment_sends_one_message_per_editor(post, comment_data, editors):
    """Guards: one message per editor, each with that editor alone in To: and nobody in Cc:
    or Bcc:, from DEFAULT_FROM_EMAIL; the subject counts what awaits."""
    response = post(comment_data)
    assert response.status_code == 302
    assert posted(comment_data).status == Comment.Status.PENDING
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in editors)
    for message in mail.outbox:
        assert len(message.to) == 1
        assert message.cc == [] and message.bcc == []
        assert message.recipients() == message.to
        assert message.from_email == FROM
        assert message.subject == "1 comment awaits moderation on The Meridian"
        headers = message.message()
        assert headers["To"] == message.to[0]
        assert headers["Cc"] is None and headers["Bcc"] is None


def test_only_active_editors_with_an_address_are_told(post, comment_data, editor):
    """Guards: staff outside the Editors group, an inactive editor, an editor without an email
    and a superuser outside the group get nothing; the one active editor gets the alert."""
    editor.email = "ed@meridian.example"
    editor.save()
    User.objects.create_user("staff", email="staff@meridian.example", is_staff=True)
    User.objects.create_superuser("root", email="root@meridian.example", password="x" * 20)
    gone = factories.make_editor("gone")
    gone.email, gone.is_active = "gone@meridian.example", False
    gone.save()
    factories.make_editor("no-email")  # email ""
    assert post(comment_data).status_code == 302
    assert [m.to for m in mail.outbox] == [["ed@meridian.example"]]


def test_comments_not_held_alert_nobody(post, article, comment_data, editors):
    """Guards: only held comments alert. A known author's comment is published at once and a
    bot's (the honeypot) goes to spam: no mail for either."""
    factories.make_comment(
        article, author_name=comment_data["name"], author_email=comment_data["email"]
    )
    assert post(comment_data).status_code == 302
    assert posted(comment_data).status == Comment.Status.APPROVED
    bot = as_reader(comment_data, "Bot", "bot@example.net", "Cheap pills") | {"hp": "x"}
    assert post(bot).status_code == 302
    assert posted(bot).status == Comment.Status.SPAM
    assert mail.outbox == []


def test_an_editors_restore_to_the_queue_alerts_nobody(committed, article, editors):
    """Guards: an editor who puts a comment back in the queue (Restore) is not alerted to
    their own decision; only rules holding comments are news."""
    comment = factories.make_comment(article, status=Comment.Status.PENDING)
    with committed():
        moderation.approve([comment], by=editors[0])
    with committed():
        assert [c.status for c in moderation.restore([comment], by=editors[0])] == ["pending"]
    assert mail.outbox == []


def test_a_posters_edit_that_is_held_again_alerts(committed, article, editors):
    """Guards: an approved comment whose poster's edit adds links goes back to the queue
    (action "submit", rule "links"): that is news for the editors too."""
    comment = factories.make_comment(article)
    links = " ".join(f'<a href="https://spam{n}.example/">deal {n}</a>' for n in range(3))
    with committed():
        moderation.edit_own(comment, f"A thoughtful remark. {links}")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert len(mail.outbox) == 2
    assert "Held: links: the poster's edit added a link" in mail.outbox[0].body
    assert queue_link(comment) in mail.outbox[0].body


def test_with_the_cache_down_still_only_held_comments_alert(
    post, committed, article, comment_data, editors, dead_redis
):
    """Guards: failing open sends what was held, nothing else: with the cache down, a known
    author's published comment and an editor's decisions alert nobody."""
    factories.make_comment(
        article, author_name=comment_data["name"], author_email=comment_data["email"]
    )
    assert post(comment_data).status_code == 302
    assert posted(comment_data).status == Comment.Status.APPROVED
    comment = factories.make_comment(article, status=Comment.Status.PENDING)
    with committed():
        moderation.approve([comment], by=editors[0])
    with committed():
        moderation.restore([comment], by=editors[0])
    assert mail.outbox == []


# --------------------------------------------------------------------------------------------
# How often


def test_a_second_held_comment_within_the_window_sends_nothing(post, comment_data, editors):
    """Guards: the rate limit: at most one alert per COMMENTS_ALERT_MINUTES, however many
    comments are held meanwhile."""
    post(comment_data)
    assert len(mail.outbox) == 2
    for n in range(3):
        bob = as_reader(comment_data, f"Bob {n}", f"bob{n}@example.com", f"Me too, {n}.")
        assert post(bob).status_code == 302
        assert posted(bob).status == Comment.Status.PENDING
    assert len(mail.outbox) == 2


def test_after_the_window_the_next_alert_lists_everything_unreported(post, comment_data, editors):
    """Guards: what is held during the quiet period is not lost: the next alert after it lists
    the earlier unreported comment and the new one, and not the one already reported."""
    post(comment_data)
    first = posted(comment_data)
    bob = as_reader(comment_data, "Bob Quiet", "bob@example.com", "Held in the quiet period.")
    post(bob)
    assert len(mail.outbox) == 2
    next_window()
    cy = as_reader(comment_data, "Cy Later", "cy@example.com", "Held after the window.")
    post(cy)
    assert len(mail.outbox) == 4
    for message in mail.outbox[2:]:
        assert message.subject == "2 comments await moderation on The Meridian"
        assert queue_link(posted(bob)) in message.body
        assert queue_link(posted(cy)) in message.body
        assert "Bob Quiet" in message.body and "Cy Later" in message.body
        assert queue_link(first) not in message.body
        assert "Ada Reader" not in message.body


def test_a_comment_decided_before_the_next_alert_is_not_listed(post, comment_data, editors):
    """Guards: the alert lists what still awaits: a comment an editor decided during the
    quiet period is left out."""
    post(comment_data)
    bob = as_reader(comment_data, "Bob Decided", "bob@example.com", "Approved already.")
    post(bob)
    moderation.approve([posted(bob)], by=editors[0])
    next_window()
    cy = as_reader(comment_data, "Cy Waiting", "cy@example.com", "Still waiting.")
    post(cy)
    assert len(mail.outbox) == 4
    assert mail.outbox[2].subject == "1 comment awaits moderation on The Meridian"
    assert "Bob Decided" not in mail.outbox[2].body


def test_a_comment_decided_before_its_alert_leaves_the_next_alert_free(
    client, committed, article, comment_data, editors
):
    """Guards: a held comment decided before its alert ran (nothing left to say) sends nothing
    and doesn't start a quiet period: the next held comment alerts at once."""
    with committed():
        client.post(post_url(article), comment_data)
        moderation.approve([posted(comment_data)], by=editors[0])
    assert mail.outbox == []
    assert cache.get(alerts.LOCK_KEY) is None
    post_bob = as_reader(comment_data, "Bob", "bob@example.com", "Held, and news.")
    with committed():
        client.post(post_url(article), post_bob)
    assert len(mail.outbox) == 2
    assert "Bob" in mail.outbox[0].body and "Ada Reader" not in mail.outbox[0].body


def test_alerts_are_off_at_zero_minutes(post, comment_data, editors, settings):
    """Guards: COMMENTS_ALERT_MINUTES=0 turns alerts off."""
    settings.COMMENTS_ALERT_MINUTES = 0
    assert post(comment_data).status_code == 302
    assert mail.outbox == []


def test_a_big_batch_is_counted_and_listed_up_to_the_limit(
    post, comment_data, editors, monkeypatch
):
    """Guards: a flood in the quiet period makes a message of bounded size: every held comment
    counted in the subject, the first MAX_LISTED listed, the rest counted."""
    monkeypatch.setattr(alerts, "MAX_LISTED", 2)
    post(comment_data)
    for n in range(3):
        post(as_reader(comment_data, f"Flood {n}", f"flood{n}@example.com", f"Spam {n}."))
    next_window()
    post(as_reader(comment_data, "Last", "last@example.com", "The last one."))
    message = mail.outbox[-1]
    assert message.subject == "4 comments await moderation on The Meridian"
    assert "Flood 0" in message.body and "Flood 1" in message.body
    assert "Flood 2" not in message.body
    assert "…and 2 more." in message.body


# --------------------------------------------------------------------------------------------
# What the message says


def test_the_message_says_what_and_where_and_nothing_personal(post, article, comment_data, editors):
    """Guards: the message names the article, the author's display name, the rule that held
    the comment, an excerpt without markup and an absolute link to it in the queue; and
    nowhere (subject, headers, body) the commenter's email, IP address or user agent."""
    assert post(comment_data).status_code == 302
    comment = posted(comment_data)
    assert comment.ip_address == READER_IP and comment.user_agent == READER_AGENT
    message = mail.outbox[0]
    body = message.body
    assert article.headline in body
    assert "Ada Reader" in body
    assert "Held: new author: no approved comment from this name and email" in body
    assert "I was at the talks. Nobody expected this." in body
    assert "<em>" not in body
    assert queue_link(comment) in body
    assert f"{SITE_URL}/admin/comments/comment/queue/" in body
    whole = message.message().as_string()
    for private in (comment_data["email"], READER_IP, READER_AGENT, "AlertTest"):
        assert private not in whole
    assert "&lt;" not in body and "&#x27;" not in body  # plain text, not HTML-escaped


def test_what_a_reader_typed_stays_on_its_line_as_typed(post, comment_data, editors):
    """Guards: a text with line breaks can't forge a line of the message (a "Held:" line, a
    link of its own); and what was typed is plain text, not HTML-escaped."""
    sly = as_reader(
        comment_data,
        "Eve O'Hara",  # the form refuses line breaks in a name; the text keeps them
        "eve@example.com",
        "Fine, if a < b & c.\n\n   Held: nothing\n   https://phish.example/admin/",
    )
    post(sly)
    body = mail.outbox[0].body
    assert "\n   https://phish.example" not in body
    assert "\n   Held: nothing" not in body and "\nHeld: nothing" not in body
    assert "Fine, if a < b & c. Held: nothing https://phish.example/admin/" in body
    assert "Eve O'Hara on" in body  # as typed: plain text, not HTML-escaped


# --------------------------------------------------------------------------------------------
# Failures never reach the reader


def test_a_mail_server_down_doesnt_break_the_post_and_is_logged(
    post, comment_data, editors, settings, caplog
):
    """Guards: SMTP unreachable: the post still succeeds (302, comment saved and held), and the
    alert's failure is logged by the outbox, one line per editor's message, never raised into
    the post. Here with the immediate backend (TASKS_BACKEND=immediate: no worker), which
    can't send later: each message is given up. The database queue retries it (next test)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens on port 1
    with caplog.at_level(logging.WARNING):
        response = post(comment_data)
    assert response.status_code == 302
    assert posted(comment_data).status == Comment.Status.PENDING
    assert mail.outbox == []
    failures = [r.getMessage() for r in caplog.records if r.name == "comments.outbox"]
    assert len(failures) == len(editors), caplog.text
    assert all("failed (attempt 1" in f and f.endswith("given up") for f in failures)
    assert not [r for r in caplog.records if r.name == "comments.desk.alerts"], caplog.text


# Commits (the worker closes its connection between tasks): the migrations' rows, the Editors
# group among them, are restored when it starts, whichever committed test ran before.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_mail_server_down_the_worker_sends_the_alert_once_it_is_back(
    post, comment_data, editors, smtp_server, task_worker, caplog
):
    """Guards (issue 19): with the database queue, as on the site, and a real mail server
    stopped: the post answers at once (302) and only queues the alert; the worker's attempt
    fails, is logged by the outbox and queued again for later; the server started again and
    the back-off over, the worker delivers each editor's message, and nothing is left."""
    smtp_server.stop()
    with caplog.at_level(logging.WARNING):
        assert post(comment_data).status_code == 302
    assert caplog.records == []  # the post didn't try the mail server
    assert posted(comment_data).status == Comment.Status.PENDING
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert queued.count() == len(editors)
    with caplog.at_level(logging.WARNING, logger="comments.outbox"):
        task_worker()
    assert "queued again" in caplog.text
    assert queued.count() == len(editors)  # the retries
    assert all(t.run_after > timezone.now() for t in queued)
    smtp_server.start()
    task_worker()
    assert smtp_server.received == []  # the retries wait out their back-off
    # Due a minute after the failure: made due now, as the minute passing would (the worker
    # takes a row once its run_after has passed; nothing else about the row changes).
    queued.update(run_after=timezone.now())
    task_worker()
    received = sorted(smtp_server.received, key=lambda item: item[0])
    assert [recipients for recipients, _ in received] == sorted([e.email] for e in editors)
    for _, message in received:
        assert message["Subject"] == "1 comment awaits moderation on The Meridian"
        assert queue_link(posted(comment_data)) in message.get_content()
    assert not queued.exists()


def test_with_the_cache_down_the_alert_is_still_sent(
    post, comment_data, editors, dead_redis, caplog
):
    """Guards: Redis unreachable: the post succeeds and the editors are alerted all the same
    (fail open: no rate limit can be kept, every held comment alerts), the outage logged."""
    with caplog.at_level(logging.WARNING, logger="comments.desk.alerts"):
        assert post(comment_data).status_code == 302
    assert posted(comment_data).status == Comment.Status.PENDING
    assert len(mail.outbox) == 2
    assert queue_link(posted(comment_data)) in mail.outbox[0].body
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    assert comment_data["email"] not in mail.outbox[0].message().as_string()
    assert "The cache did not answer" in caplog.text
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Also during the outage.")
    assert post(bob).status_code == 302
    assert len(mail.outbox) == 4


def test_whatever_goes_wrong_in_the_alert_the_post_succeeds(
    post, comment_data, editors, settings, caplog
):
    """Guards: the listener never raises into the post: any error (here a setting that is not
    a number) is logged with its traceback, and the reader's comment is saved and held."""
    settings.COMMENTS_ALERT_MINUTES = "ten"
    with caplog.at_level(logging.ERROR, logger="comments.desk.alerts"):
        assert post(comment_data).status_code == 302
    assert posted(comment_data).status == Comment.Status.PENDING
    assert "Could not alert the editors" in caplog.text
    assert "ValueError" in caplog.text


def test_no_editor_to_tell_is_logged_not_raised(post, comment_data, caplog):
    """Guards: a site with no editor's address: the post succeeds, the gap is logged."""
    with caplog.at_level(logging.WARNING, logger="comments.desk.alerts"):
        assert post(comment_data).status_code == 302
    assert mail.outbox == []
    assert "no active editor has an email address" in caplog.text


# --------------------------------------------------------------------------------------------
# manage.py send_comment_alerts (cron): the end of a burst is reported without a next comment


def test_the_command_sends_what_the_quiet_period_held(post, comment_data, editors, capsys):
    """Guards: comments held in the quiet period with nothing held after it are sent by the
    command once the period is over: not before, and only once."""
    post(comment_data)
    bob = as_reader(comment_data, "Bob Last", "bob@example.com", "The last of the burst.")
    post(bob)
    assert len(mail.outbox) == 2
    call_command("send_comment_alerts")
    assert len(mail.outbox) == 2  # still in the quiet period
    next_window()
    call_command("send_comment_alerts")
    assert len(mail.outbox) == 4
    assert mail.outbox[2].subject == "1 comment awaits moderation on The Meridian"
    assert queue_link(posted(bob)) in mail.outbox[2].body
    next_window()
    call_command("send_comment_alerts")
    assert len(mail.outbox) == 4
    assert "Nothing held since the last alert." in capsys.readouterr().out


def test_the_command_with_nothing_to_say_leaves_the_next_alert_free(post, comment_data, editors):
    """Guards: the command takes the lock only when it sends: run with nothing held, it
    doesn't delay the alert of the next held comment."""
    call_command("send_comment_alerts")
    assert cache.get(alerts.LOCK_KEY) is None
    post(comment_data)
    assert len(mail.outbox) == 2


def test_a_comment_written_before_an_alert_and_committed_after_it_is_not_lost(
    post, comment_data, editors
):
    """Guards: OVERLAP: a held comment whose row was written just before an alert's query
    but committed after it (so that alert couldn't see it) is in the next alert."""
    post(comment_data)
    alerted_at = posted(comment_data).events.get().created_at
    bob = as_reader(comment_data, "Bob Slow", "bob@example.com", "A slow transaction.")
    post(bob)
    posted(bob).events.update(created_at=alerted_at - alerts.OVERLAP / 2)
    next_window()
    post(as_reader(comment_data, "Cy", "cy@example.com", "The next one."))
    assert len(mail.outbox) == 4
    assert queue_link(posted(bob)) in mail.outbox[2].body
    assert queue_link(posted(comment_data)) not in mail.outbox[2].body


def test_the_command_queues_the_alert_and_leaves_the_mail_server_to_the_worker(
    post, comment_data, editors, settings, capsys
):
    """Guards: from cron, with the database queue as on the site, the command queues each
    editor's message and returns, whatever the mail server does (down here): the worker sends
    it and retries it while the server fails (test above). The comments count as reported."""
    post(comment_data)
    bob = as_reader(comment_data, "Bob Last", "bob@example.com", "The last of the burst.")
    post(bob)
    next_window()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    call_command("send_comment_alerts")
    assert "Alert queued for the task worker: 2 messages." in capsys.readouterr().out
    queued = [t.args_kwargs["args"][0] for t in DBTaskResult.objects.all()]
    assert sorted(m["to"] for m in queued) == sorted([e.email] for e in editors)
    assert all(queue_link(posted(bob)) in m["body"] for m in queued)
    next_window()
    call_command("send_comment_alerts")
    assert "Nothing held since the last alert." in capsys.readouterr().out
