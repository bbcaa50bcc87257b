"""A subscriber's data: the export includes their subscriptions, an erasure ends them."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from comments import moderation
from comments.models import Comment, Subscription
from tests import factories

from .conftest import ADA, ADA_NAME, BOB, BOB_NAME, CAT, known

pytestmark = pytest.mark.django_db


def command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_export_includes_the_addresss_subscriptions(subscriber, write, article):
    """Guards: export_commenter_data lists each subscription of the address (normalised),
    confirmed or not, with its discussion, scope and dates; nobody else's."""
    other = factories.make_article()
    subscriber(article, "replies")
    write(other, ADA_NAME, ADA, "Elsewhere.", notify_all="on")
    subscriber(article, "all", name="Cat Critic", email=CAT)
    data = json.loads(command("export_commenter_data", ADA.upper()))
    confirmed, unconfirmed = data["subscriptions"]
    assert confirmed["discussion"] == {
        "title": article.headline,
        "url": article.get_absolute_url(),
    }
    assert (confirmed["scope"], confirmed["email"]) == ("replies", ADA)
    assert confirmed["confirmed_at"] is not None and confirmed["created_at"]
    assert (unconfirmed["scope"], unconfirmed["confirmed_at"]) == ("all", None)
    assert unconfirmed["discussion"]["title"] == other.headline
    assert CAT not in json.dumps(data)


def test_the_erasure_command_ends_every_subscription_of_the_address(
    subscriber, write, article, committed
):
    """Guards: erase_commenter_data deletes the address's subscriptions (confirmed or not)
    and says how many; Cat's stay; no more mail goes to the address."""
    other = factories.make_article()
    subscriber(article, "replies", "all")
    write(other, ADA_NAME, ADA, "Elsewhere.", notify_all="on")
    subscriber(article, "all", name="Cat Critic", email=CAT)
    assert Subscription.objects.of_email(ADA).count() == 3
    with committed():
        out = command("erase_commenter_data", ADA)
    assert out.endswith("Ended 3 email subscriptions.\n")
    assert not Subscription.objects.of_email(ADA).exists()
    assert Subscription.objects.of_email(CAT).exists()
    assert moderation.commenter_data(ADA)["subscriptions"] == []
    mail.outbox.clear()
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "Anyone there?")
    assert [m.to for m in mail.outbox] == [[CAT]]


def test_an_address_with_subscriptions_but_no_comments_is_erased_too(subscriber, article):
    """Guards: the command ends the subscriptions even when no comment is left to erase."""
    subscriber(article, "replies")
    Comment.objects.filter(email_normalized=ADA.lower()).delete()
    out = command("erase_commenter_data", ADA)
    assert "Erased the personal data of 0 comments" in out
    assert "Ended 1 email subscription." in out
    assert not Subscription.objects.exists()


def test_erasing_comments_ends_their_authors_subscriptions(subscriber, article, editor, committed):
    """Guards: moderation.erase (the admin's "Erase the personal data" action) ends the
    subscriptions of the erased comments' authors."""
    ada = subscriber(article, "replies")
    with committed():
        moderation.erase([ada], by=editor)
    assert not Subscription.objects.exists()
