"""A reader's wish to be emailed about a discussion: replies to their comments, or every
new comment. Double opt-in: nothing but the one confirmation message is sent to an address
until its owner follows the signed link in it (comments.notify)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .comment import EMAIL_MAX_LENGTH, normalize_email
from .discussion import Discussion


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        """Subscriptions whose address was confirmed: the only ones ever mailed news."""
        return self.filter(confirmed_at__isnull=False)

    def of_email(self, email):
        """Every subscription of this address (normalised, as comments compare it)."""
        return self.filter(email_normalized=normalize_email(email))


class Subscription(models.Model):
    class Scope(models.TextChoices):
        REPLIES = "replies", _("Replies to my comments")
        ALL = "all", _("Every new comment")

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="subscriptions"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH)
    email_normalized = models.CharField(max_length=EMAIL_MAX_LENGTH, editable=False, default="")
    # The language the reader used when subscribing: their emails are written in it.
    language = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last notification sent, and the trail's position it told of (the newest approval
    # event, a ModerationEvent pk; 0: none yet): at most one email per
    # COMMENTS_NOTIFY_MINUTES, later comments gathered into the next one, and a comment
    # approved late (held, then approved after a newer one was mailed) still told.
    last_sent_at = models.DateTimeField(null=True, blank=True)
    notified_through = models.BigIntegerField(default=0)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "email_normalized", "scope"], name="one_subscription_each"
            )
        ]
        indexes = [models.Index(fields=["email_normalized"], name="subscription_email")]

    def __str__(self):
        return f"{self.get_scope_display()} in discussion #{self.discussion_id}"

    def save(self, *args, **kwargs):
        """The address is compared normalised, as comments' are (never forgotten here)."""
        self.email_normalized = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None
