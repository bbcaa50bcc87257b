from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import ngettext

from . import moderation
from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "author_name",
        "author_email",
        "excerpt",
        "article",
        "status",
        "submitted_at",
        "ip_address",
    )
    list_filter = ("status", "article", "submitted_at")
    search_fields = ("author_name", "author_email", "body_raw", "ip_address")
    list_select_related = ("article",)
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)  # The moderation queue: newest first.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("approve_comments", "mark_comments_as_spam", "remove_comments")
    fieldsets = (
        (None, {"fields": ("article", "status")}),
        ("Reader", {"fields": ("author_name", "author_email", "author_url")}),
        ("Comment", {"fields": ("body_raw", "sanitized_html")}),
        (
            "For moderation",
            {
                "fields": (
                    "submitted_at",
                    "ip_address",
                    "user_agent",
                    "moderated_at",
                    "moderated_by",
                )
            },
        ),
    )
    readonly_fields = (
        "article",
        "sanitized_html",
        "submitted_at",
        "ip_address",
        "user_agent",
        "moderated_at",
        "moderated_by",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "moderated_by")

    def has_add_permission(self, request):
        return False  # Comments come from readers through the site's form.

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.body_raw).chars(80)

    @admin.display(description="comment as published (sanitized HTML, shown escaped)")
    def sanitized_html(self, comment):
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', comment.body_html)

    def save_model(self, request, obj, form, change):
        if "body_raw" in form.changed_data:
            obj.set_body(obj.body_raw)
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "pending_count": Comment.objects.pending().count(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def _report(self, request, count, singular, plural):
        self.message_user(request, ngettext(singular, plural, count) % {"count": count})

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_comments(self, request, queryset):
        count = moderation.approve(queryset, moderator=request.user)
        self._report(
            request, count, "%(count)d comment was approved.", "%(count)d comments were approved."
        )

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_comments_as_spam(self, request, queryset):
        count = moderation.mark_spam(queryset, moderator=request.user)
        self._report(
            request,
            count,
            "%(count)d comment was marked as spam.",
            "%(count)d comments were marked as spam.",
        )

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove_comments(self, request, queryset):
        count = moderation.remove(queryset, moderator=request.user)
        self._report(
            request, count, "%(count)d comment was removed.", "%(count)d comments were removed."
        )
