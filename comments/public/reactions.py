"""Readers' recommendations and reports, as pages: "Recommend" and "Report" under each
published comment of the thread are plain links to them, so both work without JavaScript;
comments.js does the same in place (a recommendation answered in JSON, the report form
fetched from its page and sent from under the comment).

The thread every reader shares (comments.thread) carries no token and nothing of one reader:
its links lead here, and these pages, made for one reader (never cached, never shared), carry
the CSRF-protected forms. What this browser recommends is asked for separately
(`recommended_view`, JSON), so the shared thread can show it with JavaScript.

Every change goes through the write path (comments.moderation.reactions): one
recommendation per comment per browser (its reader key, comments.public.session), never of
the reader's own comment; one report per comment per browser and per IP address, and at
most one every flood seconds (the policy's, as for comments) from an address or a browser.
A report is answered the same whether it was counted, made before, or the one that held the
comment: nobody learns how many readers reported it. The API (comments.api.reactions)
shares `file_report`, `ReportForm` and the answers.
"""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import moderation
from ..conf import settings
from ..models import Comment, Discussion, Report, current_policy
from . import throttle
from .forms import ReportForm
from .network import client_ip
from .session import mark_personal, poster_key, reader_key

# In English here (importable as such), translated where they are said.
THANKS = gettext_noop("Thank you. The editors will look at it.")
REPORT_FLOOD_MESSAGE = gettext_noop(
    "You are sending reports too quickly. Wait a few seconds, then send your report again."
)
OWN_COMMENT = gettext_noop("You can't recommend your own comment.")
# How many comment ids one ask for "which do I recommend?" may name (a page's worth).
MAX_ASKED = 500

FETCH = "fetch"  # X-Requested-With from comments.js: answer in JSON, or the bare result


class TooSoon(Exception):
    """A report sooner than the flood seconds after this address's or browser's last one."""

    def __init__(self, message=None):
        super().__init__(message or gettext(REPORT_FLOOD_MESSAGE))


def published_comment(comment_id):
    """The approved comment with this id in a discussion readers may see, or a 404: one
    query. Whatever else it is (pending, spam, removed, unknown) is no concern of readers."""
    comments = (
        Comment.objects.approved()
        .filter(discussion__in=Discussion.objects.public())
        .select_related("discussion")
    )
    return get_object_or_404(comments, pk=comment_id)


def _is_fetch(request):
    return request.headers.get("X-Requested-With") == FETCH


def _context(comment, **extra):
    return {
        "comment": comment,
        "site_name": settings.COMMENTS_SITE_NAME,
        "base_template": settings.COMMENTS_BASE_TEMPLATE,
        **extra,
    }


# --- Recommendations --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def recommend_view(request, comment_id):
    """The comment and one button: "Recommend", or "Take back my recommendation" when this
    browser recommends it already; none on the reader's own comment (a POST there: 403).

    A POST says what the reader wants (`action`: "recommend" or "withdraw"), so a double
    click or a reload changes nothing twice; then back to the comment in its thread, or, for
    comments.js, {"recommended": bool, "count": n}. A GET makes no session."""
    comment = published_comment(comment_id)
    mark_personal(request)
    # A GET makes no session (poster_key); a POST needs the browser's key (reader_key).
    key = reader_key(request) if request.method == "POST" else poster_key(request)
    own = bool(comment.poster_key) and comment.poster_key == key
    if request.method != "POST":
        recommended = bool(moderation.recommended_by(key, [comment]))
        return _recommend_page(request, comment, own=own, recommended=recommended)
    wanted = request.POST.get("action") != "withdraw"
    try:
        if wanted:
            moderation.recommend(comment, key)
        else:
            moderation.unrecommend(comment, key)
    except moderation.CannotReact:  # their own (the comment is published: published_comment)
        if _is_fetch(request):
            return JsonResponse({"error": gettext(OWN_COMMENT)}, status=403)
        return _recommend_page(request, comment, own=True, recommended=False, status=403)
    if _is_fetch(request):
        return JsonResponse({"recommended": wanted, "count": comment.recommendation_count})
    return redirect(comment.get_absolute_url())


