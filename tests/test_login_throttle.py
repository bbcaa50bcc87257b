"""The admin's sign-in: slowed, then locked, after repeated wrong passwords.

Counted per account (the username, case-folded) and per client IP, in the real cache (the
conftest clears it around each test). Waiting out a slow-down is done for real once (2 s);
longer waits are simulated by deleting the ":until" keys that hold them, and the end of a
lock or of the counting window by deleting the counters too. Time itself is never mocked.
"""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from comments.public.throttle import cache_key
from newsite import admin_login

from .factories import make_editor

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"
WRONG = "wrong password"
ORDINARY = "Please enter the correct username and password for a staff account."
SLOWED = re.compile(r"Too many failed sign-ins\. Wait (\d+) seconds?, then try again\.")
LOCKED = (
    "Too many failed sign-ins for this account or from this address: sign-in is locked. "
    "Try again in 15 minutes, or ask an administrator."
)
HOME_IP = "127.0.0.1"  # the test client's REMOTE_ADDR


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Dozens of sign-ins per test: hash with MD5 (tests only) rather than 1M PBKDF2
    rounds. The throttle doesn't depend on the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db, fast_password_hashing):
    return make_editor(password=PASSWORD)


def sign_in(username, password, ip=HOME_IP, client=None):
    """POST the admin's sign-in form from `ip`; return the response (never a 500)."""
    client = client or Client()
    response = client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )
    assert response.status_code in (200, 302), response.status_code
    return response


def outcome(response):
    """What the person signing in was told: "in", "ordinary", ("slowed", seconds) or
    "locked"."""
    if response.status_code == 302:
        assert response["Location"] == "/admin/"
        return "in"
    html = response.content.decode()
    assert 'name="password"' in html  # the form again
    if LOCKED in html:
        return "locked"
    slowed = SLOWED.search(html)
    if slowed:
        return ("slowed", int(slowed[1]))
    assert ORDINARY in html, html
    return "ordinary"


def signed_in(client):
    return "_auth_user_id" in client.session


def keys(kind, value):
    key = cache_key(kind, value)
    return key, f"{key}:until"


def end_slowdown(*pairs):
    """Simulate waiting out a slow-down: drop the ":until" keys, keep the failure counts."""
    cache.delete_many([keys(kind, value)[1] for kind, value in pairs])


def end_everything(*pairs):
    """Simulate the lock and the counting window running out: drop counts and waits."""
    cache.delete_many([key for kind, value in pairs for key in keys(kind, value)])


def fail_until_locked(username, ip):
    """Ten counted wrong passwords (waiting out each slow-down), so the account and the
    address are locked."""
    for failure in range(1, admin_login.LOCK_AFTER + 1):
        assert outcome(sign_in(username, WRONG, ip)) == "ordinary"
        if failure < admin_login.LOCK_AFTER:  # the tenth sets the lock: keep it
            end_slowdown(("login-account", username.casefold()), ("login-ip", ip))
    assert outcome(sign_in(username, WRONG, ip)) == "locked"


# --- one account hammered --------------------------------------------------------------------


def test_twenty_wrong_passwords_are_free_then_slowed_then_locked(editor):
    """Guards the whole ladder: five free failures; then each wrong password must wait 2,
    4, 8, 16 s after the last (an attempt within the wait is refused without checking the
    password, the right one included); the tenth failure locks the account for 15
    minutes, during which even the right password is refused."""
    account, address = ("login-account", "editor"), ("login-ip", HOME_IP)
    seen = []
    for attempt in range(1, 21):
        result = outcome(sign_in("editor", WRONG))
        seen.append(result)
        if attempt <= 5:
            assert result == "ordinary", attempt
        elif attempt == 6:
            # The sixth failure is checked and counted; from now on each attempt waits.
            assert result == "ordinary"
            assert outcome(sign_in("editor", WRONG)) == ("slowed", 2)
            assert outcome(sign_in("editor", PASSWORD)) == ("slowed", 2)
            time.sleep(2.05)  # wait it out for real
        elif attempt in (7, 8, 9):
            assert result == "ordinary", attempt
            wait = 2 ** (attempt - 5)
            assert outcome(sign_in("editor", WRONG)) == ("slowed", wait)
            assert outcome(sign_in("editor", PASSWORD)) == ("slowed", wait)
            end_slowdown(account, address)  # as if `wait` seconds had passed
        elif attempt == 10:
            assert result == "ordinary"  # the tenth failure is still checked...
        else:
            assert result == "locked", attempt  # ...and locks everything after it
            end_slowdown()  # nothing to wait out: only the lock's own expiry frees it
    assert seen.count("ordinary") == 10
    assert seen.count("locked") == 10

    locked_out = Client()
    assert outcome(sign_in("editor", PASSWORD, client=locked_out)) == "locked"
    assert not signed_in(locked_out)
    assert User.objects.get(username="editor").last_login is None


