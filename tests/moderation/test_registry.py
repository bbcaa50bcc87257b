"""The write path's registry: listeners are told of each committed change, in the order they
were attached, each on its own, and attached for a while only through `listening`."""

import logging
import re
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import RequestFactory

from comments import moderation
from comments.desk import alerts
from comments.notify import listeners as notify_listeners
from comments.spam import filter as spam_filter
from comments.thread import cache as thread_cache
from tests.factories import form_token, make_comment, post_url


def test_the_app_attaches_its_listeners_in_the_stated_order():
    """comments.apps: the thread cache first, the spam filter, the alerts, the reply
    notifications last."""
    assert moderation.listeners() == (
        thread_cache.forget_threads,
        spam_filter.learn_from,
        alerts.alert_editors,
        notify_listeners.notify_subscribers,
    )


def test_listening_attaches_for_the_block_only(article, editor, django_capture_on_commit_callbacks):
    told = []
    with moderation.listening(told.append):
        assert told.append in moderation.listeners()
        with django_capture_on_commit_callbacks(execute=True):
            moderation.approve([make_comment(article, status="pending")], by=editor)
    assert told.append not in moderation.listeners()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve([make_comment(article, status="pending")], by=editor)
    assert len(told) == 1


def test_listening_never_detaches_a_listener_attached_before():
    with moderation.listening(thread_cache.forget_threads):
        pass
    assert thread_cache.forget_threads in moderation.listeners()


def test_one_failing_listener_is_logged_and_the_others_still_run(
    article, editor, caplog, django_capture_on_commit_callbacks
):
    """Guards: a listener that raises neither stops the listeners after it nor reaches the
    request, whose change is already committed; the log names the listener and the change."""
    told = []

    def broken(change):
        raise RuntimeError("listener broke")

    comment = make_comment(article, status="pending")
    with (
        moderation.listening(broken),
        moderation.listening(told.append),
        caplog.at_level(logging.ERROR, logger="comments.moderation.registry"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        changed = moderation.approve([comment], by=editor)  # raises nothing
    assert changed == [comment]
    assert [change.comments for change in told] == [(comment,)]
    (failure,) = [r for r in caplog.records if r.name == "comments.moderation.registry"]
    assert "broken" in failure.getMessage()
    assert f"[{comment.pk}]" in failure.getMessage()
    assert "approve" in failure.getMessage()
    assert failure.exc_info[0] is RuntimeError


def test_a_change_rolled_back_tells_no_one(article, editor):
    told = []
    comment = make_comment(article, status="pending")
    with moderation.listening(told.append), pytest.raises(RuntimeError), transaction.atomic():
        moderation.approve([comment], by=editor)
        raise RuntimeError
    assert told == []


def test_a_change_carries_its_action_as_the_trails_enum(
    article, editor, django_capture_on_commit_callbacks
):
    told = []
    with moderation.listening(told.append), django_capture_on_commit_callbacks(execute=True):
        moderation.mark_spam([make_comment(article, status="pending")], by=editor)
    (change,) = told
    assert change.action is moderation.Action.SPAM


# ---------------------------------------------------------------------------------------------
# After the response


@contextmanager
def connections_kept():
    """Django's request signals without their closing of database connections (which would
    close the test's transaction), as the test client sends them (and it connects them again
    after each request of its own)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_after_response_listeners_wait_for_the_end_of_the_request(
    article, editor, django_capture_on_commit_callbacks
):
    """Inside a request (between Django's request_started and request_finished) a listener
    attached with after_response is told when the request ends; the others at once."""
    at_once, later = [], []
    with (
        moderation.listening(at_once.append),
        moderation.listening(later.append, after_response=True),
        connections_kept(),
    ):
        request_started.send(sender=None)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                moderation.approve([make_comment(article, status="pending")], by=editor)
            assert len(at_once) == 1
            assert later == []
        finally:
            request_finished.send(sender=None)
        assert [change.action for change in later] == ["approve"]


def test_outside_a_request_after_response_listeners_are_told_at_once(
    article, editor, django_capture_on_commit_callbacks
):
    """A management command or a shell has no response to wait for."""
    later = []
    with (
        moderation.listening(later.append, after_response=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        moderation.approve([make_comment(article, status="pending")], by=editor)
    assert len(later) == 1


def test_a_readers_post_is_answered_before_the_editors_are_alerted(
    client, article, comment_data, django_capture_on_commit_callbacks
):
    """The alerts (and their mail server) run once the response has been sent: through the
    WSGI handler itself, nothing is told until the server closes the response, as gunicorn
    does after writing it."""
    told = []
    page = client.get(article.get_absolute_url()).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = comment_data | {"csrfmiddlewaretoken": csrf, "token": form_token(article)}
    environ = RequestFactory().post(post_url(article), data).environ
    environ["HTTP_COOKIE"] = client.cookies.output(header="", sep=";").strip()
    with (
        moderation.listening(told.append, after_response=True),
        django_capture_on_commit_callbacks(execute=True),
        connections_kept(),
    ):
        response = WSGIHandler()(environ, lambda status, headers: None)
        assert response.status_code == 302
        assert told == []  # the response is out; the alerts have not run
        response.close()
    assert [change.action for change in told] == ["submit"]
