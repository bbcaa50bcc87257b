"""The API's reads (comments.api.reads): a discussion with a page of its threads, by id, by
a page's address or by the discussed object, and counts of many; the same rows, nesting,
pages and rules as the HTML thread, and the same cache generation, so a decision shows on
the next read.

Decisions are made inside `committed()` (django_capture_on_commit_callbacks with execute=True),
which runs the write path's listeners (forget_threads among them) as a real commit would.
"""

import hashlib
import re
import secrets
from datetime import timedelta
from functools import partial

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.api.reads import CountsOut
from comments.api.schemas import DiscussionOut, ErrorOut
from comments.models import Comment, Discussion, discussed_models
from tests.discussed.models import LiveBlog
from tests.factories import discussion_of, make_article, make_comment
from tests.thread.test_queries import make_threads

pytestmark = pytest.mark.django_db

API = "/api/v1"
COMMENT_ROWS = '"comments_comment"'  # the table, as Django quotes it in SQL
# Each comment's <li> in the HTML thread: its id and its depth (0: a thread's first).
HTML_COMMENT = re.compile(r'<li id="comment-(\d+)" class="comment mb-4 depth-(\d+)')


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return partial(django_capture_on_commit_callbacks, execute=True)


def read(path, client=None, **headers):
    """(response, the SQL of its queries that read comments) of a GET by a new client."""
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).get(path, headers=headers)
    return response, [q["sql"] for q in queries if COMMENT_ROWS in q["sql"]]


def discussion_json(path, **headers):
    """The DiscussionOut a GET of `path` answers, checked against the schema."""
    response, _ = read(path, **headers)
    assert response.status_code == 200, response.content
    DiscussionOut.model_validate_json(response.content)
    return response.json()


def by_id(discussion, page=None):
    query = f"?page={page}" if page is not None else ""
    return f"{API}/discussions/{discussion.pk}{query}"


def walk(comments):
    """Every comment of nested `comments`, depth first (the HTML thread's order)."""
    for comment in comments:
        yield comment
        yield from walk(comment["replies"])


def shown(path, **headers):
    """(id, depth) of every comment the API's page shows, in the thread's order."""
    return [(c["id"], c["depth"]) for c in walk(discussion_json(path, **headers)["comments"])]


def html_shown(url):
    """(id, depth) of every comment the HTML page at `url` shows, in its order."""
    html = Client().get(url).content.decode()
    return [(int(pk), int(depth)) for pk, depth in HTML_COMMENT.findall(html)]


@pytest.fixture
def paged(settings, article):
    """Seven threads of three threads a page, shaped as the HTML thread must keep them: a
    reply to each, a removed thread kept as the placeholder of its approved reply, a pending
    reply (shown to nobody), and an approved reply to a pending comment (nor that)."""
    settings.COMMENTS_PER_PAGE = 3
    start = timezone.now() - timedelta(days=1)
    tops = []
    for n in range(7):
        status = "removed" if n == 1 else "approved"
        top = make_comment(
            article, body=f"Thread {n}", status=status, submitted_at=start + timedelta(minutes=n)
        )
        make_comment(
            article, body=f"Reply {n}", parent=top, submitted_at=start + timedelta(hours=1)
        )
        tops.append(top)
    hidden = make_comment(article, body="Waits.", parent=tops[2], status="pending")
    make_comment(article, body="Answers what waits.", parent=hidden)
    make_comment(article, body="Deeper.", parent=tops[4].replies.get())
    return tops


# --------------------------------------------------------------------------------------------
# The same thread as the HTML page


@pytest.mark.parametrize("page", [1, 2, 3, 99])
def test_each_page_holds_the_html_pages_threads_nested_alike(article, paged, page):
    html = html_shown(f"{article.get_absolute_url()}?cpage={page}")
    assert html, "the HTML page shows no comment"
    assert shown(by_id(discussion_of(article), page)) == html


