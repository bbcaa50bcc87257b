"""Flood control: one comment per client IP and per normalised email every
COMMENTS_FLOOD_SECONDS, counted in the shared cache so that every app server sees the same
counts; staff exempt; a cache outage holds comments for an editor instead of failing.

The first part runs in-process, against the local-memory cache (and a Redis that isn't
there); the last part starts two real app servers that share the real Redis (and then two
that don't) and posts to each, as a reader behind a load balancer would.
"""

import html
import pickle
import re
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.test import Client, override_settings

from comments.models import Comment, DiscussionSettings
from comments.public import throttle
from comments.public.views import DUPLICATE_MESSAGE, FLOOD_MESSAGE
from tests import factories
from tests.factories import post_url
from tests.processes import REDIS_URL, Browser, input_value, logs

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation."


@pytest.fixture(autouse=True)
def flood_control_on(settings):
    """conftest.py turns flood control off for the rest of the suite; here it is on, at its
    default of 15 seconds."""
    settings.COMMENTS_FLOOD_SECONDS = 15


def as_reader(data, name, email, text):
    """`data` (a valid post) as another reader's comment."""
    return data | {"name": name, "email": email, "comment": text}


def post(client, article, data, ip="192.0.2.1", **extra):
    return client.post(post_url(article), data, REMOTE_ADDR=ip, **extra)


