"""The comment form's signed token, through the real form and views: honest readers (quick,
slow, very slow) and hostile posts (no token, forged, tampered, replayed, stale).

A token sent back sooner than COMMENTS_MIN_SECONDS is a bot's tell: kept as spam, silently.
A token that is missing, not ours, another article's or older than COMMENTS_FORM_MAX_AGE gets
the form back with "This form expired; please post again.", everything typed, and a fresh
token that works.
"""

import html
import re
import time

import pytest
from django.core import signing
from django.test import Client

from comments.models import Comment
from comments.public.forms import FORM_EXPIRED_MESSAGE, FORM_TOKEN_SALT, form_token_age
from tests.factories import discussion_of, form_token, make_article, post_url
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60
AWAITING = "Your comment is awaiting moderation."


def input_value(page, name):
    """The value of the one <input name=`name`> on `page`, unescaped."""
    fields = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert len(fields) == 1, fields
    value = re.search(r'\bvalue="([^"]*)"', fields[0])
    return html.unescape(value[1]) if value else ""


def textarea_value(page):
    """What the comment box holds, unescaped (Django starts a textarea with a newline)."""
    match = re.search(r'<textarea[^>]*\bname="comment"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no comment box on the page"
    return html.unescape(match[1]).removeprefix("\r\n").removeprefix("\n")


def page_token(client, article):
    """The hidden token of the blank form on `article`'s page, as a browser receives it."""
    return input_value(client.get(article.get_absolute_url()).content.decode(), "token")


def fresh_token_age(token, article):
    age = form_token_age(token, discussion_of(article))
    assert age is not None, f"{token!r} is not a valid token for this article"
    return age


# --------------------------------------------------------------------------------------------
# Honest readers


def test_the_blank_form_carries_a_token_for_its_own_article_signed_just_now(client, article):
    """The article page's form holds a hidden token that the server accepts for that article
    (and for no other), issued when the page was shown."""
    page = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'<input type="hidden" name="token" value="[^"]+"', page)
    token = input_value(page, "token")
    assert 0 <= fresh_token_age(token, article) < 5
    assert form_token_age(token, discussion_of(make_article())) is None


def test_a_reader_who_took_a_minute_is_accepted_normally(client, article, comment_data):
    """A token a minute old is an ordinary post: a new author's comment is held (pending) by
    the "new author" rule, not treated as spam."""
    response = client.post(post_url(article), comment_data)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.PENDING
    event = comment.events.get()
    assert (event.rule, event.to_status) == ("new author", "pending")


@pytest.mark.parametrize("age", [23 * 60 * 60, DAY - 60])
def test_a_slow_reader_is_welcome_for_a_whole_day(client, article, comment_data, age):
    """A reader who leaves the page open for most of a day still posts (django-contrib-comments
    would have thrown the comment away after two hours)."""
    response = client.post(post_url(article), comment_data | {"token": form_token(article, age)})
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_the_maximum_age_comes_from_the_setting(client, article, comment_data, settings):
    """COMMENTS_FORM_MAX_AGE is what decides "expired": an hour here."""
    settings.COMMENTS_FORM_MAX_AGE = 60 * 60
    stale = client.post(post_url(article), comment_data | {"token": form_token(article, 7200)})
    assert stale.status_code == 200
    assert FORM_EXPIRED_MESSAGE in stale.content.decode()
    assert not Comment.objects.exists()
    fresh = client.post(post_url(article), comment_data | {"token": form_token(article, 3000)})
    assert fresh.status_code == 302
    assert Comment.objects.count() == 1


# --------------------------------------------------------------------------------------------
# Too fast for a person


def _scraped(client, article):
    return page_token(client, article)


def _signed_now(client, article):
    return form_token(article, age=0)


