"""The write path's registry: listeners are told of each committed change, in the order they
were attached, each on its own, and attached for a while only through `listening`."""

import logging

import pytest
from django.db import transaction

from comments import moderation
from comments.desk import alerts
from comments.spam import filter as spam_filter
from comments.thread import cache as thread_cache
from tests.factories import make_comment


def test_the_app_attaches_its_listeners_in_the_stated_order():
    """comments.apps: the thread cache first, the spam filter, the alerts last."""
    assert moderation.listeners() == (
        thread_cache.forget_threads,
        spam_filter.learn_from,
        alerts.alert_editors,
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
