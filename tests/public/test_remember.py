"""'Save my name, email, and website in this browser': a signed cookie, only when asked."""

import re

import pytest
from django.test import Client

from comments.public.session import REMEMBER_COOKIE
from tests.factories import post_url

pytestmark = pytest.mark.django_db


def checkbox(html):
    start = html.index('name="remember"')
    return html[html.rindex("<", 0, start) : html.index(">", start) + 1]


def test_the_checkbox_is_offered_and_off_by_default(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Save my name, email, and website in this browser for the next time I comment." in html
    assert "checked" not in checkbox(html)


def test_checked_it_keeps_the_details_in_a_signed_httponly_cookie(client, article, comment_data):
    response = client.post(post_url(article), comment_data | {"remember": "on"})
    cookie = response.cookies[REMEMBER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    html = client.get(article.get_absolute_url())
    page = html.content.decode()
    assert 'value="Ada Reader"' in page
    assert 'value="ada.reader@example.com"' in page
    assert 'value="https://example.org/ada"' in page
    assert "checked" in checkbox(page)
    assert "private" in html["Cache-Control"]


def test_unchecked_it_deletes_the_cookie(client, article, comment_data):
    client.post(post_url(article), comment_data | {"remember": "on"})
    response = client.post(post_url(article), comment_data | {"comment": "Second thought."})
    assert response.cookies[REMEMBER_COOKIE].value == ""
    assert response.cookies[REMEMBER_COOKIE]["max-age"] == 0
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Ada Reader"' not in page


def test_a_forged_or_tampered_cookie_is_ignored(article):
    forger = Client()
    forger.cookies[REMEMBER_COOKIE] = '{"name": "Forged", "email": "x@example.com", "url": ""}'
    page = forger.get(article.get_absolute_url()).content.decode()
    assert "Forged" not in page


def test_other_readers_never_see_the_remembered_details(client, article, comment_data):
    client.post(post_url(article), comment_data | {"remember": "on"})
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "ada.reader@example.com" not in page


def test_no_other_cookie_for_an_anonymous_reader(article, comment_data):
    reader = Client()
    reader.get(article.get_absolute_url())
    reader.post(post_url(article), comment_data)
    assert set(reader.cookies) <= {"csrftoken", "sessionid"}
    assert re.match(r"^\w+$", reader.cookies["sessionid"].value)
