"""The article page's JSON-LD: a schema.org NewsArticle (articles' article_meta) with the
comments the page shows (comments' comment_structured_data), read as a search engine reads
it (json.loads of the data block) and checked field by field."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import moderation
from tests.factories import make_article, make_comment, make_comments
from tests.thread.test_queries import make_threads

from .reading import json_ld

pytestmark = pytest.mark.django_db

LEAKY_EMAIL = "never-shown.7f3a9c@leaky.example"


def read(value):
    """A JSON-LD date (ISO 8601, "Z" for UTC) as an aware datetime."""
    return datetime.fromisoformat(value)


def data_of(client, url):
    return json_ld(client.get(url).content.decode())


def test_the_article_is_a_news_article_field_by_field(client):
    article = make_article(
        headline="Envoys sign the harbour accord",
        standfirst="Both delegations initialled the text at dawn.",
        byline="Maya Okafor",
    )
    make_comment(article)
    make_comment(article)
    make_comment(article, status="pending")
    url = f"http://testserver{article.get_absolute_url()}"
    data = data_of(client, article.get_absolute_url())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Envoys sign the harbour accord"
    assert data["description"] == "Both delegations initialled the text at dawn."
    assert read(data["datePublished"]) == article.published_at.replace(microsecond=0)
    assert read(data["dateModified"]) == article.updated_at.replace(microsecond=0)
    assert data["author"] == {"@type": "Person", "name": "Maya Okafor"}
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "The Meridian",
        "logo": {"@type": "ImageObject", "url": "http://testserver/static/articles/favicon.svg"},
    }
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["inLanguage"] == "en"
    # The approved comments, as the page's own count says.
    assert data["commentCount"] == 2
    assert len(data["comment"]) == 2


def test_without_a_standfirst_the_description_is_the_start_of_the_body(client):
    body = "The talks resumed on Monday. " * 20
    article = make_article(standfirst="", body=body)
    description = data_of(client, article.get_absolute_url())["description"]
    assert description.startswith("The talks resumed on Monday. The talks")
    assert description.endswith("…")
    assert len(description) <= 160


def test_each_comment_field_by_field(client, article):
    ada = make_comment(
        article,
        author_name="Ada Reader",
        author_email=LEAKY_EMAIL,
        author_url="https://example.org/ada",
        body="I was <em>there</em> &amp; saw it.\n\nSecond thought:\nnone.",
        submitted_at=timezone.now() - timedelta(hours=2),
    )
    bob = make_comment(
        article,
        author_name="Bob",
        author_url="javascript:alert(1)",  # not a link the thread shows
        submitted_at=timezone.now() - timedelta(hours=1),
    )
    page = client.get(article.get_absolute_url()).content.decode()
    first, second = json_ld(page)["comment"]
    assert first == {
        "@type": "Comment",
        "author": {"@type": "Person", "name": "Ada Reader", "url": "https://example.org/ada"},
        "dateCreated": first["dateCreated"],
        "text": "I was there & saw it.\n\nSecond thought:\nnone.",
        "url": f"http://testserver{ada.get_absolute_url()}",
    }
    assert read(first["dateCreated"]) == ada.submitted_at.replace(
        microsecond=ada.submitted_at.microsecond // 1000 * 1000
    )
    # No website the thread does not link; the permalink is the comment's own.
    assert second["author"] == {"@type": "Person", "name": "Bob"}
    assert second["url"] == f"http://testserver{bob.get_absolute_url()}"
    # The email is nowhere: not in the data, not anywhere in the page.
    assert "never-shown" not in page and "leaky.example" not in page


def test_no_email_reaches_the_page_whatever_the_comment(client, article):
    for status in ("approved", "pending", "spam", "removed"):
        make_comment(article, status=status, author_email=f"{status}.{LEAKY_EMAIL}")
    page = client.get(article.get_absolute_url()).content.decode()
    assert LEAKY_EMAIL.split("@")[0] not in page
    assert "@leaky.example" not in page


def test_a_comment_cannot_break_out_of_the_data_block(client):
    article = make_article(headline="Talks </script><script>alert(1)</script> resume")
    evil = "</script><script>alert(1)</script>"
    make_comment(article, author_name=evil, body="Typed: &lt;/script&gt;&lt;!-- &amp; more")
    page = client.get(article.get_absolute_url()).content.decode()
    start = page.index('<script type="application/ld+json">')
    block = page[start : page.index("</script>", start)]
    # The block ends where it should: its JSON is whole, and nothing in it closes it early.
    data = json_ld(page)
    assert data["headline"] == "Talks </script><script>alert(1)</script> resume"
    [comment] = data["comment"]
    assert comment["author"]["name"] == evil
    assert comment["text"] == "Typed: </script><!-- & more"
    assert "<" not in block[len('<script type="application/ld+json">') :]
    assert "\\u003C/script\\u003E" in block
    # Nowhere in the page does the reader's markup run.
    assert "<script>alert(1)" not in page


def test_only_the_first_pages_approved_comments(client, article, settings):
    """Page one holds two threads; each thread's approved replies are with it; a held reply,
    a held, spam or removed comment and the third thread (page two) are not."""
    settings.COMMENTS_PER_PAGE = 2
    now = timezone.now()

    def comment(name, minutes_ago, **fields):
        return make_comment(
            article,
            author_name=name,
            body=f"{name} says.",
            submitted_at=now - timedelta(minutes=minutes_ago),
            **fields,
        )

    first = comment("First", 60)
    comment("First's reply", 55, parent=first)
    comment("First's held reply", 54, parent=first, status="pending")
    comment("Held", 50, status="pending")
    comment("Spam", 49, status="spam")
    comment("Removed", 48, status="removed")
    comment("Second", 40)
    third = comment("Third", 30)
    data = data_of(client, article.get_absolute_url())
    names = [entry["author"]["name"] for entry in data["comment"]]
    assert names == ["First", "First's reply", "Second"]
    assert data["commentCount"] == 4  # every approved comment, as the page counts them
    page_two = data_of(client, f"{article.get_absolute_url()}?cpage=2")
    assert [entry["author"]["name"] for entry in page_two["comment"]] == ["Third"]
    assert page_two["comment"][0]["url"] == f"http://testserver{third.get_absolute_url()}"
    assert third.get_absolute_url().endswith(f"?cpage=2#comment-{third.pk}")


def test_a_removed_comment_keeps_its_place_but_is_not_a_comment(client, article):
    gone = make_comment(
        article, author_name="Gone", submitted_at=timezone.now() - timedelta(hours=1)
    )
    make_comment(article, author_name="Answer", parent=gone)
    moderation.remove([gone], by="test")
    data = data_of(client, article.get_absolute_url())
    assert [entry["author"]["name"] for entry in data["comment"]] == ["Answer"]
    assert data["commentCount"] == 1


def test_the_data_follows_a_decision(client, article, django_capture_on_commit_callbacks):
    """Cached under the discussion's generation: the write path's next decision shows."""
    make_comment(article, author_name="Early")
    assert len(data_of(client, article.get_absolute_url())["comment"]) == 1
    late = make_comment(article, author_name="Late", status="pending")
    with django_capture_on_commit_callbacks(execute=True):  # the listeners, told on commit
        moderation.approve([late], by="test")
    data = data_of(client, article.get_absolute_url())
    assert [entry["author"]["name"] for entry in data["comment"]] == ["Early", "Late"]
    assert data["commentCount"] == 2


def test_an_article_without_comments_says_so(client, article):
    data = data_of(client, article.get_absolute_url())
    assert data["commentCount"] == 0
    assert data["comment"] == []


def test_the_tag_gives_nothing_for_what_readers_may_not_see(rf, editor):
    """A draft has no thread readers may see; a user is not a discussed model."""
    template = Template(
        "{% load comment_structured_data %}{% comment_structured_data obj as data %}{{ data }}"
    )
    for obj in (make_article(status="draft"), editor):
        assert template.render(Context({"obj": obj, "request": rf.get("/")})) == "{}"


@pytest.mark.parametrize("count", [10, 1000])
def test_the_page_with_its_data_costs_the_same_queries_however_many_comments(
    client, settings, count, django_assert_max_num_queries
):
    """Guards an N+1 in the structured data (a query per comment for its author, its
    permalink's page): made cold, the article page reads the article, its discussion, the
    settings, the thread and the structured data's page of it, whatever the thread's size
    and depth; the same page again (made, not served whole: a session) reads no comment."""
    settings.COMMENTS_PER_PAGE = 50
    article = make_article()
    make_threads(article, count)
    with django_assert_max_num_queries(5):
        page = client.get(article.get_absolute_url()).content.decode()
    assert len(json_ld(page)["comment"]) == min(count, 250)  # 50 threads of five
    with CaptureQueriesContext(connection) as queries:  # made, not served whole (?utm…)
        again = client.get(f"{article.get_absolute_url()}?utm_source=x").content.decode()
    assert json_ld(again) == json_ld(page)
    assert not [q for q in queries.captured_queries if "comments_comment" in q["sql"]]


def test_the_query_count_does_not_depend_on_the_number_of_comments(client):
    client.get(make_article().get_absolute_url())  # the policy, read once and cached
    counted = []
    for count in (3, 300):
        article = make_article()
        make_comments(article, count)
        with CaptureQueriesContext(connection) as queries:
            client.get(article.get_absolute_url())
        counted.append(len(queries))
    assert counted[0] == counted[1]