def test_hammering_without_waiting_is_slowed_not_checked(editor):
    """Guards: attempts within a slow-down don't count as failures (no password is checked),
    so hammering gains nothing and doesn't hasten the lock; the wait shown shrinks."""
    for _ in range(6):
        assert outcome(sign_in("editor", WRONG)) == "ordinary"
    # Within the 2-second slow-down only (a loaded machine may take longer for 30 tries).
    start, results = time.monotonic(), []
    while len(results) < 30 and time.monotonic() - start < 1:
        results.append(outcome(sign_in("editor", WRONG)))
    assert len(results) >= 3
    assert set(results) <= {("slowed", 2), ("slowed", 1)}
    assert cache.get(keys("login-account", "editor")[0]) == 6


def test_the_username_is_counted_whatever_its_case(editor):
    """Guards: "Editor" and "EDITOR" are the same account to the counter, so changing the
    case doesn't buy fresh attempts."""
    for index in range(admin_login.LOCK_AFTER):
        username = ["editor", "Editor", "EDITOR", "eDiToR"][index % 4]
        ip = f"198.51.100.{index + 1}"  # fresh addresses: only the account is counted
        assert outcome(sign_in(username, WRONG, ip)) == "ordinary"
        if index < admin_login.LOCK_AFTER - 1:
            end_slowdown(("login-account", "editor"))
    assert outcome(sign_in("editor", PASSWORD, "192.0.2.77")) == "locked"


# --- per account, per address ----------------------------------------------------------------


def test_a_locked_account_is_locked_from_every_address(editor):
    """Guards: the count is per account: moving to another address doesn't help."""
    fail_until_locked("editor", HOME_IP)
    elsewhere = Client()
    assert outcome(sign_in("editor", PASSWORD, "198.51.100.20", elsewhere)) == "locked"
    assert not signed_in(elsewhere)


def test_another_account_from_another_address_is_unaffected(editor):
    """Guards: one account's lock doesn't spill over to other people."""
    make_editor("colleague", password="another long passphrase")
    fail_until_locked("editor", HOME_IP)
    other = Client()
    response = sign_in("colleague", "another long passphrase", "198.51.100.20", other)
    assert outcome(response) == "in"
    assert signed_in(other)


def test_many_accounts_from_one_address_lock_the_address(editor):
    """Guards: spraying passwords over many usernames from one address locks that address
    (for every account, real ones with the right password included), and only it."""
    sprayer = "203.0.113.50"
    for index in range(admin_login.LOCK_AFTER):
        assert outcome(sign_in(f"user{index}", WRONG, sprayer)) == "ordinary"
        if index < admin_login.LOCK_AFTER - 1:
            end_slowdown(("login-ip", sprayer))
    assert outcome(sign_in("user99", WRONG, sprayer)) == "locked"
    there = Client()
    assert outcome(sign_in("editor", PASSWORD, sprayer, there)) == "locked"
    assert not signed_in(there)
    # The accounts themselves were tried once each: from elsewhere they are free.
    elsewhere = Client()
    assert outcome(sign_in("editor", PASSWORD, "198.51.100.20", elsewhere)) == "in"
    assert signed_in(elsewhere)


# --- clearing and expiry ---------------------------------------------------------------------