def test_pages_are_counted_and_a_page_past_the_end_is_the_last(article, paged):
    first = discussion_json(by_id(discussion_of(article)))
    assert (first["page"], first["num_pages"], first["threads_per_page"]) == (1, 3, 3)
    assert first["approved_count"] == 15  # 6 threads and 7 replies, "Answers…", "Deeper."
    assert [c["id"] for c in first["comments"]] == [top.pk for top in paged[:3]]
    assert discussion_json(by_id(discussion_of(article), 99))["page"] == 3
    assert discussion_json(by_id(discussion_of(article), 0))["page"] == 1


def test_a_removed_comment_is_a_placeholder_of_its_approved_replies(article, paged):
    removed = discussion_json(by_id(discussion_of(article)))["comments"][1]
    assert removed["id"] == paged[1].pk
    assert removed["status"] == "removed"
    assert (removed["author"], removed["author_url"], removed["body_html"]) == ("", "", "")
    assert removed["staff"] is False and removed["featured"] is False
    assert [reply["status"] for reply in removed["replies"]] == ["approved"]


def test_a_comment_shows_as_in_the_thread(article, editor):
    """Name, website (http(s) only), staff badge, pick, edit, the sanitized body, and the
    permalink Comment.get_absolute_url gives."""
    featured = make_comment(
        article,
        author_name="Ann <b>",
        author_url="https://ann.example/",
        body="<script>alert(1)</script><em>Hi</em>",
        featured_at=timezone.now(),
        staff_author=editor,
        edited_at=timezone.now(),
    )
    make_comment(article, author_url="javascript:alert(1)")
    first, second = discussion_json(by_id(discussion_of(article)))["comments"]
    assert first["author"] == "Ann <b>"
    assert first["author_url"] == "https://ann.example/"
    assert first["staff"] is True and first["featured"] is True
    assert first["edited_at"] is not None
    assert first["body_html"] == featured.body_html
    assert "<script>" not in first["body_html"]
    assert first["url"] == featured.get_absolute_url()
    assert second["author_url"] == ""
    assert second["staff"] is False and second["featured"] is False
    assert second["edited_at"] is None


def test_permalinks_name_the_comment_page(article, paged):
    data = discussion_json(by_id(discussion_of(article), 3))
    for comment in walk(data["comments"]):
        assert comment["url"] == Comment.objects.get(pk=comment["id"]).get_absolute_url()
        assert "?cpage=3#comment-" in comment["url"]


def test_the_discussion_says_whether_it_takes_comments(article, settings):
    data = discussion_json(by_id(discussion_of(article)))
    assert data["is_open"] is True
    assert data["title"] == article.headline
    assert data["url"] == article.get_absolute_url()
    discussion = discussion_of(article)
    discussion.is_open = False
    discussion.save()
    assert discussion_json(by_id(discussion))["is_open"] is False


# --------------------------------------------------------------------------------------------
# Decisions show on the next read; pending comments only to their poster


def test_a_warm_read_reads_no_comment(article):
    make_comment(article)
    read(by_id(discussion_of(article)))
    response, comment_sql = read(by_id(discussion_of(article)))
    assert response.status_code == 200
    assert comment_sql == []


def test_with_the_cache_down_the_thread_is_read_from_the_database(article, dead_redis):
    """An unreachable cache costs the reader speed, not the answer."""
    make_comment(article, body="Shown with the cache down.")
    for _ in range(2):
        data = discussion_json(by_id(discussion_of(article)))
        assert [c["body_html"] for c in data["comments"]] == ["<p>Shown with the cache down.</p>"]


def test_an_approval_shows_on_the_next_read(article, editor, committed):
    make_comment(article, body="Already there.")
    pending = make_comment(article, body="Waiting for an editor.", status="pending")
    assert pending.pk not in shown_ids(discussion_json(by_id(discussion_of(article))))

    with committed():
        moderation.approve([pending], by=editor)

    after = discussion_json(by_id(discussion_of(article)))
    assert pending.pk in shown_ids(after)
    assert after["approved_count"] == 2


