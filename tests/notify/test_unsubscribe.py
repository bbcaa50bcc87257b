"""Ending subscriptions without signing in: the one-click POST of RFC 8058, the unsubscribe
page, and the page listing an address's subscriptions from a link mailed to it."""

import time

import pytest
from django.core import mail, signing
from django.test import Client

from comments.models import Subscription
from comments.notify import tokens
from tests import factories

from .conftest import ADA, ADA_NAME, BOB, BOB_NAME, CAT, addresses_in, known, links

pytestmark = pytest.mark.django_db

MANAGE = "/comments/notifications/"


@pytest.fixture
def told(subscriber, write, article):
    """Ada subscribed to replies and confirmed; Bob's reply has sent her one message."""
    ada = subscriber(article, "replies")
    known(BOB_NAME, BOB)
    write(article, BOB_NAME, BOB, "A reply for Ada.", parent=ada.pk)
    (message,) = mail.outbox
    return message


def strict_client():
    """A mail client's request: no session, no cookie, and CSRF checks on."""
    return Client(enforce_csrf_checks=True)


# --------------------------------------------------------------------------------------------
# One click


def test_the_one_click_post_unsubscribes_without_csrf_or_session(told):
    """Guards: a POST of `List-Unsubscribe=One-Click` to the List-Unsubscribe address, as
    a mail client sends it (no CSRF token, no cookie, no session), answers 200 and ends
    the subscription; sent again, still 200."""
    url = told.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("https://www.meridian.example")
    client = strict_client()
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Unsubscribed" in response.content.decode()
    assert "sessionid" not in response.cookies
    assert not Subscription.objects.exists()
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200


def test_the_unsubscribe_page_shows_a_button_and_its_post_ends_it(told, client):
    """Guards: the link in the message (GET) ends nothing and shows one button; its POST
    ends the subscription; the pages are never cached and send no referrer."""
    (path,) = links(told, "unsubscribe")
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop these emails" in html and ">Unsubscribe</button>" in html
    assert Subscription.objects.exists()
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    done = client.post(path)
    assert done.status_code == 200 and "Unsubscribed" in done.content.decode()
    assert not Subscription.objects.exists()
    again = client.get(path)
    assert again.status_code == 200
    assert "nothing left to stop" in again.content.decode()


def test_an_old_unsubscribe_link_still_works(told, client):
    """Guards: an unsubscribe link never expires (a message from long ago must still stop
    the mail): its token holds no time at all, only what it ends."""
    (path,) = links(told, "unsubscribe")
    token = path.split("/")[-2]
    assert signing.Signer(salt=tokens.UNSUBSCRIBE_SALT).unsign_object(token) == [
        Subscription.objects.get().pk
    ]
    assert client.post(path).status_code == 200
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("token", ["W10:x", "not-a-token", "%00"])
def test_a_tampered_unsubscribe_link_ends_nothing(told, token):
    """Guards: a changed link gets a 400 page, never a 500, and ends nothing."""
    response = strict_client().post(f"/comments/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Subscription.objects.exists()


def test_an_unsubscribe_link_ends_only_its_own_subscriptions(told, subscriber, article, client):
    """Guards: Ada's link ends Ada's subscription, not Cat's; nobody can end another's
    without their link (the confirm token is not an unsubscribe token)."""
    subscriber(article, "replies", name="Cat Critic", email=CAT)
    cat = Subscription.objects.get(email_normalized=CAT)
    confirm_token = tokens.confirm_token([cat])
    assert client.post(f"/comments/notifications/unsubscribe/{confirm_token}/").status_code == 400
    (path,) = links(told, "unsubscribe")
    assert client.post(path).status_code == 200
    assert list(Subscription.objects.values_list("email_normalized", flat=True)) == [CAT]


# --------------------------------------------------------------------------------------------
# The page of an address's subscriptions


def test_asking_for_the_link_never_says_whether_an_address_subscribed(told, client):
    """Guards: the same answer for an address with subscriptions and one without; one
    message, to the address with subscriptions only, whose link opens its page; asked again
    at once, no second message (the inbox is not flooded), the same answer."""
    mail.outbox.clear()
    page = client.get(MANAGE)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    answers = [
        client.post(MANAGE, {"email": email}).content.decode()
        for email in ("nobody@example.com", "  ADA.reader@example.COM ", ADA)
    ]
    assert answers[0] == answers[1] == answers[2]
    assert "If that address has subscriptions" in answers[0]
    (message,) = mail.outbox
    assert message.to == [ADA]
    assert addresses_in(message) == {ADA, message.from_email}
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (path,) = links(message, "manage")
    html = Client().get(path).content.decode()
    assert "Your email subscriptions" in html and "replies to your comments" in html


def test_the_address_field_is_checked(client):
    response = client.post(MANAGE, {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


def test_the_linked_page_lists_and_ends_one_or_all(subscriber, write, article, client):
    """Guards: the page lists every subscription of the address (confirmed or awaiting
    confirmation), with its discussion; "End" ends one, "End all" the rest; nobody else's
    is touched or shown."""
    other = factories.make_article()
    subscriber(article, "replies", "all")
    write(other, ADA_NAME, ADA, "Elsewhere, unconfirmed.", notify_all="on")
    subscriber(article, "all", name="Cat Critic", email=CAT)
    path = f"/comments/notifications/manage/{tokens.manage_token(ADA.lower())}/"

    page = client.get(path)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert html.count('name="end"') == 4  # three subscriptions, and "End all"
    assert article.headline in html and other.headline in html
    assert "awaiting confirmation" in html and "confirmed " in html
    assert CAT not in html.lower()

    one = Subscription.objects.get(email_normalized=ADA.lower(), scope="replies")
    done = client.post(path, {"end": str(one.pk)})
    assert "Ended 1 subscription." in done.content.decode()
    assert not Subscription.objects.filter(pk=one.pk).exists()
    cats = Subscription.objects.get(email_normalized=CAT)
    client.post(path, {"end": str(cats.pk)})  # not Ada's: nothing happens
    assert Subscription.objects.filter(pk=cats.pk).exists()

    done = client.post(path, {"end": "all"})
    assert "Ended 2 subscriptions." in done.content.decode()
    assert not Subscription.objects.filter(email_normalized=ADA.lower()).exists()
    assert Subscription.objects.filter(email_normalized=CAT).exists()
    assert "has no subscriptions" in client.get(path).content.decode()


def test_an_expired_or_tampered_manage_link_offers_a_new_one(client):
    """Guards: a manage link older than a day, or changed, gets a 400 page with the form
    to ask for a new one."""

    class Then(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - 2 * 24 * 60 * 60))

    old = Then(salt=tokens.MANAGE_SALT).sign_object(ADA.lower())
    response = client.get(f"/comments/notifications/manage/{old}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This link has expired" in html and 'name="email"' in html
    token = tokens.manage_token(ADA.lower())
    response = client.get(f"/comments/notifications/manage/{token[:-2]}xx/")
    assert response.status_code == 400 and "This link does not work" in response.content.decode()
