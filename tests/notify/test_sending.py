"""Notifications: what approved comments send to confirmed subscribers, and what never does
(pending, spam, one's own, an unconfirmed address); one message per window, later comments
gathered; the message itself (plain text, links, headers, no other reader's address)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import moderation
from comments.models import Comment, Subscription
from comments.notify import listeners, send_notifications, unsubscribe
from tests import factories

from .conftest import (
    ADA,
    ADA_NAME,
    BOB,
    BOB_NAME,
    CAT,
    CAT_NAME,
    READER_AGENT,
    READER_IP,
    SITE_URL,
    addresses_in,
    approve,
    known,
    links,
)

pytestmark = pytest.mark.django_db


def window_passes(email=ADA):
    """As if COMMENTS_NOTIFY_MINUTES had passed since the address's last notification."""
    Subscription.objects.of_email(email).filter(last_sent_at__isnull=False).update(
        last_sent_at=timezone.now() - timedelta(minutes=31)
    )


def absolute(comment):
    comment.refresh_from_db()
    return f"{SITE_URL}{comment.get_absolute_url()}"


# --------------------------------------------------------------------------------------------
# Who is told, and of what


def test_an_approved_reply_sends_one_message(subscriber, write, article):
    """Guards: Bob's reply to Ada, approved at once, sends Ada one message: to her alone,
    with Bob's name (never his address or website), the reply as plain text (markup gone,
    entities decoded, paragraphs kept), an absolute link to it, the List-Unsubscribe headers
    (RFC 8058) and Auto-Submitted; no address but Ada's anywhere in the whole message."""
    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    text = (
        "I <em>disagree</em> &amp; say so.\n\n"
        'Second paragraph, <a href="https://x.example/">a link</a>.'
    )
    reply = write(article, BOB_NAME, BOB, text, parent=ada.pk)
    assert reply.status == "approved"

    (message,) = mail.outbox
    assert message.to == [ADA] and message.cc == [] and message.bcc == []
    assert message.subject == f"A new reply on “{article.headline}”"
    body = message.body
    assert f"1. {BOB_NAME} replied to you:" in body
    assert "   I disagree & say so.\n\n   Second paragraph, a link." in body
    assert "<em>" not in body and "&amp;" not in body
    assert f"Read it and answer: {absolute(reply)}" in body
    (unsubscribe,) = links(message, "unsubscribe")
    assert message.extra_headers == {
        "Auto-Submitted": "auto-generated",
        "List-Unsubscribe": f"<{SITE_URL}{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    whole = message.message().as_string()
    for private in (BOB, "site-of-bob", READER_IP, READER_AGENT):
        assert private not in whole
    assert addresses_in(message) == {ADA, message.from_email}


def test_an_unconfirmed_address_gets_nothing_but_its_confirmation(write, article):
    """Guards: Ada ticked the box but never followed the link: Bob's approved reply sends
    her nothing."""
    known(ADA_NAME, ADA)
    ada = write(article, ADA_NAME, ADA, "Ada, unconfirmed.", notify_replies="on", notify_all="on")
    assert len(mail.outbox) == 1  # the confirmation
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Bob answers.", parent=ada.pk)
    write(article, BOB_NAME, BOB, "Bob comments.")
    assert len(mail.outbox) == 1


def test_a_pending_reply_sends_nothing_until_an_editor_approves_it(
    subscriber, write, article, committed, editor
):
    """Guards: a new author's reply, held, sends nothing; the editor's approval sends it."""
    ada = subscriber(article, "replies")
    reply = write(article, CAT_NAME, CAT, "Cat's first words.", parent=ada.pk)
    assert reply.status == "pending"
    assert mail.outbox == []
    approve(committed, [reply], editor)
    (message,) = mail.outbox
    assert f"{CAT_NAME} replied to you" in message.body and "Cat's first words." in message.body


def test_a_held_reply_approved_after_later_ones_is_still_told(
    subscriber, write, article, committed, editor
):
    """Guards: Cat's reply is held; Bob's, later, is approved and told; when the editor
    approves Cat's after the window, it is told too (what was told is a place in the trail,
    not the newest comment's id)."""
    ada = subscriber(article, "replies")
    held = write(article, CAT_NAME, CAT, "Held first.", parent=ada.pk)
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Approved second.", parent=ada.pk)
    assert [m.body.count("Approved second.") for m in mail.outbox] == [1]
    window_passes()
    approve(committed, [held], editor)
    assert len(mail.outbox) == 2
    assert "Held first." in mail.outbox[1].body and "Approved second." not in mail.outbox[1].body


def test_spam_never_sends(subscriber, write, article, committed, editor):
    """Guards: a reply the honeypot sends to spam, and one an editor marks as spam, send
    nothing."""
    ada = subscriber(article, "replies", "all")
    write(article, "Bot", "bot@example.net", "Cheap pills.", parent=ada.pk, hp="x")
    assert Comment.objects.get(body_raw="Cheap pills.").status == "spam"
    held = write(article, CAT_NAME, CAT, "Buy now.", parent=ada.pk)
    with committed():
        moderation.mark_spam([held], by=editor)
    assert mail.outbox == []


def test_ones_own_comments_send_nothing(subscriber, write, article):
    """Guards: Ada answering herself, or commenting again, is no news to her, in either
    scope (the same address, however typed)."""
    ada = subscriber(article, "replies", "all")
    write(article, ADA_NAME, ADA.upper(), "Answering myself.", parent=ada.pk)
    write(article, ADA_NAME, ADA, "And a new thought.")
    assert mail.outbox == []


def test_replies_to_others_do_not_concern_a_replies_subscriber(subscriber, write, article):
    """Guards: "replies" is about answers to one's own comments only."""
    subscriber(article, "replies")
    known(BOB_NAME, BOB)
    bob = write(article, BOB_NAME, BOB, "Bob's own point.")
    known(CAT_NAME, CAT)
    write(article, CAT_NAME, CAT, "Cat answers Bob.", parent=bob.pk)
    assert mail.outbox == []


def test_the_all_scope_tells_of_every_comment_and_marks_replies(subscriber, write, article):
    """Guards: "all" tells of a new top-level comment by anyone else, and says "replied to
    you" of a reply to the subscriber."""
    ada = subscriber(article, "all")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "A new thread.")
    (message,) = mail.outbox
    assert message.subject == f"A new comment on “{article.headline}”"
    assert f"1. {BOB_NAME} wrote:" in message.body
    window_passes()
    write(article, BOB_NAME, BOB, "An answer.", parent=ada.pk)
    assert f"1. {BOB_NAME} replied to you:" in mail.outbox[1].body


