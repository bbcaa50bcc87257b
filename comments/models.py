from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from articles.models import Article

from .sanitize import sanitize_comment

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


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments every reader may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        """Comments waiting for an editor's decision."""
        return self.filter(status=Comment.Status.PENDING)

    def for_thread(self):
        """Only the columns a thread shows: no email, IP or raw text is even loaded."""
        return self.only(
            "id", "article_id", "author_name", "author_url", "body_html", "status", "submitted_at"
        )

    def visible_to(self, own_pending_ids):
        """Approved comments, plus the pending ones this reader posted (ids from the session)."""
        if not own_pending_ids:
            return self.approved()
        return self.approved() | self.pending().filter(pk__in=own_pending_ids)


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

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [
            # The thread: one article's visible comments, oldest first.
            models.Index(fields=["article", "status", "submitted_at"]),
            # The moderation queue and the "already approved?" check.
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self):
        return f"Comment by {self.author_name} ({self.submitted_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    def set_body(self, raw):
        """Store what the reader typed and its sanitized HTML together."""
        self.body_raw = raw
        self.body_html = sanitize_comment(raw)

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def author_link(self):
        """The website to link the author's name to, only if it is http(s)."""
        url = self.author_url or ""
        return url if url.lower().startswith(("http://", "https://")) else ""
