import functools
import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from articles.models import Article

from .sanitize import sanitize_comment

logger = logging.getLogger(__name__)

# WordPress's limits, so that nothing a WordPress reader could post is refused here.
NAME_MAX_LENGTH = 245
EMAIL_MAX_LENGTH = 100
URL_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 65525

# Django's URLField also takes ftp://; a reader's website is only ever http(s).
validate_website = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address starting with http:// or https://.",
    code="not_http",  # Not "invalid", which form fields replace with "Enter a valid URL."
)


# What a thread (and a feed) shows of a comment: the one list, for for_thread() and for the
# rows comments.thread reads. No email, IP address, user agent or raw text.
THREAD_FIELDS = (
    "pk",
    "article_id",
    "parent_id",
    "root_id",
    "depth",
    "author_name",
    "author_url",
    "body_html",
    "status",
    "submitted_at",
    "edited_at",
    "poster_key",
    "moderated_by_id",
    "staff_author_id",
    "featured_at",
)


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments every reader may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def live(self):
        """Every comment but removed ones: those the duplicate constraint compares."""
        return self.exclude(status=Comment.Status.REMOVED)

    def pending(self):
        """Comments waiting for an editor's decision."""
        return self.filter(status=Comment.Status.PENDING)

    def picks(self):
        """Editors' picks readers see: approved and featured, in the order they were picked."""
        return self.approved().filter(featured_at__isnull=False).order_by("featured_at", "pk")

    def for_thread(self):
        """Only the columns a thread shows: no email, IP or raw text is even loaded."""
        return self.only(*THREAD_FIELDS)

    def public_threads(self):
        """Top-level comments that start a thread every reader sees: approved ones, and removed
        ones kept as placeholders for their approved replies. Comment pages are made of these."""
        has_approved_replies = models.Exists(
            Comment.objects.approved().filter(parent=models.OuterRef("pk"))
        )
        return self.filter(parent__isnull=True).filter(
            models.Q(status=Comment.Status.APPROVED)
            | models.Q(models.Q(status=Comment.Status.REMOVED) & has_approved_replies)
        )

    def with_thread_position(self):
        """Annotate `thread_position`: how many public threads of the article start before
        this comment's own thread. A comment's page is this // COMMENTS_PER_PAGE + 1, so a
        permalink knows its page in the same query (feeds link 50 comments in one)."""
        root_submitted_at = Coalesce(models.F("root__submitted_at"), models.F("submitted_at"))
        root_pk = Coalesce(models.F("root_id"), models.F("pk"))
        earlier = (
            Comment.objects.public_threads()
            .filter(article=models.OuterRef("article"))
            .filter(
                models.Q(submitted_at__lt=models.OuterRef("root_submitted_at"))
                | models.Q(
                    submitted_at=models.OuterRef("root_submitted_at"),
                    pk__lt=models.OuterRef("root_pk"),
                )
            )
            .order_by()
            .values("article")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(root_submitted_at=root_submitted_at, root_pk=root_pk).annotate(
            thread_position=Coalesce(models.Subquery(earlier), 0)
        )

    def for_article_thread(self, article, poster_key=""):
        """What an article's thread shows: visible comments, plus removed ones that still have
        approved replies (shown as "This comment was removed." so the thread keeps its shape).
        """
        has_approved_replies = models.Exists(
            Comment.objects.approved().filter(parent=models.OuterRef("pk"))
        )
        removed_parents = self.filter(status=Comment.Status.REMOVED).filter(has_approved_replies)
        return self.filter(article=article).visible_to(poster_key) | removed_parents.filter(
            article=article
        )

    def visible_to(self, poster_key):
        """Approved comments, plus the pending ones posted from this browser session.

        `poster_key` is the session's random key (see comments.views.poster_key); comments
        carry it, so a session posting several comments at once never loses track of one.
        """
        if not poster_key:
            return self.approved()
        return self.approved() | self.awaiting_for_poster().filter(poster_key=poster_key)

    def awaiting_for_poster(self):
        """What a poster sees as "awaiting moderation": pending comments, and those a rule
        (the honeypot, …) sent straight to spam, so a bot learns nothing. Spam an editor
        decided on is gone for its poster too."""
        return self.filter(
            models.Q(status=Comment.Status.PENDING)
            | models.Q(status=Comment.Status.SPAM, moderated_by__isnull=True)
        )


def accepts_comments(article, policy=None):
    """Whether readers may post on `article` now: its switch is on and, with
    "close after days" set (COMMENTS_CLOSE_AFTER_DAYS or Discussion settings), it was
    published fewer than that many days ago."""
    if not article.comments_open:
        return False
    days = (policy or current_policy()).close_after_days
    return not days or timezone.now() < article.published_at + timedelta(days=days)


def normalize_email(email):
    """The one commenter identity: the email trimmed and lower-cased.

    The policy look-up, the duplicate check and (later) reputation, export and erasure all
    compare this, never the address as typed.
    """
    return (email or "").strip().lower()


def comment_fingerprint(email, body_raw, parent_id=None):
    """What makes two comments on one article the same comment: the author, the text, and
    the comment it replies to (the same words may answer two different readers)."""
    text = (body_raw or "").replace("\r\n", "\n").strip()
    key = f"{normalize_email(email)}\0{text}"
    if parent_id is not None:
        key = f"{key}\0{parent_id}"
    return hashlib.sha256(key.encode()).hexdigest()


class QueueIndex(models.Index):
    """An index in the moderation queue's order, NULLS LAST included, on every database.

    SQLite refuses NULLS LAST in an index and needs no such words: it sorts NULL below every
    number, so its plain DESC already puts unscored comments last, as PostgreSQL's
    DESC NULLS LAST does.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "sqlite":
            plain = [
                models.OrderBy(e.expression, descending=e.descending)
                if isinstance(e, models.OrderBy)
                else e
                for e in self.expressions
            ]
            index = models.Index(*plain, name=self.name, condition=self.condition)
            return index.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class Comment(models.Model):
    """A reader's comment on an article.

    `body_raw` is what the reader typed: for editors only, never rendered unescaped.
    `body_html` is its sanitized rendering, computed once on write by `set_body()`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    # The comment this one answers, and how deep that puts it (0: top level). Stored on write,
    # so the thread is built from one query without walking up each comment's parents.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The top-level comment of its thread (null for a top-level comment): a permalink finds
    # its comment page from it.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    author_name = models.CharField("name", max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField("email", max_length=EMAIL_MAX_LENGTH)
    author_url = models.URLField(
        "website", max_length=URL_MAX_LENGTH, blank=True, validators=[validate_website]
    )
    body_raw = models.TextField("comment as typed")
    body_html = models.TextField("comment as shown", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # A reply an editor wrote from the admin (moderation.staff_reply): shown with a "Staff"
    # badge and the editor's display name, never their email.
    staff_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_comments",
        editable=False,
    )
    # An editors' pick (moderation.feature): shown above the thread as well as in it.
    featured_at = models.DateTimeField("featured", null=True, blank=True, editable=False)
    # When the IP address and user agent were cleared (COMMENTS_IP_RETENTION_DAYS, or an
    # erasure), so the admin can say "purged" rather than show a blank.
    ip_purged_at = models.DateTimeField("IP purged", null=True, blank=True, editable=False)

    # When the text was last changed after posting (by its poster or an editor): "(edited)".
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Derived on every save(), never typed: see save().
    email_normalized = models.CharField(
        "email (normalised)", max_length=EMAIL_MAX_LENGTH, editable=False, default=""
    )
    fingerprint = models.CharField(max_length=64, editable=False, default="")
    # The random key of the browser session that posted it, so that session (and no other)
    # sees it while it is pending. Never shown.
    poster_key = models.CharField(max_length=32, blank=True, editable=False, default="")
    # The spam filter's score when it was posted (0 to 1; null: no filter trained yet), and
    # the features that weighed most in it, for editors.
    spam_score = models.FloatField(null=True, blank=True, editable=False)
    spam_reasons = models.JSONField(default=list, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [
            # The thread: one article's visible comments, oldest first.
            models.Index(fields=["article", "status", "submitted_at"]),
            # The admin's lists by status, newest first (pk breaks ties, as the admin does).
            models.Index(fields=["status", "submitted_at"]),
            # The moderation queue: pending only, likeliest spam first, then newest
            # (CommentAdmin.get_ordering), read from the index without sorting.
            QueueIndex(
                models.F("spam_score").desc(nulls_last=True),
                models.F("submitted_at").desc(),
                models.F("id").desc(),
                name="comment_pending_queue",
                condition=models.Q(status="pending"),
            ),
            # "All" comments, newest first.
            models.Index(fields=["submitted_at", "id"], name="comment_submitted"),
            # The policy's "already approved?" look-up, and the commenter's history.
            models.Index(fields=["email_normalized", "status"], name="comment_author_status"),
        ]
        constraints = [
            # Identical posts arriving together (a double click, a replay) make one comment;
            # the database decides, so it holds across processes and machines.
            models.UniqueConstraint(
                fields=["article", "fingerprint"],
                condition=~models.Q(status="removed"),
                name="unique_comment_unless_removed",
            ),
        ]

    DERIVED_FIELDS = ("body_html", "email_normalized", "fingerprint")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The text body_html was made from (None: not made here). Read from __dict__ so a
        # deferred body_raw (the thread loads only what it shows) is not fetched.
        self._sanitized_from = (
            self.__dict__.get("body_raw") if self.__dict__.get("body_html") else None
        )

    def __str__(self):
        return f"Comment by {self.author_name} ({self.submitted_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        """Derive what must never go stale: the sanitized HTML, the identity, the fingerprint.

        Here, not in each caller, so `Comment.objects.create(body_raw=…)` or an admin edit
        can't leave `body_html` empty or out of date.
        """
        self.derive_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"body_raw", "author_email"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The comment in its thread, on the comment page its thread is on."""
        url = self.article.get_absolute_url()
        page = self.comment_page()
        if page > 1:
            url = f"{url}?cpage={page}"
        return f"{url}#comment-{self.pk}"

    def comment_page(self):
        """Which comment page (1, 2, …) shows this comment's thread."""
        position = self.__dict__.get("thread_position")
        if position is None:
            found = Comment.objects.filter(pk=self.pk).with_thread_position()
            position = found.values_list("thread_position", flat=True).first() or 0
        return position // settings.COMMENTS_PER_PAGE + 1

    def get_preview_url(self):
        """The comment in its thread whatever its status, for staff ("View on site")."""
        return f"{self.article.get_absolute_url()}?moderate={self.pk}#comment-{self.pk}"

    def derive_fields(self):
        """Bring what is derived up to date with what was typed and whom it answers:
        body_html, email_normalized, fingerprint, and the thread's depth and root.

        save() calls it; call it yourself only before bulk_create, which skips save().
        """
        if "parent_id" in self.__dict__:
            parent = self.parent if self.parent_id is not None else None
            self.depth = parent.depth + 1 if parent else 0
            self.root_id = (parent.root_id or parent.pk) if parent else None
        if "body_raw" in self.__dict__:
            if self._sanitized_from != self.body_raw:
                self.set_body(self.body_raw)
            self.fingerprint = comment_fingerprint(
                self.author_email, self.body_raw, self.__dict__.get("parent_id")
            )
        if "author_email" in self.__dict__:
            self.email_normalized = normalize_email(self.author_email)

    def set_body(self, raw):
        """Store what the reader typed and its sanitized HTML together."""
        self.body_raw = raw
        self.body_html = sanitize_comment(raw)
        self._sanitized_from = raw

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def shown_as_pending(self):
        """Shown to its poster as awaiting moderation (see awaiting_for_poster)."""
        return self.is_pending or (self.status == self.Status.SPAM and not self.moderated_by_id)

    def editable_by_poster(self, key):
        """Whether the browser session holding poster key `key` may still edit or delete
        this comment: its own, not yet decided against, within COMMENTS_EDIT_MINUTES."""
        if not key or key != self.poster_key or self.status not in ("pending", "approved"):
            return False
        window = timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
        return timezone.now() < self.submitted_at + window

    @property
    def is_removed(self):
        return self.status == self.Status.REMOVED

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def author_link(self):
        """The website to link the author's name to, only if it is http(s)."""
        url = self.author_url or ""
        return url if url.lower().startswith(("http://", "https://")) else ""


class ModerationEvent(models.Model):
    """One change to a comment, appended by comments.moderation and never edited.

    The audit trail: what changed (from and to which status), who decided (an editor, or the
    name of an automatic rule) and why. It outlives the comment if a superuser deletes it.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submitted"
        APPROVE = "approve", "Approved"
        SPAM = "spam", "Marked as spam"
        REMOVE = "remove", "Removed"
        RESTORE = "restore", "Restored"
        EDIT = "edit", "Edited"
        DELETE = "delete", "Deleted"
        FEATURE = "feature", "Featured as an editors' pick"
        UNFEATURE = "unfeature", "No longer an editors' pick"
        ERASE = "erase", "Author's personal data erased"
        PURGE = "purge", "IP address and user agent purged"

    comment = models.ForeignKey(
        Comment, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    comment_ref = models.PositiveBigIntegerField("comment id", db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField("automatic rule", max_length=100, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["comment", "-created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} comment #{self.comment_ref} by {self.decided_by}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Moderation events are append-only.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:comments_comment_change", args=[self.comment_ref])

    @property
    def decided_by(self):
        return self.actor.get_username() if self.actor_id else self.rule or "unknown"


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
        "hold every new comment for moderation",
        null=True,
        blank=True,
        help_text="Unknown: follow the environment.",
    )
    flood_seconds = models.PositiveIntegerField(
        "seconds between comments from one address or email",
        null=True,
        blank=True,
        help_text="0 turns flood control off; blank follows the environment.",
    )
    max_links = models.PositiveIntegerField(
        "hold comments with more links than",
        null=True,
        blank=True,
        help_text="Links typed as text count too; blank follows the environment.",
    )
    close_after_days = models.PositiveIntegerField(
        "close comments on articles older than (days)",
        null=True,
        blank=True,
        help_text="0: never; blank follows the environment.",
    )
    hold_words = models.TextField(
        "hold for moderation",
        blank=True,
        help_text=(
            "One word, phrase, email, address or IP per line. A comment containing any of "
            "them in its name, email, website, text, IP or browser is held for moderation. "
            "Matched inside words, ignoring case: “press” matches “WordPress”."
        ),
    )
    disallowed_words = models.TextField(
        "disallowed",
        blank=True,
        help_text=(
            "The same, one per line, but a match sends the comment straight to spam. Its "
            "poster sees the usual moderation note."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "discussion settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="discussion_settings_one_row")
        ]

    def __str__(self):
        return "Discussion settings"

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


# Where pages keep the policy (see comments.thread.page_state): posting always reads the row.
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

        Ranges are compared in Python (the same on SQLite and PostgreSQL): only their text is
        loaded, and each is parsed once per process.
        """
        active = self.active()
        if email_normalized:
            block = active.filter(email=email_normalized).first()
            if block is not None:
                return block
        pk = range_covering(self.active_ranges(), _ip_or_none(ip_address))
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
        "email", max_length=EMAIL_MAX_LENGTH, blank=True, help_text="Compared normalised."
    )
    network = models.CharField(
        "IP address or range",
        max_length=49,
        blank=True,
        help_text="An address (203.0.113.7, 2001:db8::1) or a CIDR range (203.0.113.0/24).",
    )
    reason = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField("expires", null=True, blank=True, help_text="Blank: never.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = BlockQuerySet.as_manager()

    class Meta:
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
            raise ValidationError("Give either an email or an IP address or range, not both.")
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
                    {"network": "Enter an IP address or a range such as 203.0.113.0/24."}
                ) from error

    @property
    def is_active(self):
        return self.expires_at is None or self.expires_at > timezone.now()


class SpamExample(models.Model):
    """One labelled example the spam filter learns from: an editor's decision on a comment
    (Approve: not spam; Mark as spam: spam; the latest decision wins), or an imported one.

    Only what the model may read is kept: the name, the website and the text. Never the
    email or the IP address, so the model's vocabulary can't hold them.
    """

    class Source(models.TextChoices):
        DECISION = "decision", "editor's decision"
        IMPORT = "import", "imported"

    comment = models.OneToOneField(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="spam_example"
    )
    is_spam = models.BooleanField()
    author_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    author_url = models.CharField(max_length=URL_MAX_LENGTH, blank=True)
    text = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DECISION)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self):
        label = "spam" if self.is_spam else "not spam"
        return f"{label}: {Truncator(self.text).chars(60)}"