def test_a_removal_shows_on_the_next_read(article, editor, committed):
    make_comment(article, body="Stays.")
    doomed = make_comment(article, body="Regrettable.")
    assert doomed.pk in shown_ids(discussion_json(by_id(discussion_of(article))))

    with committed():
        moderation.remove([doomed], by=editor)

    after = discussion_json(by_id(discussion_of(article)))
    assert doomed.pk not in shown_ids(after)
    assert after["approved_count"] == 1


def shown_ids(data):
    return {comment["id"] for comment in walk(data["comments"])}


POSTER = secrets.token_hex(16)


@pytest.fixture
def posted(article):
    """An approved comment, then a poster's pending reply to it (key POSTER), long enough
    ago that the approved one is no longer editable."""
    earlier = timezone.now() - timedelta(hours=1)
    top = make_comment(article, body="Public.", submitted_at=earlier)
    return make_comment(
        article, body="Mine, waiting.", parent=top, status="pending", poster_key=POSTER
    )


def test_a_pending_comment_shows_to_no_one_else(article, posted):
    response, _ = read(by_id(discussion_of(article)))
    assert posted.pk not in shown_ids(response.json())
    assert b"Mine, waiting." not in response.content
    assert response["Cache-Control"] == "public, max-age=30"
    other = secrets.token_hex(16)
    response, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": other})
    assert b"Mine, waiting." not in response.content
    assert response["Cache-Control"] == "public, max-age=30"


def test_the_poster_sees_their_pending_comment_privately(article, posted):
    discussion_json(by_id(discussion_of(article)))  # the shared answer is cached
    response, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": POSTER})
    assert response.status_code == 200
    DiscussionOut.model_validate_json(response.content)
    mine = next(c for c in walk(response.json()["comments"]) if c["id"] == posted.pk)
    assert mine["status"] == "pending"
    assert mine["body_html"] == posted.body_html
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Poster-Key" in response["Vary"]
    assert response.json()["approved_count"] == 1
    # And nothing of it was cached for the next reader.
    assert posted.pk not in shown_ids(discussion_json(by_id(discussion_of(article))))


def test_a_comment_sent_to_spam_by_a_rule_shows_to_its_poster_as_pending(article):
    spam = make_comment(article, body="Buy now.", status="spam", poster_key=POSTER)
    data = discussion_json(by_id(discussion_of(article)), **{"X-Poster-Key": POSTER})
    assert [(c["id"], c["status"]) for c in data["comments"]] == [(spam.pk, "pending")]
    assert discussion_json(by_id(discussion_of(article)))["comments"] == []


def test_a_poster_with_an_editable_comment_gets_their_own_answer(article):
    """Their just-approved comment, which a CDN's copy of the shared answer may not have."""
    make_comment(article, body="Mine, approved.", poster_key=POSTER)
    response, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": POSTER})
    assert response["Cache-Control"] == "private, no-cache"


def test_a_key_with_nothing_of_its_own_gets_the_shared_answer(article, posted):
    long_ago = timezone.now() - timedelta(days=1)
    make_comment(article, body="Decided long ago.", poster_key=POSTER[::-1], submitted_at=long_ago)
    for key in (POSTER[::-1], secrets.token_hex(16), "short", "not a key at all!" * 3):
        response, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": key})
        assert response["Cache-Control"] == "public, max-age=30", key
        assert b"Mine, waiting." not in response.content


def test_the_poster_sees_the_decision_on_their_comment_at_once(article, posted, editor, committed):
    with committed():
        moderation.remove([posted], by=editor)
    response, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": POSTER})
    assert posted.pk not in shown_ids(response.json())
    assert response["Cache-Control"] == "public, max-age=30"


# --------------------------------------------------------------------------------------------
# By a page's address, by object, by id


def by_url(url, page=None):
    query = f"&page={page}" if page else ""
    return f"{API}/discussions?url={url}{query}"


