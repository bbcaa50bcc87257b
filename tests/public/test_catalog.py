"""The scripts' words in the reader's language (comments.public.catalog): Django's JavaScript
catalog of the app's djangojs domain at comments/jsi18n/<lang>/ for this site's pages (and the
admin's queue), and as JSON at comments/jsi18n/<lang>/json/ for the embed, which the embedding
sites (COMMENTS_EMBED_ORIGINS) may read. One address per language, cached by browsers and
proxies; a language the site does not ship is a 404.

The French and Arabic words come from the shipped catalogs (comments/locale/<lang>/
LC_MESSAGES/djangojs.po, compiled): "Leave a Reply" is the embed form's heading, so every
catalog has it.
"""

import json
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from comments.public.catalog import MAX_AGE, catalog_version

pytestmark = pytest.mark.django_db

LISTED = "https://news.example"
STRANGER = "https://copycat.example"
# A message of embed.js (and so of every language's djangojs catalog) and one with a count.
MESSAGE = "Leave a Reply"
COUNTED = "Recommend this comment by %(name)s, %(count)s recommendation"


@pytest.fixture(autouse=True)
def embedding_site(settings):
    settings.COMMENTS_EMBED_ORIGINS = [LISTED]


def script_url(language):
    return reverse("comments:jsi18n", kwargs={"lang": language})


def versioned(url):
    """A catalog's address as pages write it: with the compiled catalogs' version."""
    return f"{url}?v={catalog_version()}"


def json_url(language):
    return reverse("comments:jsi18n_json", kwargs={"lang": language})


def test_the_addresses_carry_the_language():
    assert script_url("fr") == "/comments/jsi18n/fr/"
    assert json_url("ar") == "/comments/jsi18n/ar/json/"


