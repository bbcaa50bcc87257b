"""Posting a comment through the site: redirects, moderation notes, and hostile input."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import Comment
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db


def with_token(data, article):
    """`data` posted from `article`'s own form."""
    return data | {"token": form_token(article)}


def test_post_redirects_to_the_new_comment(client, article, comment_data):
    response = client.post(post_url(article), comment_data, REMOTE_ADDR="203.0.113.7")
    comment = Comment.objects.get()
    assert response.status_code == 302
    landing = f"{article.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
    assert response["Location"] == landing
    assert comment.events.get().action == "submit"
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_address == "203.0.113.7"


def test_user_agent_is_stored_for_moderation(client, article, comment_data):
    client.post(post_url(article), comment_data, HTTP_USER_AGENT="Mozilla/5.0 Reader")
    assert Comment.objects.get().user_agent == "Mozilla/5.0 Reader"


def test_only_the_posters_session_sees_the_pending_comment(client, article, comment_data):
    client.post(post_url(article), comment_data)
    comment = Comment.objects.get()

    own_page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in own_page
    assert "Your comment is awaiting moderation." in own_page
    assert "<em>Nobody</em> expected this." in own_page

    other_page = Client().get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in other_page
    assert "Nobody" not in other_page


def test_pending_note_disappears_once_approved(client, article, comment_data):
    client.post(post_url(article), comment_data)
    Comment.objects.update(status=Comment.Status.APPROVED)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<em>Nobody</em> expected this." in page
    assert "awaiting moderation" not in page


def test_poster_does_not_see_own_comment_once_an_editor_marks_it_spam(
    client, article, comment_data, editor
):
    client.post(post_url(article), comment_data)
    moderation.mark_spam(Comment.objects.all(), by=editor)
    assert "Nobody" not in client.get(article.get_absolute_url()).content.decode()


def test_known_author_is_approved_at_once(client, article, comment_data):
    make_comment(article, author_name="Ada Reader", author_email="Ada.Reader@Example.com")
    client.post(post_url(article), comment_data | {"comment": "Another thought."})
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Another thought." in page


def test_hold_all_setting_holds_known_authors_too(client, article, comment_data, settings):
    settings.COMMENTS_HOLD_ALL = True
    make_comment(article, author_name="Ada Reader", author_email="ada.reader@example.com")
    client.post(post_url(article), comment_data | {"comment": "Another thought."})
    assert Comment.objects.latest("pk").status == Comment.Status.PENDING


