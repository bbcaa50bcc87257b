"""Reply notifications' tests: readers post through the real view, inside `committed()`
(pytest-django's django_capture_on_commit_callbacks with execute=True), which runs the write
path's listeners as a real commit would; tasks run at once (the tests' immediate backend), so
mail lands in Django's locmem outbox (mail.outbox). Nothing is mocked."""

import re
from functools import partial

import pytest
from django.core import mail

from comments import moderation
from comments.models import Comment, Subscription
from tests import factories
from tests.factories import post_url

SITE_URL = "https://www.meridian.example"
FROM = "newsroom@meridian.example"

ADA, ADA_NAME = "Ada.Reader@Example.com", "Ada Reader"
BOB, BOB_NAME = "bob.builder@example.net", "Bob Builder"
CAT, CAT_NAME = "cat.critic@example.org", "Cat Critic"
READER_IP = "203.0.113.77"
READER_AGENT = "Mozilla/5.0 (X11; NotifyTest) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def notify_settings(settings):
    """The defaults, whatever the environment says, and an absolute base for the links."""
    settings.COMMENTS_SITE_URL = SITE_URL
    settings.DEFAULT_FROM_EMAIL = FROM
    settings.COMMENTS_NOTIFY_MINUTES = 30
    settings.COMMENTS_NOTIFY_CONFIRM_DAYS = 7


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def post(client, committed):
    """post(article, data) posts a comment through the view from READER_IP, listeners run
    as on a commit; returns the response."""

    def post(article, data, *, on=None):
        with committed():
            return (on or client).post(
                post_url(article), data, REMOTE_ADDR=READER_IP, HTTP_USER_AGENT=READER_AGENT
            )

    return post


def form(article, name, email, text, **fields):
    """A valid POST of the comment form on `article`, shown a minute ago."""
    return {
        "name": name,
        "email": email,
        "url": "https://example.org/site-of-" + name.split()[0].lower(),
        "comment": text,
        "token": factories.form_token(article),
        **fields,
    }


def known(name, email):
    """Make name and email a known author (an approved comment elsewhere): their next
    comments are approved at once."""
    factories.make_comment(factories.make_article(), author_name=name, author_email=email)


@pytest.fixture
def write(post):
    """write(article, name, email, text, **fields) posts a comment; returns it as stored."""

    def write(article, name, email, text, **fields):
        response = post(article, form(article, name, email, text, **fields))
        assert response.status_code in (201, 302), response.content.decode()[:2000]
        return Comment.objects.get(email_normalized=email.lower(), body_raw=text)

    return write


ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def addresses_in(message):
    """Every email address anywhere in the message as sent (headers and body), but the
    Message-ID's (the sending host's name)."""
    whole = message.message().as_string()
    lines = [line for line in whole.splitlines() if not line.lower().startswith("message-id:")]
    return set(ADDRESS.findall("\n".join(lines)))


def links(message, kind):
    """The paths of this site's `kind` links ("confirm", "unsubscribe", "manage") in a
    message's body."""
    pattern = rf"{re.escape(SITE_URL)}(/comments/notifications/{kind}/[^/\s]+/)"
    return re.findall(pattern, message.body)


@pytest.fixture
def confirmed(client, committed):
    """confirmed(message) follows the confirmation message's link as a reader does (the
    page, then its button); returns the POST's response."""

    def confirmed(message):
        (path,) = links(message, "confirm")
        assert client.get(path).status_code == 200
        with committed():
            return client.post(path)

    return confirmed


@pytest.fixture
def subscriber(write, confirmed):
    """subscriber(article, scopes…) makes Ada a known author who posts a comment on
    `article` with those boxes ticked and confirms by the link mailed to her; returns her
    comment. The outbox is emptied afterwards."""

    def subscriber(article, *scopes, name=ADA_NAME, email=ADA):
        known(name, email)
        boxes = {f"notify_{scope}": "on" for scope in scopes}
        comment = write(article, name, email, f"{name} opens the discussion.", **boxes)
        assert comment.status == "approved"
        (message,) = [
            m for m in mail.outbox if m.to == [email] and m.subject.startswith("Please confirm")
        ]
        assert confirmed(message).status_code == 200
        assert all(
            s.is_confirmed for s in Subscription.objects.filter(email_normalized=email.lower())
        )
        mail.outbox.clear()
        return comment

    return subscriber


def approve(committed, comments, by):
    with committed():
        return moderation.approve(comments, by=by)