@pytest.mark.parametrize("token_of", [_scraped, _signed_now], ids=["scraped", "signed-now"])
def test_a_post_sooner_than_a_person_could_is_spam_and_the_poster_cannot_tell(
    client, article, comment_data, token_of
):
    """Sent back within COMMENTS_MIN_SECONDS of the page load: stored as spam by the rule
    "form token", while the poster gets the same redirect and "awaiting moderation" note as
    anyone (nothing says spam), and other readers never see it."""
    response = client.post(post_url(article), comment_data | {"token": token_of(client, article)})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == comment.get_posted_url()
    assert comment.status == Comment.Status.SPAM
    event = comment.events.get()
    assert (event.rule, event.to_status) == ("form token", "spam")
    assert "sooner than a person" in event.reason

    page = client.get(article.get_absolute_url()).content.decode()
    assert AWAITING in page
    assert "Nobody" in page  # the poster sees their comment, as any pending one
    assert "spam" not in visible_text(page).lower()
    assert "Nobody" not in Client().get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("age", "status"), [(2, "spam"), (4, "pending")])
def test_the_minimum_is_counted_from_when_the_form_was_shown(
    client, article, comment_data, age, status
):
    """Two seconds after the page load is too fast (COMMENTS_MIN_SECONDS = 3); four is not."""
    client.post(post_url(article), comment_data | {"token": form_token(article, age)})
    assert Comment.objects.get().status == status


def test_a_minimum_of_zero_turns_the_speed_check_off(client, article, comment_data, settings):
    """COMMENTS_MIN_SECONDS = 0: a form sent back at once is an ordinary post."""
    settings.COMMENTS_MIN_SECONDS = 0
    token = page_token(client, article)
    response = client.post(post_url(article), comment_data | {"token": token})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.PENDING
    assert comment.events.get().rule == "new author"


# --------------------------------------------------------------------------------------------
# Stale, missing, forged: the form comes back, with everything typed and a fresh token


def _tamper(token, index):
    """`token` with the character at `index` changed."""
    char = token[index]
    return token[:index] + ("A" if char != "A" else "B") + token[index + 1 :]


def _signed(value, **kwargs):
    return signing.dumps(value, **({"salt": FORM_TOKEN_SALT} | kwargs))