def test_errors_reshow_the_page_with_everything_typed(client, article, comment_data):
    typed = comment_data | {"email": "not-an-email", "comment": "Line one\n\n<b>Line</b> two"}
    response = client.post(post_url(article), typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert Comment.objects.count() == 0
    assert "Enter a valid email address." in html
    assert 'value="Ada Reader"' in html
    assert 'value="not-an-email"' in html
    assert 'value="https://example.org/ada"' in html
    assert "Line one\n\n&lt;b&gt;Line&lt;/b&gt; two</textarea>" in html
    assert article.headline in html


def test_markup_in_name_and_website_is_escaped(client, article, comment_data):
    hostile = comment_data | {
        "name": '<script>alert("name")</script><b>Bold</b>',
        "url": 'https://example.org/"><script>alert(1)</script>',
    }
    client.post(post_url(article), hostile)
    Comment.objects.update(status=Comment.Status.APPROVED)
    html = Client().get(article.get_absolute_url()).content.decode()
    assert '<script>alert("name")' not in html
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;" in html
    assert '"><script>alert(1)' not in html


def test_website_becomes_a_nofollow_link(client, article, comment_data):
    client.post(post_url(article), comment_data)
    Comment.objects.update(status=Comment.Status.APPROVED)
    html = Client().get(article.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/ada" rel="external nofollow ugc" class="url">' in html


def test_non_http_website_stored_by_an_editor_is_not_linked(article):
    make_comment(article, author_name="Old Import", author_url="ftp://example.org/")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "ftp://example.org/" not in html
    assert "Old Import" in html


def test_huge_comment_gets_a_form_error_and_is_kept(client, article, comment_data):
    huge = "word " * 20000  # 100,000 characters
    response = client.post(post_url(article), comment_data | {"comment": huge})
    assert response.status_code == 200
    assert "Ensure this value has at most 65525 characters" in response.content.decode()
    assert huge.strip() in response.content.decode()
    assert Comment.objects.count() == 0


def test_request_body_over_the_upload_limit_is_a_400_not_a_500(client, article, comment_data):
    response = client.post(post_url(article), comment_data | {"comment": "x" * 3_000_000})
    assert response.status_code == 400


def test_forged_fields_are_ignored(client, article, comment_data):
    other = make_article()
    forged = comment_data | {
        "status": "approved",
        "article": other.pk,
        "discussion": discussion_of(other).pk,
        "body_html": "<script>alert(1)</script>",
        "ip_address": "10.0.0.1",
        "moderated_by": 1,
    }
    client.post(post_url(article), forged, REMOTE_ADDR="198.51.100.4")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.discussion == discussion_of(article)
    assert "script" not in comment.body_html
    assert comment.ip_address == "198.51.100.4"


def test_replayed_post_creates_one_comment_and_keeps_the_text(client, article, comment_data):
    first = client.post(post_url(article), comment_data)
    replay = client.post(post_url(article), comment_data)
    assert first.status_code == 302
    assert replay.status_code == 409
    html = replay.content.decode()
    assert "Duplicate comment detected; it looks as though you&#x27;ve already said that!" in html
    assert "I was at the talks. &lt;em&gt;Nobody&lt;/em&gt; expected this.</textarea>" in html
    assert Comment.objects.count() == 1


def test_duplicate_check_ignores_case_and_spaces_in_the_email(client, article, comment_data):
    client.post(post_url(article), comment_data)
    again = comment_data | {"email": "  ADA.Reader@Example.COM "}
    assert client.post(post_url(article), again).status_code == 409
    assert Comment.objects.count() == 1


def test_an_invalid_post_never_reveals_a_duplicate(client, article, comment_data):
    client.post(post_url(article), comment_data)
    html = client.post(post_url(article), comment_data | {"name": ""}).content.decode()
    assert "Duplicate" not in html
    assert "already" not in html


def test_someone_elses_pending_comment_stays_hidden(client, article, comment_data):
    stranger = make_comment(article, body="Stranger's pending words", status="pending")
    client.post(post_url(article), comment_data)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{stranger.pk}"' not in page


@pytest.mark.parametrize(
    "body",
    [
        b"name=Ada&email=ada%40example.com&comment=hello%00world",
        b"name=Ada&email=ada%40example.com&comment=lone%ED%A0%80surrogate",
        b"name=Ada&email=ada%40example.com&comment=bad%FF%FEutf8",
        b"name=Ada%00&email=ada%40example.com&comment=hello",
    ],
    ids=["nul", "surrogate-bytes", "invalid-utf8", "nul-in-name"],
)
def test_raw_junk_in_the_request_body_never_causes_a_500(client, article, body):
    body += b"&token=" + form_token(article).encode()
    response = client.post(
        post_url(article), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "contains characters that can" in response.content.decode()
    for comment in Comment.objects.all():
        assert "\x00" not in comment.body_raw + comment.author_name


def test_400_page_explains_itself(client, article, comment_data):
    response = client.post(post_url(article), comment_data | {"comment": "x" * 3_000_000})
    assert response.status_code == 400
    assert "Comments may be up to 65,525 characters long" in response.content.decode()


def test_a_get_of_the_posting_address_goes_back_to_the_form(client, article):
    response = client.get(post_url(article))
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#respond"


def test_other_methods_are_not_allowed(client, article):
    assert client.put(post_url(article)).status_code == 405


SAME_ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


def test_csrf_failure_keeps_the_comment_and_offers_a_fresh_token(article, comment_data):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(post_url(article), comment_data, **SAME_ORIGIN)
    html = response.content.decode()
    assert response.status_code == 403
    assert Comment.objects.count() == 0
    assert "Your comment was not sent because this page had expired." in html
    assert 'value="Ada Reader"' in html
    assert "I was at the talks. &lt;em&gt;Nobody&lt;/em&gt; expected this.</textarea>" in html

    token = csrf_client.cookies["csrftoken"].value
    retry = csrf_client.post(
        post_url(article), comment_data | {"csrfmiddlewaretoken": token}, **SAME_ORIGIN
    )
    assert retry.status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_REFERER": "https://attacker.example/page"},
        {},
    ],
    ids=["origin", "sec-fetch-site", "referer", "no-headers"],
)
def test_a_cross_site_post_gets_the_plain_refusal_not_a_prefilled_form(
    article, comment_data, headers
):
    response = Client(enforce_csrf_checks=True).post(post_url(article), comment_data, **headers)
    html = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in html
    assert "Ada Reader" not in html
    assert "Nobody" not in html
    assert 'id="commentform"' not in html


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_REFERER": "http://testserver/articles/x/"}],
    ids=["sec-fetch-site", "referer"],
)
def test_same_origin_is_recognised_without_an_origin_header(article, comment_data, headers):
    response = Client(enforce_csrf_checks=True).post(post_url(article), comment_data, **headers)
    assert 'value="Ada Reader"' in response.content.decode()


