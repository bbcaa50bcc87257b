"""The Atom feed of the latest articles (/feed/), read as a feed reader reads it."""

from datetime import datetime, timedelta

import pytest
from defusedxml import ElementTree
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(client, **headers):
    response = client.get("/feed/", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response.content.decode(), ElementTree.fromstring(response.content)


def test_the_feed_holds_the_latest_twenty_published_articles_newest_first(client):
    now = timezone.now()
    for n in range(22):
        make_article(headline=f"Story {n:02d}", published_at=now - timedelta(hours=n + 1))
    make_article(headline="A draft", status=Article.Status.DRAFT)
    make_article(headline="Tomorrow's", published_at=now + timedelta(days=1))
    _, root = feed(client)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert titles == [f"Story {n:02d}" for n in range(20)]


def test_the_feed_and_each_entry(client):
    article = make_article(
        headline="Envoys sign the harbour accord",
        standfirst="Both sides <agree> & sign.",
        byline="Maya Okafor",
    )
    make_comment(article, author_email="commenter.9d2e@leaky.example")
    text, root = feed(client)
    assert root.get(XML_LANG) == "en"
    assert root.findtext(f"{ATOM}title") == "The Meridian: latest articles"
    assert root.findtext(f"{ATOM}subtitle").startswith("Foreign affairs, read closely")
    assert root.findtext(f"{ATOM}id") == "http://testserver/feed/"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"alternate": "http://testserver/", "self": "http://testserver/feed/"}
    [entry] = root.findall(f"{ATOM}entry")
    url = f"http://testserver{article.get_absolute_url()}"
    assert entry.findtext(f"{ATOM}title") == "Envoys sign the harbour accord"
    assert entry.find(f"{ATOM}link").get("href") == url
    assert entry.findtext(f"{ATOM}id") == url
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "Both sides &lt;agree&gt; &amp; sign."  # HTML for the standfirst
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Maya Okafor"
    assert entry.find(f"{ATOM}author/{ATOM}email") is None
    published = datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert published == article.published_at
    assert updated == article.updated_at
    assert "@" not in text  # no email, anyone's


def test_an_article_without_a_standfirst_is_summed_up_by_its_start(client):
    make_article(standfirst="", body="First line of the story.\n\nSecond paragraph.")
    _, root = feed(client)
    summary = root.find(f"{ATOM}entry/{ATOM}summary").text
    assert summary == "First line of the story. Second paragraph."


def test_the_feed_speaks_the_readers_language(client):
    make_article()
    _, root = feed(client, accept_language="fr")
    assert root.get(XML_LANG) == "fr"
