"""The dashboard's figures through the staff API (comments.api.stats): who may read them (a
staff token whose account may view comments), their shape (the figures' own, dates as ISO
8601, the most discussed with absolute addresses), and that no answer holds anyone's name,
email or IP address."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from comments import moderation
from comments.models import ApiToken, Comment
from comments.stats import figures
from tests.factories import discussion_of, make_comment

pytestmark = pytest.mark.django_db

STATS = "/api/v1/stats/"
EACH = {
    "per-day": "per_day",
    "backlog": "backlog",
    "by-hour": "by_hour",
    "deciders": "deciders",
    "spam-scores": "spam_scores",
    "filter-versions": "filter_versions",
    "most-discussed": "most_discussed",
}
ADDRESSES = [STATS, *(f"{STATS}{name}" for name in EACH)]
PERSONAL = ("@example.com", "192.0.2.", "Mozilla/5.0", "Ada Reader", "Held until")


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def desk(article, editor):
    """Comments posted today through the write path, with names, emails and addresses: one
    approved by the editor, one still held, one published at once."""
    made = []
    for n in range(3):
        comment = Comment(
            discussion=discussion_of(article),
            author_name="Ada Reader",
            author_email=f"ada{n}@example.com",
            ip_address="192.0.2.44",
            user_agent="Mozilla/5.0 (stats test)",
        )
        comment.set_body(f"Held until an editor reads it, {n}.")
        made.append(moderation.submit(comment))
    moderation.approve([made[0]], by=editor)
    make_comment(article, author_name="Ada Reader", author_email="ada@example.com")
    return made


@pytest.mark.parametrize("address", ADDRESSES)
def test_no_token_is_refused_401(client, address):
    response = client.get(address)
    assert response.status_code == 401
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_readers_token_is_refused_403(client, address):
    reader = User.objects.create_user("reader", password="x")
    _, secret = ApiToken.create(user=reader, name="Curious")
    response = client.get(address, headers=bearer(secret))
    assert response.status_code == 403
    assert set(response.json()) == {"message", "errors"}


def test_staff_without_the_view_permission_is_refused_403(client):
    staff = User.objects.create_user("staff", password="x", is_staff=True)
    _, secret = ApiToken.create(user=staff, name="No permission")
    assert client.get(STATS, headers=bearer(secret)).status_code == 403


def test_the_view_permission_is_enough(client, desk):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    _, secret = ApiToken.create(user=viewer, name="Read only")
    assert client.get(STATS, headers=bearer(secret)).status_code == 200


def test_another_origin_is_refused(client, api_token):
    _, secret = api_token
    response = client.get(STATS, headers={**bearer(secret), "Origin": "https://evil.example"})
    assert response.status_code == 403


def test_an_editors_token_reads_every_figure(client, api_token, desk):
    _, secret = api_token
    response = client.get(STATS, headers=bearer(secret))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert datetime.fromisoformat(body["generated_at"]) <= timezone.now()
    assert set(body) == {
        "generated_at",
        "per_day",
        "backlog",
        "by_hour",
        "deciders",
        "spam_scores",
        "filter_versions",
        "most_discussed",
    }
    today = timezone.localdate()
    assert body["per_day"]["days"][-1] == today.isoformat()
    assert date.fromisoformat(body["per_day"]["days"][0]) == today - timedelta(days=29)
    assert body["per_day"]["approved"][-1] == 2
    assert body["per_day"]["pending"][-1] == 2
    assert body["backlog"]["pending_at_end"][-1] == 2
    assert body["backlog"]["decided"][-1] == 1
    assert len(body["by_hour"]["posted"]) == 24
    assert body["deciders"]["people"][-1] == 1
    assert body["deciders"]["counts"]["new author"][-1] == 2
    assert len(body["spam_scores"]["edges"]) == 21
    assert body["filter_versions"] == []
    (row,) = body["most_discussed"]["day"]
    discussion = discussion_of(desk[0].discussion)
    assert row == {
        "discussion_id": discussion.pk,
        "title": discussion.title,
        "url": f"http://testserver{discussion.get_absolute_url()}",
        "comments": 2,
    }


@pytest.mark.parametrize("name", EACH)
def test_each_figure_on_its_own_is_the_same_as_in_the_whole(client, api_token, desk, name):
    _, secret = api_token
    whole = client.get(STATS, headers=bearer(secret)).json()
    response = client.get(f"{STATS}{name}", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == whole[EACH[name]]


def test_the_answer_is_the_dashboards_figures_kept_a_minute(client, api_token, desk, article):
    _, secret = api_token
    first = client.get(STATS, headers=bearer(secret)).json()
    make_comment(article)
    again = client.get(STATS, headers=bearer(secret)).json()
    assert again == first  # the same minute's figures, as the dashboard shows
    assert first["per_day"]["approved"][-1] == 2
    assert figures()["per_day"]["approved"][-1] == 3


@pytest.mark.parametrize("address", ADDRESSES)
def test_no_name_email_or_address_in_any_answer(client, api_token, desk, address):
    _, secret = api_token
    text = client.get(address, headers=bearer(secret)).content.decode()
    for personal in PERSONAL:
        assert personal not in text


def test_the_document_describes_the_figures(client):
    document = client.get("/api/v1/openapi.json").json()
    for address in ADDRESSES:
        operation = document["paths"][address]["get"]
        assert set(operation["responses"]) >= {"200", "401", "403"}
        assert operation["security"]
