"""An article's comment thread as HTML: read as rows in one query, nested in Python, one page
of threads rendered.

Each comment is rendered by `render_comment`, plain Python rather than a template include
per comment: a 1,000-comment page costs milliseconds instead of half a second. The markup
is the one WordPress themes use (li.comment > article.comment-body, ol.children).
"""

from html import escape

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe

from ..conf import settings
from ..models import THREAD_FIELDS, Comment

Status = Comment.Status


class ThreadComment:
    """A comment as the thread shows it: its row, and no more.

    The thread reads rows, not model instances: 1,000 of those would cost more than
    rendering them. Only these columns are read, so no email, IP or raw text is even
    loaded. The rules about what a row means are the model's own (borrowed, not copied).
    """

    FIELDS = THREAD_FIELDS
    __slots__ = (*FIELDS, "children", "parent_name", "editable", "is_staff_preview", "page")

    is_approved = Comment.is_approved
    is_removed = Comment.is_removed
    is_pending = Comment.is_pending
    shown_as_pending = Comment.shown_as_pending
    author_link = Comment.author_link
    editable_by_poster = Comment.editable_by_poster
    Status = Comment.Status

    def __init__(self, row):
        for name, value in zip(self.FIELDS, row, strict=True):
            setattr(self, name, value)
        self.parent_name = None
        self.editable = self.is_staff_preview = False

    @classmethod
    def load(cls, comments):
        """The comments of a queryset, oldest first."""
        return [
            cls(row) for row in comments.order_by(*Comment._meta.ordering).values_list(*cls.FIELDS)
        ]

    def get_status_display(self):
        return Comment.Status(self.status).label


