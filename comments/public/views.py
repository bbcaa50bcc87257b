"""The readers' views: posting a comment (and previewing it), editing or deleting one's own,
and the CSRF failure page that keeps what the reader typed. Every change goes through the
write path (comments.moderation)."""

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.urls import Resolver404, resolve
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.http import require_http_methods

from .. import moderation
from ..conf import settings
from ..models import Comment, Discussion, discussed_models
from . import throttle
from .forms import CommentForm, OwnCommentForm
from .network import client_ip
from .session import (
    POSTER_KEY_SESSION_KEY,
    REMEMBER_COOKIE,
    mark_personal,
    poster_key,
    remember_author,
    remember_posted_in,
)

FLOOD_MESSAGE = "You are posting comments too quickly. Slow down."
DUPLICATE_MESSAGE = "Duplicate comment detected; it looks as though you've already said that!"

# What the post itself gives away (CommentForm.bot_tell): the rule that sends it to spam.
BOT_TELLS = {"honeypot": moderation.HONEYPOT, "too fast": moderation.TOO_FAST}


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
        closed = form.has_error(NON_FIELD_ERRORS, code="closed")
        return show_form_again(request, discussion, form, status=403 if closed else 200)

    if "preview" in request.POST:
        preview = form.build_comment(ip_address=None, user_agent="")
        return show_form_again(request, discussion, form, preview=preview)

    key = request.session.get(POSTER_KEY_SESSION_KEY) or secrets.token_hex(16)
    comment = form.build_comment(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        poster_key=key,
    )
    if moderation.is_duplicate(comment):
        # Said before flood control, which would otherwise call a double click "too quick".
        return refuse(request, discussion, form, DUPLICATE_MESSAGE, status=409)
    policy = form.policy
    held, flood_keys = None, []
    seconds = policy.flood_seconds
    if seconds > 0 and not request.user.is_staff:
        flood_keys = throttle.flood_keys(comment.ip_address, comment.email_normalized)
        try:
            if not throttle.claim(flood_keys, seconds):
                return refuse(request, discussion, form, FLOOD_MESSAGE, status=429)
        except throttle.CacheUnavailable:
            # Fail open, to the queue: the comment is kept and held for an editor, so a
            # Redis outage neither loses a reader's words nor lets a flood be published.
            held, flood_keys = moderation.FLOOD_UNCHECKED, []
    try:
        moderation.submit(comment, spam=BOT_TELLS.get(form.bot_tell), held=held, policy=policy)
    except moderation.DuplicateComment:
        throttle.release(flood_keys)  # nothing was posted
        return refuse(request, discussion, form, DUPLICATE_MESSAGE, status=409)
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
    comment = get_object_or_404(
        Comment.objects.select_related("discussion").filter(
            discussion__in=Discussion.objects.public()
        ),
        pk=comment_id,
    )
    if not comment.editable_by_poster(poster_key(request)):
        raise Http404("No comment of yours to edit here.")
    mark_personal(request)
    if request.method == "POST" and "delete" in request.POST:
        moderation.remove_own(comment)
        return redirect(f"{comment.discussion.get_absolute_url()}#comments")
    form = OwnCommentForm(request.POST or None, initial={"comment": comment.body_raw})
    if request.method == "POST" and form.is_valid():
        try:
            moderation.edit_own(comment, form.cleaned_data["comment"])
        except moderation.DuplicateComment:
            form.add_error("comment", DUPLICATE_MESSAGE)
        else:
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
                "Your comment was not sent because this page had expired. "
                "Check it below and press Post Comment again.",
            )
            return show_form_again(request, discussion, form, status=403)
    try:
        return render(request, "403_csrf.html", status=403)
    except TemplateDoesNotExist:  # a project without a page of its own: Django's
        return default_csrf_failure(request, reason)