def test_both_scopes_send_one_message_and_one_click_ends_both(subscriber, write, article, client):
    """Guards: Ada subscribed to both; Bob's reply sends her one message, not two, and its
    unsubscribe link ends both subscriptions."""
    ada = subscriber(article, "replies", "all")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "One reply.", parent=ada.pk)
    (message,) = mail.outbox
    (unsubscribe,) = links(message, "unsubscribe")
    assert client.post(unsubscribe).status_code == 200
    assert not Subscription.objects.exists()


def test_the_replies_subscription_takes_over_from_where_all_stopped(
    subscriber, write, article, client
):
    """Guards: ending "all" (the manage page) leaves "replies", which does not tell again
    what "all" told."""
    ada = subscriber(article, "replies", "all")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Told once.", parent=ada.pk)
    assert len(mail.outbox) == 1
    unsubscribe(Subscription.objects.filter(scope="all"))
    window_passes()
    write(article, BOB_NAME, BOB, "Told next.", parent=ada.pk)
    assert len(mail.outbox) == 2
    assert "Told next." in mail.outbox[1].body and "Told once." not in mail.outbox[1].body


def test_comments_before_the_confirmation_are_not_news(write, article, confirmed):
    """Guards: what was approved before Ada confirmed is never told, even if approved after
    (it was submitted before)."""
    known(ADA_NAME, ADA)
    ada = write(article, ADA_NAME, ADA, "Ada.", notify_replies="on")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Before confirming.", parent=ada.pk)
    confirmation = mail.outbox[0]
    mail.outbox.clear()
    confirmed(confirmation)
    assert mail.outbox == []
    write(article, BOB_NAME, BOB, "After confirming.", parent=ada.pk)
    (message,) = mail.outbox
    assert "After confirming." in message.body and "Before confirming." not in message.body


def test_other_subscribers_never_see_each_others_address(subscriber, write, article):
    """Guards: two subscribers, one message each, each to one address, neither naming the
    other's."""
    subscriber(article, "all")
    subscriber(article, "all", name=CAT_NAME, email=CAT)  # news to Ada
    window_passes()
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Hello both.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ADA, CAT])
    for message in mail.outbox:
        assert addresses_in(message) == {message.to[0], message.from_email}