BAD_TOKENS = {
    "expired": lambda a: form_token(a, age=DAY + 60),
    "missing": lambda a: None,
    "empty": lambda a: "",
    "tampered-signature": lambda a: _tamper(form_token(a), -3),
    "tampered-payload": lambda a: _tamper(form_token(a), 2),
    "garbage": lambda a: "not-a-token",
    "colons": lambda a: "::::",
    "huge": lambda a: "x:" * 100_000,
    "non-ascii": lambda a: "ünïcødé:ţøķęñ:✓",
    "another-articles": lambda a: form_token(make_article()),
    "another-salt": lambda a: _signed([a.pk, time.time() - 60], salt="comments.remember"),
    "another-key": lambda a: _signed([a.pk, time.time() - 60], key="not-this-sites-key"),
    "unsalted": lambda a: signing.dumps([a.pk, time.time() - 60]),
    "signed-string": lambda a: _signed("hello"),
    "signed-null": lambda a: _signed(None),
    "signed-number": lambda a: _signed(5),
    "signed-three-items": lambda a: _signed([a.pk, time.time() - 60, 0]),
    "signed-pk-as-text": lambda a: _signed([str(a.pk), time.time() - 60]),
    "signed-time-as-text": lambda a: _signed([a.pk, "yesterday"]),
    "signed-time-true": lambda a: _signed([a.pk, True]),
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_brings_the_form_back_with_the_text_and_a_fresh_token(
    client, article, comment_data, settings, make_token
):
    """Expired, missing, tampered with, garbage, another article's (replayed), or signed with
    another salt or key: 200 with "This form expired; please post again.", every typed value
    kept, nothing saved, and a new token valid for this article in the hidden field. Sending
    the form back as it was re-shown then posts the comment."""
    posted_token = make_token(article)
    data = dict(comment_data)
    if posted_token is None:
        del data["token"]
    else:
        data["token"] = posted_token
    response = client.post(post_url(article), data)
    page = response.content.decode()

    assert response.status_code == 200
    assert FORM_EXPIRED_MESSAGE in page
    assert not Comment.objects.exists()
    assert textarea_value(page) == comment_data["comment"]
    for field in ("name", "email", "url"):
        assert input_value(page, field) == comment_data[field]
    fresh = input_value(page, "token")
    assert fresh != posted_token
    assert 0 <= fresh_token_age(fresh, article) < 5

    # The reader presses Post Comment again (at once: see the test below).
    settings.COMMENTS_MIN_SECONDS = 0
    again = {field: input_value(page, field) for field in ("name", "email", "url", "token")}
    again["comment"] = textarea_value(page)
    response = client.post(post_url(article), again)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.PENDING
    assert comment.body_raw == comment_data["comment"]


def test_an_expired_token_alongside_another_error_reports_both(client, article, comment_data):
    """The expired message doesn't hide the reader's own mistakes, and the re-shown form
    still carries a fresh token."""
    data = comment_data | {"email": "not-an-email", "token": form_token(article, DAY + 1)}
    page = client.post(post_url(article), data).content.decode()
    assert FORM_EXPIRED_MESSAGE in page
    assert "Enter a valid email address." in page
    assert fresh_token_age(input_value(page, "token"), article) < 5
    assert not Comment.objects.exists()


def test_a_valid_token_is_sent_back_unchanged_when_the_form_has_another_error(
    client, article, comment_data
):
    """Fixing a typo doesn't restart the clock: the re-shown form keeps the posted token, so
    the speed check still measures from when the page was first shown."""
    token = form_token(article, 60)
    page = client.post(post_url(article), comment_data | {"email": "x@", "token": token})
    assert input_value(page.content.decode(), "token") == token


def test_a_repeated_token_field_is_judged_by_its_last_value(client, article, comment_data):
    """A token sent twice (a valid one, then another article's) is not accepted."""
    data = comment_data | {"token": [form_token(article), form_token(make_article())]}
    response = client.post(post_url(article), data)
    assert response.status_code == 200
    assert FORM_EXPIRED_MESSAGE in response.content.decode()
    assert not Comment.objects.exists()


def test_pressing_post_again_at_once_after_the_expired_message_is_not_spam(
    client, article, comment_data
):
    """The reader of an expired form already typed the comment: answering "please post
    again" with a quick click is a person, not a bot, and must not be silently spam."""
    data = comment_data | {"token": form_token(article, DAY + 60)}
    page = client.post(post_url(article), data).content.decode()
    again = comment_data | {"token": input_value(page, "token")}
    assert client.post(post_url(article), again).status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_token_with_a_null_character_is_just_another_bad_token(client, article, comment_data):
    """A tampered token is a tampered token, whatever the character: the expired message and a
    fresh token, not an error about a field the reader can neither see nor fix."""
    bad = form_token(article) + "\x00"
    page = client.post(post_url(article), comment_data | {"token": bad}).content.decode()
    assert not Comment.objects.exists()
    assert "Null characters are not allowed." not in page
    assert FORM_EXPIRED_MESSAGE in page
    assert fresh_token_age(input_value(page, "token"), article) < 5


# --------------------------------------------------------------------------------------------
# Preview


@pytest.mark.parametrize(
    "make_token",
    [BAD_TOKENS[name] for name in ("expired", "missing", "tampered-signature", "another-articles")],
    ids=["expired", "missing", "tampered", "another-articles"],
)
def test_a_preview_with_a_bad_token_says_expired_and_shows_no_preview(
    client, article, comment_data, make_token
):
    """Preview checks the token like a post: the expired message and a fresh token instead of
    a preview, the text kept, nothing saved, no error page."""
    data = comment_data | {"preview": "1"}
    token = make_token(article)
    if token is None:
        del data["token"]
    else:
        data["token"] = token
    response = client.post(post_url(article), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert FORM_EXPIRED_MESSAGE in page
    assert 'id="comment-preview"' not in page
    assert "Preview: not posted yet" not in page
    assert textarea_value(page) == comment_data["comment"]
    assert fresh_token_age(input_value(page, "token"), article) < 5
    assert not Comment.objects.exists()


def test_a_quick_preview_saves_nothing_and_keeps_the_clock(client, article, comment_data):
    """A preview at once is shown (nothing is stored, not even as spam), and the form comes
    back with the token as posted, so previewing neither resets nor fakes the reading time."""
    token = page_token(client, article)
    response = client.post(post_url(article), comment_data | {"token": token, "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="comment-preview"' in page
    assert FORM_EXPIRED_MESSAGE not in page
    assert input_value(page, "token") == token
    assert not Comment.objects.exists()
