"""Staff API tokens (comments.models.ApiToken): the secret is shown once and never stored,
only its hash and a prefix; revoking stops it; a token's use is written at most once a
minute."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import ApiToken
from comments.models.api_token import LAST_USED_EVERY, MARK, PREFIX_LENGTH
from tests.factories import make_editor

pytestmark = pytest.mark.django_db


def test_the_secret_is_not_stored_only_its_hash_and_prefix(editor):
    token, secret = ApiToken.create(user=editor, name="Newsroom app")
    assert secret.startswith(MARK) and len(secret) == len(MARK) + 43  # 32 random bytes
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in row.values()}
    assert not any(secret[PREFIX_LENGTH:] in str(value) for value in row.values())
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[:PREFIX_LENGTH] == token.prefix
    assert row["user_id"] == editor.pk and row["name"] == "Newsroom app"
    assert row["revoked_at"] is None and row["last_used_at"] is None
    assert str(token) == f"Newsroom app ({secret[:PREFIX_LENGTH]}…)"


def test_each_token_has_its_own_secret(editor):
    secrets = {ApiToken.create(user=editor, name=f"Tool {n}")[1] for n in range(20)}
    assert len(secrets) == 20
    assert ApiToken.objects.values("key_hash").distinct().count() == 20


def test_the_secret_finds_its_token_and_nothing_else_does(editor):
    token, secret = ApiToken.create(user=editor, name="Newsroom app")
    assert ApiToken.objects.authenticate(secret) == token
    other = MARK + "x" * 43
    for wrong in ("", secret[:-1], secret + "x", secret.upper(), other, token.key_hash, "\udcff"):
        assert ApiToken.objects.authenticate(wrong) is None


def test_a_revoked_token_stops_working_at_once(editor):
    token, secret = ApiToken.create(user=editor, name="Newsroom app")
    assert token.revoke() is True
    assert token.revoked_at is not None and not token.is_active
    assert ApiToken.objects.authenticate(secret) is None
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    assert token.revoke() is False  # revoked once, when it was
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at


def test_revoking_many_counts_the_active_ones_only(editor):
    first, _ = ApiToken.create(user=editor, name="One")
    ApiToken.create(user=editor, name="Two")
    first.revoke()
    assert ApiToken.objects.all().revoke() == 1
    assert not ApiToken.objects.active().exists()


def test_an_inactive_users_token_does_not_work(editor):
    _, secret = ApiToken.create(user=editor, name="Newsroom app")
    editor.is_active = False
    editor.save()
    assert ApiToken.objects.authenticate(secret) is None


def test_a_deleted_users_tokens_go_with_them(db):
    leaving = make_editor("leaving")
    ApiToken.create(user=leaving, name="Newsroom app")
    leaving.delete()
    assert not ApiToken.objects.exists()


def test_last_used_is_written_at_most_once_a_minute(editor, django_assert_num_queries):
    token, secret = ApiToken.create(user=editor, name="Newsroom app")
    ApiToken.objects.authenticate(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)

    with django_assert_num_queries(1):  # the look-up, no write
        ApiToken.objects.authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    earlier = timezone.now() - LAST_USED_EVERY - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    with django_assert_num_queries(2):  # the look-up and the write
        ApiToken.objects.authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > earlier


def test_two_processes_noting_the_same_use_write_once(editor):
    token, _ = ApiToken.create(user=editor, name="Newsroom app")
    now = timezone.now()
    one, two = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
    assert one.mark_used(now) is True
    assert two.mark_used(now + timedelta(seconds=1)) is False  # its copy was stale; the row not
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now
