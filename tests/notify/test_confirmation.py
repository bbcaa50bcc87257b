"""Double opt-in: the form's boxes, the one confirmation message, its link (a page with one
button that POSTs), and links that are expired, tampered with or gone."""

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client

from comments.models import Discussion, Subscription
from comments.notify import tokens
from tests import factories
from tests.discussed.models import LiveBlog
from tests.factories import post_url

from .conftest import (
    ADA,
    ADA_NAME,
    FROM,
    READER_AGENT,
    READER_IP,
    addresses_in,
    form,
    links,
)

pytestmark = pytest.mark.django_db

REPLIES_LABEL = "Email me when someone replies to me"


def checkbox(html, name):
    start = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


# --------------------------------------------------------------------------------------------
# The boxes


def test_the_boxes_are_offered_unticked_and_name_what_is_discussed(client, article):
    """Guards: both boxes on the form, after "Save my name…", unticked, described by the
    note on confirmation; "anyone comments" names what is discussed: an article, a live blog
    (a second model), a page known by its address; each page's own words, though the blank
    form is rendered once per process."""
    html = client.get(article.get_absolute_url()).content.decode()
    assert REPLIES_LABEL in html
    assert "Email me when anyone comments on this article" in html
    assert html.index('name="remember"') < html.index('name="notify_replies"')
    assert html.index('name="notify_replies"') < html.index('name="notify_all"')
    for name in ("notify_replies", "notify_all"):
        box = checkbox(html, name)
        assert 'type="checkbox"' in box and "checked" not in box
        assert 'aria-describedby="notify-notes"' in box
    assert 'id="notify-notes"' in html

    blog = LiveBlog.objects.create(
        title="Election night", slug="election", started_at=article.published_at
    )
    html = client.get(blog.get_absolute_url()).content.decode()
    assert "Email me when anyone comments on this live blog" in html
    assert "on this article" not in html

    page = Discussion.objects.of_url("https://elsewhere.example/story", "A story elsewhere")
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Email me when anyone comments on this page" in html

    html = client.get(article.get_absolute_url()).content.decode()
    assert "Email me when anyone comments on this article" in html


def test_no_box_ticked_subscribes_nobody(post, article):
    """Guards: unticked (the default), a post makes no subscription and sends no mail."""
    factories.make_comment(factories.make_article(), author_name=ADA_NAME, author_email=ADA)
    assert post(article, form(article, ADA_NAME, ADA, "Plain comment.")).status_code == 302
    assert not Subscription.objects.exists()
    assert mail.outbox == []


# --------------------------------------------------------------------------------------------
# The confirmation message


def test_a_ticked_box_sends_one_confirmation_and_nothing_of_the_rest(post, article):
    """Guards: a held comment with "replies" ticked makes one unconfirmed subscription and
    queues exactly one message: to that address alone, from DEFAULT_FROM_EMAIL, with the
    confirmation and unsubscribe links and the RFC 8058 headers; nothing else the reader
    typed (name, website, text), nor their IP or agent, is in it. Ticking the same box again
    on the next comment sends nothing more."""
    data = form(article, ADA_NAME, ADA, "A held comment, <em>first</em>.", notify_replies="on")
    assert post(article, data).status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.scope, subscription.email, subscription.email_normalized) == (
        "replies",
        ADA,
        ADA.lower(),
    )
    assert subscription.confirmed_at is None
    assert subscription.language == "en"  # the reader's (LANGUAGE_CODE: none asked)
    (message,) = mail.outbox
    assert message.to == [ADA] and message.cc == [] and message.bcc == []
    assert message.recipients() == [ADA]
    assert message.from_email == FROM
    assert message.subject == f"Please confirm: email about “{article.headline}”"
    assert len(links(message, "confirm")) == 1
    (unsubscribe,) = links(message, "unsubscribe")
    assert (
        message.extra_headers["List-Unsubscribe"] == f"<https://www.meridian.example{unsubscribe}>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    whole = message.message().as_string()
    for private in (ADA_NAME, "site-of-ada", "held comment", READER_IP, READER_AGENT):
        assert private not in whole
    assert addresses_in(message) == {ADA, FROM}
    assert "someone replies to your comments" in message.body

    again = form(article, ADA_NAME, ADA, "Another one, box ticked again.", notify_replies="on")
    assert post(article, again).status_code == 302
    assert Subscription.objects.count() == 1
    assert len(mail.outbox) == 1


def test_both_boxes_ticked_send_one_message_for_both(post, article):
    """Guards: two subscriptions made together, one confirmation message whose one link
    confirms both."""
    data = form(article, ADA_NAME, ADA, "Tell me everything.", notify_replies="on", notify_all="on")
    assert post(article, data).status_code == 302
    assert sorted(Subscription.objects.values_list("scope", flat=True)) == ["all", "replies"]
    (message,) = mail.outbox
    assert "someone replies to your comments, and when anyone comments" in message.body
    (path,) = links(message, "confirm")
    assert Client().post(path).status_code == 200
    assert Subscription.objects.confirmed().count() == 2


def test_a_bots_post_never_mails_the_address_it_typed(post, article):
    """Guards: a post the honeypot sends to spam subscribes nobody and mails nobody, boxes
    ticked or not: a bot can't make the site mail someone's address."""
    data = form(article, "Bot", "victim@example.com", "Cheap pills", notify_all="on", hp="x")
    assert post(article, data).status_code == 302
    assert not Subscription.objects.exists()
    assert mail.outbox == []


# --------------------------------------------------------------------------------------------
# The link


def test_the_link_shows_a_button_and_only_its_post_confirms(post, article, client):
    """Guards: GET (a mail scanner, a preview) confirms nothing and shows one Confirm button
    that POSTs; the POST confirms; both pages are never cached, marked private, and send no
    referrer; the link again says it is confirmed, with no button."""
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_all="on"))
    (path,) = links(mail.outbox[0], "confirm")

    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm your subscription" in html
    assert '<form method="post"' in html and ">Confirm</button>" in html
    assert article.headline in html
    assert Subscription.objects.get().confirmed_at is None
    for response in (page,):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"

    done = client.post(path)
    assert done.status_code == 200
    assert "Subscription confirmed" in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    assert Subscription.objects.get().confirmed_at is not None

    again = client.get(path).content.decode()
    assert "Subscription confirmed" in again and ">Confirm</button>" not in again
    assert len(mail.outbox) == 1  # confirming mails nothing


