"""API tokens in the admin (comments.desk.admin.api_token): an editor makes one and sees
its secret once, never again; revokes it (it stops working at once); sees only their own.
A superuser sees everyone's."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from comments.editors import EDITOR_PERMISSIONS
from comments.models import ApiToken
from tests.factories import make_editor

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_apitoken_changelist")
ADD = reverse("admin:comments_apitoken_add")
QUEUE = "/api/v1/staff/queue"
SECRET = re.compile(rb'value="(mct_[A-Za-z0-9_-]{43})"')


def change_url(token):
    return reverse("admin:comments_apitoken_change", args=[token.pk])


def make_token(client, name="Newsroom app"):
    """Make a token through the add form; return (the token, the page that answered)."""
    response = client.post(ADD, {"name": name})
    assert response.status_code == 200
    return ApiToken.objects.get(name=name), response


def test_editors_may_make_view_and_revoke_tokens_but_not_delete_them(db):
    editors = Group.objects.get(name="Editors")
    granted = set(editors.permissions.values_list("codename", flat=True))
    assert {"view_apitoken", "add_apitoken", "change_apitoken"} <= granted
    assert "delete_apitoken" not in granted
    assert {"view_apitoken", "add_apitoken", "change_apitoken"} <= set(EDITOR_PERMISSIONS)


def test_an_editor_makes_a_token_and_sees_its_secret_once(editor_client, editor):
    token, response = make_token(editor_client)
    page = response.content
    (secret,) = SECRET.findall(page)
    secret = secret.decode()
    assert token.user == editor and token.is_active
    assert token.prefix == secret[:12]
    assert ApiToken.objects.authenticate(secret) == token
    assert "shown only this once" in page.decode()
    assert "no-store" in response["Cache-Control"]
    # The secret works for the API, as the editor, with no session.
    answer = Client().get(QUEUE, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200

    # Never again: not on the list, the token's page, its history, nor in the log.
    for url in (
        CHANGELIST,
        change_url(token),
        reverse("admin:comments_apitoken_history", args=[token.pk]),
        reverse("admin:index"),
    ):
        again = editor_client.get(url)
        assert again.status_code == 200
        assert secret.encode() not in again.content
        assert secret[12:].encode() not in again.content
    assert token.prefix.encode() in editor_client.get(CHANGELIST).content
    entry = LogEntry.objects.get(object_id=str(token.pk))
    assert secret not in entry.object_repr + entry.change_message


def test_the_add_form_asks_only_for_a_name(editor_client):
    form = editor_client.get(ADD).content.decode()
    assert 'name="name"' in form
    for field in ("user", "key_hash", "prefix", "revoked_at", "last_used_at"):
        assert f'name="{field}"' not in form


def test_the_token_is_the_makers_whatever_the_form_says(editor_client, editor):
    other = make_editor("other")
    editor_client.post(ADD, {"name": "Mine", "user": other.pk, "key_hash": "0" * 64})
    token = ApiToken.objects.get(name="Mine")
    assert token.user == editor and token.key_hash != "0" * 64


def test_a_tokens_page_lets_the_name_change_and_never_the_hash(editor_client, api_token):
    token, secret = api_token
    response = editor_client.post(change_url(token), {"name": "Renamed", "key_hash": "0" * 64})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.name == "Renamed"
    assert ApiToken.objects.authenticate(secret) == token


def test_an_editor_revokes_a_token_from_its_page(editor_client, api_token):
    token, secret = api_token
    page = editor_client.get(change_url(token)).content.decode()
    assert 'name="_revoke"' in page
    response = editor_client.post(change_url(token), {"name": token.name, "_revoke": "1"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(QUEUE, headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert LogEntry.objects.filter(object_id=str(token.pk), change_message="Revoked.").exists()
    # A revoked token's page offers no revoking, and keeps its name.
    page = editor_client.get(change_url(token)).content.decode()
    assert 'name="_revoke"' not in page and 'name="name"' not in page
    assert "Revoked" in editor_client.get(CHANGELIST).content.decode()


def test_an_editor_revokes_tokens_from_the_list(editor_client, editor):
    first, first_secret = ApiToken.create(user=editor, name="One")
    second, _ = ApiToken.create(user=editor, name="Two")
    response = editor_client.post(
        CHANGELIST,
        {"action": "revoke_tokens", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "2 tokens were revoked" in response.content.decode()
    assert not ApiToken.objects.active().exists()
    headers = {"Authorization": f"Bearer {first_secret}"}
    assert Client().get(QUEUE, headers=headers).status_code == 401


def test_an_editor_sees_and_manages_only_their_own_tokens(editor_client, editor):
    ApiToken.create(user=editor, name="Mine")
    other = make_editor("other")
    theirs, their_secret = ApiToken.create(user=other, name="Theirs")
    listing = editor_client.get(CHANGELIST).content.decode()
    assert "Mine" in listing and "Theirs" not in listing and theirs.prefix not in listing
    assert editor_client.get(change_url(theirs)).status_code == 302  # "doesn't exist"
    editor_client.post(change_url(theirs), {"name": theirs.name, "_revoke": "1"})
    editor_client.post(CHANGELIST, {"action": "revoke_tokens", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.name == "Theirs"
    assert ApiToken.objects.authenticate(their_secret) == theirs


def test_an_editor_may_not_delete_a_token(editor_client, api_token):
    token, _ = api_token
    url = reverse("admin:comments_apitoken_delete", args=[token.pk])
    assert editor_client.get(url).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_superuser_sees_everyones_tokens_and_makes_their_own(client, editor):
    boss = User.objects.create_superuser("boss", password="x")
    client.force_login(boss)
    ApiToken.create(user=editor, name="The editor's")
    ApiToken.create(user=make_editor("other"), name="The other's")
    listing = client.get(CHANGELIST).content.decode()
    assert "The editor&#x27;s" in listing and "The other&#x27;s" in listing
    token, _ = make_token(client, "The boss's")
    assert token.user == boss


def test_a_reader_without_the_permissions_has_no_tokens_page(client):
    reader = User.objects.create_user("reader", password="x", is_staff=True)
    client.force_login(reader)
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(ADD, {"name": "Nope"}).status_code == 403
    assert not ApiToken.objects.exists()
