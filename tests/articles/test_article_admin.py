"""Editors write and publish articles in the admin."""

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"


def test_editor_writes_and_publishes_an_article(editor_client, client):
    add_page = editor_client.get(f"{ARTICLES}add/").content.decode()
    # The slug is filled in from the headline as the editor types.
    assert "&quot;dependency_ids&quot;: [&quot;#id_headline&quot;]" in add_page
    now = timezone.now()
    response = editor_client.post(
        f"{ARTICLES}add/",
        {
            "headline": "Envoy returns with a draft accord",
            "slug": "envoy-returns-with-a-draft-accord",
            "standfirst": "The text goes to both parliaments next week.",
            "byline": "Diplomatic staff",
            "photo_caption": "",
            "body": "The envoy landed on Sunday.\n\nThe draft runs to 40 pages.",
            "status": "published",
            "published_at_0": now.strftime("%Y-%m-%d"),
            "published_at_1": (now - timezone.timedelta(minutes=1)).strftime("%H:%M:%S"),
            "comments_open": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="envoy-returns-with-a-draft-accord")
    assert article in Article.objects.published()
    assert "Envoy returns with a draft accord" in client.get("/").content.decode()


def test_article_changelist_filters_and_search(editor_client):
    make_article(headline="Harbour accord signed")
    make_article(headline="Border talks stall", status=Article.Status.DRAFT)
    found = editor_client.get(ARTICLES, {"q": "harbour"}).content.decode()
    assert "Harbour accord signed" in found
    assert "Border talks stall" not in found
    drafts = editor_client.get(ARTICLES, {"status__exact": "draft"}).content.decode()
    assert "Border talks stall" in drafts
    assert "Harbour accord signed" not in drafts
