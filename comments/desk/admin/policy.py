"""The Discussion settings page (the policy editors change live) and the blocks."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ...conf import settings
from ...models import (
    Block,
    DiscussionSettings,
)


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    """One page, no list: the row is made the first time an editor opens it."""

    fieldsets = (
        (
            _("Policy"),
            {
                "description": _(
                    "A blank (or “Unknown”) value follows the server's environment, shown under "
                    "each field. A value set here wins, on every app server, from the next "
                    "comment."
                ),
                "fields": ("hold_all", "flood_seconds", "max_links", "close_after_days"),
            },
        ),
        (_("Word lists"), {"fields": ("hold_words", "disallowed_words")}),
    )

    ENVIRONMENT = {
        "hold_all": "COMMENTS_HOLD_ALL",
        "flood_seconds": "COMMENTS_FLOOD_SECONDS",
        "max_links": "COMMENTS_MAX_LINKS",
        "close_after_days": "COMMENTS_CLOSE_AFTER_DAYS",
    }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        for name, setting in self.ENVIRONMENT.items():
            value = getattr(settings, setting)
            if isinstance(value, bool):
                # Translators: a yes-or-no setting's value, as the environment gives it.
                value = pgettext("a setting", "on") if value else pgettext("a setting", "off")
            field = form.base_fields.get(name)
            if field is None:  # a view-only user's form has no fields
                continue
            field.help_text = format_html(
                "{} {}",
                field.help_text,
                format_html(
                    gettext("The environment ({setting}) says <strong>{value}</strong>."),
                    setting=setting,
                    value=value,
                ),
            )
        return form

    def changelist_view(self, request, extra_context=None):
        settings_row = DiscussionSettings.load()
        if settings_row._state.adding and self.has_change_permission(request):
            settings_row.save()
        return HttpResponseRedirect(
            reverse("admin:comments_discussionsettings_change", args=[settings_row.pk])
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def response_change(self, request, obj):
        self.message_user(
            request, gettext("The discussion settings were saved; they apply from now.")
        )
        return HttpResponseRedirect(request.path)


class BlockStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", gettext("In force")), ("expired", gettext("Expired"))]

    def queryset(self, request, queryset):
        active = Block.objects.active().values("pk")
        if self.value() == "active":
            return queryset.filter(pk__in=active)
        if self.value() == "expired":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "reason",
        "expires_at",
        "in_force",
        "created_at",
        "created_by",
    )
    list_filter = (BlockStateFilter,)
    search_fields = ("email", "network", "reason")
    list_select_related = ("created_by",)
    fields = ("email", "network", "reason", "expires_at")

    # Translators: the column saying what a block is on: an email, or IP addresses.
    @admin.display(description=pgettext_lazy("what a block is on", "blocks"))
    def kind(self, block):
        return gettext("email") if block.email else gettext("IP address or range")

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, block):
        return block.is_active

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
