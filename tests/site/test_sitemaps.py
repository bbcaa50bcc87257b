"""The sitemaps, read as a crawler reads them and validated against their published XML
schemas (tests/data/schemas/): sitemaps.org's sitemap 0.9
(https://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd) and Google News's extension
(http://www.google.com/schemas/sitemap-news/0.9/sitemap-news.xsd)."""

from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from defusedxml import ElementTree
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import w3c_datetime
from comments import moderation
from comments.public.sitemaps import CommentPagesSitemap
from tests.factories import make_article, make_comment, make_comments

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "schemas"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP_NS, "news": NEWS_NS}


@pytest.fixture(scope="module")
def sitemap_schema():
    """The sitemap schema, with the News extension's for the elements it lets in
    (<xsd:any namespace="##other" processContents="strict">: each must be declared)."""
    return xmlschema.XMLSchema(
        SCHEMAS / "sitemap.xsd", locations=[(NEWS_NS, str(SCHEMAS / "sitemap-news.xsd"))]
    )


def fetched(client, url, schema):
    """The sitemap at `url`, checked against `schema`, as an element tree."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    schema.validate(response.content.decode())
    return ElementTree.fromstring(response.content)


def locations(root):
    return [loc.text for loc in root.findall("s:url/s:loc", NS)]


def test_the_sitemap_lists_the_front_page_and_every_published_article(client, sitemap_schema):
    live = make_article()
    make_article(status=Article.Status.DRAFT, slug="a-draft")
    make_article(published_at=timezone.now() + timedelta(hours=1), slug="scheduled")
    root = fetched(client, "/sitemap.xml", sitemap_schema)
    assert locations(root) == ["http://testserver/", f"http://testserver{live.get_absolute_url()}"]
    [article_url] = [u for u in root.findall("s:url", NS) if "articles" in u.find("s:loc", NS).text]
    assert article_url.find("s:lastmod", NS).text == live.updated_at.date().isoformat()


def test_comment_pages_past_the_first_are_listed(client, settings, sitemap_schema):
    """Two threads a page: five threads are pages 2 and 3; replies, held and spam comments
    make no page; a removed comment kept as its reply's placeholder is a thread; a
    discussion of two threads (one page) and an unpublished article's are not listed."""
    settings.COMMENTS_PER_PAGE = 2
    long_one = make_article(slug="long-one")
    threads = make_comments(long_one, 4)
    for comment in threads[:3]:
        make_comment(long_one, parent=comment)
    make_comment(long_one, status="pending")
    make_comment(long_one, status="spam")
    gone = make_comment(long_one)
    make_comment(long_one, parent=gone)
    moderation.remove([gone], by="test")
    short_one = make_article(slug="short-one")
    make_comments(short_one, 2)
    unpublished = make_article(slug="unpublished")
    make_comments(unpublished, 9)
    unpublished.status = Article.Status.DRAFT
    unpublished.save()
    root = fetched(client, "/sitemap.xml", sitemap_schema)
    comment_pages = [url for url in locations(root) if "cpage" in url]
    assert comment_pages == [
        "http://testserver/articles/long-one/?cpage=2",
        "http://testserver/articles/long-one/?cpage=3",
    ]
    # Each is the page that shows those threads, and names itself canonical.
    page = client.get("/articles/long-one/?cpage=3").content.decode()
    assert '<link rel="canonical" href="/articles/long-one/?cpage=3">' in page
    assert "Comments page 3" in page


def test_the_comment_pages_cost_one_query(settings, django_assert_num_queries):
    settings.COMMENTS_PER_PAGE = 1
    for _ in range(3):
        make_comments(make_article(), 3)
    with django_assert_num_queries(1):
        items = CommentPagesSitemap().items()
    assert len(items) == 3 * 2


def test_comment_pages_follow_the_default_order(client, settings, sitemap_schema):
    """In another default order the pages are still ?cpage=N: each page's own canonical
    address (the order is named only when it is not the default)."""
    settings.COMMENTS_PER_PAGE = 1
    settings.COMMENTS_THREAD_ORDER = "newest"
    article = make_article(slug="newest-first")
    make_comments(article, 2)
    root = fetched(client, "/sitemap.xml", sitemap_schema)
    assert "http://testserver/articles/newest-first/?cpage=2" in locations(root)


def test_the_news_sitemap_lists_the_last_two_days_articles(client, sitemap_schema):
    fresh = make_article(
        headline="Accord signed & sealed", published_at=timezone.now() - timedelta(hours=5)
    )
    make_article(published_at=timezone.now() - timedelta(days=3), slug="old-news")
    make_article(status=Article.Status.DRAFT, slug="draft-news")
    make_article(published_at=timezone.now() + timedelta(hours=2), slug="not-yet")
    response = client.get("/news-sitemap.xml")
    assert f'xmlns:news="{NEWS_NS}"' in response.content.decode()
    root = fetched(client, "/news-sitemap.xml", sitemap_schema)
    [url] = root.findall("s:url", NS)
    assert url.find("s:loc", NS).text == f"http://testserver{fresh.get_absolute_url()}"
    news = url.find("news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "The Meridian"
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:publication_date", NS).text == w3c_datetime(fresh.published_at)
    assert news.find("news:title", NS).text == "Accord signed & sealed"


def test_the_news_language_is_the_sites_own(client, settings, sitemap_schema):
    """The publication's language is the site's (its articles'), as a primary subtag, not
    the reader's."""
    settings.LANGUAGE_CODE = "fr-ca"
    make_article(published_at=timezone.now() - timedelta(hours=1))
    root = fetched(client, "/news-sitemap.xml", sitemap_schema)
    language = root.find("s:url/news:news/news:publication/news:language", NS)
    assert language.text == "fr"
    response = client.get("/news-sitemap.xml", headers={"accept-language": "ar"})
    assert b"<news:language>fr</news:language>" in response.content


def test_an_empty_news_sitemap_is_still_a_document(client):
    """No article in two days: an empty <urlset> (the schema wants at least one url, and
    Google reads an empty one as "nothing new")."""
    make_article(published_at=timezone.now() - timedelta(days=5))
    root = ElementTree.fromstring(client.get("/news-sitemap.xml").content)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    assert root.findall("s:url", NS) == []


def test_the_schemas_are_the_published_ones(sitemap_schema):
    """Guards an edited schema that would accept anything: what the published schemas
    refuse, they refuse here (a language that is no ISO 639 code, an element of a namespace
    no schema declares, a priority above 1)."""
    news = f"""<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}"><url>
      <loc>http://testserver/articles/x/</loc>
      <news:news><news:publication><news:name>N</news:name>
      <news:language>{{}}</news:language></news:publication>
      <news:publication_date>2026-11-28T09:02:53+00:00</news:publication_date>
      <news:title>T</news:title></news:news></url></urlset>"""
    assert sitemap_schema.is_valid(news.format("en"))
    errors = [error.reason for error in sitemap_schema.iter_errors(news.format("English"))]
    assert len(errors) == 1 and "pattern" in errors[0], errors
    unknown = f"""<urlset xmlns="{SITEMAP_NS}" xmlns:x="urn:x"><url>
      <loc>http://testserver/x/</loc><x:y/></url></urlset>"""
    assert not sitemap_schema.is_valid(unknown)
    priority = f"""<urlset xmlns="{SITEMAP_NS}"><url><loc>http://testserver/x/</loc>
      <priority>2</priority></url></urlset>"""
    assert not sitemap_schema.is_valid(priority)
