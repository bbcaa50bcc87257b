"""What readers do with a comment besides answering it: recommend it, report it.

Each is one row per comment per reader's browser (its reader key: the session's poster key,
comments.public.session, or an API client's X-Poster-Key). Written only by the write path
(comments.moderation.reactions), which keeps Comment.recommendation_count true and holds a
comment enough readers report.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .comment import Comment

REPORT_TEXT_MAX_LENGTH = 200


class Recommendation(models.Model):
    """A reader recommends a comment: counted on the comment (recommendation_count), undone
    by deleting the row."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="recommendations")
    reader_key = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reader_key"], name="one_recommendation_per_reader"
            )
        ]

    def __str__(self):
        return f"Recommendation of comment #{self.comment_id}"


class Report(models.Model):
    """A reader reports a comment to the editors, with a reason.

    Reports from distinct readers (by browser and by IP address) add up: at
    COMMENTS_REPORTS_TO_HOLD an approved comment goes back to the queue. An editor's approval
    clears them (`cleared_at`), and a comment approved after reports needs twice as many to be
    held again. The IP address is purged with the comments' (COMMENTS_IP_RETENTION_DAYS).
    """

    class Reason(models.TextChoices):
        # Translators: why a reader reports a comment.
        SPAM = "spam", pgettext_lazy("a report's reason", "Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    # The reader's own words (required for "other"), plain text, shown escaped to editors.
    text = models.CharField(max_length=REPORT_TEXT_MAX_LENGTH, blank=True)
    reader_key = models.CharField(max_length=32)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When an editor's approval cleared it: it no longer counts towards holding the comment.
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_key"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"Report of comment #{self.comment_id}: {self.get_reason_display()}"

    @property
    def why(self):
        """The reason as editors read it: its label, and the reader's words if any."""
        label = self.get_reason_display()
        return f"{label}: {self.text}" if self.text else label