def test_csrf_failure_elsewhere_is_a_plain_403(article):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_csrf_token_from_the_page_lets_the_post_through(article, comment_data):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.get(article.get_absolute_url())
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(post_url(article), comment_data | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_cannot_comment_on_an_unpublished_article(client, comment_data, fields):
    unpublished = make_article(**fields)
    assert client.post(post_url(unpublished), comment_data).status_code == 404
    assert Comment.objects.count() == 0


def test_cannot_comment_on_a_missing_article(client, comment_data):
    response = client.post(reverse("comments:post", kwargs={"discussion_id": 999999}), comment_data)
    assert response.status_code == 404


def assert_closed(client, article, comment_data):
    """Closed: the notice in place of the form and its heading, the thread still shown, and
    a post refused with 403, its text kept."""
    make_comment(article, body="An earlier remark")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed." in page
    assert 'id="commentform"' not in page
    assert "Leave a Reply" not in page
    assert "An earlier remark" in page
    response = client.post(post_url(article), comment_data)
    assert response.status_code == 403
    assert "Comments are closed." in response.content.decode()
    assert "I was at the talks." in response.content.decode()
    posted = Comment.objects.filter(discussion=discussion_of(article))
    assert not posted.filter(author_name=comment_data["name"]).exists()


def test_closed_article_shows_no_form_and_refuses_posts(client, comment_data):
    closed = make_article(comments_open=False)
    assert_closed(client, closed, with_token(comment_data, closed))


def test_comments_close_some_days_after_publication(client, comment_data, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    fresh = make_article(published_at=timezone.now() - timedelta(days=13))
    assert client.post(post_url(fresh), with_token(comment_data, fresh)).status_code == 302
    stale = make_article(published_at=timezone.now() - timedelta(days=15))
    assert_closed(client, stale, with_token(comment_data, stale))


def test_comments_never_close_by_age_by_default(client, comment_data, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    old = make_article(published_at=timezone.now() - timedelta(days=3650))
    assert client.post(post_url(old), with_token(comment_data, old)).status_code == 302


def test_the_thread_heading_counts_approved_comments_only(client, article, comment_data):
    make_comment(article)
    make_comment(article)
    client.post(post_url(article), comment_data)  # held: the poster sees it, uncounted
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in html
    assert f"2 comments on “<bdi>{article.headline}</bdi>”" in html
    front = client.get("/").content.decode()
    assert "2 comments</a>" in front


def test_a_page_showing_the_posters_pending_comment_is_private(client, article, comment_data):
    public = client.get(article.get_absolute_url())
    assert "private" not in public.get("Cache-Control", "")
    client.post(post_url(article), comment_data)
    own = client.get(article.get_absolute_url())
    assert "private" in own["Cache-Control"]
    assert "Cookie" in own["Vary"]


def test_an_error_page_is_private(client, article, comment_data):
    response = client.post(post_url(article), comment_data | {"email": "kay@example"})
    assert "private" in response["Cache-Control"]


def test_datetime_attributes_are_valid_html(client, article):
    make_comment(article)
    for url in (article.get_absolute_url(), "/"):
        html = client.get(url).content.decode()
        values = re.findall(r'datetime="([^"]*)"', html)
        assert values
        for value in values:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value


def test_names_are_isolated_from_the_text_around_them(client, article):
    make_comment(article, author_name="\u202eevil name", author_url="https://example.org/")
    make_comment(article, author_name="\u202eplain name")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<bdi>\u202eevil name</bdi></a>" in html
    assert "<bdi>\u202eplain name</bdi></b>" in html
