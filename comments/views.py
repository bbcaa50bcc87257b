from django.shortcuts import get_object_or_404, redirect, render
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
        return render(
            request, "articles/article_detail.html", {"article": article, "comment_form": form}
        )

    comment = form.build_comment(
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    moderation.submit(comment)
    if comment.is_pending:
        pending = [*own_pending_ids(request), comment.pk][-OWN_PENDING_LIMIT:]
        request.session[OWN_PENDING_SESSION_KEY] = pending
    return redirect(article.get_absolute_url() + f"#comment-{comment.pk}")
