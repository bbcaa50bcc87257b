"""What the spam filter learns from and what it learnt: labelled examples and trained
versions, stored in the database so every app server scores with the same filter."""

from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .comment import NAME_MAX_LENGTH, URL_MAX_LENGTH, Comment


class SpamExample(models.Model):
    """One labelled example the spam filter learns from: an editor's decision on a comment
    (Approve: not spam; Mark as spam: spam; the latest decision wins), or an imported one.

    Only what the model may read is kept: the name, the website and the text. Never the
    email or the IP address, so the model's vocabulary can't hold them.
    """

    class Source(models.TextChoices):
        DECISION = "decision", _("editor's decision")
        IMPORT = "import", _("imported")

    comment = models.OneToOneField(
        Comment,
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spam_example",
    )
    is_spam = models.BooleanField(_("is spam"))
    author_name = models.CharField(_("author name"), max_length=NAME_MAX_LENGTH, blank=True)
    author_url = models.CharField(_("author url"), max_length=URL_MAX_LENGTH, blank=True)
    text = models.TextField(_("text"))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.DECISION
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("spam example")
        verbose_name_plural = _("spam examples")
        ordering = ["decided_at", "pk"]

    def __str__(self):
        label = gettext("spam: %(text)s") if self.is_spam else gettext("not spam: %(text)s")
        return label % {"text": Truncator(self.text).chars(60)}

    @classmethod
    def of(cls, comment, *, is_spam, source, decided_at=None):
        """The example a comment makes: only what the model may read of it (never the email
        or the IP address)."""
        return cls(
            comment=comment,
            is_spam=is_spam,
            author_name=comment.author_name,
            author_url=comment.author_url,
            text=comment.body_raw,
            source=source,
            decided_at=decided_at or timezone.now(),
        )


class SpamFilterQuerySet(models.QuerySet):
    def latest_version(self):
        """The trained filter app servers score with: the newest one saved."""
        return self.order_by("-pk").first()


class SpamFilterVersion(models.Model):
    """A trained spam filter, stored in the database so every app server scores with the
    same one (each loads it once, and again when a newer version is saved)."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    trigger = models.CharField(_("trigger"), max_length=100)
    model = models.BinaryField()
    ham_examples = models.PositiveIntegerField(_("ham examples"))
    spam_examples = models.PositiveIntegerField(_("spam examples"))
    # Whether it had enough examples (COMMENTS_FILTER_MIN_HAM / _MIN_SPAM) to send anything to
    # spam or hold it; if not it only records scores, which order the queue.
    acts = models.BooleanField(_("acts"), default=False)
    spam_threshold = models.FloatField(null=True, blank=True)
    hold_threshold = models.FloatField(null=True, blank=True)
    cv_recall = models.FloatField(_("cross-validated spam caught"), null=True, blank=True)
    cv_false_spam = models.FloatField(_("cross-validated good comments sent to spam"), null=True)
    cv_auc = models.FloatField(_("cross-validated ROC AUC"), null=True, blank=True)
    training_seconds = models.FloatField(default=0)
    top_features = models.JSONField(default=list, blank=True)

    objects = SpamFilterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("spam filter")
        verbose_name_plural = _("spam filters")

    def __str__(self):
        return gettext("Spam filter #%(id)s (%(created)s)") % {
            "id": self.pk,
            "created": f"{self.created_at:%Y-%m-%d %H:%M}",
        }
