"""Discussions in the admin: what is discussed, how many approved comments each has, and the
switch that opens or closes it (with an optional closing time). Discussions begin on their
own (the first time an object's page shows its thread, or an import, or a page's comments),
so there is no "Add"."""

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ...models import Discussion


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "page_link", "comments", "is_open", "closes_at")
    list_editable = ("is_open", "closes_at")
    list_filter = ("is_open", "content_type")
    search_fields = ("title", "url")
    date_hierarchy = "published_at"
    fields = (
        "title",
        "url",
        "content_type",
        "object_id",
        "published_at",
        "approved_count",
        "is_open",
        "closes_at",
    )
    readonly_fields = (
        "title",
        "url",
        "content_type",
        "object_id",
        "published_at",
        "approved_count",
    )
    list_select_related = ("content_type",)

    def has_add_permission(self, request):
        return False

    # Translators: the column saying what is discussed (an article, a page, …).
    @admin.display(description=pgettext_lazy("what is discussed", "what"))
    def kind(self, discussion):
        if discussion.is_page:
            return gettext("Page (by address)")
        return capfirst(discussion.content_type.name)

    @admin.display(description=_("page"))
    def page_link(self, discussion):
        return format_html(
            '<a href="{}">{}</a>', discussion.get_absolute_url(), gettext("View on site")
        )

    @admin.display(description=_("approved comments"), ordering="approved_count")
    def comments(self, discussion):
        url = reverse("admin:comments_comment_changelist")
        return format_html(
            '<a href="{}?discussion__id__exact={}&amp;status=approved">{}</a>',
            url,
            discussion.pk,
            number_format(discussion.approved_count),
        )