def test_the_french_catalog_is_a_script_with_french_words(client):
    french = client.get(json_url("fr")).json()["catalog"][MESSAGE]
    assert french and french != MESSAGE

    response = client.get(script_url("fr"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Language"] == "fr"
    script = response.content.decode()
    # Django's catalog script: it defines gettext and friends, and holds the French words
    # (json.dumps escapes what is not ASCII).
    assert "django.gettext = function" in script
    assert f"{json.dumps(MESSAGE)}: {json.dumps(french)}" in script


def test_the_catalog_is_the_addressed_language_whatever_the_reader_asked_for(client):
    response = client.get(script_url("fr"), HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Content-Language"] == "fr"
    arabic = client.get(json_url("ar")).json()["catalog"][MESSAGE]
    assert json.dumps(arabic) not in response.content.decode()


def test_the_english_catalog_is_empty_but_answers(client):
    """English is the scripts' own language: nothing to translate, gettext all the same."""
    response = client.get(script_url("en"))
    assert response.status_code == 200
    assert "django.gettext = function" in response.content.decode()
    assert MESSAGE not in response.content.decode()


@pytest.mark.parametrize("language", ["de", "xx", "fr-ca", "EN"])
def test_a_language_the_site_does_not_ship_is_not_found(client, language):
    assert client.get(script_url(language)).status_code == 404
    response = client.get(json_url(language), HTTP_ORIGIN=LISTED)
    assert response.status_code == 404
    # The embed reads which languages there are, and asks for the next one it wants.
    assert response.json()["languages"] == ["en", "fr", "ar"]
    assert response["Access-Control-Allow-Origin"] == LISTED


@pytest.mark.parametrize("url", [script_url("fr"), json_url("fr")])
def test_browsers_and_proxies_may_keep_a_catalog(client, url):
    response = client.get(url)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={MAX_AGE}"}
    assert MAX_AGE >= 60 * 60
    assert "Set-Cookie" not in response
    assert not response.cookies
    # Asked again once it is stale: "not modified", if nothing changed.
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_the_json_catalog_is_shared_with_the_embedding_sites_only(client):
    listed = client.get(json_url("fr"), HTTP_ORIGIN=LISTED)
    assert listed.status_code == 200
    assert listed["Access-Control-Allow-Origin"] == LISTED
    assert "Origin" in listed["Vary"]

    stranger = client.get(json_url("fr"), HTTP_ORIGIN=STRANGER)
    # The words are no secret, but the browser keeps them from the other site's page.
    assert "Access-Control-Allow-Origin" not in stranger
    assert "Origin" in stranger["Vary"]

    own = client.get(json_url("fr"))
    assert "Access-Control-Allow-Origin" not in own
    assert listed.json() == stranger.json() == own.json()


def test_the_script_catalog_is_for_this_sites_pages_only(client):
    response = client.get(script_url("fr"), HTTP_ORIGIN=LISTED)
    assert "Access-Control-Allow-Origin" not in response


def test_the_arabic_json_catalog_says_right_to_left_and_has_six_plural_forms(client):
    data = client.get(json_url("ar")).json()
    assert data["language"] == "ar"
    assert data["bidi"] is True
    assert data["catalog"][MESSAGE] != MESSAGE
    assert len(data["catalog"][COUNTED]) == 6
    assert all(data["catalog"][COUNTED])
    # The rule that picks the form (embed.js reads it without eval).
    assert re.search(r"n\s*%\s*100", data["plural"])

    french = client.get(json_url("fr")).json()
    assert french["language"] == "fr"
    assert french["bidi"] is False
    assert len(french["catalog"][COUNTED]) == 2


# --- Where the catalog is loaded --------------------------------------------------------------


def render_scripts():
    return Template("{% load comments %}{% comment_scripts %}").render(Context())


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_comment_scripts_loads_the_catalog_of_the_page_language_first(language):
    with translation.override(language):
        html = render_scripts()
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', html)
    assert scripts == [versioned(script_url(language)), "/static/comments/comments.js"]


def test_comment_scripts_without_a_language_of_the_site_loads_only_the_script(settings):
    settings.LANGUAGES = [("fr", "Français")]
    with translation.override("de"):
        html = render_scripts()
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/comments/comments.js"]


def test_the_article_page_loads_the_catalog_of_the_readers_language(client, article):
    client.cookies["django_language"] = "fr"
    html = client.get(article.get_absolute_url()).content.decode()
    catalog_at = html.index(f'<script src="{versioned(script_url("fr"))}" defer></script>')
    assert catalog_at < html.index('<script src="/static/comments/comments.js" defer></script>')


def test_the_moderation_queue_loads_the_catalog_before_its_script(editor_client):
    html = editor_client.get(reverse("admin:comments_comment_queue")).content.decode()
    assert "queue.js" in html
    catalog_at = html.index(f'<script src="{versioned(script_url("en"))}" defer></script>')
    assert catalog_at < html.index("comments/queue.js")


def test_the_catalogs_version_follows_the_compiled_catalogs(tmp_path, monkeypatch):
    """A release's new words: another compiled catalog, another address, whatever a browser
    kept for a day."""
    from comments.public import catalog

    for language in ("fr", "ar"):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "djangojs.mo").write_bytes(b"one")
    monkeypatch.setattr(catalog, "LOCALE", tmp_path)
    catalog.catalog_version.cache_clear()
    try:
        before = catalog.catalog_version()
        (tmp_path / "fr" / "LC_MESSAGES" / "djangojs.mo").write_bytes(b"two words")
        catalog.catalog_version.cache_clear()
        assert catalog.catalog_version() != before
    finally:
        catalog.catalog_version.cache_clear()


def test_a_304_names_the_catalogs_language_not_the_readers(client):
    first = client.get(script_url("fr"), HTTP_ACCEPT_LANGUAGE="ar")
    again = client.get(
        script_url("fr"), HTTP_ACCEPT_LANGUAGE="ar", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    assert first["Content-Language"] == again["Content-Language"] == "fr"
