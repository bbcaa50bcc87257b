"""The remember-me cookie is kept as sent by every client: its value is what signing.dumps
makes (URL-safe base64, "." and ":"), never quoted JSON with backslash escapes, which RFC 6265
leaves out of cookie values and Python's cookie jar, for one, breaks. A cookie of the old
form is still read, once, and written again in the new one."""

import email.message
import http.cookiejar
import http.cookies
import json
import re
import urllib.request
from html import escape

import pytest
from django.core import signing
from django.test import Client

from comments.public.session import REMEMBER_COOKIE, REMEMBER_MAX_AGE, REMEMBER_SALT
from tests.factories import form_token, post_url

pytestmark = pytest.mark.django_db

# RFC 6265's cookie-octet: printable US-ASCII but for space, '"', ',', ';' and '\'.
COOKIE_OCTETS = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
DETAILS = {
    "name": 'Zoë "Z" O\'Neill, Jr.; \\ the second',
    "email": "zoe.oneill@example.com",
    "url": "https://example.org/zoë?a=1,2;b=\\",
}


def remembering_post(client, article, details=DETAILS, text="Remember me, please."):
    data = {
        "name": details["name"],
        "email": details["email"],
        "url": details["url"],
        "comment": text,
        "token": form_token(article),
        "remember": "on",
    }
    response = client.post(post_url(article), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def prefilled(page, details=DETAILS):
    return all(f'value="{escape(value)}"' in page for value in details.values())


def old_form(details=DETAILS):
    """The cookie's value as set_signed_cookie of JSON wrote it before."""
    signer = signing.get_cookie_signer(salt=REMEMBER_COOKIE + REMEMBER_SALT)
    return signer.sign(json.dumps(details))


def test_the_value_is_cookie_safe_and_the_header_unquoted(client, article):
    response = remembering_post(client, article)
    cookie = response.cookies[REMEMBER_COOKIE]
    assert COOKIE_OCTETS.fullmatch(cookie.value), cookie.value
    assert re.fullmatch(r"[A-Za-z0-9_\-.:]+", cookie.value)
    header = cookie.OutputString()
    assert header.startswith(f"{REMEMBER_COOKIE}={cookie.value};")
    assert signing.loads(cookie.value, salt=REMEMBER_SALT, max_age=REMEMBER_MAX_AGE) == DETAILS


def test_the_value_round_trips_through_simplecookie_and_cookiejar(client, article):
    response = remembering_post(client, article)
    header = response.cookies[REMEMBER_COOKIE].OutputString()
    sent = response.cookies[REMEMBER_COOKIE].value

    parsed = http.cookies.SimpleCookie()
    parsed.load(header)
    assert parsed[REMEMBER_COOKIE].value == sent

    jar = http.cookiejar.CookieJar()
    request = urllib.request.Request("http://testserver/comments/post/")
    headers = email.message.Message()
    headers["Set-Cookie"] = header

    class Answer:
        def info(self):
            return headers

    jar.extract_cookies(Answer(), request)
    [kept] = list(jar)
    assert kept.value == sent

    # The browser sends back what its jar kept: the form is filled in from it.
    reader = Client()
    reader.cookies[REMEMBER_COOKIE] = kept.value
    page = reader.get(article.get_absolute_url()).content.decode()
    assert prefilled(page)
    assert "private" in reader.get(article.get_absolute_url())["Cache-Control"]


def test_the_old_form_was_not_cookie_safe():
    """Why the value changed: the old one needs quoting, and Python's jar breaks it."""
    response_cookie = http.cookies.SimpleCookie()
    response_cookie[REMEMBER_COOKIE] = old_form()
    header = response_cookie[REMEMBER_COOKIE].OutputString()
    assert '="' in header and "\\" in header  # quoted, with backslash escapes
    assert not COOKIE_OCTETS.fullmatch(old_form())


def test_a_cookie_of_the_old_form_is_read_and_written_anew(article):
    reader = Client()
    reader.cookies[REMEMBER_COOKIE] = old_form()
    response = reader.get(article.get_absolute_url())
    assert prefilled(response.content.decode())
    assert "private" in response["Cache-Control"]
    renewed = response.cookies[REMEMBER_COOKIE]
    assert COOKIE_OCTETS.fullmatch(renewed.value) and renewed.value
    assert renewed["max-age"] == REMEMBER_MAX_AGE
    assert renewed["httponly"] and renewed["samesite"] == "Lax"
    assert signing.loads(renewed.value, salt=REMEMBER_SALT) == DETAILS
    # The next page reads the new form and writes nothing.
    again = reader.get(article.get_absolute_url())
    assert prefilled(again.content.decode())
    assert REMEMBER_COOKIE not in again.cookies


def test_a_post_from_an_old_form_cookie_sets_the_new_one(client, article):
    client.cookies[REMEMBER_COOKIE] = old_form()
    response = remembering_post(client, article, text="A second comment.")
    assert signing.loads(response.cookies[REMEMBER_COOKIE].value, salt=REMEMBER_SALT) == DETAILS


def test_an_old_form_cookie_unticked_is_deleted_not_rewritten(client, article):
    client.cookies[REMEMBER_COOKIE] = old_form()
    data = {
        "name": "Bo",
        "email": "bo@example.com",
        "comment": "Forget me.",
        "token": form_token(article),
    }
    response = client.post(post_url(article), data)
    assert response.cookies[REMEMBER_COOKIE].value == ""
    assert response.cookies[REMEMBER_COOKIE]["max-age"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        signing.dumps(DETAILS, salt="another.salt", compress=True),
        signing.dumps(["not", "a", "dict"], salt=REMEMBER_SALT),
        "." + "A" * 40 + ":1abc:xyz",
    ],
)
def test_a_forged_or_foreign_value_is_ignored(article, value):
    reader = Client()
    reader.cookies[REMEMBER_COOKIE] = value
    response = reader.get(article.get_absolute_url())
    assert not prefilled(response.content.decode())
    assert REMEMBER_COOKIE not in response.cookies


def test_a_tampered_new_form_is_ignored(client, article):
    value = remembering_post(client, article).cookies[REMEMBER_COOKIE].value
    payload, stamp, signature = value.rsplit(":", 2)
    forged = f"{payload}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    reader = Client()
    reader.cookies[REMEMBER_COOKIE] = forged
    assert not prefilled(reader.get(article.get_absolute_url()).content.decode())


def test_every_cookie_a_poster_gets_is_cookie_safe(article):
    """The app's cookies (remember-me) and Django's (session, CSRF), on the pages and the
    post a reader meets."""
    reader = Client()
    seen = {}
    for response in (
        reader.get(article.get_absolute_url()),
        remembering_post(reader, article),
        reader.get(article.get_absolute_url()),
    ):
        for name, morsel in response.cookies.items():
            seen[name] = morsel.value
            assert COOKIE_OCTETS.fullmatch(morsel.value), (name, morsel.value)
            assert '"' not in morsel.OutputString()
    assert {REMEMBER_COOKIE, "sessionid", "csrftoken"} <= set(seen)
