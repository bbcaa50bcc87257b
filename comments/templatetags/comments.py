"""How article pages pull in comments: the articles app never imports this one."""

from django import template
from django.conf import settings
from django.db.models import Count
from django.templatetags.static import static
from django.utils.html import format_html

from ..forms import CommentForm
from ..models import Comment, accepts_comments
from ..views import mark_personal, poster_key, remembered_author

register = template.Library()


@register.simple_tag
def comment_styles():
    """The stylesheet for threads and the form, from this site (never a CDN)."""
    return format_html('<link rel="stylesheet" href="{}">', static("comments/comments.css"))


@register.simple_tag
def comment_scripts():
    """The one script of the comments, from this site: replies and posting without reloads."""
    return format_html('<script src="{}" defer></script>', static("comments/comments.js"))


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context, article):
    """The article's thread, fetched in one query and nested in Python (see thread_for)."""
    return thread_for(context, article)


@register.inclusion_tag("comments/_count.html", takes_context=True)
def comment_count(context, article):
    """ "N comments" near the headline, linking to the thread: the thread's own count, so
    the number is the thread's and the front page's and costs no query of its own."""
    return {"approved_count": thread_for(context, article)["approved_count"]}


def thread_for(context, article):
    """What the thread shows, computed once per page and kept on the request.

    Everyone sees the approved comments; the session that posted a pending comment sees it
    too, and staff following "View on site" from the admin (?moderate=<id>) see that comment
    whatever its status. A removed comment with approved replies stays as a placeholder. The
    count is of approved comments only, as the front page's.
    """
    request = context.get("request")
    cache = getattr(request, "_comment_threads", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._comment_threads = cache
    if article.pk in cache:
        return cache[article.pk]
    key = poster_key(request)
    visible = Comment.objects.for_article_thread(article, key)
    preview_id = _staff_preview_id(request)
    if preview_id:
        visible = visible | Comment.objects.filter(article=article, pk=preview_id)
    comments = list(visible.for_thread())
    personal = False
    for comment in comments:
        comment.is_staff_preview = comment.pk == preview_id and not comment.is_approved
        comment.editable = comment.editable_by_poster(key)
        personal |= comment.editable or comment.shown_as_pending or comment.is_staff_preview
    if personal and request is not None:
        mark_personal(request)
    threads = nest(comments)
    per_page = settings.COMMENTS_PER_PAGE
    num_pages = max(1, -(-len(threads) // per_page))
    page = _requested_page(request, num_pages)
    cache[article.pk] = {
        "article": article,
        "threads": threads[(page - 1) * per_page : page * per_page],
        "page": page,
        "num_pages": num_pages,
        "page_range": range(1, num_pages + 1),
        "approved_count": sum(comment.is_approved for comment in comments),
        "can_reply": comments_open(request, article),
    }
    return cache[article.pk]


def comments_open(request, article):
    """accepts_comments(article), asked once per page: the thread's Reply links and the form
    both need it, and it reads the Discussion settings."""
    if request is None:
        return accepts_comments(article)
    answers = request.__dict__.setdefault("_comments_open", {})
    if article.pk not in answers:
        answers[article.pk] = accepts_comments(article)
    return answers[article.pk]


def _requested_page(request, num_pages):
    """?cpage=N, kept within the pages there are (a stale link lands on the nearest)."""
    value = request.GET.get("cpage", "") if request is not None else ""
    page = int(value) if value.isdigit() else 1
    return min(max(page, 1), num_pages)


@register.simple_tag(takes_context=True)
def comment_page_title(context, article):
    """ " · Comments page 2" for the page title, on every comment page after the first."""
    page = thread_for(context, article)["page"]
    return f" · Comments page {page}" if page > 1 else ""


@register.simple_tag(takes_context=True)
def comment_page_canonical(context, article):
    """<link rel="canonical"> naming the comment page shown (page 1: the article itself)."""
    page = thread_for(context, article)["page"]
    # A path: browsers and search engines resolve it against this site's own address.
    url = article.get_absolute_url() + (f"?cpage={page}" if page > 1 else "")
    return format_html('<link rel="canonical" href="{}">', url)


def nest(comments):
    """Top-level comments, each with `.children` (its replies, oldest first, nested alike).

    A reply whose parent is not shown (pending, spam) is not shown either: it would answer
    nothing a reader can see.
    """
    by_id = {comment.pk: comment for comment in comments}
    top_level = []
    for comment in comments:  # already oldest first
        comment.children = []
    for comment in comments:
        if comment.parent_id is None:
            top_level.append(comment)
        elif comment.parent_id in by_id:
            parent = by_id[comment.parent_id]
            comment.parent_name = None if parent.is_removed else parent.author_name
            parent.children.append(comment)
    return top_level


def _staff_preview_id(request):
    """The comment id staff asked to see in context, if they may see it."""
    if request is None or not request.GET.get("moderate", "").isdigit():
        return None
    if not request.user.has_perm("comments.view_comment"):
        return None
    return int(request.GET["moderate"])


@register.inclusion_tag("comments/_form.html", takes_context=True)
def comment_form(context, article):
    """The "Leave a Reply" form: the bound one when re-shown with errors, else a blank one,
    answering ?replytocom=<id> when that is an approved comment of this article."""
    request = context.get("request")
    form = context.get("comment_form")
    if form is None:
        initial = {}
        reply_to = request.GET.get("replytocom", "") if request is not None else ""
        if reply_to.isdigit():
            parent = Comment.objects.approved().filter(article=article, pk=reply_to).first()
            if parent is not None:
                initial = {"parent": parent.pk, "parent_comment": parent}
        remembered = remembered_author(request)
        if remembered:
            initial |= remembered | {"remember": True}
            mark_personal(request)
        form = CommentForm(article=article, initial=initial)
    open_ = comments_open(request, article)
    return {"article": article, "form": form, "request": request, "open": open_}


@register.simple_tag
def pending_comment_count():
    """How many comments wait for an editor (the admin index shows it)."""
    return Comment.objects.pending().count()


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