# --------------------------------------------------------------------------------------------
# The window


def test_one_message_per_window_later_replies_gathered(subscriber, write, article):
    """Guards: the first reply sends at once; the second and third, within
    COMMENTS_NOTIFY_MINUTES, send nothing; once the window has passed, the task sends ONE
    message telling of both, in order, and then nothing more."""
    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Reply one.", parent=ada.pk)
    assert len(mail.outbox) == 1
    second = write(article, BOB_NAME, BOB, "Reply two.", parent=ada.pk)
    third = write(article, BOB_NAME, BOB, "Reply three.", parent=ada.pk)
    assert len(mail.outbox) == 1

    subscription = Subscription.objects.get()
    send_notifications.call(subscription.pk)  # still within the window: nothing
    assert len(mail.outbox) == 1

    window_passes()
    assert send_notifications.call(subscription.pk) == 2
    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.subject == f"2 new replies on “{article.headline}”"
    body = message.body
    assert body.index("1. Bob Builder replied to you:") < body.index("Reply two.")
    assert body.index("Reply two.") < body.index("2. Bob Builder") < body.index("Reply three.")
    assert absolute(second) in body and absolute(third) in body
    assert "Reply one." not in body

    window_passes()
    assert send_notifications.call(subscription.pk) == 0
    assert len(mail.outbox) == 2


def test_the_next_approved_reply_after_the_window_sends_what_gathered(subscriber, write, article):
    """Guards: with the immediate backend (no task runs later), what gathered in the window
    goes with the next reply approved after it, in one message."""
    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "First.", parent=ada.pk)
    write(article, BOB_NAME, BOB, "Gathered.", parent=ada.pk)
    window_passes()
    write(article, BOB_NAME, BOB, "Next.", parent=ada.pk)
    assert len(mail.outbox) == 2
    assert "Gathered." in mail.outbox[1].body and "Next." in mail.outbox[1].body


def test_a_reply_removed_within_the_window_is_not_told(
    subscriber, write, article, committed, editor
):
    """Guards: what is told is what is approved when the message goes."""
    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "First.", parent=ada.pk)
    gone = write(article, BOB_NAME, BOB, "Regretted.", parent=ada.pk)
    write(article, BOB_NAME, BOB, "Kept.", parent=ada.pk)
    with committed():
        moderation.remove([gone], by=editor)
    window_passes()
    send_notifications.call(Subscription.objects.get().pk)
    assert "Kept." in mail.outbox[1].body and "Regretted." not in mail.outbox[1].body


def test_a_restored_comment_is_not_told_twice(subscriber, write, article, committed, editor):
    """Guards: removed then restored, a comment told already is not told again."""
    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    reply = write(article, BOB_NAME, BOB, "Once.", parent=ada.pk)
    with committed():
        moderation.remove([reply], by=editor)
    with committed():
        moderation.restore([reply], by=editor)
    window_passes()
    send_notifications.call(Subscription.objects.get().pk)
    assert len(mail.outbox) == 1


def test_the_listener_finds_subscriptions_in_one_query(subscriber, article, committed, editor):
    """Guards: one query for the subscriptions a change concerns, however many comments it
    approves."""
    ada = subscriber(article, "replies", "all")
    pending = [
        factories.make_comment(article, status="pending", parent=ada, body=f"Reply {n}.")
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        found = listeners.concerned(pending)
    assert len(queries) == 1
    assert [s.scope for s in found] == ["all"]  # "all" covers "replies"
    assert moderation.approve(pending, by=editor)


def test_with_a_queue_that_runs_later_the_window_defers_the_task(
    subscriber, write, article, settings
):
    """Guards: with the database queue (supports run_after), a reply approved within the
    window queues the task for the window's end."""
    from django_tasks_db.models import DBTaskResult

    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Sent at once.", parent=ada.pk)
    sent_at = Subscription.objects.get().last_sent_at
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    write(article, BOB_NAME, BOB, "Waits for the window.", parent=ada.pk)
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="send_notifications")
    assert queued.run_after == sent_at + timedelta(minutes=30)
    assert queued.args_kwargs["args"] == [Subscription.objects.get().pk]