class SpamFilterQuerySet(models.QuerySet):
    def latest_version(self):
        """The trained filter app servers score with: the newest one saved."""
        return self.order_by("-pk").first()


class SpamFilterVersion(models.Model):
    """A trained spam filter, stored in the database so every app server scores with the
    same one (each loads it once, and again when a newer version is saved)."""

    created_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=100)
    model = models.BinaryField()
    ham_examples = models.PositiveIntegerField()
    spam_examples = models.PositiveIntegerField()
    # Whether it had enough examples (COMMENTS_FILTER_MIN_HAM / _MIN_SPAM) to send anything to
    # spam or hold it; if not it only records scores, which order the queue.
    acts = models.BooleanField(default=False)
    spam_threshold = models.FloatField(null=True, blank=True)
    hold_threshold = models.FloatField(null=True, blank=True)
    cv_recall = models.FloatField("cross-validated spam caught", null=True, blank=True)
    cv_false_spam = models.FloatField("cross-validated good comments sent to spam", null=True)
    cv_auc = models.FloatField("cross-validated ROC AUC", null=True, blank=True)
    training_seconds = models.FloatField(default=0)
    top_features = models.JSONField(default=list, blank=True)

    objects = SpamFilterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "spam filter"

    def __str__(self):
        return f"Spam filter #{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"
