"""What link previews and search results show of a page: the meta description, OpenGraph and
Twitter card tags, in the reader's language (og:locale), and the page's language and
direction."""

from datetime import datetime

import pytest
from django.utils import timezone

from articles.templatetags.html_time import datetime_attr
from tests.factories import make_article

from .reading import html_attributes, json_ld, links, meta_tags

pytestmark = pytest.mark.django_db


def in_language(client, url, language):
    """The page at `url` as a reader whose browser asks for `language` gets it."""
    return client.get(url, headers={"accept-language": language}).content.decode()


def test_the_article_page_describes_itself(client):
    article = make_article(
        headline="Envoys sign the harbour accord",
        standfirst="Both delegations initialled the text at dawn.",
        byline="Maya Okafor",
    )
    tags = meta_tags(client.get(article.get_absolute_url()).content.decode())
    url = f"http://testserver{article.get_absolute_url()}"
    assert tags == {
        "viewport": "width=device-width, initial-scale=1",
        "description": "Both delegations initialled the text at dawn.",
        "og:type": "article",
        "og:title": "Envoys sign the harbour accord",
        "og:description": "Both delegations initialled the text at dawn.",
        "og:url": url,
        "og:site_name": "The Meridian",
        "og:locale": "en_GB",
        "article:published_time": datetime_attr(article.published_at),
        "article:modified_time": datetime_attr(article.updated_at),
        "article:author": "Maya Okafor",
        "twitter:card": "summary",
        "twitter:title": "Envoys sign the harbour accord",
        "twitter:description": "Both delegations initialled the text at dawn.",
    }
    published = datetime.fromisoformat(tags["article:published_time"])
    assert published == article.published_at.replace(microsecond=0)


def test_without_a_standfirst_the_description_is_the_bodys_start(client):
    body = "Negotiators met again on Monday in the old customs house by the quay. " * 5
    article = make_article(standfirst="", body=body)
    tags = meta_tags(client.get(article.get_absolute_url()).content.decode())
    description = tags["description"]
    assert description.endswith("…") and len(description) <= 160
    assert body.startswith(description[:-1])
    assert body[len(description) - 1] == " "  # cut between words
    assert tags["og:description"] == tags["twitter:description"] == description


def test_the_tags_escape_what_the_article_says(client):
    article = make_article(headline='Talks "resume" <b>today</b>', standfirst="A & B agree.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'content="Talks &quot;resume&quot; &lt;b&gt;today&lt;/b&gt;"' in page
    assert meta_tags(page)["og:title"] == 'Talks "resume" <b>today</b>'
    assert meta_tags(page)["description"] == "A & B agree."


def test_the_front_page_describes_the_site(client):
    make_article()
    tags = meta_tags(client.get("/").content.decode())
    assert tags["description"].startswith("Foreign affairs, read closely")
    assert "The Meridian" in tags["description"]
    assert tags["og:type"] == "website"
    assert tags["og:url"] == "http://testserver/"
    assert tags["og:site_name"] == "The Meridian"
    assert tags["og:locale"] == "en_GB"
    assert tags["twitter:card"] == "summary"


@pytest.mark.parametrize(
    ("language", "locale", "direction", "stylesheet"),
    [
        ("en", "en_GB", "ltr", "bootstrap.min.css"),
        ("fr", "fr_FR", "ltr", "bootstrap.min.css"),
        ("ar", "ar_AR", "rtl", "bootstrap.rtl.min.css"),
    ],
)
def test_the_page_is_in_the_readers_language_and_direction(
    client, language, locale, direction, stylesheet
):
    # Each language's test starts with nothing stored: the pages are made for this reader.
    article = make_article(published_at=timezone.now() - timezone.timedelta(days=1))
    for url in ("/", article.get_absolute_url(), "/no-such-page/"):
        page = in_language(client, url, language)
        assert html_attributes(page) == {"lang": language, "dir": direction}
        sheets = [link["href"] for link in links(page) if link.get("rel") == "stylesheet"]
        assert f"/static/bootstrap/css/{stylesheet}" in sheets
        if url != "/no-such-page/":
            assert meta_tags(page)["og:locale"] == locale
    data = json_ld(in_language(client, article.get_absolute_url() + "?utm=1", language))
    assert data["inLanguage"] == language


def test_every_page_links_the_articles_feed(client, article):
    for url in ("/", article.get_absolute_url(), "/no-such-page/", "/language/"):
        feeds = [
            link
            for link in links(client.get(url).content.decode())
            if link.get("type") == "application/atom+xml"
        ]
        assert {
            "rel": "alternate",
            "type": "application/atom+xml",
            "title": "The Meridian: latest articles",
            "href": "/feed/",
        } in feeds, url