def test_a_correct_password_clears_the_accounts_count(editor):
    """Guards: a person who mistypes a few times and then gets in starts afresh: after
    signing in, five more failures are free again (without the reset the third would
    already be slowed)."""
    for _ in range(4):
        assert outcome(sign_in("editor", WRONG)) == "ordinary"
    assert cache.get(keys("login-account", "editor")[0]) == 4
    assert outcome(sign_in("editor", PASSWORD)) == "in"
    assert cache.get(keys("login-account", "editor")[0]) is None
    # From another address (this one's own count isn't cleared by design).
    for attempt in range(6):
        assert outcome(sign_in("editor", WRONG, "198.51.100.30")) == "ordinary", attempt
    assert outcome(sign_in("editor", WRONG, "198.51.100.30")) == ("slowed", 2)


def test_nothing_locks_an_account_forever(editor):
    """Guards: the lock lasts 15 minutes from the tenth failure, refused attempts during it
    don't extend it, and once it (and the counting window) has run out, the right password
    signs in again."""
    fail_until_locked("editor", HOME_IP)
    account, address = ("login-account", "editor"), ("login-ip", HOME_IP)
    until = cache.get(keys(*account)[1])
    remaining = until - time.time()
    assert admin_login.LOCK_SECONDS - 60 < remaining <= admin_login.LOCK_SECONDS
    for password in (WRONG, PASSWORD, WRONG):
        assert outcome(sign_in("editor", password)) == "locked"
    assert cache.get(keys(*account)[1]) == until  # not extended
    assert cache.get(keys(*address)[1]) <= until

    end_everything(account, address)  # as if 15 minutes had passed
    client = Client()
    assert outcome(sign_in("editor", PASSWORD, client=client)) == "in"
    assert signed_in(client)


def test_the_keys_hold_no_username_or_address_in_clear(editor):
    """Guards: the counters are keyed by an HMAC, so the cache never holds who tried."""
    sign_in("editor", WRONG, "198.51.100.40")
    account_key, _ = keys("login-account", "editor")
    ip_key, _ = keys("login-ip", "198.51.100.40")
    assert cache.get(account_key) == 1 and cache.get(ip_key) == 1
    assert "editor" not in account_key and "198.51.100.40" not in ip_key


# --- no 500s ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "editor"},
        {"password": WRONG},
        {"username": "", "password": ""},
        {"username": "x" * 10_000, "password": WRONG},
        {"username": "ÉDITOR\u0130", "password": WRONG},
    ],
    ids=["empty", "no-password", "no-username", "blanks", "huge-username", "unicode"],
)
def test_odd_sign_ins_are_refused_not_a_server_error(editor, data):
    """Guards: whatever is posted, the answer is the form again (never a 500), and an
    incomplete form isn't counted as a failure."""
    response = Client().post(LOGIN, data | {"next": "/admin/"})
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    if not (data.get("username") and data.get("password")):
        assert cache.get(keys("login-ip", HOME_IP)[0]) is None


def test_a_locked_sign_in_is_still_not_a_server_error_under_load(editor):
    """Guards: a long burst against a locked account and address gets the lock message
    every time, never a 500, and never signs in."""
    fail_until_locked("editor", HOME_IP)
    for password in [WRONG] * 15 + [PASSWORD] * 5:
        assert outcome(sign_in("editor", password)) == "locked"


# --- the cache down --------------------------------------------------------------------------


DEAD_CACHE = {
    "default": {
        "BACKEND": "newsite.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # a real Redis client; nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}


def test_with_the_cache_down_sign_in_fails_open(editor):
    """Guards: if the shared cache doesn't answer, editors can still sign in (and a wrong
    password is still just wrong): the throttle never locks everyone out."""
    with override_settings(CACHES=DEAD_CACHE):  # restored before the conftest clears it
        for _ in range(12):
            assert outcome(sign_in("editor", WRONG)) == "ordinary"
        client = Client()
        assert outcome(sign_in("editor", PASSWORD, client=client)) == "in"
        assert signed_in(client)