@pytest.mark.parametrize(
    "url", ["https://news.example/story?id=4", "http://testserver/static-page/"]
)
def test_a_page_of_this_site_or_a_listed_one_has_its_discussion_begun(settings, url):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    first = discussion_json(by_url(url))
    assert Discussion.objects.get(content_type=None, url=url).pk == first["id"]
    assert first["comments"] == [] and first["is_open"] is True
    assert discussion_json(by_url(f"{url}#comments"))["id"] == first["id"]
    assert Discussion.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    ["https://stranger.example/page", "https://news.example.evil/page", "http://news.example/"],
)
def test_another_sites_page_is_404_and_nothing_is_created(settings, url):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    response, _ = read(by_url(url))
    assert response.status_code == 404
    ErrorOut.model_validate_json(response.content)
    assert not Discussion.objects.exists()


def test_a_pages_discussion_that_exists_is_found_from_any_site(settings):
    """Once listed and begun, a page's discussion stays readable if the site is unlisted."""
    discussion = Discussion.objects.of_url("https://once.example/story")
    make_comment(discussion, body="Said on it.")
    data = discussion_json(by_url("https://once.example/story"))
    assert data["id"] == discussion.pk
    assert [c["body_html"] for c in data["comments"]] == ["<p>Said on it.</p>"]


def test_an_object_page_of_this_site_is_its_objects_discussion(article):
    """Not a second thread of the article's page."""
    make_comment(article, body="On the article.")
    data = discussion_json(by_url(f"http://testserver{article.get_absolute_url()}"))
    assert data["id"] == discussion_of(article).pk
    assert Discussion.objects.count() == 1


def test_an_unpublished_objects_page_is_404_and_begins_nothing(article):
    discussion_of(article)
    article.status = Article.Status.DRAFT
    article.save()
    response, _ = read(by_url(f"http://testserver{article.get_absolute_url()}"))
    assert response.status_code == 404
    assert Discussion.objects.count() == 1


def by_object(label, pk):
    return f"{API}/discussions?object={label}:{pk}"


def test_a_public_object_is_found_by_its_model_and_pk(article):
    make_comment(article, body="On the article.")
    assert discussion_json(by_object("articles.article", article.pk))["id"] == (
        discussion_of(article).pk
    )
    live = LiveBlog.objects.create(title="Election night", slug="night", started_at=timezone.now())
    assert discussion_json(by_object("discussed.LiveBlog", live.pk))["title"] == "Election night"


def test_an_unpublished_object_is_404():
    draft = make_article(status=Article.Status.DRAFT)
    response, _ = read(by_object("articles.article", draft.pk))
    assert response.status_code == 404
    ErrorOut.model_validate_json(response.content)
    off = LiveBlog.objects.create(title="Off", slug="off", started_at=timezone.now(), is_live=False)
    assert read(by_object("discussed.liveblog", off.pk))[0].status_code == 404
    assert not Discussion.objects.exists()


def test_a_model_not_discussed_is_404(editor, article):
    assert read(by_object("auth.user", editor.pk))[0].status_code == 404
    comment = make_comment(article)
    assert read(by_object("comments.comment", comment.pk))[0].status_code == 404
    assert read(by_object("comments.discussion", comment.discussion_id))[0].status_code == 404


def test_an_unpublished_objects_discussion_is_404_by_id(article):
    discussion = discussion_of(article)
    article.status = Article.Status.DRAFT
    article.save()
    response, _ = read(by_id(discussion))
    assert response.status_code == 404
    assert response.json() == {"message": "No such discussion.", "errors": {}}


# --------------------------------------------------------------------------------------------
# Counts


def counts(query):
    response, _ = read(f"{API}/counts?{query}")
    return response


