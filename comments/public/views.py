"""The readers' views: posting a comment (and previewing it), editing or deleting one's own,
and the CSRF failure page that keeps what the reader typed. Every change goes through the
write path (comments.moderation), a post and an edit through the flow the API shares
(comments.public.posting)."""

from urllib.parse import urlsplit

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.http import require_http_methods

from .. import moderation
from ..conf import settings
from ..models import Discussion, discussed_models
from . import posting
from .forms import CommentForm, OwnCommentForm
from .posting import DUPLICATE_MESSAGE, FLOOD_MESSAGE  # noqa: F401 (importable from here too)
from .session import (
    POSTER_KEY_SESSION_KEY,
    REMEMBER_COOKIE,
    browser_poster_key,
    mark_personal,
    poster_key,
    remember_author,
    remember_posted_in,
)


def public_discussion(discussion_id):
    """The discussion readers may see with this id (Discussion.objects.public(), as the feeds
    ask), or a 404: one query."""
    return get_object_or_404(Discussion.objects.public(), pk=discussion_id)


def discussed_object(discussion):
    """What the discussion's page shows: its object, or for a page discussion the
    Discussion itself (this site's page of it)."""
    return discussion if discussion.is_page else discussion.content_object


@require_http_methods(["GET", "HEAD"])
def discussion_page(request, discussion_id):
    """This site's page of a discussion: for a page this site does not serve (a URL
    discussion), the thread and the form, HTML first; for an object, its own page."""
    discussion = public_discussion(discussion_id)
    if not discussion.is_page:
        return redirect(discussion.get_absolute_url())
    context = {"discussion": discussion, "base_template": settings.COMMENTS_BASE_TEMPLATE}
    return render(request, "comments/discussion_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def post_comment(request, discussion_id):
    """Validate a reader's comment, save it through the moderation policy, then redirect.

    With the Preview button, nothing is saved: the page comes back with the comment shown as
    it will appear, and the form as typed.

    On any error the discussed page is shown again with the form, its errors and every value
    the reader typed. A GET (a reload of that page, a bookmarked error) goes back to the form.
    """
    discussion = public_discussion(discussion_id)
    if request.method != "POST":
        return redirect(f"{discussion.get_absolute_url()}#respond")
    form = CommentForm(request.POST, discussion=discussion)
    if not form.is_valid():
        status = 403 if posting.is_closed(form) else 200
        return show_form_again(request, discussion, form, status=status)

    if "preview" in request.POST:
        return show_form_again(request, discussion, form, preview=posting.preview(form))

    # The session's key, or for a browser without one yet a key its simultaneous posts share.
    key = browser_poster_key(request)
    try:
        comment = posting.post(request, form, key, flood_exempt=request.user.is_staff)
    except posting.Refused as refused:
        return refuse(request, discussion, form, refused.message, status=refused.http_status)
    # The session remembers the key so this browser sees its pending comment and may edit
    # its comment for COMMENTS_EDIT_MINUTES.
    if request.session.get(POSTER_KEY_SESSION_KEY) != key:  # a session is written once
        request.session[POSTER_KEY_SESSION_KEY] = key
    remember_posted_in(request, discussion)
    if request.headers.get("X-Requested-With") == "fetch":
        # comments.js fetches the page itself and shows the new comment in place.
        response = HttpResponse(
            status=201, headers={"X-Comment-Location": comment.get_posted_url()}
        )
    else:
        response = redirect(comment.get_posted_url())
    if form.cleaned_data["remember"]:
        remember_author(response, form.cleaned_data)
    elif REMEMBER_COOKIE in request.COOKIES:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
    return response


def refuse(request, discussion, form, message, status):
    """The form again, with `message` at its top and everything the reader typed."""
    form.add_error(None, message)
    return show_form_again(request, discussion, form, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_own_comment(request, comment_id):
    """The poster edits or deletes their own comment, from the same browser, for
    COMMENTS_EDIT_MINUTES. Anyone else (another reader, another browser, later) gets a 404:
    nothing says the comment exists."""
    comment = posting.own_comment(comment_id, poster_key(request))
    if comment is None:
        raise Http404("No comment of yours to edit here.")
    mark_personal(request)
    if request.method == "POST" and "delete" in request.POST:
        moderation.remove_own(comment)
        return redirect(f"{comment.discussion.get_absolute_url()}#comments")
    form = OwnCommentForm(request.POST or None, initial={"comment": comment.body_raw})
    if request.method == "POST" and form.is_valid() and posting.edit(comment, form):
        return redirect(comment.get_absolute_url())
    context = {
        "comment": comment,
        "form": form,
        "edit_minutes": settings.COMMENTS_EDIT_MINUTES,
        "site_name": settings.COMMENTS_SITE_NAME,
        "base_template": settings.COMMENTS_BASE_TEMPLATE,
    }
    return render(request, "comments/edit.html", context)


def show_form_again(request, discussion, form, status=200, preview=None):
    """The discussed page with the bound form: its errors, or a preview of the unsaved comment
    exactly as it would appear (sanitized the same way), and what the reader typed."""
    mark_personal(request)
    form.preview = preview
    discussed = discussed_object(discussion)
    context = {
        discussed._meta.model_name: discussed,
        "object": discussed,
        "discussion": discussion,
        "comment_form": form,
        "base_template": settings.COMMENTS_BASE_TEMPLATE,
    }
    return render(request, page_template(discussed), context, status=status)


def page_template(discussed):
    """The template of the page that shows `discussed`, so the form comes back on the page
    it was sent from: its COMMENTS_MODELS entry's "template", else its model's
    `<app>/<model>_detail.html` (as Django's DetailView names it; for a page discussion,
    this app's own)."""
    options = discussed_models().get(type(discussed)) or {}
    if options.get("template"):
        return options["template"]
    opts = discussed._meta
    return f"{opts.app_label}/{opts.model_name}_detail.html"


def _is_same_origin(request):
    """Whether the browser says this POST came from one of this site's own pages."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        own = f"{request.scheme}://{request.get_host()}"
        return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
    if request.META.get("HTTP_SEC_FETCH_SITE"):
        return request.META["HTTP_SEC_FETCH_SITE"] == "same-origin"
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    return bool(referer.netloc) and referer.netloc == request.get_host()


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a comment refused by the CSRF check loses nothing the reader typed.

    A reader whose CSRF cookie has gone (cookies cleared, another browser profile) gets the
    page back with the comment, unsaved, in the form and a fresh token to send it again.
    Only for a post from this site's own pages: a cross-site post gets the plain refusal, or
    an attacker's page could pre-fill the form for its victim to send with one click.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "comments:post" and _is_same_origin(request):
        try:
            discussion = public_discussion(match.kwargs["discussion_id"])
        except Http404:
            discussion = None
        if discussion is not None:
            form = CommentForm(request.POST, discussion=discussion)
            form.is_valid()
            form.add_error(
                None,
                gettext(
                    "Your comment was not sent because this page had expired. "
                    "Check it below and press Post Comment again."
                ),
            )
            return show_form_again(request, discussion, form, status=403)
    try:
        return render(request, "403_csrf.html", status=403)
    except TemplateDoesNotExist:  # a project without a page of its own: Django's
        return default_csrf_failure(request, reason)
