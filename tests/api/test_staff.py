"""The staff API (comments.api.staff): the queue and the decisions, with a token.

Who may call (a token that works, of an active account with the permission), what the queue
shows (in its own order, never an email or an IP address), that every decision goes through
the write path (the trail names the token's user, readers' pages follow), and that no other
origin is ever answered."""

import itertools
import json
from datetime import timedelta

import pytest
import schemathesis
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from comments import moderation
from comments.api import staff
from comments.editors import ensure_editors_group
from comments.models import ApiToken, Comment, ModerationEvent
from tests.factories import discussion_of, make_article, make_comment, make_editor

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/staff/queue"
PERSONAL = ("@example.com", "192.0.2.", "2001:db8:", "Mozilla/5.0")


def decision_url(comment_id):
    return f"/api/v1/staff/comments/{comment_id}/decision"


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def decide(client, secret, comment_id, action, reason="", **headers):
    return client.post(
        decision_url(comment_id),
        json.dumps({"action": action, "reason": reason}),
        content_type="application/json",
        headers={**bearer(secret), **headers},
    )


def submitted(article, **fields):
    """A comment posted as readers post, through the write path (so the trail says which
    rule held it), with an email, an IP address and a user agent."""
    comment = Comment(
        discussion=discussion_of(article),
        author_name=fields.pop("author_name", "Ada Reader"),
        author_email=fields.pop("author_email", "ada.reader@example.com"),
        author_url=fields.pop("author_url", "https://example.org/ada"),
        ip_address=fields.pop("ip_address", "192.0.2.44"),
        user_agent="Mozilla/5.0 (staff API test)",
        **fields,
    )
    comment.set_body(fields.get("body_raw", "Held until an editor reads it."))
    return moderation.submit(comment)


def assert_no_cors(response):
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def assert_refused(response, status):
    assert response.status_code == status
    assert set(response.json()) == {"message", "errors"}
    assert_no_cors(response)


# --- who may call ------------------------------------------------------------------------------


def test_no_token_is_refused_401(client, article):
    make_comment(article, status="pending")
    response = client.get(QUEUE)
    assert_refused(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="staff"'
    assert_refused(client.post(decision_url(1), "{}", content_type="application/json"), 401)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mct_" + "A" * 43,
        "Bearer not-a-token",
        "Bearer",
        "Bearer ",
        "Bearer  mct_x",
        "bearer",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "mct_abc",
        "",
        "Bearer mct_\u00e9\u00e9\u00e9",
        "Bearer " + "mct_" + "x" * 10_000,
    ],
)
def test_a_wrong_or_malformed_token_is_refused_401(client, api_token, header):
    assert_refused(client.get(QUEUE, headers={"Authorization": header}), 401)


def test_a_token_in_another_header_or_the_query_is_refused(client, api_token):
    _, secret = api_token
    assert_refused(client.get(QUEUE, headers={"X-Api-Token": secret}), 401)
    assert_refused(client.get(QUEUE, {"token": secret}), 401)


def test_a_revoked_token_is_refused_401_from_the_next_request(client, api_token):
    token, secret = api_token
    assert client.get(QUEUE, headers=bearer(secret)).status_code == 200
    token.revoke()
    assert_refused(client.get(QUEUE, headers=bearer(secret)), 401)


def test_an_inactive_users_token_is_refused_401(client, api_token, editor):
    _, secret = api_token
    editor.is_active = False
    editor.save()
    assert_refused(client.get(QUEUE, headers=bearer(secret)), 401)


def test_a_user_without_the_permission_is_refused_403(client, article):
    reader = User.objects.create_user("reader", password="x")
    _, secret = ApiToken.create(user=reader, name="Curious")
    pending = make_comment(article, status="pending")
    assert_refused(client.get(QUEUE, headers=bearer(secret)), 403)
    assert_refused(decide(client, secret, pending.pk, "approve"), 403)
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_reading_the_queue_needs_view_and_deciding_needs_change(client, article):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    _, secret = ApiToken.create(user=viewer, name="Read only")
    pending = make_comment(article, status="pending")
    assert client.get(QUEUE, headers=bearer(secret)).status_code == 200
    assert_refused(decide(client, secret, pending.pk, "approve"), 403)
    assert not ModerationEvent.objects.filter(comment=pending).exists()


def test_a_superusers_token_may_do_everything(client, article):
    boss = User.objects.create_superuser("boss", password="x")
    _, secret = ApiToken.create(user=boss, name="Script")
    pending = make_comment(article, status="pending")
    assert decide(client, secret, pending.pk, "approve").status_code == 200


