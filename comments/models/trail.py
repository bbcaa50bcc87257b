"""The audit trail: one row per change to a comment, appended by the write path."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .comment import Comment

PENDING = "pending"
# A change that puts a comment in the queue (a submission held, a hold after reports, a
# restore), and one that takes it out (the first decision, a deletion): the dashboard's
# backlog and waits count them (comments.desk.dashboard), through the partial index below,
# whose condition they repeat word for word so PostgreSQL can use it.
ENTERS_PENDING = models.Q(to_status=PENDING) & ~models.Q(from_status=PENDING)
LEAVES_PENDING = models.Q(from_status=PENDING) & ~models.Q(to_status=PENDING)


class ModerationEvent(models.Model):
    """One change to a comment, appended by comments.moderation and never edited.

    The audit trail: what changed (from and to which status), who decided (an editor, or the
    name of an automatic rule) and why. It outlives the comment if a superuser deletes it.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        SPAM = "spam", _("Marked as spam")
        REMOVE = "remove", _("Removed")
        RESTORE = "restore", _("Restored")
        EDIT = "edit", _("Edited")
        DELETE = "delete", _("Deleted")
        FEATURE = "feature", _("Featured as an editors' pick")
        UNFEATURE = "unfeature", _("No longer an editors' pick")
        ERASE = "erase", _("Author's personal data erased")
        PURGE = "purge", _("IP address and user agent purged")
        IMPORT = "import", _("Imported from another system")
        HOLD = "hold", _("Held after readers' reports")
        # Told to the registry's listeners (the thread shows the count), never kept in the
        # trail: a reader's recommendation is not a moderation decision.
        RECOMMEND = "recommend", _("Recommendations changed")

    comment = models.ForeignKey(
        Comment, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    comment_ref = models.PositiveBigIntegerField(_("comment id"), db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(_("automatic rule"), max_length=100, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["comment", "-created_at"]),
            # The dashboard's windows (comments.desk.dashboard), each read by its time alone,
            # from the index (the columns it reads are included; PostgreSQL only):
            # submissions with their rule (what decided), …
            models.Index(
                fields=["created_at"],
                include=["rule", "comment_ref"],
                condition=models.Q(action="submit"),
                name="trail_submits",
            ),
            # … moves into and out of the queue (the backlog, the waits), …
            models.Index(
                fields=["created_at"],
                include=["comment_ref", "action", "from_status", "to_status"],
                condition=ENTERS_PENDING | LEAVES_PENDING,
                name="trail_pending_moves",
            ),
            # … and people's changes (what people decided).
            models.Index(
                fields=["created_at"],
                include=["comment_ref", "from_status", "to_status"],
                condition=models.Q(actor__isnull=False),
                name="trail_people",
            ),
        ]

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