def test_counts_of_many_discussions(settings):
    articles = [make_article() for _ in range(3)]
    for n, article in enumerate(articles):
        for _ in range(n):
            make_comment(article)
        make_comment(article, status="pending")
    page = Discussion.objects.of_url("https://news.example/story")
    make_comment(page)
    ids = [discussion_of(article).pk for article in articles]
    query = "&".join(f"discussion={pk}" for pk in ids)
    query += "&url=https://news.example/story&url=https://news.example/other"
    response = counts(query)
    assert response.status_code == 200
    CountsOut.model_validate_json(response.content)
    assert response.json() == {
        "discussions": {str(ids[0]): 0, str(ids[1]): 1, str(ids[2]): 2},
        "urls": {"https://news.example/story": 1, "https://news.example/other": 0},
    }
    assert response["Cache-Control"] == "public, max-age=30"
    assert not Discussion.objects.filter(url="https://news.example/other").exists()


def test_counts_leave_out_unknown_and_unpublished_discussions(article):
    make_comment(article)
    draft = make_article(status=Article.Status.DRAFT)
    make_comment(draft)
    query = f"discussion={discussion_of(article).pk}&discussion={discussion_of(draft).pk}"
    response = counts(f"{query}&discussion=999999")
    assert response.json()["discussions"] == {str(discussion_of(article).pk): 1}
    own_draft = f"http://testserver{draft.get_absolute_url()}"
    own_article = f"http://testserver{article.get_absolute_url()}"
    assert counts(f"url={own_draft}&url={own_article}").json()["urls"] == {
        own_draft: 0,
        own_article: 1,
    }


def test_counts_take_at_most_a_hundred(article):
    pk = discussion_of(article).pk
    assert counts("&".join([f"discussion={pk}"] * 100)).status_code == 200
    mixed = "&".join([f"discussion={pk}"] * 60 + ["url=https://news.example/a"] * 41)
    response = counts(mixed)
    assert response.status_code == 400
    assert "At most 100" in ErrorOut.model_validate_json(response.content).message


def test_counts_of_nothing_are_empty():
    assert counts("").json() == {"discussions": {}, "urls": {}}


# --------------------------------------------------------------------------------------------
# Caching by others: ETag, 304, Cache-Control


@pytest.mark.parametrize("kind", ["id", "url", "object", "counts"])
def test_a_client_holding_the_answer_gets_304(article, settings, kind):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    make_comment(article)
    path = {
        "id": by_id(discussion_of(article)),
        "url": by_url("https://news.example/story"),
        "object": by_object("articles.article", article.pk),
        "counts": f"{API}/counts?discussion={discussion_of(article).pk}",
    }[kind]
    first, _ = read(path)
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong
    assert etag == f'"{hashlib.blake2b(first.content, digest_size=16).hexdigest()}"'
    assert read(path)[0]["ETag"] == etag
    for held in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again, _ = read(path, **{"If-None-Match": held})
        assert again.status_code == 304, held
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == "public, max-age=30"
    assert read(path, **{"If-None-Match": '"other"'})[0].status_code == 200


