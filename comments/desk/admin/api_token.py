"""API tokens in the admin: each editor makes tokens for their own tools (the staff API,
comments.api.staff), sees the secret once, on the page that answers the "Save", and revokes
them. Editors see and manage their own tokens only; superusers see everyone's.

A token always belongs to whoever makes it: its secret is shown to that person only, so
nobody ever holds a secret that acts as someone else.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from ...models import ApiToken


class TokenStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", pgettext("an API token", "Active")),
            ("revoked", pgettext("an API token", "Revoked")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "prefix_shown", "created_at", "last_used_at", "state")
    list_filter = (TokenStateFilter,)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    actions = ("revoke_tokens",)
    change_form_template = "admin/comments/apitoken/change_form.html"
    SHOWN = ("owner", "prefix_shown", "created_at", "last_used_at", "state")

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        if request.user.is_superuser:
            return tokens
        return tokens.filter(user=request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.is_own(request, obj)

    @staticmethod
    def is_own(request, token):
        return token is None or request.user.is_superuser or token.user_id == request.user.pk

    def get_fields(self, request, obj=None):
        return ("name",) if obj is None else ("name", *self.SHOWN)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A revoked token is a record: it keeps the name it had.
        return (*self.SHOWN, "name") if obj.revoked_at else self.SHOWN

    @admin.display(description=_("user"), ordering="user__username")
    def owner(self, token):
        return token.user.get_username()

    @admin.display(description=_("starts with"))
    def prefix_shown(self, token):
        return format_html("<code>{}…</code>", token.prefix)

    @admin.display(description=_("state"), ordering="revoked_at")
    def state(self, token):
        if token.is_active:
            return pgettext("an API token", "Active")
        revoked = date_format(timezone.localtime(token.revoked_at), "DATETIME_FORMAT")
        return pgettext("an API token", "Revoked %(date)s") % {"date": revoked}

    # --- making one: the secret, once ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.user = request.user
            # On the object for response_add, which shows it; never stored, never shown again.
            obj.secret_shown_once = obj.new_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, on the page that answers the "Save" (not in a message: Django keeps
        those in a cookie), and kept by no cache. Reloading this page makes no second one
        silently: the browser asks before posting the form again."""
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Copy your new API token"),
            "opts": self.opts,
            "token": obj,
            "secret": obj.secret_shown_once,
        }
        response = TemplateResponse(request, "admin/comments/apitoken/secret.html", context)
        response["Cache-Control"] = "no-store"
        return response

    # --- revoking -------------------------------------------------------------------------------

    def response_change(self, request, obj):
        """The change page's "Revoke this token" button (any edit to the name is saved
        first)."""
        if "_revoke" not in request.POST:
            return super().response_change(request, obj)
        if obj.revoke():
            self.log_change(request, obj, "Revoked.")  # stored: in the log as it was
            self.message_user(
                request,
                gettext("The token “%(name)s” was revoked; it works no more.") % {"name": obj.name},
            )
        else:
            self.message_user(
                request, gettext("The token “%(name)s” was revoked already.") % {"name": obj.name}
            )
        return HttpResponseRedirect(request.path)

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        tokens = list(queryset.active())
        count = ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).revoke()
        for token in tokens:
            self.log_change(request, token, "Revoked.")
        self.message_user(
            request,
            ngettext(
                "%(count)d token was revoked; it works no more.",
                "%(count)d tokens were revoked; they work no more.",
                count,
            )
            % {"count": count},
        )
