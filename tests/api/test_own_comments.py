"""A poster's own comments through the API, by the poster key the client keeps (no cookie):
listed while they await an editor or may still be edited, edited and deleted within
COMMENTS_EDIT_MINUTES, and a 404 that says nothing for anyone else, as the HTML edit page
(tests/public/test_own_edits.py)."""

import json
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from comments.public.views import DUPLICATE_MESSAGE
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db

API = "/api/v1"
LISTED = "https://news.example"
OTHER_KEY = "fedcba9876543210fedcba9876543210"
NOT_FOUND = {"message": "Not found.", "errors": {}}


@pytest.fixture(autouse=True)
def one_listed_origin(settings):
    settings.COMMENTS_EMBED_ORIGINS = [LISTED]


def post(article, key=None, **fields):
    """Post through the API; return (the poster key it answered, the comment as saved)."""
    data = {
        "name": "Ada",
        "email": "ada@example.com",
        "comment": "First version.",
        "token": form_token(article),
    } | fields
    headers = {"HTTP_X_POSTER_KEY": key} if key else {}
    response = Client().post(
        f"{API}/discussions/{discussion_of(article).pk}/comments",
        json.dumps(data),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
        **headers,
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    return answer["poster_key"], Comment.objects.get(pk=answer["comment"]["id"])


def mine(article, key=None, **extra):
    if key:
        extra["HTTP_X_POSTER_KEY"] = key
    return Client().get(f"{API}/discussions/{discussion_of(article).pk}/mine", **extra)


def listed(article, key):
    return [item["comment"]["id"] for item in mine(article, key).json()["comments"]]


def edit(comment, text, key, **extra):
    return Client().patch(
        f"{API}/comments/{comment.pk}",
        json.dumps({"comment": text}),
        content_type="application/json",
        HTTP_X_POSTER_KEY=key,
        **extra,
    )


def delete(comment, key, **extra):
    return Client().delete(f"{API}/comments/{comment.pk}", HTTP_X_POSTER_KEY=key, **extra)


def parsed(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def age(comment, minutes):
    """The comment as if posted `minutes` ago."""
    Comment.objects.filter(pk=comment.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=minutes)
    )


# --------------------------------------------------------------------------------------------
# Listed


def test_the_poster_lists_their_pending_comment_with_its_edit_window(article):
    key, comment = post(article)
    response = mine(article, key)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "X-Poster-Key" in response["Vary"]
    (item,) = response.json()["comments"]
    assert item["comment"]["id"] == comment.pk
    assert item["comment"]["status"] == "pending"
    assert item["comment"]["body_html"] == "<p>First version.</p>"
    until = comment.submitted_at + timedelta(minutes=10)
    assert abs(parsed(item["edit_until"]) - until) < timedelta(milliseconds=1)


def test_nobody_else_lists_them(article):
    key, _ = post(article)
    assert listed(article, None) == []
    assert listed(article, OTHER_KEY) == []
    assert listed(article, "not a key") == []
    assert listed(article, key.upper()) == []


def test_a_comment_a_rule_sent_to_spam_is_listed_as_pending(article):
    key, comment = post(article, hp="http://bot.example")
    assert comment.status == Comment.Status.SPAM
    (item,) = mine(article, key).json()["comments"]
    assert item["comment"]["status"] == "pending"


def test_what_is_listed_awaiting_or_editable_and_this_discussions_only(article, editor):
    key, pending = post(article)
    _, approved = post(article, key=key, comment="Approved, in the window.")
    _, old_approved = post(article, key=key, comment="Approved long ago.")
    _, old_pending = post(article, key=key, comment="Pending long ago.")
    _, decided_spam = post(article, key=key, comment="Spam an editor decided on.")
    _, elsewhere = post(other := make_article(), key=key)
    moderation.approve([approved, old_approved], by=editor)
    moderation.mark_spam([decided_spam], by=editor)
    age(old_approved, 11)
    age(old_pending, 60)
    assert listed(article, key) == [old_pending.pk, pending.pk, approved.pk]  # oldest first
    statuses = {
        item["comment"]["id"]: item["comment"]["status"]
        for item in mine(article, key).json()["comments"]
    }
    assert statuses[approved.pk] == "approved"
    assert listed(other, key) == [elsewhere.pk]


def test_an_unknown_discussion_is_a_404(article):
    assert mine(make_article(status="draft"), OTHER_KEY).json() == NOT_FOUND
    assert Client().get(f"{API}/discussions/999999/mine").status_code == 404


# --------------------------------------------------------------------------------------------
# Edited


def test_the_poster_edits_within_the_window(article):
    key, comment = post(article)
    response = edit(comment, "Second <b>version</b>.<script>x</script>", key)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    answer = response.json()
    assert answer["comment"]["body_html"] == "<p>Second <b>version</b>.</p>"
    assert answer["comment"]["edited_at"] is not None
    comment.refresh_from_db()
    assert comment.body_html == "<p>Second <b>version</b>.</p>"
    assert comment.events.first().reason == "edited by its poster"


def test_an_approved_comment_whose_edit_adds_a_link_goes_back_to_the_policy(article, editor):
    key, comment = post(article)
    moderation.approve([comment], by=editor)
    response = edit(comment, 'Now see <a href="https://shop.example/">this</a>', key)
    assert response.json()["comment"]["status"] == "pending"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "the poster's edit added a link" in comment.events.first().reason


def test_an_edit_that_repeats_another_of_their_comments_is_409(article):
    key, _ = post(article)
    _, second = post(article, key=key, comment="Second thought.")
    response = edit(second, "First version.", key)
    assert response.status_code == 409
    assert response.json() == {
        "message": DUPLICATE_MESSAGE,
        "errors": {"comment": [DUPLICATE_MESSAGE]},
    }
    second.refresh_from_db()
    assert second.body_raw == "Second thought."


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Please type a comment."), ("x" * 70000, "Ensure this value has at most 65525")],
)
def test_an_invalid_edit_is_400_with_the_forms_message(article, text, message):
    key, comment = post(article)
    response = edit(comment, text, key)
    assert response.status_code == 400
    assert response.json()["errors"]["comment"][0].startswith(message)
    comment.refresh_from_db()
    assert comment.body_raw == "First version."


