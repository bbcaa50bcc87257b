"""The comments in the admin: the list (the pending queue first, why each comment has its
status), a comment's page with its decisions, trail and staff reply, and the bulk actions,
every decision taken from the one table (comments.moderation.DECISIONS)."""

import html
import ipaddress
import json
from functools import partial
from types import SimpleNamespace

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from ... import moderation
from ...models import (
    COMMENT_MAX_LENGTH,
    QUEUE_ORDER,
    Block,
    Comment,
    ModerationEvent,
    comment_fingerprint,
    estimated_count,
    range_covering,
)
from ...sanitize import check_markup
from .. import queue
from ..dashboard import views as dashboard_views
from ..paginator import EstimatedCountPaginator
from .spam import number

Status = Comment.Status


def decided_by(event):
    """The automatic rule that took a trail's event, as editors read it."""
    # Translators: who took a decision the trail recorded without saying who.
    return moderation.rule_label(event.rule) or pgettext("who decided", "unknown")


def status_name(value):
    """A status the trail stored ("pending", …), as editors read it in their language."""
    return Status(value).label.lower() if value in Status.values else value


class StatusFilter(admin.SimpleListFilter):
    """The list opens on the moderation queue (pending); "All" is one click away.

    A search looks through every status unless one is chosen: an editor looking up a name
    or an email wants that reader's whole history.
    """

    title = _("status")
    parameter_name = "status"
    show_all = "all"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.default = self.show_all if request.GET.get(SEARCH_VAR) else Status.PENDING

    def lookups(self, request, model_admin):
        return [*Status.choices, (self.show_all, gettext("All"))]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.show_all:
            return queryset
        return queryset.filter(status=self.value())


