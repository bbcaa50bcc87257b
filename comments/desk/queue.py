"""The moderation queue: the admin page where editors clear pending comments one by one.

Each pending comment is shown as readers would see it, with its discussion, the comment it
answers, why it is pending, readers' reports of it not yet cleared (how many, and each
reason) and its author's history (decided comments by the same normalised email and by the
same IP), and one button per decision. The buttons are plain
POST forms, so the queue works without JavaScript; with it (comments/static/comments/
queue.js) they post without a reload, and j/k, a/s/r and u move, decide and undo. Every
decision goes through comments.moderation like the admin's actions, recorded in the trail.

CommentAdmin.get_urls (comments.desk.admin.comment) wires these views; the admin index links the
queue with its count.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import moderation
from ..conf import settings
from ..models import Comment, Report, estimated_count

Status = Comment.Status

# The queue's decisions: those moderation.DECISIONS gives a key, and "restore", the undo.
DECISIONS = {key: d for key, d in moderation.DECISIONS.items() if d.queue_done}
BUTTONS = [decision for decision in DECISIONS.values() if decision.shortcut]
PER_PAGE = 25
REASON = "moderation queue"  # in the trail: stored, not translated
# What a decision that changed nothing says, by the status the comment has.
UNCHANGED = {
    Status.PENDING: _("The comment by %(author)s is pending; nothing changed."),
    Status.APPROVED: _("The comment by %(author)s is approved; nothing changed."),
    Status.SPAM: _("The comment by %(author)s is spam; nothing changed."),
    Status.REMOVED: _("The comment by %(author)s is removed; nothing changed."),
}

# The queue's own policy: scripts from this site only (the admin is otherwise left out of
# the site's policy, for its inline styles; those stay allowed here).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def can_moderate(request):
    return request.user.is_active and request.user.has_perm("comments.change_comment")


def queue_view(request, *, model_admin):
    """The pending comments, likeliest spam first (as the changelist's queue), PER_PAGE at a
    time: deciding them empties the page, and the next load brings the next ones."""
    if not can_moderate(request):
        raise PermissionDenied
    pending = (
        model_admin.get_queryset(request)  # the latest decision's rule and reason, annotated
        .in_queue_order()
        .select_related("discussion", "parent")
        .prefetch_related(open_reports())
    )
    comments = list(pending[:PER_PAGE])
    add_histories(comments)
    for comment in comments:  # the rule that held it, named in the editor's language
        comment.decision_rule_label = moderation.rule_label(comment.decision_rule)
    threshold = int(settings.COMMENTS_REPORTS_TO_HOLD)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Moderation queue"),
        "opts": model_admin.model._meta,
        "comments": comments,
        "pending_total": estimated_count(Comment.objects.pending()) if comments else 0,
        "decisions": BUTTONS,
        # After an editor's approval, a comment takes twice as many reports to be held again.
        "reports_to_hold_again": 2 * threshold if threshold > 0 else 0,
    }
    response = TemplateResponse(request, "admin/comments/comment/queue.html", context)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def open_reports():
    """Each comment's readers' reports that no approval has cleared yet, as
    `comment.reader_reports`: one query for the page. Only why and when: who reported (their
    browser's key, their IP address) is never loaded, let alone shown."""
    reports = Report.objects.filter(cleared_at=None).only(
        "comment_id", "reason", "text", "created_at"
    )
    return Prefetch("reports", queryset=reports, to_attr="reader_reports")


def add_histories(comments):
    """Set `email_history` and `ip_history` on each comment: how many of its author's
    other comments were approved, marked as spam and removed, by normalised email and by IP
    ("2 approved", "1 spam", "0 removed", each in its language's plural). Two queries for the
    whole page."""
    emails = {c.email_normalized for c in comments if c.email_normalized}
    ips = {c.ip_address for c in comments if c.ip_address}
    by_email = _counts(Comment.objects.filter(email_normalized__in=emails), "email_normalized")
    by_ip = _counts(Comment.objects.filter(ip_address__in=ips), "ip_address")
    for comment in comments:
        comment.email_history = history(by_email, comment.email_normalized)
        comment.ip_history = history(by_ip, comment.ip_address)


def history(counts, value):
    """How many comments of `value` (an email or an IP) were approved, spam and removed."""
    approved, spam, removed = (
        counts.get((value, status), 0) for status in (Status.APPROVED, Status.SPAM, Status.REMOVED)
    )
    return [
        # Translators: the moderation queue: how many of this author's comments were approved.
        ngettext("%(count)s approved", "%(count)s approved", approved)
        % {"count": number_format(approved)},
        # Translators: the moderation queue: how many of this author's comments were spam.
        ngettext("%(count)s spam", "%(count)s spam", spam) % {"count": number_format(spam)},
        # Translators: the moderation queue: how many of this author's comments were removed.
        ngettext("%(count)s removed", "%(count)s removed", removed)
        % {"count": number_format(removed)},
    ]


def _counts(queryset, field):
    rows = queryset.order_by().values_list(field, "status").annotate(n=Count("pk"))
    return {(value, status): n for value, status, n in rows}


@require_POST
def decide_view(request, comment_id, decision):
    """Apply one decision to one comment (a button, or a key on the JavaScript path).

    Answers the script with JSON and a plain form post with a message and the queue again.
    A comment another editor decided meanwhile is left as it is, and the answer says so.
    """
    if not can_moderate(request):
        raise PermissionDenied
    if decision not in DECISIONS:
        raise Http404("No such decision.")
    comment = get_object_or_404(Comment, pk=comment_id)
    chosen = DECISIONS[decision]
    # A decision is taken on a comment still pending once locked: a page open since another
    # editor decided must not overturn that decision. (Undo acts on this editor's own.)
    pending_only = {} if decision == "restore" else {"only_from": (Status.PENDING,)}
    changed = bool(chosen.decide([comment], by=request.user, reason=REASON, **pending_only))
    comment.refresh_from_db(fields=["status"])
    author = comment.author_name
    if changed:
        message = chosen.queue_done % {"author": author}
    else:
        message = UNCHANGED[comment.status] % {"author": author}
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse(
            {
                "id": comment.pk,
                "changed": changed,
                "status": comment.status,
                "status_display": comment.get_status_display(),
                "message": message,
                "undo": reverse("admin:comments_comment_decide", args=[comment.pk, "restore"]),
            }
        )
    (messages.success if changed else messages.warning)(request, message)
    return redirect("admin:comments_comment_queue")