def textarea_value(page):
    match = re.search(r'<textarea[^>]*\bname="comment"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no comment box on the page"
    return html.unescape(match[1]).removeprefix("\r\n").removeprefix("\n")


def assert_refused(response, text):
    """HTTP 429, the article page with the flood message and the reader's text kept."""
    page = response.content.decode()
    assert response.status_code == 429, response.status_code
    assert FLOOD_MESSAGE in page
    assert textarea_value(page) == text
    assert "<title>Error: " in page


def flood_entries():
    """Flood control's entries as the cache stores them: full key -> (value, seconds left),
    read from the backend itself (local memory, or Redis when the suite runs on it). The
    cache also holds rendered threads, which are not flood control's."""
    store = caches["default"]
    if isinstance(store, LocMemCache):
        return {
            key: (pickle.loads(value), store._expire_info[key] - time.time())  # noqa: S301
            for key, value in store._cache.items()
            if ":throttle:" in key
        }
    client = store._cache.get_client()
    return {
        key.decode(): (store._cache._serializer.loads(client.get(key)), client.ttl(key))
        for key in client.scan_iter(match=f"{store.key_prefix}:*:throttle:*")
    }


# --------------------------------------------------------------------------------------------
# Per IP, per email, and the window


def test_a_second_comment_from_the_same_address_is_refused_and_kept(client, article, comment_data):
    """Two readers (different emails and text) behind one IP within the window: the second
    gets 429, the message and its text back, and only the first is saved."""
    assert post(client, article, comment_data).status_code == 302
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Bob's own, different view.")
    response = post(Client(), article, bob)
    assert_refused(response, bob["comment"])
    page = response.content.decode()
    assert input_value(page, "name") == "Bob"
    assert input_value(page, "email") == "bob@example.com"
    assert list(Comment.objects.values_list("author_email", flat=True)) == [comment_data["email"]]


def test_the_same_email_from_another_address_is_refused(client, article, comment_data):
    """The email counts on its own, normalised: the same reader from another network (and
    with the address in capitals) is refused too."""
    assert post(client, article, comment_data, ip="192.0.2.1").status_code == 302
    again = comment_data | {"email": "ADA.Reader@EXAMPLE.com", "comment": "And another thing."}
    assert_refused(post(client, article, again, ip="198.51.100.9"), again["comment"])
    assert Comment.objects.count() == 1


def test_another_address_and_another_email_are_someone_else(client, article, comment_data):
    """Flood control limits a person, not the site: a different IP with a different email
    posts at once."""
    assert post(client, article, comment_data, ip="192.0.2.1").status_code == 302
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Meanwhile, elsewhere.")
    assert post(Client(), article, bob, ip="198.51.100.9").status_code == 302
    assert Comment.objects.count() == 2


def test_after_the_window_the_refused_form_posts_as_it_was_kept(client, article, comment_data):
    """Once the window has passed, sending the re-shown form back unchanged (its token too)
    posts it: being refused costs the reader nothing but the wait."""
    DiscussionSettings(flood_seconds=1).save()
    assert post(client, article, comment_data).status_code == 302
    started = time.monotonic()
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Bob, a little later.")
    refused = post(Client(), article, bob)
    assert_refused(refused, bob["comment"])

    time.sleep(max(0, 1.1 - (time.monotonic() - started)))
    page = refused.content.decode()
    kept = {field: input_value(page, field) for field in ("name", "email", "url", "token")}
    response = post(Client(), article, kept | {"comment": textarea_value(page)})
    assert response.status_code == 302
    assert Comment.objects.filter(author_email="bob@example.com").get().body_raw == bob["comment"]


def test_a_refused_post_does_not_lengthen_the_wait(client, article, comment_data):
    """The wait runs from the accepted comment: trying again during it doesn't restart it.
    With a 1 s window, times counted from when the first post's answer came back (its claim
    was made before that): refused at 0.3, accepted at 1.15, before 0.3 + 1."""
    DiscussionSettings(flood_seconds=1).save()
    assert post(client, article, comment_data | {"comment": "First."}).status_code == 302
    start = time.monotonic()

    def at(seconds, text):
        time.sleep(max(0, seconds - (time.monotonic() - start)))
        return post(client, article, comment_data | {"comment": text})

    assert_refused(at(0.3, "Second, too soon."), "Second, too soon.")
    assert at(1.15, "Third, in good time.").status_code == 302
    assert Comment.objects.count() == 2


def test_a_refused_post_claims_nothing(client, article, comment_data):
    """Refused for its IP, a post doesn't keep its email's slot: the same reader, from an
    address that hasn't posted, is accepted at once."""
    assert post(client, article, comment_data, ip="192.0.2.1").status_code == 302
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Bob speaks.")
    assert_refused(post(Client(), article, bob, ip="192.0.2.1"), bob["comment"])
    assert post(Client(), article, bob, ip="198.51.100.9").status_code == 302
    assert Comment.objects.count() == 2


# --------------------------------------------------------------------------------------------
# Duplicates


def test_a_double_click_is_called_a_duplicate_not_too_quick(client, article, comment_data):
    """The same comment twice (a double click): 409 "Duplicate comment", not 429, because the
    duplicate check runs first; one comment."""
    assert post(client, article, comment_data).status_code == 302
    response = post(client, article, comment_data)
    page = response.content.decode()
    assert response.status_code == 409
    assert DUPLICATE_MESSAGE in html.unescape(page)
    assert FLOOD_MESSAGE not in page
    assert textarea_value(page) == comment_data["comment"]
    assert Comment.objects.count() == 1


def test_a_duplicate_does_not_use_up_the_wait(client, article, comment_data):
    """A reader who repeats a comment already on file (409) can post something new at once:
    the refused duplicate took no slot."""
    factories.make_comment(
        article,
        author_name=comment_data["name"],
        author_email=comment_data["email"],
        body=comment_data["comment"],
    )
    assert post(client, article, comment_data).status_code == 409
    assert flood_entries() == {}
    new = comment_data | {"comment": "Something new, this time."}
    assert post(client, article, new).status_code == 302
    assert Comment.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_found_only_on_saving_gives_its_claim_back(settings):
    """The twin that commits between the duplicate check and the save (two servers, one
    reader): the database refuses the second (409) after flood control claimed its keys, and
    the claim is let go, so the reader's next, different comment is not called too quick.

    The twin is written in another connection's open transaction, committed a second later,
    so the post passes the duplicate check, claims, and waits on the twin's row lock."""
    article = factories.make_article()
    data = {
        "name": "Ada Reader",
        "email": "ada@example.com",
        "comment": "Said on two servers at once.",
        "token": factories.form_token(article),
    }
    inserted, errors = threading.Event(), []

    def twin():
        try:
            with transaction.atomic():
                factories.make_comment(
                    article,
                    author_name=data["name"],
                    author_email=data["email"],
                    body=data["comment"],
                    status=Comment.Status.PENDING,
                )
                inserted.set()
                time.sleep(1)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
            inserted.set()
        finally:
            connection.close()

    thread = threading.Thread(target=twin)
    thread.start()
    assert inserted.wait(10)
    client = Client()
    started = time.monotonic()
    response = post(client, article, data)
    waited = time.monotonic() - started
    thread.join(10)
    assert not errors, errors

    assert response.status_code == 409, response.status_code
    assert DUPLICATE_MESSAGE in html.unescape(response.content.decode())
    assert waited > 0.5, "the post did not reach the save while the twin was uncommitted"
    assert flood_entries() == {}
    response = post(client, article, data | {"comment": "A new thought, at once."})
    assert response.status_code == 302
    assert Comment.objects.count() == 2


# --------------------------------------------------------------------------------------------
# Who and what is exempt; the settings


def test_staff_are_exempt_and_take_no_slot(editor_client, article, comment_data):
    """Editors answer readers in quick succession; their posts neither are refused nor use up
    the office IP's slot for a reader behind it."""
    for n in range(3):
        response = post(editor_client, article, comment_data | {"comment": f"Editor note {n}."})
        assert response.status_code == 302
    assert flood_entries() == {}
    bob = as_reader(comment_data, "Bob", "bob@example.com", "A reader in the same office.")
    assert post(Client(), article, bob).status_code == 302
    assert Comment.objects.count() == 4


def test_preview_never_counts(client, article, comment_data):
    """Previews, before and after a comment, are never refused and claim nothing; the post
    after previews is accepted."""
    preview = comment_data | {"preview": "1"}
    for _ in range(2):
        response = post(client, article, preview)
        assert response.status_code == 200
        assert 'id="comment-preview"' in response.content.decode()
    assert flood_entries() == {}
    assert post(client, article, comment_data).status_code == 302
    response = post(client, article, preview | {"comment": "Previewing my next one."})
    assert response.status_code == 200
    assert 'id="comment-preview"' in response.content.decode()
    assert FLOOD_MESSAGE not in response.content.decode()
    assert Comment.objects.count() == 1


def test_zero_seconds_turns_flood_control_off(client, article, comment_data, settings):
    """COMMENTS_FLOOD_SECONDS = 0: the same reader posts twice at once, nothing is counted."""
    settings.COMMENTS_FLOOD_SECONDS = 0
    assert post(client, article, comment_data).status_code == 302
    assert post(client, article, comment_data | {"comment": "Again."}).status_code == 302
    assert Comment.objects.count() == 2
    assert flood_entries() == {}


def test_the_admin_setting_zero_wins_over_the_environment(client, article, comment_data):
    """Discussion settings say 0 while the environment says 15: off."""
    DiscussionSettings(flood_seconds=0).save()
    assert post(client, article, comment_data).status_code == 302
    assert post(client, article, comment_data | {"comment": "Again."}).status_code == 302
    assert Comment.objects.count() == 2


def test_the_admin_setting_wins_and_sets_the_wait(client, article, comment_data, settings):
    """Discussion settings say 60 while the environment says 0: on, for 60 seconds."""
    settings.COMMENTS_FLOOD_SECONDS = 0
    DiscussionSettings(flood_seconds=60).save()
    assert post(client, article, comment_data).status_code == 302
    assert_refused(post(client, article, comment_data | {"comment": "Again."}), "Again.")
    assert Comment.objects.count() == 1
    left = [seconds for _, seconds in flood_entries().values()]
    assert left and all(55 < seconds <= 60 for seconds in left)


def test_a_blank_admin_setting_follows_the_environment(client, article, comment_data):
    """A saved Discussion settings row with flood seconds blank: the environment's 15."""
    DiscussionSettings(flood_seconds=None, max_links=5).save()
    assert post(client, article, comment_data).status_code == 302
    assert_refused(post(client, article, comment_data | {"comment": "Again."}), "Again.")


# --------------------------------------------------------------------------------------------
# The client's address: X-Forwarded-For


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(
    client, article, comment_data, settings
):
    """With no trusted proxy, X-Forwarded-For is the client's own words: changing it (and
    the email) between posts doesn't make a second reader."""
    settings.COMMENTS_TRUSTED_PROXIES = []
    first = post(client, article, comment_data, ip="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert first.status_code == 302
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Not Ada, honestly.")
    response = post(Client(), article, bob, ip="203.0.113.7", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert_refused(response, bob["comment"])
    assert Comment.objects.get().ip_address == "203.0.113.7"


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted(article, comment_data, settings):
    """Behind a trusted proxy (every request from 127.0.0.1), readers are told apart by the
    address the proxy forwards: two clients post, the first again is refused, and a client
    that writes a fake address in front of its own is still itself."""
    settings.COMMENTS_TRUSTED_PROXIES = ["127.0.0.0/8"]

    def via_proxy(forwarded, email, text):
        data = as_reader(comment_data, email.split("@")[0], email, text)
        return post(Client(), article, data, ip="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert via_proxy("198.51.100.1", "ann@example.com", "Ann's comment.").status_code == 302
    assert via_proxy("198.51.100.2", "bob@example.com", "Bob's comment.").status_code == 302
    assert_refused(via_proxy("198.51.100.1", "cy@example.com", "Ann again."), "Ann again.")
    spoof = via_proxy("192.0.2.99, 198.51.100.1", "di@example.com", "Ann, disguised.")
    assert_refused(spoof, "Ann, disguised.")
    assert sorted(Comment.objects.values_list("ip_address", flat=True)) == [
        "198.51.100.1",
        "198.51.100.2",
    ]


# --------------------------------------------------------------------------------------------
# What the cache holds


def test_the_cache_holds_neither_the_email_nor_the_address(client, article, comment_data):
    """The keys are HMACs (under SECRET_KEY) of the normalised email and the IP, and the
    values a bare 1: nothing in the cache reads back as who posted."""
    data = comment_data | {"email": "Ada.Reader@Example.com"}
    assert post(client, article, data, ip="203.0.113.7").status_code == 302
    store = flood_entries()
    keys = throttle.flood_keys("203.0.113.7", "ada.reader@example.com")
    assert set(store) == {cache.make_key(key) for key in keys}
    everything = " ".join(store).lower() + repr(list(store.values())).lower()
    for clear in ("ada.", "reader", "example", "@", "203.0.113.7", "113.7"):
        assert clear not in everything
    assert all(value == 1 for value, _ in store.values())
    with override_settings(SECRET_KEY="another site's key"):
        assert throttle.flood_keys("203.0.113.7", "ada.reader@example.com") != keys


# --------------------------------------------------------------------------------------------
# Redis down


def test_with_redis_down_comments_are_kept_but_held(
    client, article, comment_data, dead_redis, caplog
):
    """Flood control can't be checked: no error page and no 429; each comment is saved and
    held for an editor by the rule "flood control", even a known author's (who would be
    published at once), and the outage is logged."""
    factories.make_comment(
        article, author_name=comment_data["name"], author_email=comment_data["email"]
    )
    bob = as_reader(comment_data, "Bob", "bob@example.com", "Bob, right after.")
    for data in (comment_data, bob):
        started = time.monotonic()
        response = post(client, article, data)
        assert response.status_code == 302, response.status_code
        assert time.monotonic() - started < 3
        comment = Comment.objects.get(author_email=data["email"], body_raw=data["comment"])
        assert comment.status == Comment.Status.PENDING
        event = comment.events.get()
        assert (event.rule, event.to_status) == ("flood control", "pending")
        assert "cache did not answer" in event.reason

    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert page.content.decode().count(AWAITING) == 2
    assert any("The cache did not answer" in message for message in caplog.messages)


def test_with_redis_down_a_bots_comment_is_still_spam(client, article, comment_data, dead_redis):
    """The outage holds comments for an editor, but the honeypot still sends a bot's to
    spam: failing open is not a way round the other defences."""
    assert post(client, article, comment_data | {"hp": "http://bot.example"}).status_code == 302
    assert Comment.objects.get().status == Comment.Status.SPAM


# --------------------------------------------------------------------------------------------
# Two app servers, one Redis

# The servers, the Redis they share and a reader's browser: tests/processes.py (AppServer,
# Browser) and the fixtures app_servers and redis_prefix of tests/conftest.py.


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_sharing_redis_refuse_the_second_comment(app_servers, redis_prefix):
    """The acceptance test: a reader's first comment goes to server A, the next one (same
    email, within the window) to server B, which refuses it (429, text kept) because both
    count in the same Redis; one comment in the database; and what Redis holds are the HMAC
    keys of the address and email, expiring within the window."""
    prefix, redis_client = redis_prefix
    article = factories.make_article()
    shared = {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    a, b = app_servers(shared, shared)
    browser = Browser()
    email = "Ada.Reader@Example.com"

    status, page = browser.post_comment(a, article, name="Ada", email=email, comment="First.")
    assert status == 302, f"{status}\n{page[:2000]}\n{logs(a, b)}"
    text = "Second, from another server."
    status, page = browser.post_comment(b, article, name="Ada", email=email, comment=text)
    assert status == 429, f"{status}\n{logs(a, b)}"
    assert FLOOD_MESSAGE in page
    assert textarea_value(page) == text
    assert list(Comment.objects.values_list("body_raw", flat=True)) == ["First."]

    stored = {key.decode() for key in redis_client.scan_iter(match=f"{prefix}:1:throttle:*")}
    expected = throttle.flood_keys("127.0.0.1", "ada.reader@example.com")
    assert stored == {f"{prefix}:1:{key}" for key in expected}
    assert all(0 < redis_client.ttl(key) <= 15 for key in stored)
    assert all(redis_client.get(key) == b"1" for key in stored)


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_each_with_its_own_memory_do_not_share_counts(app_servers):
    """The control: without Redis, each server counts in its own memory. Server A refuses
    the reader's second comment, but server B, which never saw the first, accepts one: the
    shared Redis is what makes flood control hold behind a load balancer."""
    article = factories.make_article()
    a, b = app_servers({}, {})
    browser = Browser()
    email = "ada@example.com"

    status, _ = browser.post_comment(a, article, name="Ada", email=email, comment="First.")
    assert status == 302, logs(a, b)
    status, page = browser.post_comment(a, article, name="Ada", email=email, comment="Again.")
    assert status == 429, logs(a, b)
    assert FLOOD_MESSAGE in page
    status, _ = browser.post_comment(b, article, name="Ada", email=email, comment="Elsewhere.")
    assert status == 302, logs(a, b)
    assert sorted(Comment.objects.values_list("body_raw", flat=True)) == ["Elsewhere.", "First."]
