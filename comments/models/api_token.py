"""Staff API tokens: how an editor's own tools (a newsroom app, a script) call the staff
endpoints of the JSON API (comments.api.staff) as that editor."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every secret starts with this mark, so a token pasted where it should not be (a chat, a
# repository) is recognisable as one, by people and by secret scanners.
MARK = "mct_"
# The secret's first characters, kept in the clear to tell tokens apart in lists: the mark
# and 8 of the 43 random characters, which leaves the rest more than 200 bits to guess.
PREFIX_LENGTH = len(MARK) + 8
# last_used_at is written at most this often: a busy tool would otherwise write a row on
# every request.
LAST_USED_EVERY = timedelta(minutes=1)


def hash_secret(secret):
    """The SHA-256 of a secret, in hex: what is stored, and what a presented one is looked
    up by.

    One fast hash is enough here, unlike for passwords: a password is slow-hashed because
    people choose few enough of them to try them all, but a secret is 32 random bytes, so
    its hash can't be reversed by trying secrets however fast each try is. Being fast and
    unsalted, it lets a request find its token by one indexed look-up; and since what is
    looked up is the hash, the time that look-up takes tells an attacker nothing about any
    stored secret.
    """
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens not revoked."""
        return self.filter(revoked_at__isnull=True)

    def revoke(self, now=None):
        """Revoke the active tokens among these, at once; return how many were."""
        return self.active().update(revoked_at=now or timezone.now())

    def authenticate(self, secret):
        """The active token of an active user whose secret this is, or None. Its
        last_used_at is brought up to date (at most once a minute). Permissions are the
        caller's to check: they depend on what is asked."""
        if not secret or not secret.startswith(MARK):
            return None
        token = (
            self.active()
            .select_related("user")
            .filter(key_hash=hash_secret(secret), user__is_active=True)
            .first()
        )
        if token is not None:
            token.mark_used()
        return token


class ApiToken(models.Model):
    """A secret that lets its holder call the staff API as `user`, with `user`'s permissions.

    Only the secret's hash is stored (see hash_secret): it is shown once, when the token is
    made (ApiToken.create), and never again, so a leaked database or a look over an editor's
    shoulder at the admin reveals no token that works. Revoking one (revoked_at) stops it at
    once: every request looks its token up. Kept after revoking, as the record of who could
    act through the API and when it was last used.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What uses it, to recognise it later (“Newsroom app”)."),
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def create(cls, *, user, name):
        """Make a token for `user`; return (the token, its secret). The secret exists only in
        what this returns: show it once."""
        token = cls(user=user, name=name)
        secret = token.new_secret()
        token.save()
        return token, secret

    def new_secret(self):
        """Give this (unsaved) token a new random secret; return the secret, which is not
        kept (only its hash and prefix are)."""
        secret = MARK + secrets.token_urlsafe(32)
        self.prefix = secret[:PREFIX_LENGTH]
        self.key_hash = hash_secret(secret)
        return secret

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self):
        """Stop the token working, from the next request; False if it was revoked already."""
        now = timezone.now()
        revoked = ApiToken.objects.filter(pk=self.pk).revoke(now)
        if revoked:
            self.revoked_at = now
        return bool(revoked)

    def mark_used(self, now=None):
        """Note that the token was used now, unless that was noted less than LAST_USED_EVERY
        ago (the check is in the UPDATE, so simultaneous requests write once)."""
        now = now or timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_EVERY:
            return False
        stale = models.Q(last_used_at__isnull=True) | models.Q(
            last_used_at__lt=now - LAST_USED_EVERY
        )
        if ApiToken.objects.filter(stale, pk=self.pk).update(last_used_at=now):
            self.last_used_at = now
            return True
        return False
