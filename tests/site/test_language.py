"""The language switch: a link in every page's header to /language/, a page with one form to
Django's set_language, which works without JavaScript and sends the reader back."""

import re
from datetime import datetime
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_article

from .reading import html_attributes

pytestmark = pytest.mark.django_db

SWITCH = re.compile(r'<a class="language-switch[^"]*" rel="nofollow" href="([^"]*)">([^<]*)</a>')
BUTTON = re.compile(r"<button [^>]*>[^<]*</button>")


def switch_of(page):
    """(href, text) of the page's link to the language switch."""
    found = SWITCH.findall(page)
    assert len(found) == 1, found
    href, text = found[0]
    return unescape(href), unescape(text)


def test_every_page_links_the_switch_back_to_itself(client, article):
    for url in ("/", article.get_absolute_url(), "/no-such-page/"):
        href, text = switch_of(client.get(url).content.decode())
        assert href == f"/language/?next={url}"
        assert text == "Language: English"


def test_the_link_carries_no_query_string_of_the_request(client, article):
    """The page's address only: a stored whole page is the same for every request sharing
    it, and nothing a request adds (?utm_source=…) is written into the page."""
    href, _ = switch_of(client.get(f"{article.get_absolute_url()}?utm_source=x").content.decode())
    assert href == f"/language/?next={article.get_absolute_url()}"


def test_the_switch_page_has_one_form_with_a_button_per_language(client, article):
    response = client.get(f"/language/?next={article.get_absolute_url()}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # it holds this reader's CSRF token
    page = response.content.decode()
    assert page.count("<form") == 1
    assert '<form class="language-choice mb-4" action="/i18n/setlang/" method="post">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'<input type="hidden" name="next" value="{article.get_absolute_url()}">' in page
    buttons = BUTTON.findall(page)
    assert buttons == [
        '<button type="submit" name="language" value="en" lang="en" dir="ltr" '
        'class="btn btn-primary" aria-current="true">English</button>',
        '<button type="submit" name="language" value="fr" lang="fr" dir="ltr" '
        'class="btn btn-outline-primary">Français</button>',
        '<button type="submit" name="language" value="ar" lang="ar" dir="rtl" '
        'class="btn btn-outline-primary">العربية</button>',
    ]
    assert '<meta name="robots" content="noindex">' in page
    # Its own header link leads back to the same choice, for the same page.
    assert switch_of(page)[0] == f"/language/?next={article.get_absolute_url()}"


@pytest.mark.parametrize(
    "next_url",
    ["https://elsewhere.example/", "//elsewhere.example/page", "javascript:alert(1)", ""],
)
def test_the_page_sends_readers_back_to_this_site_only(client, next_url):
    page = client.get("/language/", {"next": next_url}).content.decode()
    assert '<input type="hidden" name="next" value="/">' in page
    assert "elsewhere" not in page and "javascript:" not in page


def test_switching_to_french_without_javascript(article_in_march):
    """What a reader does with no script: follow the header's link, press "Français", land
    back on the article, now in French (html lang, the date in French from Django's
    own catalogs), and it stays French."""
    reader = Client(enforce_csrf_checks=True)
    url = article_in_march.get_absolute_url()
    page = reader.get(url).content.decode()
    href, _ = switch_of(page)
    choice = reader.get(href).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', choice).group(1)
    next_url = re.search(r'name="next" value="([^"]+)"', choice).group(1)
    response = reader.post(
        "/i18n/setlang/",
        {"csrfmiddlewaretoken": token, "next": next_url, "language": "fr"},
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    assert reader.cookies["django_language"].value == "fr"
    assert response["Content-Language"] == "fr"
    page = response.content.decode()
    assert html_attributes(page) == {"lang": "fr", "dir": "ltr"}
    assert "15 mars 2026" in page  # DATETIME_FORMAT in French, Django's month names
    # And the next page too.
    assert reader.get("/")["Content-Language"] == "fr"


def test_switching_to_arabic_turns_the_page_right_to_left(client, article):
    client.post("/i18n/setlang/", {"language": "ar", "next": article.get_absolute_url()})
    page = client.get(f"{article.get_absolute_url()}?utm=ar").content.decode()
    assert html_attributes(page) == {"lang": "ar", "dir": "rtl"}
    assert "/static/bootstrap/css/bootstrap.rtl.min.css" in page


def test_an_unknown_language_changes_nothing(client, article):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert "django_language" not in client.cookies
    assert client.get("/")["Content-Language"] == "en"


@pytest.fixture
def article_in_march(db):
    return make_article(
        published_at=datetime(2026, 3, 15, 9, 30, tzinfo=timezone.get_current_timezone())
    )