def test_a_call_notes_the_tokens_use(client, api_token):
    token, secret = api_token
    client.get(QUEUE, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_no_csrf_token_is_asked_of_a_bearer(api_token, article):
    client = Client(enforce_csrf_checks=True)
    _, secret = api_token
    pending = make_comment(article, status="pending")
    assert decide(client, secret, pending.pk, "approve").status_code == 200


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_pending_comments_in_the_queues_order(client, api_token, article):
    _, secret = api_token
    now = timezone.now()
    unscored_new = make_comment(article, status="pending", submitted_at=now)
    likely_spam = make_comment(article, status="pending", spam_score=0.9, submitted_at=now)
    unlikely_old = make_comment(
        article, status="pending", spam_score=0.2, submitted_at=now - timedelta(hours=1)
    )
    unlikely_new = make_comment(article, status="pending", spam_score=0.2, submitted_at=now)
    unscored_old = make_comment(article, status="pending", submitted_at=now - timedelta(days=1))
    for status in ("approved", "spam", "removed"):
        make_comment(article, status=status, spam_score=0.5)
    response = client.get(QUEUE, headers=bearer(secret))
    assert response.status_code == 200
    body = response.json()
    expected = [likely_spam, unlikely_new, unlikely_old, unscored_new, unscored_old]
    assert [c["id"] for c in body["comments"]] == [c.pk for c in expected]
    assert [c["id"] for c in body["comments"]] == list(
        Comment.objects.in_queue_order().values_list("pk", flat=True)
    )
    assert body["page"] == 1 and body["per_page"] == 50
    assert body["has_next"] is False and body["pending"] == 5


def test_each_queued_comment_says_where_it_is_and_why_it_is_held(client, api_token, article):
    _, secret = api_token
    held = submitted(article, author_name="Ada Reader", author_url="https://example.org/ada")
    assert held.status == Comment.Status.PENDING
    (shown,) = client.get(QUEUE, headers=bearer(secret)).json()["comments"]
    discussion = discussion_of(article)
    assert shown == {
        "id": held.pk,
        "discussion": {
            "id": discussion.pk,
            "title": discussion.title,
            "url": f"http://testserver{article.get_absolute_url()}",
        },
        "parent": None,
        "author": "Ada Reader",
        "author_url": "https://example.org/ada",
        "body_html": held.body_html,
        "submitted_at": shown["submitted_at"],
        "spam_score": None,
        "rule": "new author",
        "reason": "no approved comment from this name and email",
    }
    assert shown["submitted_at"].startswith(held.submitted_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_comment_an_editor_put_back_is_held_by_them(client, api_token, article, editor):
    _, secret = api_token
    comment = submitted(article)
    moderation.approve([comment], by=editor)
    moderation.restore([comment], by=editor, reason="second thoughts")
    (shown,) = client.get(QUEUE, headers=bearer(secret)).json()["comments"]
    assert (shown["rule"], shown["reason"]) == ("", "second thoughts")


def test_the_queue_never_shows_an_email_or_an_ip_address(client, api_token, article):
    _, secret = api_token
    submitted(article, author_email="Secret.Person@Example.com", ip_address="192.0.2.77")
    submitted(article, author_email="other@example.com", ip_address="2001:db8::77", body_raw="2")
    make_comment(article, status="pending", author_email="third@example.com")
    response = client.get(QUEUE, headers=bearer(secret))
    assert len(response.json()["comments"]) == 3
    content = response.content.lower()
    for personal in (*PERSONAL, "secret.person", "192.0.2.77", "2001:db8::77"):
        assert personal.lower().encode() not in content
    for comment in Comment.objects.all():
        assert comment.email_normalized.encode() not in content
        assert comment.fingerprint.encode() not in content  # made from the email
    names = keys_in(response.json())
    assert not [n for n in names if {"email", "ip", "agent", "fingerprint"} & set(n.split("_"))]


def keys_in(value):
    """Every key of every object in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_in(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_in(item)}
    return set()


def test_the_queue_pages_by_fifty(client, api_token, article):
    _, secret = api_token
    for n in range(53):
        make_comment(article, status="pending", spam_score=n / 100, body=f"Number {n}")
    first = client.get(QUEUE, headers=bearer(secret)).json()
    second = client.get(QUEUE, {"page": 2}, headers=bearer(secret)).json()
    beyond = client.get(QUEUE, {"page": 3}, headers=bearer(secret)).json()
    assert (len(first["comments"]), first["has_next"]) == (50, True)
    assert (len(second["comments"]), second["has_next"], second["page"]) == (3, False, 2)
    assert beyond["comments"] == [] and beyond["has_next"] is False
    assert first["pending"] == second["pending"] == beyond["pending"] == 53
    ids = [c["id"] for c in first["comments"] + second["comments"]]
    assert ids == list(Comment.objects.in_queue_order().values_list("pk", flat=True))


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "99999999999999999999999"])
def test_a_page_that_is_no_page_is_refused_not_an_error(client, api_token, page):
    _, secret = api_token
    response = client.get(QUEUE, {"page": page}, headers=bearer(secret))
    assert_refused(response, 400)
    assert list(response.json()["errors"]) == ["page"]


def test_the_queue_reads_a_page_in_a_few_queries(
    client, api_token, article, django_assert_max_num_queries
):
    _, secret = api_token
    other = make_article()
    for n in range(30):
        submitted(article if n % 2 else other, body_raw=f"Comment {n}", author_name=f"R{n}")
    # The token, its use, the user's permissions (2), the page: the whole queue is on it, so
    # no count is asked.
    with django_assert_max_num_queries(5):
        response = client.get(QUEUE, headers=bearer(secret))
    assert len(response.json()["comments"]) == 30
    assert response.json()["pending"] == 30


# --- the decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("spam", "spam"), ("remove", "removed")],
)
def test_a_decision_goes_through_the_write_path_as_the_tokens_user(
    client, api_token, article, editor, action, status
):
    _, secret = api_token
    comment = submitted(article)
    response = decide(client, secret, comment.pk, action, reason="checked by phone")
    assert response.status_code == 200
    assert response.json() == {"id": comment.pk, "action": action, "status": status}
    comment.refresh_from_db()
    assert comment.status == status and comment.moderated_by == editor
    event = comment.events.first()
    assert (event.action, event.from_status, event.to_status) == (action, "pending", status)
    assert event.actor == editor and event.rule == ""
    assert event.reason == "checked by phone"
    assert_no_cors(response)
    assert response["Cache-Control"] == "no-store"


def test_without_a_reason_the_trail_says_it_came_through_the_api(client, api_token, article):
    _, secret = api_token
    comment = submitted(article)
    decide(client, secret, comment.pk, "approve", reason="   ")
    assert comment.events.first().reason == staff.REASON


def test_restore_undoes_the_last_decision(client, api_token, article, editor):
    _, secret = api_token
    comment = submitted(article)
    decide(client, secret, comment.pk, "spam")
    response = decide(client, secret, comment.pk, "restore")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    event = comment.events.first()
    assert (event.action, event.to_status, event.actor) == ("restore", "pending", editor)


def test_nothing_changed_is_a_409_with_the_status_as_it_is(client, api_token, article):
    _, secret = api_token
    approved = make_comment(article, status="approved")
    response = decide(client, secret, approved.pk, "approve")
    assert response.status_code == 409
    assert response.json() == {
        "message": "The comment is approved; nothing changed.",
        "errors": {},
        "status": "approved",
    }
    assert not ModerationEvent.objects.filter(comment=approved).exists()
    fresh = submitted(article)
    assert decide(client, secret, fresh.pk, "restore").status_code == 409  # nothing to undo


def test_an_unknown_comment_is_a_404(client, api_token):
    _, secret = api_token
    response = decide(client, secret, 987654, "approve")
    assert_refused(response, 404)


@pytest.mark.parametrize(
    "path_id", ["abc", "1.5", "-1", "0", "99999999999999999999999", "9223372036854775808"]
)
def test_an_id_that_is_no_id_is_not_an_error(client, api_token, path_id):
    _, secret = api_token
    response = decide(client, secret, path_id, "approve")
    assert_refused(response, 400)
    assert list(response.json()["errors"]) == ["comment_id"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "delete"},
        {"action": "feature"},
        {"action": "APPROVE"},
        {"action": None},
        {},
        {"action": "approve", "reason": "x" * (staff.REASON_MAX_LENGTH + 1)},
        {"action": "approve", "reason": 5},
        [],
        "approve",
    ],
)
def test_an_unknown_action_or_a_malformed_body_is_refused(client, api_token, article, body):
    _, secret = api_token
    comment = submitted(article)
    response = client.post(
        decision_url(comment.pk),
        json.dumps(body),
        content_type="application/json",
        headers=bearer(secret),
    )
    assert_refused(response, 400)
    assert response.json()["errors"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_an_unknown_action_is_named_in_the_refusal(client, api_token, article):
    _, secret = api_token
    response = decide(client, secret, submitted(article).pk, "delete")
    assert response.json()["errors"] == {
        "action": ["Input should be 'approve', 'spam', 'remove' or 'restore'"]
    }


def test_a_body_that_is_no_json_is_refused(client, api_token, article):
    _, secret = api_token
    comment = submitted(article)
    for body, content_type in [
        ("{", "application/json"),
        ("action=approve", "text/plain"),
        ("action=approve", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/json"),
    ]:
        response = client.post(
            decision_url(comment.pk), body, content_type=content_type, headers=bearer(secret)
        )
        assert_refused(response, 400)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_the_actions_are_the_write_paths_decisions():
    assert set(staff.ACTIONS) <= set(moderation.DECISIONS)


def test_an_approved_comment_shows_on_the_next_page_view(
    client, api_token, article, django_capture_on_commit_callbacks
):
    """The cached thread forgets: the write path's listeners, told once the decision
    commits, run for the API's decisions as for the admin's."""
    _, secret = api_token
    comment = submitted(article, body_raw="Approved through the newsroom app.")
    page = article.get_absolute_url()
    text = b"Approved through the newsroom app."
    assert text not in client.get(page).content
    assert text not in client.get(page).content  # from the cache now
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, secret, comment.pk, "approve").status_code == 200
    assert text in client.get(page).content
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, secret, comment.pk, "remove").status_code == 200
    assert text not in client.get(page).content


# --- never another origin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://news.example", "null", "http://testserver:8000"]
)
def test_another_origin_is_refused_403_before_the_token_and_nothing_changes(
    client, api_token, article, settings, origin
):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]  # listed for readers only
    _, secret = api_token
    comment = submitted(article)
    events = ModerationEvent.objects.count()
    response = decide(client, secret, comment.pk, "approve", Origin=origin)
    assert_refused(response, 403)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert ModerationEvent.objects.count() == events
    assert_refused(client.get(QUEUE, headers={"Origin": origin}), 403)  # not 401: no token asked
    assert_refused(client.get(QUEUE, headers={**bearer(secret), "Origin": origin}), 403)


def test_this_sites_own_origin_is_answered(client, api_token, article):
    _, secret = api_token
    comment = submitted(article)
    response = decide(client, secret, comment.pk, "approve", Origin="http://testserver")
    assert response.status_code == 200
    assert_no_cors(response)


def test_no_cors_headers_ever_even_for_a_preflight(client, api_token, article, settings):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    _, secret = api_token
    comment = submitted(article)
    for origin in ("https://news.example", "https://evil.example"):
        preflight = {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        }
        for url in (QUEUE, decision_url(comment.pk)):
            response = client.options(url, headers=preflight)
            assert_no_cors(response)
            assert response.status_code >= 400
    responses = [
        client.get(QUEUE, headers=bearer(secret)),
        client.get(QUEUE),
        decide(client, secret, comment.pk, "approve"),
        decide(client, secret, comment.pk, "approve"),
        decide(client, secret, 987654, "approve"),
    ]
    assert [r.status_code for r in responses] == [200, 401, 200, 409, 404]
    for response in responses:
        assert_no_cors(response)
        assert "Origin" in response["Vary"]


# --- the document ------------------------------------------------------------------------------


def test_the_openapi_document_shows_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["StaffToken"] == {"type": "http", "scheme": "bearer"}
    queue = document["paths"]["/api/v1/staff/queue"]["get"]
    decision = document["paths"]["/api/v1/staff/comments/{comment_id}/decision"]["post"]
    assert queue["security"] == decision["security"] == [{"StaffToken": []}]
    properties = json.dumps(document["components"]["schemas"]["QueuedComment"]).lower()
    assert "email" not in properties and "ip" not in json.loads(properties)["properties"]


@pytest.mark.django_db(transaction=True)
def test_whatever_a_token_holder_sends_no_answer_is_a_server_error(live_server):
    """Schemathesis over the staff operations with a working token (tests/api/test_openapi.py
    covers them without one): every answer keeps to the document."""
    # The group, as a committed test's flush may have left it gone (tests/spam does the same).
    ensure_editors_group(apps, ["articles"])
    article = make_article()
    for n in range(3):
        submitted(article, body_raw=f"Held {n}", author_name=f"Reader {n}")
    _, secret = ApiToken.create(user=make_editor(), name="Fuzzer")
    document = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [
        result.ok() for result in document.include(path_regex="/staff/").get_all_operations()
    ]
    assert len(operations) == 2
    statuses = set()
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(mode))
        @hypothesis_settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def keeps_to_the_document(case):
            response = case.call_and_validate(
                headers=bearer(secret),
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            )
            statuses.add(response.status_code)

        keeps_to_the_document()
    assert {200, 400} <= statuses  # the token worked, and input the document refuses was tried
