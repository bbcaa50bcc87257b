"""Posting through the API: the form endpoint, a post and a preview, under every rule of the
HTML form (tests/public/test_posting.py, test_form_token.py, test_honeypot.py,
test_flood.py; tests/moderation's blocks and word lists), with the HTML form's own messages;
the Origin check and CORS; bodies that are not what they should be; and privacy."""

import hashlib
import html
import json
import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from comments.models import Block, Comment, DiscussionSettings, Subscription
from comments.public.forms import FORM_EXPIRED_MESSAGE, form_token_age
from comments.public.views import DUPLICATE_MESSAGE, FLOOD_MESSAGE
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url
from tests.spam.test_spam_filter import OBVIOUS_SPAM, save_version, score

pytestmark = pytest.mark.django_db

API = "/api/v1"
LISTED = "https://news.example"
CLOSED = "Comments are closed."
BAD_PARENT = "The comment you are replying to is not available"
FORM_ERRORS = "The comment was not posted: see the errors of each field."
JUNK = (
    "This contains characters that can't be saved (control characters or broken Unicode). "
    "Please remove them and try again."
)


@pytest.fixture(autouse=True)
def one_listed_origin(settings):
    settings.COMMENTS_EMBED_ORIGINS = [LISTED]


@pytest.fixture
def data(article):
    """A valid post for `article`'s discussion, sent a minute after its token was taken."""
    return {
        "name": "Ada Reader",
        "email": "ada.reader@example.com",
        "url": "https://example.org/ada",
        "comment": "I was at the talks. <em>Nobody</em> expected this.",
        "token": form_token(article),
        "hp": "",
    }


def discussion_url(article, what):
    return f"{API}/discussions/{discussion_of(article).pk}/{what}"


def post(article, data, *, client=None, key=None, ip="192.0.2.1", **extra):
    """POST `data` as JSON to the discussion's comments (`data` a str: sent as it is)."""
    if key is not None:
        extra["HTTP_X_POSTER_KEY"] = key
    return (client or Client()).post(
        discussion_url(article, "comments"),
        data if isinstance(data, str | bytes) else json.dumps(data),
        content_type="application/json",
        REMOTE_ADDR=ip,
        **extra,
    )


def preview(article, data, **extra):
    return Client().post(
        discussion_url(article, "preview"),
        json.dumps(data),
        content_type="application/json",
        **extra,
    )


def html_post(article, data, ip="192.0.2.1"):
    """The same fields through the HTML form, as a browser sends them."""
    fields = {name: value for name, value in data.items() if value is not None}
    return Client().post(post_url(article), fields, REMOTE_ADDR=ip)


def decided(comment):
    """(status, rule) of a new comment's one decision."""
    return comment.status, comment.events.get().rule


def assert_refused(response, status, message, errors=None):
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["message"] == message
    if errors is not None:
        assert body["errors"] == errors
    return body


# --------------------------------------------------------------------------------------------
# What a client needs to post


