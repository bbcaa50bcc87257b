"""How article pages pull in comments: the articles app never imports this one."""

from django import template
from django.db.models import Count
from django.templatetags.static import static
from django.utils.html import format_html

from ..forms import CommentForm
from ..models import Comment
from ..views import own_pending_ids

register = template.Library()


@register.simple_tag
def comment_styles():
    """The stylesheet for threads and the form, from this site (never a CDN)."""
    return format_html('<link rel="stylesheet" href="{}">', static("comments/comments.css"))


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context, article):
    """The article's visible comments, oldest first, fetched in one query."""
    request = context.get("request")
    own_ids = own_pending_ids(request) if request is not None else []
    comments = list(Comment.objects.filter(article=article).visible_to(own_ids).for_thread())
    return {"article": article, "comments": comments}


@register.inclusion_tag("comments/_form.html", takes_context=True)
def comment_form(context, article):
    """The "Leave a Reply" form: the bound one when re-shown with errors, else a blank one."""
    form = context.get("comment_form") or CommentForm(article=article)
    return {"article": article, "form": form, "request": context.get("request")}


@register.filter
def with_comment_counts(articles):
    """Set `approved_comment_count` on each article of a list, in one query.

    The article list cannot annotate counts itself without knowing what makes a comment
    visible; this keeps that rule in `Comment.objects.approved()`.
    """
    articles = list(articles)
    counts = dict(
        Comment.objects.approved()
        .filter(article__in=articles)
        .order_by()
        .values_list("article")
        .annotate(count=Count("pk"))
    )
    for article in articles:
        article.approved_comment_count = counts.get(article.pk, 0)
    return articles