def old_token(subscription, days_ago):
    """A confirmation token for `subscription` as the site made it `days_ago` days ago: the
    same signer, salt and key, its timestamp that long ago."""

    class Then(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - days_ago * 24 * 60 * 60))

    return Then(salt=tokens.CONFIRM_SALT).sign_object([subscription.pk])


def test_an_expired_link_is_refused_with_a_clear_page(post, article, client, settings):
    """Guards: a link older than COMMENTS_NOTIFY_CONFIRM_DAYS is refused, GET or POST, with
    a 400 page that says it expired; nothing is confirmed. One a day younger still works."""
    settings.COMMENTS_NOTIFY_CONFIRM_DAYS = 3
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_replies="on"))
    subscription = Subscription.objects.get()
    expired = f"/comments/notifications/confirm/{old_token(subscription, 4)}/"
    for response in (client.get(expired), client.post(expired)):
        assert response.status_code == 400
        assert "This confirmation link has expired" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None

    fresh = f"/comments/notifications/confirm/{old_token(subscription, 2)}/"
    assert client.post(fresh).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "W1swXV0" + token[token.index(":") :],  # another pk, same signature
        lambda token: token[: len(token) // 2],  # cut short
        lambda token: "not-a-token",
        lambda token: "%00%ff",
    ],
    ids=["signature", "payload", "cut-short", "garbage", "bytes"],
)
def test_a_tampered_link_is_refused_with_a_clear_page(post, article, client, change):
    """Guards: a confirmation link changed in any way gets a 400 page saying it does not
    work (never a 500), GET and POST; nothing is confirmed."""
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_replies="on"))
    (path,) = links(mail.outbox[0], "confirm")
    token = path.split("/")[-2]
    tampered = f"/comments/notifications/confirm/{change(token)}/"
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400, tampered
        assert "This link does not work" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_another_links_token_does_not_confirm(post, article, client):
    """Guards: the unsubscribe link's token (another salt) is no confirmation token."""
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_replies="on"))
    subscription = Subscription.objects.get()
    token = tokens.unsubscribe_token([subscription])
    response = client.post(f"/comments/notifications/confirm/{token}/")
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_a_link_whose_subscription_has_gone_is_a_404_that_says_so(post, article, client):
    """Guards: the link of a subscription ended before it was confirmed: 404, in words."""
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_replies="on"))
    (path,) = links(mail.outbox[0], "confirm")
    (unsubscribe,) = links(mail.outbox[0], "unsubscribe")
    assert client.post(unsubscribe).status_code == 200
    response = client.get(path)
    assert response.status_code == 404
    assert "There is nothing to confirm" in response.content.decode()


def test_an_unconfirmed_subscription_expires_and_may_start_again(post, article, settings):
    """Guards: a subscription never confirmed within COMMENTS_NOTIFY_CONFIRM_DAYS is
    forgotten, and the box ticked again later sends a new confirmation message."""
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_replies="on"))
    first = Subscription.objects.get()
    Subscription.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=8))
    post(article, form(article, ADA_NAME, ADA, "Subscribe me again.", notify_replies="on"))
    second = Subscription.objects.get()
    assert second.pk != first.pk and second.confirmed_at is None
    assert len(mail.outbox) == 2


def test_a_confirmed_address_ticking_again_gets_nothing(post, article, client):
    """Guards: once confirmed, the same box ticked on a later comment mails nothing."""
    post(article, form(article, ADA_NAME, ADA, "Subscribe me.", notify_replies="on"))
    (path,) = links(mail.outbox[0], "confirm")
    client.post(path)
    post(article, form(article, ADA_NAME, ADA, "And again.", notify_replies="on"))
    assert len(mail.outbox) == 1
    assert Subscription.objects.confirmed().count() == 1


def test_a_subscription_is_per_discussion(post, article):
    """Guards: the same address subscribing on another article confirms that one too."""
    other = factories.make_article()
    post(article, form(article, ADA_NAME, ADA, "Here.", notify_replies="on"))
    data = form(other, ADA_NAME, ADA, "There.", notify_replies="on")
    assert Client().post(post_url(other), data, REMOTE_ADDR=READER_IP).status_code == 302
    assert Subscription.objects.count() == 2
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {ADA}
