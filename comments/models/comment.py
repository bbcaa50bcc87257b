"""A reader's comment and how it is queried: the thread's rows, the queue's order, the
fingerprint that makes two posts the same comment."""

import hashlib
from datetime import timedelta

from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..conf import settings
from ..sanitize import sanitize_comment
from .discussion import Discussion

# WordPress's limits, so that nothing a WordPress reader could post is refused here.
NAME_MAX_LENGTH = 245
EMAIL_MAX_LENGTH = 100
URL_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 65525

# Django's URLField also takes ftp://; a reader's website is only ever http(s).
validate_website = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
    code="not_http",  # Not "invalid", which form fields replace with "Enter a valid URL."
)


# What a thread (and a feed) shows of a comment: the one list, for for_thread() and for the
# rows comments.thread reads. No email, IP address, user agent or raw text.
THREAD_FIELDS = (
    "pk",
    "discussion_id",
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
    "recommendation_count",
)


# The moderation queue's order: what the spam filter scored likeliest spam first (unscored
# last), then newest. The admin's pending list, the queue page and their index all use it.
QUEUE_ORDER = (
    models.F("spam_score").desc(nulls_last=True),
    models.F("submitted_at").desc(),
    models.F("id").desc(),
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

    def in_queue_order(self):
        """The pending comments in the moderation queue's order (QUEUE_ORDER)."""
        return self.pending().order_by(*QUEUE_ORDER)

    def live_twins(self, comments):
        """Live comments with the discussion and the fingerprint of one of `comments` (objects
        with `discussion_id` and `fingerprint`; themselves excluded): what the duplicate
        constraint compares, asked before it refuses. Exact for one comment; for several,
        a superset (any of the discussions with any of the fingerprints) whose pairs the
        caller checks, in two IN lists however many there are (an OR per pair grows past
        SQLite's expression depth at a thousand)."""
        own = [comment.pk for comment in comments if comment.pk is not None]
        return (
            self.live()
            .filter(
                discussion_id__in={comment.discussion_id for comment in comments},
                fingerprint__in={comment.fingerprint for comment in comments},
            )
            .exclude(pk__in=own)
        )

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
        """Annotate `thread_position`: how many public threads of the discussion start before
        this comment's own thread. A comment's page is this // COMMENTS_PER_PAGE + 1, so a
        permalink knows its page in the same query (feeds link 50 comments in one)."""
        root_submitted_at = Coalesce(models.F("root__submitted_at"), models.F("submitted_at"))
        root_pk = Coalesce(models.F("root_id"), models.F("pk"))
        earlier = (
            Comment.objects.public_threads()
            .filter(discussion=models.OuterRef("discussion"))
            .filter(
                models.Q(submitted_at__lt=models.OuterRef("root_submitted_at"))
                | models.Q(
                    submitted_at=models.OuterRef("root_submitted_at"),
                    pk__lt=models.OuterRef("root_pk"),
                )
            )
            .order_by()
            .values("discussion")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(root_submitted_at=root_submitted_at, root_pk=root_pk).annotate(
            thread_position=Coalesce(models.Subquery(earlier), 0)
        )

    def for_thread_of(self, discussion, poster_key=""):
        """What a discussion's thread shows: visible comments, plus removed ones that still have
        approved replies (shown as "This comment was removed." so the thread keeps its shape).
        """
        has_approved_replies = models.Exists(
            Comment.objects.approved().filter(parent=models.OuterRef("pk"))
        )
        removed_parents = self.filter(status=Comment.Status.REMOVED).filter(has_approved_replies)
        return self.filter(discussion=discussion).visible_to(poster_key) | removed_parents.filter(
            discussion=discussion
        )

    def visible_to(self, poster_key):
        """Approved comments, plus the pending ones posted from this browser session.

        `poster_key` is the session's random key (comments.public.session.poster_key); comments
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


def normalize_email(email):
    """The one commenter identity: the email trimmed and lower-cased.

    The policy look-up, the duplicate check, blocks, export and erasure all
    compare this, never the address as typed.
    """
    return (email or "").strip().lower()


def comment_fingerprint(email, body_raw, parent_id=None):
    """What makes two comments in one discussion the same comment: the author, the text, and
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

    def deconstruct(self):
        # The path migration 0012 names: the package re-exports it there.
        _, args, kwargs = super().deconstruct()
        return "comments.models.QueueIndex", args, kwargs


class Comment(models.Model):
    """A reader's comment in a discussion (of an article, of any object, of a page).

    `body_raw` is what the reader typed: for editors only, never rendered unescaped.
    `body_html` is its sanitized rendering, computed once on write by `set_body()`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        # Translators: a comment's status (marked as spam).
        SPAM = "spam", pgettext_lazy("status", "Spam")
        REMOVED = "removed", _("Removed")

    # No index of its own: the thread's index and the duplicate constraint start with it.
    discussion = models.ForeignKey(
        Discussion,
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,
        verbose_name=_("discussion"),
    )
    # The comment this one answers, and how deep that puts it (0: top level). Stored on write,
    # so the thread is built from one query without walking up each comment's parents.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("parent"),
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The top-level comment of its thread (null for a top-level comment): a permalink finds
    # its comment page from it.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    author_name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField(_("email"), max_length=EMAIL_MAX_LENGTH)
    author_url = models.URLField(
        _("website"), max_length=URL_MAX_LENGTH, blank=True, validators=[validate_website]
    )
    body_raw = models.TextField(_("comment as typed"))
    body_html = models.TextField(_("comment as shown"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
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
    featured_at = models.DateTimeField(_("featured"), null=True, blank=True, editable=False)
    # When the IP address and user agent were cleared (COMMENTS_IP_RETENTION_DAYS, or an
    # erasure), so the admin can say "purged" rather than show a blank.
    ip_purged_at = models.DateTimeField(_("IP purged"), null=True, blank=True, editable=False)

    # When the text was last changed after posting (by its poster or an editor): "(edited)".
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Derived on every save(), never typed: see save().
    email_normalized = models.CharField(
        _("email (normalised)"), max_length=EMAIL_MAX_LENGTH, editable=False, default=""
    )
    fingerprint = models.CharField(max_length=64, editable=False, default="")
    # The random key of the browser session that posted it, so that session (and no other)
    # sees it while it is pending. Never shown.
    poster_key = models.CharField(max_length=32, blank=True, editable=False, default="")
    # Where an imported comment came from: "<source>:<thread id>:<comment id>" in the old
    # system (comments.moderation.imports), so importing the same file again adds nothing.
    import_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    # The spam filter's score when it was posted (0 to 1; null: no filter trained yet), and
    # the features that weighed most in it, for editors.
    spam_score = models.FloatField(null=True, blank=True, editable=False)
    spam_reasons = models.JSONField(default=list, blank=True, editable=False)
    # How many readers recommend it (comments.moderation.reactions keeps it true, on write),
    # so a thread shows counts and sorts by them without counting rows.
    recommendation_count = models.PositiveIntegerField(
        _("recommendations"), default=0, editable=False
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["submitted_at", "pk"]
        indexes = [
            # The thread: one discussion's visible comments, oldest first.
            models.Index(fields=["discussion", "status", "submitted_at"], name="comment_thread"),
            # The admin's lists by status, newest first (pk breaks ties, as the admin does).
            models.Index(fields=["status", "submitted_at"]),
            # The moderation queue: pending only, in QUEUE_ORDER, read without sorting.
            QueueIndex(
                *QUEUE_ORDER,
                name="comment_pending_queue",
                condition=models.Q(status="pending"),
            ),
            # "All" comments, newest first; and the dashboard's windows (comments.stats): the
            # comments of the last days by time, with what it counts of them, which PostgreSQL
            # then reads from the index alone (SQLite ignores `include`).
            models.Index(
                fields=["submitted_at", "id"],
                include=["status", "spam_score", "discussion"],
                name="comment_submitted",
            ),
            # The policy's "already approved?" look-up, and the commenter's history.
            models.Index(fields=["email_normalized", "status"], name="comment_author_status"),
        ]
        constraints = [
            # Identical posts arriving together (a double click, a replay) make one comment;
            # the database decides, so it holds across processes and machines.
            models.UniqueConstraint(
                fields=["discussion", "fingerprint"],
                condition=~models.Q(status="removed"),
                name="unique_comment_unless_removed",
            ),
            # One comment per comment of the old system, whatever the file says twice.
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="unique_import_key",
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
        return gettext("Comment by %(name)s (%(submitted)s)") % {
            "name": self.author_name,
            "submitted": f"{self.submitted_at:%Y-%m-%d %H:%M}",
        }

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
        """The comment in its thread, on the comment page its thread is on: oldest first,
        the order comment_page counts in, named (?csort=oldest) when the site sorts threads
        otherwise by default (COMMENTS_THREAD_ORDER)."""
        url = self.discussion.get_absolute_url()
        page = self.comment_page()
        params = [] if settings.COMMENTS_THREAD_ORDER == "oldest" else ["csort=oldest"]
        if page > 1:
            params.append(f"cpage={page}")
        query = f"?{'&'.join(params)}" if params else ""
        return f"{url}{query}#comment-{self.pk}"

    def get_posted_url(self):
        """Where the poster lands after posting: the discussion's page asked to show this
        comment (?comment=<id>). The page works out which comment page holds it from the
        rows it reads anyway, so the post itself need not count threads (get_absolute_url's
        query)."""
        return f"{self.discussion.get_absolute_url()}?comment={self.pk}#comment-{self.pk}"

    def comment_page(self):
        """Which comment page (1, 2, …) shows this comment's thread."""
        position = self.__dict__.get("thread_position")
        if position is None:
            found = Comment.objects.filter(pk=self.pk).with_thread_position()
            position = found.values_list("thread_position", flat=True).first() or 0
        return position // settings.COMMENTS_PER_PAGE + 1

    def get_preview_url(self):
        """The comment in its thread whatever its status, for staff ("View on site")."""
        return f"{self.discussion.get_absolute_url()}?moderate={self.pk}#comment-{self.pk}"

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

    def set_body(self, raw, html=None):
        """Store what the reader typed and its sanitized HTML together. `html` is what
        sanitize_comment(raw) gave when it ran elsewhere (an import's worker processes)."""
        self.body_raw = raw
        self.body_html = sanitize_comment(raw) if html is None else html
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
        if not key or key != self.poster_key:
            return False
        if self.status not in (self.Status.PENDING, self.Status.APPROVED):
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