def render_page(article, comments, *, page, can_reply, poster_key="", preview_id=None):
    """Nest `comments` (oldest first), cut page `page` of its threads and render it."""
    personal = False
    for comment in comments:
        comment.is_staff_preview = comment.pk == preview_id and not comment.is_approved
        comment.editable = comment.editable_by_poster(poster_key)
        personal |= comment.editable or comment.shown_as_pending or comment.is_staff_preview
    threads = nest(comments)
    per_page = settings.COMMENTS_PER_PAGE
    num_pages = max(1, -(-len(threads) // per_page))
    page = min(max(page, 1), num_pages)
    shown = threads[(page - 1) * per_page : page * per_page]
    approved_count = sum(comment.is_approved for comment in comments)
    picks = sorted(
        (c for c in comments if c.featured_at and c.is_approved and hasattr(c, "page")),
        key=lambda c: (c.featured_at, c.pk),
    )
    context = {
        "article": article,
        "picks_html": mark_safe(render_picks(picks)),  # noqa: S308
        "comments_html": mark_safe(render_comments(shown, can_reply=can_reply)),  # noqa: S308
        "approved_count": approved_count,
        "page": page,
        "num_pages": num_pages,
        "page_range": range(1, num_pages + 1),
    }
    return {
        # Bytes: the page splices them in as they are (comments.middleware).
        "html": render_to_string("comments/_thread.html", context).encode(),
        "approved_count": approved_count,
        "page": page,
        "num_pages": num_pages,
        "personal": personal,
    }


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
    # Which comment page each shown comment is on (for links to it from the picks).
    per_page = settings.COMMENTS_PER_PAGE
    for index, thread in enumerate(top_level):
        stack = [thread]
        while stack:
            comment = stack.pop()
            comment.page = index // per_page + 1
            stack.extend(comment.children)
    return top_level


def render_picks(picks):
    """The "Editors' picks" above the thread: each pick's author, date and text, linking to
    it in its thread (which may be on another comment page)."""
    if not picks:
        return ""
    months = {number: str(name) for number, name in MONTHS.items()}
    zone = timezone.get_current_timezone()
    items = []
    for comment in picks:
        local = comment.submitted_at.astimezone(zone)
        shown_at = f"{local.day} {months[local.month]} {local.year}"
        badge = STAFF_BADGE if comment.staff_author_id else ""
        items.append(
            '<li class="editors-pick mb-3">\n'
            f'  <p class="small text-body-secondary mb-1"><b class="text-body"><bdi>'
            f"{escape(comment.author_name)}</bdi></b>{badge} · "
            f'<a class="text-body-secondary" href="?cpage={comment.page}#comment-{comment.pk}">'
            f"{shown_at} · in the thread</a></p>\n"
            f'  <div class="comment-content">{comment.body_html}</div>\n'
            "</li>"
        )
    return "\n".join(items)


STAFF_BADGE = ' <span class="badge text-bg-primary comment-staff-badge">Staff</span>'


def render_comments(threads, *, can_reply):
    """The <li> of each comment in `threads`, replies nested in <ol class="children">."""
    parts = []
    months = {number: str(name) for number, name in MONTHS.items()}
    edit_url = reverse("comments:edit", kwargs={"comment_id": 0}).replace("/0/", "/{}/")
    zone = timezone.get_current_timezone()
    # Depth first, without recursion: a thread as deep as the sanitizer's limits allow
    # renders like a flat one.
    stack = [(comment, False) for comment in reversed(threads)]
    while stack:
        comment, closing = stack.pop()
        if closing:
            parts.append("</ol>\n  </li>\n")
            continue
        parts.append(render_comment(comment, can_reply, months, edit_url, zone))
        if comment.children:
            parts.append('\n  <ol class="children list-unstyled ms-3 mt-3">\n')
            stack.append((comment, True))
            stack.extend((child, False) for child in reversed(comment.children))
        else:
            parts.append("\n</li>\n")
    return "".join(parts)


def render_comment(comment, can_reply, months, edit_url, zone):
    """One comment's opening <li> and its <article> (the caller closes the <li>).

    Everything a reader typed is escaped here; body_html was sanitized when it was saved.
    """
    pk = comment.pk
    status = comment.status
    approved = status == Status.APPROVED
    pending_shown = not approved and comment.shown_as_pending
    preview = comment.is_staff_preview
    if approved:
        extra = " comment-featured" if comment.featured_at else ""
    elif pending_shown:
        extra = " comment-pending"
    else:
        extra = f" comment-{status}"
    head = (
        f'<li id="comment-{pk}" class="comment mb-4 depth-{comment.depth}{extra}">\n'
        '  <article class="comment-body border-start ps-3">\n'
    )
    if status == Status.REMOVED and not preview:
        return (
            head + '    <p class="comment-removed text-body-secondary fst-italic small mb-1">'
            "This comment was removed.</p>\n  </article>"
        )
    author = escape(comment.author_name)
    name = f"<bdi>{author}</bdi>"
    link = comment.author_link
    if link:
        name = f'<a href="{escape(link)}" rel="external nofollow ugc" class="url">{name}</a>'
    if comment.staff_author_id:
        name += STAFF_BADGE
    in_reply_to = ""
    if comment.parent_id:
        parent_name = comment.parent_name
        answered = f"<bdi>{escape(parent_name)}</bdi>" if parent_name else "a removed comment"
        in_reply_to = f'<span class="visually-hidden">(in reply to {answered})</span>\n      '
    local = comment.submitted_at.astimezone(zone)
    shown_at = f"{local.day} {months[local.month]} {local.year} at {local:%H:%M}"
    edited = ' <span class="comment-edited">(edited)</span>' if comment.edited_at else ""
    notice = ""
    if approved and comment.featured_at:
        notice = '    <p class="comment-pick-label small fw-semibold mb-1">Editors\' pick</p>\n'
    if preview:
        notice = (
            '    <p class="comment-staff-preview alert alert-warning py-1 px-2 small">'
            f"{escape(comment.get_status_display())}: shown to staff only.</p>\n"
        )
    elif pending_shown:
        notice = (
            '    <p class="comment-awaiting-moderation alert alert-info py-1 px-2 small">'
            "Your comment is awaiting moderation.</p>\n"
        )
    actions = ""
    reply = approved and can_reply
    if reply or comment.editable:
        links = []
        if reply:
            links.append(
                f'<a rel="nofollow" class="comment-reply-link" href="?replytocom={pk}#respond" '
                f'aria-label="Reply to {author}">Reply</a>'
            )
        if comment.editable:
            spacing = " ms-2" if reply else ""
            links.append(
                f'<a class="comment-edit-link{spacing}" href="{edit_url.format(pk)}">'
                "Edit or delete</a>"
            )
        actions = f'    <p class="reply small mb-0 mt-1">{" ".join(links)}</p>\n'
    return (
        f"{head}"
        '    <footer class="comment-meta small text-body-secondary mb-1">\n'
        f'      <b class="fn text-body">{name}</b> says:\n      {in_reply_to}'
        f'<a class="text-body-secondary" href="#comment-{pk}"><time datetime="'
        f'{local.isoformat(timespec="seconds")}">{shown_at}</time></a>{edited}\n'
        "    </footer>\n"
        f"{notice}"
        f'    <div class="comment-content">{comment.body_html}</div>\n'
        f"{actions}"
        "  </article>"
    )