def test_the_etag_changes_with_the_thread(article, editor, committed):
    pending = make_comment(article, status="pending")
    etag = read(by_id(discussion_of(article)))[0]["ETag"]
    with committed():
        moderation.approve([pending], by=editor)
    response, _ = read(by_id(discussion_of(article)), **{"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_posters_own_answer_has_its_etag_too(article, posted):
    first, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": POSTER})
    again, _ = read(
        by_id(discussion_of(article)), **{"X-Poster-Key": POSTER, "If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304
    assert again["Cache-Control"] == "private, no-cache"
    shared, _ = read(by_id(discussion_of(article)))
    assert shared["ETag"] != first["ETag"]


def test_no_answer_sets_a_cookie(article, posted):
    discussion = discussion_of(article)
    for path in (by_id(discussion), f"{API}/counts?discussion=1", by_id(discussion, "x")):
        response, _ = read(path, **{"X-Poster-Key": POSTER})
        assert not response.cookies, path


# --------------------------------------------------------------------------------------------
# Privacy: no email, hash of one, or IP address in any answer

SECRETS_OF = ("author_email", "email_normalized", "fingerprint", "ip_address", "user_agent")


def test_no_answer_shows_an_email_or_ip_address(article, settings, posted):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    page = Discussion.objects.of_url("https://news.example/story")
    comments = [
        make_comment(article, author_email="ann.private@example.com", ip_address="203.0.113.77"),
        make_comment(page, author_email="bo.private@example.com", ip_address="2001:db8::77"),
        posted,
    ]
    comments.append(make_comment(article, parent=comments[0], author_email="Cy@Example.COM"))
    paths = [
        by_id(discussion_of(article)),
        by_url("https://news.example/story"),
        by_object("articles.article", article.pk),
        f"{API}/counts?discussion={discussion_of(article).pk}&url=https://news.example/story",
        f"{by_id(discussion_of(article))}?sort=best",
        f"{by_url('https://news.example/story')}&sort=newest",
    ]
    answers = [read(path)[0] for path in paths]
    answers += [read(path, **{"X-Poster-Key": POSTER})[0] for path in paths]
    assert answers[len(paths)]["Cache-Control"].startswith("private")  # the poster's own view
    for comment in comments:
        comment.refresh_from_db()
        secrets_of = [str(getattr(comment, name)) for name in SECRETS_OF]
        secrets_of.append(hashlib.md5(comment.email_normalized.encode()).hexdigest())  # noqa: S324
        secrets_of.append(hashlib.sha256(comment.email_normalized.encode()).hexdigest())
        for response in answers:
            assert response.status_code == 200
            for secret in secrets_of:
                assert secret.encode() not in response.content
            assert b"@example" not in response.content.lower()
            assert b"192.0.2." not in response.content


# --------------------------------------------------------------------------------------------
# Bad input: a 4xx with an ErrorOut, never a 500

BAD_INPUT = {
    "id-not-a-number": ("/discussions/abc", 404),
    "id-too-large": ("/discussions/99999999999999999999999", 404),
    "id-negative": ("/discussions/-1", 404),
    "id-beyond-32-bits": ("/discussions/999999999999999999", 404),
    "page-not-a-number": ("/discussions/{id}?page=two", 400),
    "page-negative": ("/discussions/{id}?page=-1", 400),
    "page-fraction": ("/discussions/{id}?page=1.5", 400),
    "page-huge": ("/discussions/{id}?page=9999999999999", 400),
    "page-non-ascii-digit": ("/discussions/{id}?page=%D9%A3", 400),
    "page-empty": ("/discussions/{id}?page=", 400),
    "neither-url-nor-object": ("/discussions", 400),
    "both-url-and-object": ("/discussions?url=https://a.example/&object=articles.article:1", 400),
    "url-ftp": ("/discussions?url=ftp://files.example/x", 400),
    "url-javascript": ("/discussions?url=javascript:alert(1)", 400),
    "url-relative": ("/discussions?url=/articles/x/", 400),
    "url-no-host": ("/discussions?url=http://", 400),
    "url-page-bad": ("/discussions?url=http://testserver/x&page=x", 400),
    "object-no-pk": ("/discussions?object=articles.article", 404),
    "object-unknown-model": ("/discussions?object=nothing.here:1", 404),
    "object-no-label": ("/discussions?object=:1", 404),
    "object-pk-wrong-type": ("/discussions?object=articles.article:abc", 404),
    "object-pk-too-large": ("/discussions?object=articles.article:99999999999999999999999", 404),
    "object-pk-empty": ("/discussions?object=articles.article:", 404),
    "object-missing": ("/discussions?object=articles.article:987654", 404),
    "counts-id-not-a-number": ("/counts?discussion=abc", 400),
    "counts-id-too-large": ("/counts?discussion=99999999999999999999999", 400),
    "counts-url-ftp": ("/counts?url=ftp://files.example/x", 400),
    "counts-101": ("/counts?" + "&".join(["discussion=1"] * 101), 400),
}


@pytest.mark.parametrize(("path", "status"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_with_a_message(article, path, status):
    response, _ = read(API + path.replace("{id}", str(discussion_of(article).pk)))
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert ErrorOut.model_validate_json(response.content).message
    assert response["Cache-Control"] == "no-store"


def test_an_id_beyond_the_columns_range_is_unknown():
    """Well formed, so no refusal; and the database is never asked for an id its column
    cannot hold in a way that fails (PostgreSQL's integer)."""
    response = counts("discussion=999999999999999999&discussion=2147483648")
    assert response.json() == {"discussions": {}, "urls": {}}


@pytest.mark.parametrize("key", ["", "x" * 33, "é" * 20, "../../etc", "a" * 10_000])
def test_any_poster_key_is_answered(article, posted, key):
    response, _ = read(by_id(discussion_of(article)), **{"X-Poster-Key": key})
    assert response.status_code == 200
    assert b"Mine, waiting." not in response.content


# --------------------------------------------------------------------------------------------
# Queries: a warm read reads no comment, and none grows with the thread


@pytest.mark.parametrize("count", [10, 500])
def test_reads_cost_the_same_queries_whatever_the_threads_length(
    settings, count, django_assert_max_num_queries
):
    """A warm read: the discussion (is it public?) only. A cold one adds the thread's rows
    and the Discussion settings; a poster's own view, their own rows and the thread."""
    settings.COMMENTS_PER_PAGE = 1  # page 2 is there at both lengths
    article = make_article()
    make_threads(article, count)
    make_comment(article, status="pending", poster_key=POSTER)
    discussion = discussion_of(article)
    ContentType.objects.get_for_models(*discussed_models())  # kept by each process
    with django_assert_max_num_queries(3):
        cold = Client().get(by_id(discussion, 2))
    assert cold.status_code == 200
    with django_assert_max_num_queries(1):
        warm = Client().get(by_id(discussion, 2))
    assert warm.content == cold.content
    with django_assert_max_num_queries(3):
        own = Client().get(by_id(discussion, 2), headers={"X-Poster-Key": POSTER})
    assert own["Cache-Control"] == "private, no-cache"
    with django_assert_max_num_queries(2):  # the object, then its discussion
        assert Client().get(by_object("articles.article", article.pk) + "&page=2").content == (
            cold.content
        )
    with django_assert_max_num_queries(1):
        Client().get(f"{API}/counts?discussion={discussion.pk}")


# --------------------------------------------------------------------------------------------
# Sorting: ?sort=, as the HTML page's ?csort=


@pytest.fixture
def ranked(article):
    """Three threads, oldest first, each with a reply: the middle one most recommended, the
    newest next (counts as the write path keeps them on the rows)."""
    start = timezone.now() - timedelta(days=1)
    threads = []
    for n, count in enumerate([0, 5, 2]):
        top = make_comment(
            article,
            body=f"Thread {n}",
            submitted_at=start + timedelta(minutes=n),
            recommendation_count=count,
        )
        make_comment(article, parent=top, submitted_at=start + timedelta(hours=1))
        threads.append(top)
    return threads


def sorted_by(article, order):
    return f"{by_id(discussion_of(article))}?sort={order}"


@pytest.mark.parametrize(
    ("order", "expected"), [("oldest", [0, 1, 2]), ("newest", [2, 1, 0]), ("best", [1, 2, 0])]
)
def test_each_order_sorts_whole_threads_as_the_html_page_does(article, ranked, order, expected):
    data = discussion_json(sorted_by(article, order))
    assert data["order"] == order
    assert [c["id"] for c in data["comments"]] == [ranked[n].pk for n in expected]
    assert [len(c["replies"]) for c in data["comments"]] == [1, 1, 1]  # replies stay put
    assert shown(sorted_by(article, order)) == html_shown(
        f"{article.get_absolute_url()}?csort={order}"
    )
    assert [c["recommendations"] for c in data["comments"]] == [
        ranked[n].recommendation_count for n in expected
    ]


def test_each_order_pages_alike_and_its_permalinks_say_the_order(article, ranked, settings):
    settings.COMMENTS_PER_PAGE = 2
    second = discussion_json(f"{sorted_by(article, 'newest')}&page=2")
    assert (second["page"], second["num_pages"], second["order"]) == (2, 2, "newest")
    assert [c["id"] for c in second["comments"]] == [ranked[0].pk]
    assert second["comments"][0]["url"].endswith(f"?csort=newest&cpage=2#comment-{ranked[0].pk}")
    first = discussion_json(by_url(f"http://testserver{article.get_absolute_url()}") + "&sort=best")
    assert [c["id"] for c in first["comments"]] == [ranked[1].pk, ranked[2].pk]


def test_without_sort_the_answer_is_in_the_sites_default_order_and_says_so(
    article, ranked, settings
):
    assert discussion_json(by_id(discussion_of(article)))["order"] == "oldest"
    settings.COMMENTS_THREAD_ORDER = "newest"
    data = discussion_json(by_object("articles.article", article.pk))
    assert data["order"] == "newest"
    assert [c["id"] for c in data["comments"]] == [ranked[2].pk, ranked[1].pk, ranked[0].pk]
    assert discussion_json(sorted_by(article, "oldest"))["order"] == "oldest"


def test_each_order_has_its_own_etag(article, ranked):
    etags = {}
    for order in ("oldest", "newest", "best"):
        first, _ = read(sorted_by(article, order))
        etags[order] = first["ETag"]
        again, _ = read(sorted_by(article, order), **{"If-None-Match": first["ETag"]})
        assert again.status_code == 304
    assert len(set(etags.values())) == 3
    # The default order asked for by name is the default's answer, byte for byte.
    assert read(by_id(discussion_of(article)))[0]["ETag"] == etags["oldest"]
    other, _ = read(sorted_by(article, "newest"), **{"If-None-Match": etags["oldest"]})
    assert other.status_code == 200


def test_even_an_empty_threads_orders_differ(article):
    """Nothing to sort, but the answer says its order: a cache never serves one for another."""
    discussion_of(article)
    oldest, _ = read(sorted_by(article, "oldest"))
    newest, _ = read(sorted_by(article, "newest"))
    assert oldest["ETag"] != newest["ETag"]


def test_an_order_is_cached_apart_and_a_warm_read_reads_no_comment(article, ranked):
    for order in ("newest", "best"):
        read(sorted_by(article, order))
        response, comment_sql = read(sorted_by(article, order))
        assert response.json()["order"] == order
        assert comment_sql == []


def test_the_posters_own_answer_is_sorted_too(article, ranked):
    mine = make_comment(article, body="Mine, waiting.", status="pending", poster_key=POSTER)
    data = discussion_json(sorted_by(article, "newest"), **{"X-Poster-Key": POSTER})
    assert data["order"] == "newest"
    assert [c["id"] for c in data["comments"]][:2] == [mine.pk, ranked[2].pk]


@pytest.mark.parametrize("sort", ["popular", "NEWEST", "best ", "0", "csort", "%00"])
@pytest.mark.parametrize("kind", ["id", "url", "object"])
def test_an_unknown_order_is_400_and_says_which_there_are(article, sort, kind):
    path = {
        "id": by_id(discussion_of(article)) + "?",
        "url": by_url(f"http://testserver{article.get_absolute_url()}") + "&",
        "object": by_object("articles.article", article.pk) + "&",
    }[kind]
    response, _ = read(f"{path}sort={sort}")
    assert response.status_code == 400, response.content
    assert ErrorOut.model_validate_json(response.content).message == (
        "sort= takes oldest, newest or best (or nothing: the site's default order)."
    )
    assert response["Cache-Control"] == "no-store"


def test_an_empty_sort_is_the_default(article, ranked):
    assert discussion_json(by_id(discussion_of(article)) + "?sort=")["order"] == "oldest"