def test_the_form_endpoint_gives_a_fresh_token_for_this_discussion_and_the_rules(article):
    response = Client().get(discussion_url(article, "form"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    form = response.json()
    assert 0 <= form_token_age(form["token"], discussion_of(article)) < 5
    assert form_token_age(form["token"], discussion_of(make_article())) is None
    assert form["accepts_comments"] is True
    assert (form["min_seconds"], form["max_age_seconds"]) == (3, 24 * 60 * 60)
    assert form["preview"] is True
    assert form["edit_minutes"] == 10
    assert {field["name"]: field["max_length"] for field in form["fields"]} == {
        "name": 245,
        "email": 100,
        "url": 200,
        "comment": 65525,
        "parent": None,
        "token": None,
        "hp": None,
        "notify_replies": None,
        "notify_all": None,
    }
    assert [(box["name"], box["label"]) for box in form["boxes"]] == [
        ("notify_replies", "Email me when someone replies to me"),
        ("notify_all", "Email me when anyone comments on this article"),
    ]
    assert all(
        box["note"].startswith("Email boxes: we first send one message") for box in form["boxes"]
    )
    assert [reason["value"] for reason in form["report_reasons"]] == [
        "spam",
        "abuse",
        "off_topic",
        "other",
    ]
    assert form["report_text_max_length"] == 200


def test_the_form_endpoint_says_when_a_discussion_takes_no_comments(settings):
    article = make_article(comments_open=False)
    assert Client().get(discussion_url(article, "form")).json()["accepts_comments"] is False


def test_the_form_endpoint_of_an_unknown_or_unpublished_discussion_is_a_404(article):
    draft = make_article(status="draft")
    for url in (f"{API}/discussions/999999/form", discussion_url(draft, "form")):
        assert_refused(Client().get(url), 404, "Not found.")


def test_a_token_from_the_form_endpoint_posts_once_a_person_could_have_typed(article, data):
    """The endpoint's token is the HTML form's: sent back at once it is a bot's (spam, the
    poster told "pending"); a minute later (settings say 0 seconds here) an ordinary post."""
    token = Client().get(discussion_url(article, "form")).json()["token"]
    response = post(article, data | {"token": token})
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"
    assert decided(Comment.objects.get()) == ("spam", "form token")


# --------------------------------------------------------------------------------------------
# A post


def test_a_valid_post_is_201_with_the_posters_comment_key_and_edit_window(article, data):
    response = post(article, data, ip="203.0.113.7", HTTP_USER_AGENT="Embed/1.0")
    assert response.status_code == 201
    assert "private" in response["Cache-Control"]
    answer = response.json()
    comment = Comment.objects.get()
    assert decided(comment) == ("pending", "new author")
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.7", "Embed/1.0")
    assert re.fullmatch(r"[0-9a-f]{32}", answer["poster_key"])
    assert comment.poster_key == answer["poster_key"]
    shown = answer["comment"]
    assert shown["id"] == comment.pk
    assert shown["status"] == "pending"
    assert shown["author"] == "Ada Reader"
    assert shown["author_url"] == "https://example.org/ada"
    assert shown["body_html"] == "<p>I was at the talks. <em>Nobody</em> expected this.</p>"
    assert shown["url"] == comment.get_posted_url()  # a path, as the reads answer it
    assert shown["parent"] is None and shown["replies"] == []
    edit_until = datetime.fromisoformat(answer["edit_until"].replace("Z", "+00:00"))
    assert abs(edit_until - (comment.submitted_at + timedelta(minutes=10))) < timedelta(seconds=1)


def test_a_known_author_is_approved_at_once(article, data):
    make_comment(article, author_name="Ada Reader", author_email="Ada.Reader@Example.com")
    response = post(article, data | {"comment": "Another thought."})
    assert response.json()["comment"]["status"] == "approved"
    assert decided(Comment.objects.latest("pk")) == ("approved", "known author")


def test_the_poster_key_sent_is_kept_and_a_malformed_one_is_replaced(article, data):
    key = "0123456789abcdef0123456789abcdef"
    first = post(article, data, key=key).json()
    assert first["poster_key"] == key
    assert Comment.objects.get(pk=first["comment"]["id"]).poster_key == key
    for malformed in ("not-a-key", key.upper(), key + "0", "' OR 1=1 --"):
        data = data | {"comment": f"Another, with {malformed!r}.", "token": form_token(article)}
        answer = post(article, data, key=malformed).json()
        assert re.fullmatch(r"[0-9a-f]{32}", answer["poster_key"])
        assert answer["poster_key"] not in (key, malformed)


def test_a_reply_names_its_parent(article, data):
    parent = make_comment(article)
    response = post(article, data | {"parent": parent.pk})
    assert response.status_code == 201
    assert response.json()["comment"]["parent"] == parent.pk
    assert response.json()["comment"]["depth"] == 1


@pytest.mark.parametrize("parent", ["another discussion's", 999999, 10**30, -1])
def test_a_parent_from_another_discussion_or_none_is_the_forms_error(article, data, parent):
    elsewhere = make_comment(make_article())
    if parent == "another discussion's":
        parent = elsewhere.pk
    body = assert_refused(post(article, data | {"parent": parent}), 400, FORM_ERRORS)
    (message,) = body["errors"]["parent"]
    assert message.startswith(BAD_PARENT) or message.startswith("Ensure this value is greater")
    assert Comment.objects.count() == 1


def test_a_closed_discussion_refuses_with_403_and_stores_nothing(data):
    article = make_article(comments_open=False)
    response = post(article, data | {"token": form_token(article)})
    assert_refused(response, 403, CLOSED, {"__all__": [CLOSED]})
    assert not Comment.objects.exists()
    assert html_post(article, data | {"token": form_token(article)}).status_code == 403


BAD_FIELDS = {
    "bad-email": ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    "no-name": ({"name": ""}, "name", "This field is required."),
    "invisible-name": (
        {"name": "\u3164\u200b"},
        "name",
        "Please enter a name with at least one visible character.",
    ),
    "no-comment": ({"comment": "   "}, "comment", "Please type a comment."),
    "huge-comment": (
        {"comment": "word " * 20000},
        "comment",
        "Ensure this value has at most 65525 characters (it has 100000).",
    ),
    "ftp-website": (
        {"url": "ftp://example.org/"},
        "url",
        "Enter a web address starting with http:// or https://.",
    ),
    "nul": ({"comment": "hello\x00world"}, "comment", JUNK),
}


@pytest.mark.parametrize(
    ("changes", "field", "message"), BAD_FIELDS.values(), ids=BAD_FIELDS.keys()
)
def test_field_errors_are_400_with_the_html_forms_own_messages(
    article, data, changes, field, message
):
    """Each field's messages, word for word what the HTML form shows for the same post."""
    response = post(article, data | changes)
    body = assert_refused(response, 400, FORM_ERRORS)
    assert body["errors"] == {field: [message]}
    assert not Comment.objects.exists()
    page = html.unescape(html_post(article, data | changes).content.decode())
    assert message in page
    assert not Comment.objects.exists()


def test_a_lone_surrogate_escaped_in_the_json_is_the_forms_junk_error(article):
    """JSON may escape what UTF-8 can't carry (a lone surrogate): the form refuses it."""
    body = '{"name": "Ada\\ud800", "email": "a@example.com", "comment": "Hi", "token": "%s"}'
    response = post(article, body % form_token(article))
    assert_refused(response, 400, FORM_ERRORS, {"name": [JUNK]})


# --------------------------------------------------------------------------------------------
# The token, the honeypot: as the HTML form judges them


BAD_TOKENS = {
    "missing": lambda a: None,
    "empty": lambda a: "",
    "forged": lambda a: "WzEsMTcwMDAwMDAwMC4wXQ:1abc:forged",
    "tampered": lambda a: form_token(a)[:-3] + "AAA",
    "another-discussions": lambda a: form_token(make_article()),
    "expired": lambda a: form_token(a, age=24 * 60 * 60 + 60),
    "with-a-nul": lambda a: form_token(a) + "\x00",
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_the_forms_expired_message_and_nothing_is_stored(article, data, make_token):
    token = make_token(article)
    sent = data | {"token": token}
    if token is None:
        del sent["token"]
    response = post(article, sent)
    assert_refused(
        response,
        400,
        FORM_ERRORS,
        {"token": [FORM_EXPIRED_MESSAGE]},
    )
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("age", "status"), [(0, "spam"), (2, "spam"), (4, "pending")])
def test_sooner_than_a_person_could_is_spam_and_the_poster_is_told_pending(
    article, data, age, status
):
    response = post(article, data | {"token": form_token(article, age)})
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"
    comment = Comment.objects.get()
    assert comment.status == status
    if status == "spam":
        assert decided(comment) == ("spam", "form token")
    assert "spam" not in response.content.decode().lower()


def test_a_filled_honeypot_is_spam_and_the_bot_is_told_pending(article, data):
    response = post(article, data | {"hp": "http://bot.example"})
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"
    assert decided(Comment.objects.get()) == ("spam", "honeypot")
    assert "spam" not in response.content.decode().lower()


# --------------------------------------------------------------------------------------------
# Duplicates and flood control: the HTML form's flow, the HTML form's messages


def test_a_repeated_post_is_409_duplicate_and_stores_one(article, data):
    assert post(article, data).status_code == 201
    assert_refused(post(article, data), 409, DUPLICATE_MESSAGE, {})
    again = data | {"email": "  ADA.Reader@Example.COM "}
    assert_refused(post(article, again), 409, DUPLICATE_MESSAGE)
    assert Comment.objects.count() == 1


def test_a_post_already_made_through_the_html_form_is_a_duplicate(article, data):
    assert html_post(article, data).status_code == 302
    assert_refused(post(article, data), 409, DUPLICATE_MESSAGE)
    assert Comment.objects.count() == 1


@pytest.fixture
def flood_control_on(settings):
    settings.COMMENTS_FLOOD_SECONDS = 15


def as_reader(data, name, email, text):
    return data | {"name": name, "email": email, "comment": text}


@pytest.mark.usefixtures("flood_control_on")
def test_a_second_post_from_the_same_address_is_429_and_stores_nothing(article, data):
    assert post(article, data).status_code == 201
    bob = as_reader(data, "Bob", "bob@example.com", "Bob's own, different view.")
    assert_refused(post(article, bob), 429, FLOOD_MESSAGE, {})
    assert list(Comment.objects.values_list("author_email", flat=True)) == [data["email"]]


@pytest.mark.usefixtures("flood_control_on")
def test_the_api_and_the_html_form_share_one_flood_count(article, data):
    """A reader who posted through the HTML form is refused by the API within the window,
    and the other way round: one flow, one count."""
    assert html_post(article, data, ip="198.51.100.1").status_code == 302
    again = data | {"comment": "And through the API, at once."}
    assert_refused(post(article, again, ip="198.51.100.9"), 429, FLOOD_MESSAGE)
    bob = as_reader(data, "Bob", "bob@example.com", "Bob first, through the API.")
    assert post(article, bob, ip="203.0.113.5").status_code == 201
    page = html_post(article, bob | {"comment": "Bob again."}, ip="203.0.113.5")
    assert page.status_code == 429
    assert Comment.objects.count() == 2


@pytest.mark.usefixtures("flood_control_on")
def test_a_signed_in_editors_session_exempts_nothing_through_the_api(editor_client, article, data):
    """The API reads no cookie: an editor's session, which exempts them on the HTML side,
    is not asked here."""
    assert post(article, data, client=editor_client).status_code == 201
    again = data | {"comment": "A second note, at once."}
    assert_refused(post(article, again, client=editor_client), 429, FLOOD_MESSAGE)
    assert "Set-Cookie" not in post(article, data, client=editor_client).headers


@pytest.mark.usefixtures("flood_control_on")
def test_a_duplicate_takes_no_flood_slot(article, data):
    make_comment(
        article, author_name=data["name"], author_email=data["email"], body=data["comment"]
    )
    assert post(article, data).status_code == 409
    assert post(article, data | {"comment": "Something new."}).status_code == 201


@pytest.mark.usefixtures("flood_control_on")
def test_with_redis_down_posts_are_kept_and_held(article, data, dead_redis):
    """Flood control can't be checked: no error and no 429; the comment is held for an editor
    by the rule "flood control", even a known author's; a bot's is still spam."""
    make_comment(article, author_name=data["name"], author_email=data["email"])
    response = post(article, data)
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"
    assert decided(Comment.objects.latest("pk")) == ("pending", "flood control")
    bot = data | {"comment": "Bot words.", "hp": "http://bot.example"}
    assert post(article, bot).status_code == 201
    assert decided(Comment.objects.latest("pk")) == ("spam", "honeypot")


# --------------------------------------------------------------------------------------------
# The write path's policy: blocks, word lists, the spam filter


@pytest.mark.parametrize(
    "block", [{"email": "ada.reader@example.com"}, {"network": "198.51.100.0/24"}]
)
def test_a_blocked_poster_is_spam_silently(article, data, block):
    Block.objects.create(**block)
    response = post(article, data, ip="198.51.100.7")
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"
    assert decided(Comment.objects.get()) == ("spam", "blocked")


def test_the_word_lists_hold_or_send_to_spam(article, data):
    make_comment(make_article(), author_name=data["name"], author_email=data["email"])
    DiscussionSettings(hold_words="bargain", disallowed_words="casino").save()
    held = post(article, data | {"comment": "What a Bargain this was."})
    assert held.json()["comment"]["status"] == "pending"
    assert decided(Comment.objects.latest("pk")) == ("pending", "hold words")
    spam = post(article, data | {"comment": "Another CASINO night, please."})
    assert spam.json()["comment"]["status"] == "pending"
    assert decided(Comment.objects.latest("pk")) == ("spam", "disallowed words")
    fine = post(article, data | {"comment": "Nothing to see."})
    assert fine.json()["comment"]["status"] == "approved"


def test_the_spam_filter_scores_an_api_post(article, data):
    expected = score(OBVIOUS_SPAM, data["name"], data["url"])
    save_version(spam_threshold=expected - 0.05, hold_threshold=expected - 0.2)
    response = post(article, data | {"comment": OBVIOUS_SPAM})
    assert response.json()["comment"]["status"] == "pending"
    comment = Comment.objects.get()
    assert decided(comment) == ("spam", "spam filter")
    assert comment.spam_score == pytest.approx(expected)


# --------------------------------------------------------------------------------------------
# Origins and CORS


def test_a_post_from_an_unlisted_origin_is_refused_unread_and_stores_nothing(article, data):
    """Refused before the body is read: a body that is no JSON gets the same 403."""
    for body in (json.dumps(data), "{not json", json.dumps(data | {"hp": "x"})):
        response = post(article, body, HTTP_ORIGIN="https://evil.example")
        assert_refused(
            response,
            403,
            "Posting is not allowed from this origin: the site must be listed in "
            "COMMENTS_EMBED_ORIGINS.",
        )
        assert "Access-Control-Allow-Origin" not in response
    response = preview(article, data, HTTP_ORIGIN="null")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_post_from_a_listed_origin_is_201_with_its_cors_headers(article, data):
    response = post(article, data, HTTP_ORIGIN=LISTED)
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == LISTED
    assert "X-Poster-Key" in response["Access-Control-Allow-Headers"]
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


def test_a_post_from_this_sites_own_pages_needs_no_listing(article, data):
    response = post(article, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("what", ["form", "comments", "preview", "mine"])
def test_preflights_answer_a_listed_origin_only(article, what):
    url = discussion_url(article, what)
    allowed = Client().options(url, HTTP_ORIGIN=LISTED)
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == LISTED
    assert allowed["Access-Control-Allow-Methods"] == "GET, POST, PATCH, DELETE, OPTIONS"
    other = Client().options(url, HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 204
    assert "Access-Control-Allow-Origin" not in other


def test_every_answer_carries_the_cors_headers_for_a_listed_origin(article, data):
    answers = [
        Client().get(discussion_url(article, "form"), HTTP_ORIGIN=LISTED),
        post(article, data | {"email": "x"}, HTTP_ORIGIN=LISTED),
        preview(article, data, HTTP_ORIGIN=LISTED),
        Client().get(f"{API}/discussions/999999/form", HTTP_ORIGIN=LISTED),
    ]
    for response in answers:
        assert response["Access-Control-Allow-Origin"] == LISTED, response.status_code


# --------------------------------------------------------------------------------------------
# Bodies that are not what they should be: never a 500


NOT_OBJECTS = {
    "not-json": "{not json",
    "empty": "",
    "a-list": "[1, 2]",
    "a-string": '"hello"',
    "null": "null",
    "invalid-utf8": b'{"name": "\xff\xfe"}',
    "nested-too-deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("body", NOT_OBJECTS.values(), ids=NOT_OBJECTS.keys())
def test_a_body_that_is_no_json_object_is_400(article, body):
    assert_refused(post(article, body), 400, "The body must be a JSON object.", {})
    assert not Comment.objects.exists()


WRONG_TYPES = {
    "name-a-list": ({"name": ["Ada"]}, {"name": ["Enter text."]}),
    "comment-an-object": ({"comment": {"a": 1}}, {"comment": ["Enter text."]}),
    "email-a-number": ({"email": 5}, {"email": ["Enter text."]}),
    "hp-true": ({"hp": True}, {"hp": ["Enter text."]}),
    "parent-true": ({"parent": True}, {"parent": ["Enter a whole number."]}),
    "parent-a-float": ({"parent": 1.5}, {"parent": ["Enter a whole number."]}),
    "parent-text": ({"parent": "abc"}, {"parent": ["Enter a whole number."]}),
}


@pytest.mark.parametrize(("changes", "errors"), WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_values_of_the_wrong_type_are_400_by_field(article, data, changes, errors):
    response = post(article, data | changes)
    assert_refused(response, 400, FORM_ERRORS)
    assert response.json()["errors"] == errors
    assert not Comment.objects.exists()


def test_unknown_keys_are_ignored_as_the_html_form_ignores_them(article, data):
    forged = data | {"status": "approved", "ip_address": "10.0.0.1", "remember": True}
    response = post(article, forged, ip="198.51.100.4")
    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.status, comment.ip_address) == ("pending", "198.51.100.4")
    assert "Set-Cookie" not in response.headers


def test_a_body_over_the_upload_limit_is_413(article, data):
    response = post(article, data | {"comment": "x" * 3_000_000})
    body = assert_refused(response, 413, response.json()["message"])
    assert "65,525 characters" in body["message"]
    assert not Comment.objects.exists()


def test_unknown_discussions_are_404(data):
    for pk in (999999, 0, -1):
        url = f"{API}/discussions/{pk}/comments"
        response = Client().post(url, json.dumps(data), content_type="application/json")
        assert_refused(response, 404, "Not found.")
    huge = f"{API}/discussions/{10**30}/comments"
    response = Client().post(huge, json.dumps(data), content_type="application/json")
    assert_refused(response, 404, "Not found.")


# --------------------------------------------------------------------------------------------
# Preview


def test_preview_gives_the_body_as_it_would_be_saved_and_stores_nothing(article, data):
    typed = "Look <em>here</em><script>x()</script>"
    response = preview(article, data | {"comment": typed})
    assert response.status_code == 200
    assert response.json() == {"body_html": "<p>Look <em>here</em></p>"}
    assert response["Cache-Control"] == "no-store"
    assert not Comment.objects.exists()
    posted = post(article, data | {"comment": typed}).json()
    assert posted["comment"]["body_html"] == "<p>Look <em>here</em></p>"


@pytest.mark.usefixtures("flood_control_on")
def test_preview_claims_no_flood_slot_and_a_quick_one_is_not_spam(article, data):
    for _ in range(2):
        assert preview(article, data | {"token": form_token(article, 0)}).status_code == 200
    assert not Comment.objects.exists()
    assert post(article, data).status_code == 201


def test_preview_checks_the_form_as_a_post_does(article, data):
    bad = preview(article, data | {"email": "x", "token": "forged"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "email": ["Enter a valid email address."],
        "token": [FORM_EXPIRED_MESSAGE],
    }
    closed = make_article(comments_open=False)
    response = preview(closed, data | {"token": form_token(closed)})
    assert_refused(response, 403, CLOSED)
    assert not Comment.objects.exists()


# --------------------------------------------------------------------------------------------
# Privacy


def test_no_email_hash_or_address_in_any_answer(article, data, settings):
    """Comments with emails and addresses on file, posts that pass and fail every way (the
    email boxes ticked too), a preview, the form, recommendations and reports (and which a
    key recommends): none of the answers holds an email, a hash of one, or an IP."""
    settings.COMMENTS_FLOOD_SECONDS = 15
    carol = make_comment(article, author_email="carol@example.net", ip_address="192.0.2.44")
    make_comment(article, author_email="dan@example.net", ip_address="2001:db8::7")
    emails = [data["email"], "carol@example.net", "dan@example.net", "bob@example.com"]
    addresses = ["203.0.113.77", "192.0.2.44", "2001:db8::7", "198.51.100.3"]
    bob = as_reader(data, "Bob", "bob@example.com", "Bob's view.")
    answers = [
        Client().get(discussion_url(article, "form")),
        post(article, data, ip="203.0.113.77"),
        post(article, data, ip="203.0.113.77"),  # duplicate
        post(article, bob, ip="203.0.113.77"),  # flood
        post(article, bob | {"email": "bob@example"}, ip="198.51.100.3"),  # field error
        post(article, bob | {"token": "x"}, ip="198.51.100.3"),  # token
        post(article, bob | {"hp": "x"}, ip="198.51.100.3"),  # spam
        preview(article, bob, REMOTE_ADDR="198.51.100.3"),
        post(article, "[]"),
        post(article, bob | {"notify_replies": True, "notify_all": True}, ip="198.51.100.3"),
    ]
    key = answers[1].json()["poster_key"]
    reaction = f"{API}/comments/{carol.pk}"
    for method in ("post", "delete", "post"):
        answers.append(getattr(Client(), method)(f"{reaction}/recommendation", **headers(key)))
    for ip in ("203.0.113.77", "203.0.113.77", "198.51.100.3"):  # counted, again, too soon
        answers.append(report(reaction, {"reason": "other", "text": "Rude."}, key, ip))
    answers.append(report(reaction, {"reason": "other"}, key, "192.0.2.99"))  # no words
    answers.append(Client().get(discussion_url(article, "recommended"), **headers(key)))
    answers.append(Client().get(f"{API}/discussions/{discussion_of(article).pk}?sort=best"))
    assert {answer.status_code for answer in answers} == {200, 201, 202, 400, 409, 429}
    secrets = [
        secret
        for email in emails
        for secret in (
            email,
            hashlib.md5(email.encode()).hexdigest(),  # noqa: S324 (what Gravatar would use)
            hashlib.sha256(email.encode()).hexdigest(),
        )
    ] + addresses
    for answer in answers:
        text = answer.content.decode() + " ".join(f"{k}: {v}" for k, v in answer.items())
        for secret in secrets:
            assert secret not in text, (answer.status_code, secret)


def headers(key):
    return {"HTTP_X_POSTER_KEY": key}


def report(reaction, body, key, ip):
    return Client().post(
        f"{reaction}/reports",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=ip,
        **headers(key),
    )


def test_the_api_sets_no_cookie(article, data):
    """No session, no CSRF cookie, no remembered author: the poster key is the client's."""
    client = Client()
    assert post(article, data | {"remember": "on"}, client=client).status_code == 201
    client.get(discussion_url(article, "form"))
    client.post(discussion_url(article, "preview"), data, content_type="application/json")
    assert not client.cookies


# --------------------------------------------------------------------------------------------
# The email boxes: notify_replies, notify_all (double opt-in, as the HTML form's)


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_the_boxes_ticked_subscribe_the_poster_with_one_confirmation(article, data):
    response = post(article, data | {"notify_replies": True, "notify_all": True})
    assert response.status_code == 201
    subscriptions = Subscription.objects.filter(discussion=discussion_of(article))
    assert sorted(subscriptions.values_list("scope", flat=True)) == ["all", "replies"]
    assert {s.email for s in subscriptions} == {data["email"]}
    assert not any(s.confirmed_at for s in subscriptions)
    (message,) = mails_to(data["email"])
    assert message.subject == f"Please confirm: email about “{article.headline}”"
    assert "someone replies to your comments, and when anyone comments" in message.body
    # Ticked again on the next comment: nothing more is sent.
    again = data | {"comment": "Another one.", "notify_replies": True}
    assert post(article, again).status_code == 201
    assert len(mails_to(data["email"])) == 1
    assert subscriptions.count() == 2


@pytest.mark.parametrize(
    ("boxes", "scopes"),
    [
        ({"notify_replies": True}, ["replies"]),
        ({"notify_all": True, "notify_replies": False}, ["all"]),
        ({"notify_replies": False, "notify_all": False}, []),
        ({"notify_replies": None}, []),
        ({}, []),
    ],
)
def test_each_box_asks_for_its_own_and_false_or_none_for_nothing(article, data, boxes, scopes):
    assert post(article, data | boxes).status_code == 201
    assert list(Subscription.objects.values_list("scope", flat=True)) == scopes
    assert len(mails_to(data["email"])) == (1 if scopes else 0)


@pytest.mark.parametrize("tell", ["honeypot", "too fast"])
def test_a_post_kept_as_spam_subscribes_and_mails_nobody(article, data, tell):
    if tell == "honeypot":
        changes = {"hp": "http://bot.example"}
    else:
        changes = {"token": form_token(article, 0)}
    response = post(article, data | changes | {"notify_replies": True, "notify_all": True})
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "pending"  # as for anyone
    assert Comment.objects.get().status == "spam"
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_a_refused_post_or_a_preview_subscribes_nobody(article, data):
    boxes = {"notify_replies": True, "notify_all": True}
    assert post(article, data | boxes | {"email": "ada@"}).status_code == 400
    assert preview(article, data | boxes).status_code == 200
    assert post(make_article(comments_open=False), data | boxes).status_code == 403
    assert not Subscription.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("value", ["on", "true", 1, 0, [], {}, "", "false"])
def test_a_box_that_is_no_boolean_is_400(article, data, value):
    response = post(article, data | {"notify_all": value, "notify_replies": True})
    assert_refused(response, 400, FORM_ERRORS, {"notify_all": ["Enter true or false."]})
    assert not Comment.objects.exists()
    assert not Subscription.objects.exists()