def test_an_edit_body_that_is_no_json_object_is_400(article):
    key, comment = post(article)
    response = Client().patch(
        f"{API}/comments/{comment.pk}",
        "[",
        content_type="application/json",
        HTTP_X_POSTER_KEY=key,
    )
    assert response.status_code == 400
    assert response.json()["message"] == "The body must be a JSON object."


# --------------------------------------------------------------------------------------------
# Deleted


def test_the_poster_deletes_within_the_window(article):
    key, comment = post(article)
    response = delete(comment, key)
    assert response.status_code == 204
    assert response.content == b""
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert comment.events.first().rule == "its poster"
    assert listed(article, key) == []
    assert delete(comment, key).json() == NOT_FOUND


# --------------------------------------------------------------------------------------------
# Anyone else: one 404 that says nothing


def refusals(comment, key):
    return [edit(comment, "Hijacked", key), delete(comment, key)]


def assert_untouched(comment, body="First version."):
    """Neither edited nor removed (`comment` as it was before the attempts)."""
    before = comment.status
    comment.refresh_from_db()
    assert (comment.body_raw, comment.status) == (body, before)


@pytest.mark.parametrize("key", [None, "", OTHER_KEY, "not a key"], ids=str)
def test_another_key_or_none_is_a_404(article, key):
    _, comment = post(article)
    for response in refusals(comment, key or ""):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert_untouched(comment)


def test_after_the_window_it_is_a_404(article, settings):
    key, comment = post(article)
    age(comment, 11)
    for response in refusals(comment, key):
        assert response.json() == NOT_FOUND
    assert_untouched(comment)


def test_another_readers_comment_or_no_comment_is_the_same_404(article):
    key, _ = post(article)
    someone_else = make_comment(article, body="Not yours")
    for response in refusals(someone_else, key):
        assert response.json() == NOT_FOUND
    assert_untouched(someone_else, "Not yours")
    for url in (f"{API}/comments/999999", f"{API}/comments/{10**30}"):
        response = Client().delete(url, HTTP_X_POSTER_KEY=key)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_comment_an_editor_decided_against_is_a_404(article, editor):
    key, comment = post(article)
    moderation.mark_spam([comment], by=editor)
    comment.refresh_from_db()
    for response in refusals(comment, key):
        assert response.json() == NOT_FOUND
    assert_untouched(comment)


def test_the_html_sessions_key_is_not_the_apis(article, client):
    """A comment posted through the HTML form belongs to that browser's session: the API,
    which reads no cookie, can't edit it, even from the same browser."""
    data = {"name": "Ada", "email": "ada@example.com", "comment": "First version."}
    client.post(post_url(article), data | {"token": form_token(article)})
    comment = Comment.objects.get()
    response = client.delete(f"{API}/comments/{comment.pk}")
    assert response.status_code == 404
    assert_untouched(comment)


def test_an_unlisted_origin_changes_nothing(article):
    key, comment = post(article)
    for response in (
        edit(comment, "Hijacked", key, HTTP_ORIGIN="https://evil.example"),
        delete(comment, key, HTTP_ORIGIN="https://evil.example"),
    ):
        assert response.status_code == 403
    assert_untouched(comment)
    listed_origin = edit(comment, "From the embed.", key, HTTP_ORIGIN=LISTED)
    assert listed_origin.status_code == 200
    assert listed_origin["Access-Control-Allow-Origin"] == LISTED


def test_a_comment_preflight_answers_a_listed_origin_only(article):
    _, comment = post(article)
    allowed = Client().options(f"{API}/comments/{comment.pk}", HTTP_ORIGIN=LISTED)
    assert allowed.status_code == 204
    assert "PATCH" in allowed["Access-Control-Allow-Methods"]
    assert "DELETE" in allowed["Access-Control-Allow-Methods"]
    other = Client().options(f"{API}/comments/{comment.pk}", HTTP_ORIGIN="https://x.example")
    assert "Access-Control-Allow-Origin" not in other


# --------------------------------------------------------------------------------------------
# Privacy


def test_no_email_or_address_in_the_posters_answers(article):
    make_comment(article, author_email="carol@example.net", ip_address="192.0.2.44")
    key, comment = post(article)
    _, other = post(article, key=key, comment="Another.", email="ada2@example.com")
    answers = [
        mine(article, key),
        edit(comment, "Edited.", key),
        edit(other, "Edited.", key),
        edit(comment, "Edited.", key),  # unchanged: no duplicate of itself
        edit(comment, "", key),
        delete(other, key),
        delete(other, key),
    ]
    for answer in answers:
        text = answer.content.decode() + " ".join(f"{k}: {v}" for k, v in answer.items())
        for secret in ("ada@example.com", "ada2@example.com", "carol@", "203.0.113.7"):
            assert secret not in text
        assert "192.0.2.44" not in text
    assert {answer.status_code for answer in answers} == {200, 204, 400, 404}
