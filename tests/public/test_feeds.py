"""The Atom feeds of approved comments: what is in them, what never is, and how they're linked."""

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.public.feeds import FEED_LENGTH, LatestCommentsFeed
from tests.factories import discussion_of, make_article, make_comment, make_comments

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_FEED = "/comments/feed/"


def article_feed(article_id):
    """The comments feed of the article with this id (of its discussion; of a discussion
    that does not exist for an article that does not)."""
    article = Article.objects.filter(pk=article_id).first()
    discussion_id = discussion_of(article).pk if article else 999_999
    return reverse("comments:discussion_feed", kwargs={"discussion_id": discussion_id})


def get_feed(client, url=SITE_FEED):
    """The feed's response and its parsed root, after checking it is Atom."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    # Our own output, not untrusted input; raises on anything that is not well-formed XML.
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == f"{ATOM}feed"
    return response, root


def entries(root):
    return root.findall(f"{ATOM}entry")


def summaries(root):
    return [entry.findtext(f"{ATOM}summary") for entry in entries(root)]


def test_site_feed_is_atom_with_one_entry_per_comment(client):
    article = make_article(headline="Harbour accord signed")
    comment = make_comment(
        article, author_name="Ann", body="Good <em>news</em>.", author_url="https://ann.example/"
    )
    response, root = get_feed(client)

    assert root.findtext(f"{ATOM}title") == "The Meridian: latest comments"
    assert root.findtext(f"{ATOM}id") == f"http://testserver{SITE_FEED}"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == f"http://testserver{SITE_FEED}"
    # Plain XML: no stylesheet for a browser to fetch, so the site's CSP has nothing to block.
    assert b"<?xml-stylesheet" not in response.content

    [entry] = entries(root)
    permalink = f"http://testserver{article.get_absolute_url()}#comment-{comment.pk}"
    assert entry.findtext(f"{ATOM}title") == "Ann on “Harbour accord signed”"
    assert entry.find(f"{ATOM}link").get("href") == permalink
    assert entry.findtext(f"{ATOM}id") == permalink
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == comment.body_html
    assert "<em>news</em>" in summary.text
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ann"
    assert entry.findtext(f"{ATOM}author/{ATOM}uri") == "https://ann.example/"
    assert entry.find(f"{ATOM}author/{ATOM}email") is None
    published = entry.findtext(f"{ATOM}published")
    assert published.startswith(comment.submitted_at.strftime("%Y-%m-%dT%H:%M:%S"))


@pytest.mark.parametrize("author_url", ["", "ftp://files.example/ann", "javascript:alert(1)"])
def test_author_gets_a_link_only_for_an_http_website(client, article, author_url):
    # The model's validators don't run on save(): this is how an odd old value would look.
    make_comment(article, author_name="Ann", author_url=author_url)
    _, root = get_feed(client)
    [entry] = entries(root)
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ann"
    assert entry.find(f"{ATOM}author/{ATOM}uri") is None


def test_only_approved_comments_of_published_articles(client, article):
    make_comment(article, body="Approved on a published article.")
    for status in ("pending", "spam", "removed"):
        make_comment(article, body=f"A {status} comment.", status=status)
    draft = make_article(status=Article.Status.DRAFT)
    make_comment(draft, body="Approved on a draft.")
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    make_comment(scheduled, body="Approved on a scheduled article.")

    _, root = get_feed(client)
    assert summaries(root) == ["<p>Approved on a published article.</p>"]


def test_newest_first_and_at_most_fifty(client, article):
    make_comments(article, FEED_LENGTH + 10)  # "Comment number 0" is the oldest.
    _, root = get_feed(client)
    found = [re.search(r"number (\d+)", text).group(1) for text in summaries(root)]
    assert found == [str(n) for n in range(FEED_LENGTH + 9, 9, -1)]


def test_article_feed_has_only_that_articles_comments(client):
    article, other = make_article(headline="Talks resume"), make_article()
    older = make_comment(article, body="First on this one.")
    older.submitted_at = timezone.now() - timedelta(hours=1)
    older.save()
    make_comment(article, body="Second on this one.")
    make_comment(article, body="Still pending.", status="pending")
    make_comment(other, body="On another article.")

    _, root = get_feed(client, article_feed(article.pk))
    assert summaries(root) == ["<p>Second on this one.</p>", "<p>First on this one.</p>"]
    assert root.findtext(f"{ATOM}title") == "Comments on “Talks resume” · The Meridian"
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == f"http://testserver{article.get_absolute_url()}#comments"
    assert root.findtext(f"{ATOM}id") == f"http://testserver{article_feed(article.pk)}"


def test_article_feed_of_an_article_without_comments_is_empty(client, article):
    _, root = get_feed(client, article_feed(article.pk))
    assert entries(root) == []


def test_article_feed_is_404_unless_the_article_is_published(client):
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    for article in (draft, scheduled):
        make_comment(article)
        assert client.get(article_feed(article.pk)).status_code == 404
    assert client.get(article_feed(999999)).status_code == 404


def test_pages_link_the_feeds_in_their_head(client):
    article = make_article(headline="Talks resume")
    site_link = (
        '<link rel="alternate" type="application/atom+xml" '
        f'title="The Meridian: latest comments" href="{SITE_FEED}">'
    )
    article_link = (
        '<link rel="alternate" type="application/atom+xml" '
        f'title="Comments on “Talks resume” · The Meridian" href="{article_feed(article.pk)}">'
    )

    front = client.get("/").content.decode()
    head = front.split("</head>")[0]
    assert site_link in head
    assert article_feed(article.pk) not in front

    page = client.get(article.get_absolute_url()).content.decode()
    head = page.split("</head>")[0]
    assert site_link in head
    assert article_link in head
    get_feed(client, article_feed(article.pk))  # The link leads to the feed.


@pytest.mark.parametrize("count", [5, 60])
def test_feed_queries_do_not_grow_with_comments(client, count, django_assert_max_num_queries):
    """Guards the N+1 of fetching each item's discussion (for its title and permalink) once
    per comment: the site feed is one query, an article's feed two (its discussion, then its
    comments)."""
    for article in (make_article(), make_article()):
        make_comments(article, count)
    with django_assert_max_num_queries(1):
        _, root = get_feed(client)
    assert len(entries(root)) == min(2 * count, FEED_LENGTH)
    url = article_feed(article.pk)
    with django_assert_max_num_queries(2):
        _, root = get_feed(client, url)
    assert len(entries(root)) == min(count, FEED_LENGTH)


EMAIL = "Secret.Reader+feeds@Example.org"
IP = "203.0.113.77"
USER_AGENT = "SecretBrowser/9.9 (feed test)"


def disguises(email):
    """The email as typed and lower-cased: plain, URL-encoded, HTML-escaped and hashed."""
    forms = {"secret.reader+feeds", "secret.reader%2bfeeds"}
    for variant in (email, email.lower()):
        forms |= {variant, quote(variant), quote_plus(variant), quote(variant, safe="")}
        forms |= {variant.replace("@", "&#64;"), variant.replace("@", "&#x40;")}
        for algorithm in ("md5", "sha1", "sha256"):
            forms.add(hashlib.new(algorithm, variant.encode()).hexdigest())
    return forms


def test_feeds_contain_no_email_ip_user_agent_or_raw_text(client, article):
    comment = make_comment(
        article,
        author_name="Secret Reader",
        author_email=EMAIL,
        ip_address=IP,
        user_agent=USER_AGENT,
        body='Kept words. <script>alert("feed-xss")</script><b onclick="steal()">bold</b>',
    )
    assert "feed-xss" not in comment.body_html  # The sanitizer drops the script, and...
    assert "steal()" not in comment.body_html  # ...the handler: neither may come back here.
    secrets = disguises(EMAIL) | {
        IP,
        hashlib.md5(IP.encode()).hexdigest(),  # noqa: S324 - what a leak would look like
        hashlib.sha256(IP.encode()).hexdigest(),
        USER_AGENT,
        comment.fingerprint,
        comment.email_normalized,
        "feed-xss",
        "<script",
        "steal()",
        "onclick",
    }

    for url in (SITE_FEED, article_feed(article.pk)):
        response, root = get_feed(client, url)
        assert summaries(root) == ["<p>Kept words. <b>bold</b></p>"]
        content = (
            response.content.decode() + "\n" + "\n".join(f"{k}: {v}" for k, v in response.items())
        ).lower()
        for secret in secrets:
            assert secret.lower() not in content, f"{secret!r} found in {url}"


def test_feed_never_loads_the_private_columns():
    """Not even into memory: the email, IP, user agent and raw text are deferred."""
    make_comment(make_article())
    comment = LatestCommentsFeed().comments().get()
    assert {"author_email", "ip_address", "user_agent", "body_raw", "fingerprint"} <= (
        comment.get_deferred_fields()
    )


def test_a_control_character_in_an_old_comment_does_not_break_the_feed(client, article):
    # The form refuses these; a comment saved another way must not take the feed down.
    make_comment(article, author_name="Bell\x07 Ringer", body="Ding\x0b dong")
    _, root = get_feed(client)
    [entry] = entries(root)
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Bell Ringer"
    assert "Ding dong" in entry.findtext(f"{ATOM}summary")
