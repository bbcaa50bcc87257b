"""The discussion policy in force: the Discussion settings editors change live, the
environment's defaults under them, whether an article takes comments, and blocked posters."""

import functools
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..conf import settings
from .comment import EMAIL_MAX_LENGTH, normalize_email

logger = logging.getLogger(__name__)


def _lines(text):
    """The entries of a word list: one per line, trimmed, lower-cased, blanks skipped."""
    return tuple(line.strip().casefold() for line in (text or "").splitlines() if line.strip())


def _first_set(*values):
    return next(value for value in values if value is not None)


@dataclass(frozen=True)
class Policy:
    """The discussion policy in force: the Discussion settings page's values where an editor
    set them, the environment's COMMENTS_* settings elsewhere."""

    hold_all: bool
    flood_seconds: int
    max_links: int
    close_after_days: int
    hold_words: tuple = ()
    disallowed_words: tuple = ()


class DiscussionSettings(models.Model):
    """The policy switches editors change live, in the admin (one row, "Discussion settings").

    A blank switch follows the environment (COMMENTS_HOLD_ALL, COMMENTS_FLOOD_SECONDS, …); a
    value set here wins over it. Read from the database on each post, so every app server
    obeys an editor's change at the next comment.
    """

    SINGLETON_PK = 1

    hold_all = models.BooleanField(
        _("hold every new comment for moderation"),
        null=True,
        blank=True,
        help_text=_("Unknown: follow the environment."),
    )
    flood_seconds = models.PositiveIntegerField(
        _("seconds between comments from one address or email"),
        null=True,
        blank=True,
        help_text=_("0 turns flood control off; blank follows the environment."),
    )
    max_links = models.PositiveIntegerField(
        _("hold comments with more links than"),
        null=True,
        blank=True,
        help_text=_("Links typed as text count too; blank follows the environment."),
    )
    close_after_days = models.PositiveIntegerField(
        _("close discussions older than (days)"),
        null=True,
        blank=True,
        help_text=_("0: never; blank follows the environment."),
    )
    hold_words = models.TextField(
        _("hold for moderation"),
        blank=True,
        help_text=_(
            "One word, phrase, email, address or IP per line. A comment containing any of "
            "them in its name, email, website, text, IP or browser is held for moderation. "
            "Matched inside words, ignoring case: “press” matches “WordPress”."
        ),
    )
    disallowed_words = models.TextField(
        _("disallowed"),
        blank=True,
        help_text=_(
            "The same, one per line, but a match sends the comment straight to spam. Its "
            "poster sees the usual moderation note."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("discussion settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="discussion_settings_one_row")
        ]

    def __str__(self):
        return gettext("Discussion settings")

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)
        # Pages keep the policy in the cache (comments.thread): they ask again from now on,
        # and once more after the commit, in case one asked in between.
        forget_policy_for_pages()
        transaction.on_commit(forget_policy_for_pages)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_policy_for_pages()
        transaction.on_commit(forget_policy_for_pages)
        return result

    @classmethod
    def load(cls):
        """The row, or an unsaved blank one (everything from the environment)."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)

    def policy(self):
        return Policy(
            hold_all=_first_set(self.hold_all, settings.COMMENTS_HOLD_ALL),
            flood_seconds=_first_set(self.flood_seconds, settings.COMMENTS_FLOOD_SECONDS),
            max_links=_first_set(self.max_links, settings.COMMENTS_MAX_LINKS),
            close_after_days=_first_set(self.close_after_days, settings.COMMENTS_CLOSE_AFTER_DAYS),
            hold_words=_lines(self.hold_words),
            disallowed_words=_lines(self.disallowed_words),
        )


def current_policy():
    """The policy in force now (one primary-key query)."""
    return DiscussionSettings.load().policy()


# Where pages keep the policy (comments.thread.cache.page_state): posting always reads the row.
POLICY_FOR_PAGES_KEY = "comments:policy"


def forget_policy_for_pages():
    try:
        cache.delete(POLICY_FOR_PAGES_KEY)
    except Exception:  # Redis unreachable: pages then read the row (see page_state)
        logger.warning("Could not tell the cache that the discussion settings changed")


class BlockQuerySet(models.QuerySet):
    def active(self):
        """Blocks in force: no expiry, or not expired yet."""
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        return self.filter(unexpired)

    def matching(self, email_normalized, ip_address):
        """The active block on this email, or else covering this IP, or None.

        One query for both (and a second only when one matches): ranges are compared in
        Python (the same on SQLite and PostgreSQL), only their text is loaded, and each is
        parsed once per process.
        """
        candidates = ~models.Q(network="")
        if email_normalized:
            candidates |= models.Q(email=email_normalized)
        rows = list(self.active().filter(candidates).values_list("pk", "email", "network"))
        pk = next((pk for pk, email, _ in rows if email and email == email_normalized), None)
        if pk is None:
            ranges = [(pk, _parse_network(network)) for pk, _, network in rows if network]
            pk = range_covering(ranges, _ip_or_none(ip_address))
        return self.get(pk=pk) if pk is not None else None

    def active_ranges(self):
        """(pk, network) of every active IP block, each parsed once per process."""
        rows = self.active().exclude(network="").values_list("pk", "network")
        return [(pk, _parse_network(network)) for pk, network in rows]


def range_covering(ranges, ip):
    """The pk of the first of `ranges` (from active_ranges) that holds `ip`, or None."""
    if ip is None:
        return None
    for pk, network in ranges:
        if network is not None and ip.version == network.version and ip in network:
            return pk
    return None


def _ip_or_none(value):
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


@functools.lru_cache(maxsize=65536)
def _parse_network(value):
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


class Block(models.Model):
    """A poster whose comments go straight to spam, silently: by normalised email, or by an
    IPv4 or IPv6 address or range. Editors add them with the comment list's "Block the
    authors of selected comments", or by hand."""

    email = models.CharField(
        _("email"), max_length=EMAIL_MAX_LENGTH, blank=True, help_text=_("Compared normalised.")
    )
    network = models.CharField(
        _("IP address or range"),
        max_length=49,
        blank=True,
        help_text=_("An address (203.0.113.7, 2001:db8::1) or a CIDR range (203.0.113.0/24)."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Blank: never.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(email="") & ~models.Q(network=""))
                | (~models.Q(email="") & models.Q(network="")),
                name="block_email_or_network",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="block_email")]

    def __str__(self):
        return self.email or self.network

    def clean(self):
        self.email = normalize_email(self.email)
        if bool(self.email) == bool(self.network):
            raise ValidationError(
                gettext("Give either an email or an IP address or range, not both.")
            )
        if self.email:
            try:
                validate_email(self.email)
            except ValidationError as error:
                raise ValidationError({"email": error.messages}) from error
        if self.network:
            try:
                self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
            except ValueError as error:
                raise ValidationError(
                    {"network": gettext("Enter an IP address or a range such as 203.0.113.0/24.")}
                ) from error

    @property
    def is_active(self):
        return self.expires_at is None or self.expires_at > timezone.now()