def _recommend_page(request, comment, *, own, recommended, status=200):
    context = _context(comment, own=own, recommended=recommended, own_message=gettext(OWN_COMMENT))
    return render(request, "comments/recommend.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def recommended_view(request):
    """Which of the comments named in ?ids= (comma-separated, a page's worth) this browser
    recommends: {"recommended": [ids]}, for comments.js to mark them on the shared thread.

    One query, and none at all for a browser without a session; none is made."""
    mark_personal(request)
    key = poster_key(request)
    ids = []
    for value in request.GET.get("ids", "").split(",")[:MAX_ASKED]:
        value = value.strip()
        if value.isdecimal() and len(value) < 19:
            ids.append(int(value))
    found = moderation.recommended_by(key, ids) if key and ids else set()
    return JsonResponse({"recommended": sorted(found)})


# --- Reports -----------------------------------------------------------------------------------


def report_form(comment, data=None):
    """The report form, its ids this comment's own (comments.js may open several at once)."""
    return ReportForm(data, auto_id=f"report-{comment.pk}-%s")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_view(request, comment_id):
    """The report form (a reason, and a few words for "Something else"). Sent, the reader is
    thanked on the next page, whatever became of the report; too soon after their last one,
    the form comes back (429) with what they chose and typed."""
    comment = published_comment(comment_id)
    mark_personal(request)
    if request.method != "POST":
        return _report_page(request, comment, report_form(comment))
    form = report_form(comment, request.POST)
    if not form.is_valid():
        return _report_page(request, comment, form)
    try:
        file_report(request, comment, form, reader_key(request))
    except TooSoon as too_soon:
        form.add_error(None, str(too_soon))
        return _report_page(request, comment, form, status=429)
    return redirect("comments:report_sent", comment_id=comment.pk)


def _report_page(request, comment, form, status=200):
    return render(request, "comments/report.html", _context(comment, form=form), status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def report_sent_view(request, comment_id):
    """ "Thank you", and the way back to the thread. The same for any comment of a discussion
    readers may see, whatever its status now: it never says whether the report held it."""
    comment = (
        Comment.objects.filter(discussion__in=Discussion.objects.public(), pk=comment_id)
        .select_related("discussion")
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    mark_personal(request)
    context = _context(comment, thanks=gettext(THANKS), back=comment.get_posted_url())
    return render(request, "comments/report_sent.html", context)


def file_report(request, comment, form, key):
    """Report `comment` with the valid ReportForm's reason and words, as the reader with
    `key` from this request's address; returns a moderation.Reported, or None when the
    comment could no longer be reported (unpublished meanwhile): answered alike, thanks.

    Raises TooSoon when this address or browser reported something less than the policy's
    flood seconds ago. A report made before (a double click, a reload) takes no slot."""
    if Report.objects.filter(comment=comment, reader_key=key).exists():
        return moderation.Reported.ALREADY  # a double click, a reload: not "too soon"
    ip_address = client_ip(request)
    taken = _claim_report_slot(ip_address, key)
    try:
        outcome = moderation.report(
            comment,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data.get("text") or "",
            reader_key=key,
            ip_address=ip_address,
        )
    except moderation.CannotReact:
        outcome = None
    if outcome in (None, moderation.Reported.ALREADY):
        throttle.release(taken)  # nothing was counted: no reason to make them wait
    return outcome


def _claim_report_slot(ip_address, key):
    """Take this address's and browser's report slots for the policy's flood seconds; the
    keys taken (none when flood control is off or the cache is down: a report is kept all
    the same, and counts once per browser and address anyway)."""
    seconds = current_policy().flood_seconds
    if seconds <= 0:
        return []
    keys = [throttle.cache_key("report-key", key)]
    if ip_address:
        keys.append(throttle.cache_key("report-ip", ip_address))
    try:
        claimed = throttle.claim(keys, seconds)
    except throttle.CacheUnavailable:
        return []
    if not claimed:
        raise TooSoon
    return keys
