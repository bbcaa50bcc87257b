from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from articles.models import Article

from . import moderation
from .forms import CommentForm

# Session key holding the ids of this browser's comments still awaiting moderation.
OWN_PENDING_SESSION_KEY = "comments_awaiting_moderation"
OWN_PENDING_LIMIT = 50


def own_pending_ids(request):
    """Ids of comments this browser session posted that an editor has not decided on yet."""
    if not request.session.session_key:
        return []
    return request.session.get(OWN_PENDING_SESSION_KEY, [])


@require_POST
def post_comment(request, article_id):
    """Validate a reader's comment, save it through the moderation policy, then redirect.

    On any error the article page is shown again with the form, its errors and every value
    the reader typed.
    """
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        return _show_form_again(request, article, form)

    comment = form.build_comment(
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    moderation.submit(comment)
    if comment.is_pending:
        pending = [*own_pending_ids(request), comment.pk][-OWN_PENDING_LIMIT:]
        request.session[OWN_PENDING_SESSION_KEY] = pending
    return redirect(comment.get_absolute_url())


def _show_form_again(request, article, form, status=200):
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "comment_form": form},
        status=status,
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a comment refused by the CSRF check loses nothing the reader typed.

    A reader whose CSRF cookie has gone (cookies cleared, another browser profile) gets the
    article back with the comment, unsaved, in the form and a fresh token to send it again.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "comments:post":
        article = Article.objects.published().filter(pk=match.kwargs["article_id"]).first()
        if article is not None:
            form = CommentForm(request.POST, article=article)
            form.is_valid()
            form.add_error(
                None,
                "Your comment was not sent because this page had expired. "
                "Check it below and press Post Comment again.",
            )
            return _show_form_again(request, article, form, status=403)
    return render(request, "403_csrf.html", status=403)
