"""The spam filter's page (what it learnt, how well it does, Train now) and its examples."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ... import moderation
from ...conf import settings
from ...models import (
    SpamExample,
    SpamFilterVersion,
)
from ...spam import filter as spam_filter


def number(value, decimals):
    """A float rounded as Python's format rounds it ("{:.2f}"), written the editor's way
    ("0.85", "0,85"): number_format alone would cut the digits off, not round them."""
    return number_format(round(value, decimals), decimals)


def percent(share, decimals):
    """A share (0.873) as a percentage in the editor's language ("87.3%", "87,3 %")."""
    # Translators: a percentage; %(value)s is the number. Write %% for the sign itself.
    return gettext("%(value)s%%") % {"value": number(share * 100, decimals)}


@admin.register(SpamFilterVersion)
class SpamFilterVersionAdmin(admin.ModelAdmin):
    """The "Spam filter" page: what the filter has learnt, how well it does on the site's own
    decisions, the thresholds it chose, what weighs most, and its mistakes. Each row is one
    training; the newest scores new comments."""

    list_display = (
        "created_at",
        "trigger",
        "ham_examples",
        "spam_examples",
        "acts",
        "recall",
        "false_spam",
        "auc",
        "thresholds",
    )
    list_display_links = None
    change_list_template = "admin/comments/spamfilterversion/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("model")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("spam caught"))
    def recall(self, version):
        return None if version.cv_recall is None else percent(version.cv_recall, 1)

    @admin.display(description=_("good sent to spam"))
    def false_spam(self, version):
        return None if version.cv_false_spam is None else percent(version.cv_false_spam, 2)

    @admin.display(description=_("ROC AUC"))
    def auc(self, version):
        return None if version.cv_auc is None else number(version.cv_auc, 3)

    @admin.display(description=_("thresholds: spam / hold"))
    def thresholds(self, version):
        if version.spam_threshold is None:
            return None
        return f"{number(version.spam_threshold, 2)} / {number(version.hold_threshold, 2)}"

    def get_urls(self):
        train = self.admin_site.admin_view(self.train_view)
        return [
            path("train/", train, name="comments_spamfilterversion_train"),
            *super().get_urls(),
        ]

    @staticmethod
    def may_train(request):
        return request.user.has_perm("comments.change_comment")

    def train_view(self, request):
        """ "Train now": in the background, like the automatic retraining."""
        if request.method != "POST" or not self.may_train(request):
            raise PermissionDenied
        # The trigger is stored with the version it makes: not translated.
        if spam_filter.train_in_background("trained from the admin by an editor"):
            self.message_user(
                request, gettext("Training started; reload this page in a few seconds.")
            )
        else:
            self.message_user(
                request, gettext("The filter is being trained already."), level=messages.WARNING
            )
        return HttpResponseRedirect(reverse("admin:comments_spamfilterversion_changelist"))

    def changelist_view(self, request, extra_context=None):
        current = SpamFilterVersion.objects.defer("model").latest_version()
        examples = SpamExample.objects.values("is_spam").annotate(count=Count("pk"))
        seen = {row["is_spam"]: row["count"] for row in examples}
        extra_context = {
            "current": current,
            "examples_ham": seen.get(False, 0),
            "examples_spam": seen.get(True, 0),
            "min_ham": settings.COMMENTS_FILTER_MIN_HAM,
            "min_spam": settings.COMMENTS_FILTER_MIN_SPAM,
            "max_false_spam": percent(settings.COMMENTS_FILTER_MAX_FALSE_SPAM, 0),
            "retrain_every": settings.COMMENTS_FILTER_RETRAIN_EVERY,
            "mistakes": spam_filter.mistakes(),
            "recall": self.recall(current) if current else None,
            "false_spam": self.false_spam(current) if current else None,
            "top_features": {
                "pairs": list(
                    zip(
                        current.top_features.get("spam", []),
                        current.top_features.get("not spam", []),
                        strict=False,
                    )
                )
            }
            if current
            else {},
            "may_train": self.may_train(request),
            # What the filter learns from, named as the buttons editors press.
            "approve": moderation.DECISIONS["approve"],
            "mark_spam": moderation.DECISIONS["spam"],
            "remove": moderation.DECISIONS["remove"],
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(SpamExample)
class SpamExampleAdmin(admin.ModelAdmin):
    """What the filter learns from: editors' decisions and imported history (read-only)."""

    list_display = ("__str__", "is_spam", "source", "decided_at")
    list_filter = ("is_spam", "source")
    search_fields = ("text", "author_name")
    readonly_fields = ("comment", "is_spam", "author_name", "author_url", "text", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