class RuleFilter(admin.SimpleListFilter):
    """Which automatic rule made the latest decision ("new author", "links", …), so editors
    can check the machine's work rule by rule."""

    title = _("decided by rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        rules = (
            ModerationEvent.objects.exclude(rule="").order_by("rule").values_list("rule", flat=True)
        )
        return [(rule, moderation.rule_label(rule)) for rule in rules.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(decision_rule=self.value())
        return queryset


def decision_action(decision):
    """The admin action taking `decision` (an entry of moderation.DECISIONS) on the selected
    comments, named and labelled as the table says."""

    def action(model_admin, request, queryset):
        count = len(decision.decide(queryset, by=request.user))
        model_admin.message_user(request, decision.done % {"count": count})

    action.__name__ = decision.action_name
    return admin.action(description=decision.action_label, permissions=["change"])(action)


class StaffReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text=_("The same HTML as readers may use; it is sanitized like theirs."),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        check_markup(text)
        return text


class CommentAdminForm(forms.ModelForm):
    """An edit that would duplicate another live comment is refused here, with a message,
    rather than by the database's constraint with an error page. A staff reply has no
    email to ask for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        no_email = self.instance.pk and not self.instance.author_email  # staff, erased
        if (self.instance.staff_author_id or no_email) and "author_email" in self.fields:
            self.fields["author_email"].required = False

    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("author_email", self.instance.author_email)
        body = cleaned_data.get("body_raw", self.instance.body_raw)
        edited = SimpleNamespace(
            pk=self.instance.pk,
            discussion_id=self.instance.discussion_id,
            fingerprint=comment_fingerprint(email, body, self.instance.parent_id),
        )
        twins = Comment.objects.live_twins([edited])
        if self.instance.status != Status.REMOVED and twins.exists():
            raise forms.ValidationError(
                gettext("Another comment in this discussion has the same text from the same email.")
            )
        return cleaned_data


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    list_display = ("status_badge", "author", "excerpt", "discussion_title", "submitted", "ip")
    list_display_links = ("excerpt",)
    list_filter = (StatusFilter, RuleFilter, "submitted_at")
    search_fields = ("author_name", "email_normalized", "body_raw", "ip_address")
    list_select_related = ("discussion",)
    list_per_page = 50
    # No second COUNT(*) of the whole table per page (the filtered count is enough), and
    # that one estimated when it is long.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = ("-submitted_at",)  # Every list but the pending one (get_ordering): newest first.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = (
        *(decision_action(decision) for decision in moderation.DECISIONS.values()),
        "block_authors",
        "export_authors_data",
        "erase_authors_data",
    )
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = (
        (None, {"fields": ("status", "discussion", "parent")}),
        (_("Comment"), {"fields": (("body_raw", "rendered"),)}),
        (_("Reader"), {"fields": ("author_name", "author_email", "author_url")}),
        (
            _("For moderation"),
            {
                "fields": (
                    "submitted_at",
                    "ip_shown",
                    "user_agent_shown",
                    "moderated_at",
                    "moderated_by",
                    "spam_filter",
                )
            },
        ),
        (_("Readers' reports"), {"fields": ("reader_reports",)}),
        (_("Audit trail"), {"fields": ("trail",)}),
    )
    readonly_fields = (
        "status",
        "discussion",
        "parent",
        "rendered",
        "submitted_at",
        "ip_shown",
        "user_agent_shown",
        "moderated_at",
        "moderated_by",
        "spam_filter",
        "reader_reports",
        "trail",
    )

    class Media:
        css = {"all": ("comments/admin.css",)}

    def get_queryset(self, request):
        # Why each comment has its status: the latest decision's rule (or editor) and reason,
        # in the same query as the list.
        latest = ModerationEvent.objects.filter(comment=OuterRef("pk")).exclude(
            action=ModerationEvent.Action.EDIT
        )
        return (
            super()
            .get_queryset(request)
            .select_related("discussion", "moderated_by")
            .annotate(
                decision_rule=Subquery(latest.values("rule")[:1]),
                decision_reason=Subquery(latest.values("reason")[:1]),
            )
        )

    def get_urls(self):
        """The moderation queue (comments.desk.queue) and the dashboard
        (comments.desk.dashboard) beside the usual pages."""
        queue_page = self.admin_site.admin_view(partial(queue.queue_view, model_admin=self))
        dashboard_page = self.admin_site.admin_view(
            partial(dashboard_views.dashboard_view, model_admin=self)
        )
        decide = self.admin_site.admin_view(queue.decide_view)
        return [
            path("queue/", queue_page, name="comments_comment_queue"),
            path("dashboard/", dashboard_page, name="comments_comment_dashboard"),
            path("queue/<int:comment_id>/<str:decision>/", decide, name="comments_comment_decide"),
            path(
                "<int:comment_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="comments_comment_reply",
            ),
            *super().get_urls(),
        ]

    def reply_view(self, request, comment_id):
        """ "Reply as staff": the editor's answer, published at once with a Staff badge and
        their display name (moderation.staff_reply)."""
        if not request.user.has_perm("comments.change_comment"):
            raise PermissionDenied
        parent = get_object_or_404(Comment.objects.select_related("discussion"), pk=comment_id)
        form = StaffReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reply = moderation.staff_reply(parent, form.cleaned_data["text"], by=request.user)
            except moderation.DuplicateComment:
                form.add_error("text", gettext("You have already posted this reply."))
            else:
                self.message_user(
                    request,
                    format_html(
                        gettext(
                            "Your reply is published as “{name}”, Staff: "
                            '<a href="{url}">see it</a>.'
                        ),
                        name=reply.author_name,
                        url=reply.get_absolute_url(),
                    ),
                )
                return HttpResponseRedirect(
                    reverse("admin:comments_comment_change", args=[parent.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reply as staff to %(name)s") % {"name": parent.author_name},
            "opts": self.model._meta,
            "parent": parent,
            "form": form,
            "may_reply": parent.is_approved,
            "staff_name": moderation.staff_name(request.user),
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)

    def view_on_site(self, comment):
        """A comment readers can't see yet opens in context for staff only."""
        return comment.get_absolute_url() if comment.is_approved else comment.get_preview_url()

    def has_add_permission(self, request):
        return False  # Comments come from readers through the site's form.

    # --- the list -------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, comment):
        # The rule that decided, in short; its full reason on hover and on the change page.
        rule, reason = (
            getattr(comment, "decision_rule", None),
            getattr(comment, "decision_reason", None),
        )
        why = format_html(
            '<br><span class="comment-reason" title="{}">{}</span>',
            reason or "",
            # Translators: in the comment list, who decided when no automatic rule did.
            moderation.rule_label(rule) or gettext("editor"),
        )
        score = (
            format_html(
                '<br><span class="comment-score">{}</span>',
                gettext("spam score %(score)s") % {"score": number(comment.spam_score, 2)},
            )
            if comment.spam_score is not None
            else ""
        )
        return format_html(
            '<span class="comment-status status-{}">{}</span>{}{}',
            comment.status,
            comment.get_status_display(),
            why if reason is not None else "",
            score,
        )

    @admin.display(description=_("author"), ordering="author_name")
    def author(self, comment):
        return format_html(
            '<bdi>{}</bdi><br><span class="comment-email">{}</span>',
            comment.author_name,
            comment.author_email,
        )

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        text = html.unescape(strip_tags(comment.body_html))
        return Truncator(" ".join(text.split())).chars(120)

    @admin.display(description=_("discussion"), ordering="discussion__title")
    def discussion_title(self, comment):
        return Truncator(comment.discussion.title).chars(48)

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, comment):
        return date_format(timezone.localtime(comment.submitted_at), "DATETIME_FORMAT")

    @admin.display(description=_("IP address"))
    def ip_shown(self, comment):
        """ "purged" once the retention period or an erasure cleared it, not a blank."""
        if comment.ip_purged_at:
            return pgettext("an IP address or user agent", "purged")
        return comment.ip_address or gettext("none recorded")

    @admin.display(description=_("user agent"))
    def user_agent_shown(self, comment):
        if comment.ip_purged_at:
            return pgettext("an IP address or user agent", "purged")
        return comment.user_agent or gettext("none recorded")

    @admin.display(description=_("IP"), ordering="ip_address")
    def ip(self, comment):
        if comment.ip_purged_at:
            return pgettext("an IP address or user agent", "purged")
        return comment.ip_address

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "pending_count": estimated_count(Comment.objects.pending()),
            # The queue needs the width: every column fits at 1280 px without the app list.
            "is_nav_sidebar_enabled": False,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_ordering(self, request):
        """The pending queue puts what the spam filter scored likeliest spam first, so a run
        of spam is cleared in one go; every other list is newest first."""
        if request.GET.get(StatusFilter.parameter_name, Status.PENDING) == Status.PENDING:
            return QUEUE_ORDER
        return super().get_ordering(request)

    # --- the change page ------------------------------------------------------------------

    @admin.display(description=_("spam filter"))
    def spam_filter(self, comment):
        if comment.spam_score is None:
            return gettext("Not scored (no spam filter was trained when it was posted).")
        # What weighed, as the filter described it when it scored the comment (stored).
        reasons = format_html_join(
            "", '<li>{} <span class="comment-reason">(+{})</span></li>', comment.spam_reasons
        )
        return format_html(
            "{} {}{}",
            format_html(
                gettext("Score <strong>{score}</strong> (0: surely not spam, 1: surely spam)."),
                score=number(comment.spam_score, 2),
            ),
            gettext("What weighed most towards spam:") if comment.spam_reasons else "",
            format_html("<ul>{}</ul>", reasons) if comment.spam_reasons else "",
        )

    @admin.display(description=_("as published"))
    def rendered(self, comment):
        # body_html was sanitized on write: it is exactly what readers' pages show.
        return format_html('<div class="comment-rendered">{}</div>', mark_safe(comment.body_html))  # noqa: S308

    @admin.display(description=_("reports, newest first"))
    def reader_reports(self, comment):
        """Each reader's report: when, why, their words, and whether an editor's approval
        cleared it. Never who reported it (their browser's key, their IP address)."""
        reports = (
            comment.reports.only("reason", "text", "created_at", "cleared_at").order_by(
                "-created_at", "-pk"
            )
            if comment.pk
            else ()
        )
        if not reports:
            return gettext("No reader has reported it.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(report.created_at), "Y-m-d H:i"),
                    report.get_reason_display(),
                    report.text,
                    (
                        gettext("cleared by an approval on %(date)s")
                        % {"date": date_format(timezone.localtime(report.cleared_at), "Y-m-d H:i")}
                        if report.cleared_at
                        # Translators: a reader's report no editor's approval has cleared yet.
                        else pgettext("a report", "open")
                    ),
                )
                for report in reports
            ),
        )
        return format_html(
            '<table class="comment-reports"><thead><tr><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("when"),
            gettext("reason"),
            gettext("in their words"),
            gettext("state"),
            rows,
        )

    @admin.display(description=_("decisions and edits, newest first"))
    def trail(self, comment):
        events = comment.events.select_related("actor")
        if not comment.pk or not events:
            return gettext("No decisions or edits recorded yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(event.created_at), "Y-m-d H:i:s"),
                    event.get_action_display(),
                    status_name(event.from_status) or pgettext("a comment's status", "new"),
                    status_name(event.to_status) or pgettext("a comment's status", "deleted"),
                    event.actor.get_username() if event.actor_id else decided_by(event),
                    event.reason,
                )
                for event in events
            ),
        )
        return format_html(
            '<table class="comment-trail"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("when"),
            gettext("what"),
            gettext("status"),
            gettext("who"),
            gettext("why"),
            rows,
        )

    def render_change_form(self, request, context, *args, **kwargs):
        comment = context.get("original")
        approved = comment is not None and comment.is_approved
        pick = "unfeature" if approved and comment.featured_at else "feature"
        context["decisions"] = [
            decision
            for decision in moderation.DECISIONS.values()
            if not decision.approved_only or (approved and decision.key == pick)
        ]
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        """Edits go through the write path, which re-sanitizes the text and records them."""
        moderation.edit(obj, form.changed_data, by=request.user)

    def response_change(self, request, obj):
        """A decision button (Approve, Spam, Remove, Restore) on the change page."""
        decision = moderation.DECISIONS.get(request.POST.get("_decision", ""))
        if decision is None:
            return super().response_change(request, obj)
        if decision.decide([obj], by=request.user):
            self.message_user(request, decision.done_one)
        else:
            self.message_user(request, decision.already)
        return HttpResponseRedirect(request.path)

    def log_change(self, request, obj, message):
        """No-op: moderation.edit has already written the LogEntry with the trail."""

    def log_deletions(self, request, queryset):
        """No-op: moderation.delete writes the LogEntry (before deleting)."""

    def delete_model(self, request, obj):
        moderation.delete([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        moderation.delete(queryset, by=request.user)

    # --- bulk actions -----------------------------------------------------------------------

    @admin.action(
        description=_("Export the personal data of the selected comments' authors (JSON)"),
        permissions=["change"],
    )
    def export_authors_data(self, request, queryset):
        emails = sorted(
            set(queryset.exclude(email_normalized="").values_list("email_normalized", flat=True))
        )
        data = {"authors": [moderation.commenter_data(email) for email in emails]}
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="commenter-data.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(
        description=_("Erase the personal data of the selected comments' authors (text kept)"),
        permissions=["change"],
    )
    def erase_authors_data(self, request, queryset):
        emails = set(
            queryset.exclude(email_normalized="").values_list("email_normalized", flat=True)
        )
        comments = Comment.objects.filter(email_normalized__in=emails)
        count = len(moderation.erase(comments, by=request.user))
        authors = ngettext("%(count)d author", "%(count)d authors", len(emails)) % {
            "count": len(emails)
        }
        self.message_user(
            request,
            ngettext(
                "The personal data of %(count)d comment by %(authors)s was erased.",
                "The personal data of %(count)d comments by %(authors)s was erased.",
                count,
            )
            % {"count": count, "authors": authors},
        )

    def has_block_permission(self, request):
        opts = Block._meta
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    @admin.action(description=_("Block the authors of selected comments"), permissions=["block"])
    def block_authors(self, request, queryset):
        """Block each selected comment's normalised email and IP address (as a one-address
        range): their next comments go to spam, silently. The blocks can be edited later
        (an expiry, a wider range) under Blocks."""
        emails, networks = set(), set()
        for email, ip in queryset.values_list("email_normalized", "ip_address"):
            if email:
                emails.add(email)
            if ip:
                networks.add(str(ipaddress.ip_network(ip)))
        active = Block.objects.active()
        emails -= set(active.filter(email__in=emails).values_list("email", flat=True))
        # An address already inside an active range (its own, or a wider one) stays as it is.
        ranges = Block.objects.active_ranges()
        networks = {
            n for n in networks if range_covering(ranges, ipaddress.ip_network(n)[0]) is None
        }
        # Stored with each block: not translated, like the trail's reasons.
        reason = f"blocked by {request.user.get_username()} from the comment list"
        Block.objects.bulk_create(
            [Block(email=email, reason=reason, created_by=request.user) for email in sorted(emails)]
            + [
                Block(network=network, reason=reason, created_by=request.user)
                for network in sorted(networks)
            ]
        )
        # Two counts: each in its plural form, then the sentence that holds them.
        blocked_emails = ngettext("%(count)d email", "%(count)d emails", len(emails)) % {
            "count": len(emails)
        }
        blocked_ips = ngettext("%(count)d IP address", "%(count)d IP addresses", len(networks)) % {
            "count": len(networks)
        }
        self.message_user(
            request,
            gettext("Blocked %(emails)s and %(ips)s. Their next comments go to spam.")
            % {"emails": blocked_emails, "ips": blocked_ips},
        )
