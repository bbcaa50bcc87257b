"""A discussion's comment thread as HTML: read as rows in one query, nested in Python, one page
of threads rendered.

Each comment is rendered by `render_comment` (an Editors' pick by `render_pick`), plain Python
rather than a template include per comment: a 1,000-comment page costs milliseconds instead
of half a second. The markup is the one WordPress themes use (li.comment > article.comment-
body, ol.children).

Safe by default, as a Django template is: every piece of markup is an `html_template` (or
`html()`), which escapes each value put in unless it is a SafeString. The only SafeStrings
are the markup built that way, this module's constants, and the one reader's value trusted
as HTML, the sanitized body, marked in `comment_body`. So a field added later is escaped
without anyone remembering to. A comment's name and body are shown through
`author_name_html` and `comment_body` wherever it appears, its dates through `LocalDates`.
"""

import functools
from dataclasses import dataclass
from html import escape

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString

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


# Building HTML ------------------------------------------------------------------------------


@functools.cache  # Our markup: a dozen constants.
def html_template(markup):
    """`markup` (ours, a `{}` for each value) as a function of those values that returns a
    SafeString, each value escaped (html.escape, quotes too) unless it is a SafeString:
    markup built this way, or a value explicitly trusted. A plain int goes in as its digits.

    Django's `format_html` gives the same guarantee at seven to nine times the cost, and a
    page fills thousands of these (1,000 comments: some 15 ms more); even a small loop over
    the values, a first version of this, cost most of the thread's 10 % time budget. So each
    template is compiled, once, into a function that puts its values in one by one, written
    out; "<bdi>{}</bdi>" becomes

        def fill(v0):
            return SafeString("".join((
                "<bdi>",
                (v0 if type(v0) is SafeString else str(v0) if type(v0) is int
                 else escape(str(v0))),
                "</bdi>",
            )))

    Exact types: anything else, a str subclass or a lazy string included, is escaped.
    """
    pieces = markup.split("{}")
    names = [f"v{number}" for number in range(len(pieces) - 1)]
    items = [repr(pieces[0])]
    for name, piece in zip(names, pieces[1:], strict=True):
        items.append(
            f"({name} if type({name}) is SafeString else str({name}) if type({name}) is int "
            f"else escape(str({name})))"
        )
        items.append(repr(piece))
    source = f"def fill({', '.join(names)}):\n    return SafeString(''.join(({', '.join(items)},)))"
    namespace = {"SafeString": SafeString, "escape": escape}
    # Only our markup goes into the source, and only as repr() literals.
    exec(source, namespace)  # noqa: S102
    return namespace["fill"]


def html(markup, *values):
    """`markup` with `values` put in, each escaped unless it is a SafeString: `html_template`
    for markup used once."""
    return html_template(markup)(*values)


as_text = html_template("{}")  # One value as it goes into markup.


def html_join(parts, separator=""):
    """`parts` joined by `separator`, as one SafeString; each escaped as `html()` would."""
    if set(map(type, parts)) <= {SafeString}:  # A thread's thousands: one look at them.
        return SafeString(as_text(separator).join(parts))
    return SafeString(as_text(separator).join(map(as_text, parts)))


NO_MARKUP = SafeString("")
AUTHOR_NAME = html_template("<bdi>{}</bdi>")


def author_name_html(comment):
    """The name the author typed, in <bdi> (a right-to-left name leaves the text around it
    alone): the thread, the picks and the preview all show it through this."""
    return AUTHOR_NAME(comment.author_name)


def comment_body(comment):
    """The comment's text as HTML: the one reader's value trusted as markup, anywhere.

    Trusted because `body_html` is never what the reader typed: `Comment.set_body` stores
    the sanitizer's output (bleach with an allow-list of tags and attributes, see
    comments.sanitize) on every write, and the thread reads that column. SafeString rather
    than mark_safe, which says the same at seven times the cost (its check for lazy strings).
    """
    return SafeString(comment.body_html)


class LocalDates:
    """Dates as comments show them, in the current time zone: "4 December 2026 at 21:18"
    (in the picks, "4 December 2026") and <time datetime>'s ISO 8601 value, to the second
    (with microseconds the Nu HTML checker rejects it).

    The one date helper of the thread and the picks. One is made per rendering, so the time
    zone and the month names (Django's, translated) are looked up once, not for each of a
    thousand comments. Plain text: the templates escape it like any other value.
    """

    __slots__ = ("months", "zone")

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.months = {number: str(name) for number, name in MONTHS.items()}

    def __call__(self, when, *, with_time=True):
        """(shown, iso) for the aware datetime `when`."""
        local = when.astimezone(self.zone)
        iso = local.isoformat(timespec="seconds")  # 2026-12-04T21:18:07+01:00
        shown = f"{local.day} {self.months[local.month]} {local.year}"
        if with_time:
            shown = f"{shown} at {iso[11:16]}"  # The time as iso has it: one format fewer.
        return shown, iso


# The page -----------------------------------------------------------------------------------


def render_page(
    discussion,
    comments,
    *,
    page,
    can_reply,
    order=None,
    poster_key="",
    preview_id=None,
    showing=None,
):
    """Nest `comments` (oldest first), its threads in `order` (thread_order), cut page
    `page` of them and render it; or, with `showing` (a comment id) among them, the page
    that holds its thread."""
    order = thread_order(order)
    personal = False
    for comment in comments:
        comment.is_staff_preview = comment.pk == preview_id and not comment.is_approved
        comment.editable = comment.editable_by_poster(poster_key)
        personal |= comment.editable or comment.shown_as_pending or comment.is_staff_preview
    threads = nest(comments, order)
    per_page = settings.COMMENTS_PER_PAGE
    num_pages = max(1, -(-len(threads) // per_page))
    if showing is not None:
        page = _page_holding(showing, comments, threads, per_page) or page
    page = min(max(page, 1), num_pages)
    shown = threads[(page - 1) * per_page : page * per_page]
    approved_count = sum(comment.is_approved for comment in comments)
    picks = sorted(
        (c for c in comments if c.featured_at and c.is_approved and hasattr(c, "page")),
        key=lambda c: (c.featured_at, c.pk),
    )
    dates = LocalDates()
    context = {
        "discussion": discussion,
        "picks_html": render_picks(picks, dates, order),
        "comments_html": render_comments(shown, can_reply=can_reply, dates=dates),
        "approved_count": approved_count,
        "page": page,
        "num_pages": num_pages,
        "page_range": range(1, num_pages + 1),
        # The links to other comment pages keep the order: "?csort=newest&cpage=" + N.
        "page_link": "?cpage=" if order == thread_order() else f"?csort={order}&cpage=",
        "prev_label": PAGE_LABELS[order][0],
        "next_label": PAGE_LABELS[order][1],
        # "Sort by": one link for each order (comment page 1), once there is a choice.
        "sort_links": sort_links(order) if len(threads) > 1 else (),
    }
    return {
        # Bytes: the page splices them in as they are (comments.thread.middleware).
        "html": render_to_string("comments/_thread.html", context).encode(),
        "approved_count": approved_count,
        "page": page,
        "num_pages": num_pages,
        "personal": personal,
    }


def _page_holding(comment_id, comments, threads, per_page):
    """The page whose threads hold comment `comment_id`, or None if it is not shown."""
    found = next((c for c in comments if c.pk == comment_id), None)
    if found is None:
        return None
    root = found.root_id or found.pk
    for index, thread in enumerate(threads):
        if thread.pk == root:
            return index // per_page + 1
    return None


def nest(comments, order=None):
    """Top-level comments in `order` (thread_order: the site's default unless given), each
    with `.children` (its replies, oldest first, nested alike): `comments` come oldest first
    (ThreadComment.load), so sorting moves whole threads and never a reply.

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
    sort_threads(top_level, thread_order(order))
    # Which comment page each shown comment is on (for links to it from the picks).
    per_page = settings.COMMENTS_PER_PAGE
    for index, thread in enumerate(top_level):
        stack = [thread]
        while stack:
            comment = stack.pop()
            comment.page = index // per_page + 1
            stack.extend(comment.children)
    return top_level


# Sorting ------------------------------------------------------------------------------------

# The orders a reader may choose (?csort=), with the words of their links. Top-level threads
# move, each whole; replies stay oldest first under their parent.
ORDERS = {"oldest": "Oldest", "newest": "Newest", "best": "Most recommended"}
# The words of the links to the previous and the next comment page, in each order.
PAGE_LABELS = {
    "oldest": ("Older comments", "Newer comments"),
    "newest": ("Newer comments", "Older comments"),
    "best": ("Previous comments", "Next comments"),
}


def thread_order(value=None):
    """The order `value` names (?csort=), else the site's default (COMMENTS_THREAD_ORDER,
    which comments.E006 checks)."""
    if isinstance(value, str) and value in ORDERS:
        return value
    default = settings.COMMENTS_THREAD_ORDER
    return default if isinstance(default, str) and default in ORDERS else "oldest"


def sort_threads(threads, order):
    """Put `threads` (top-level comments, oldest first) in `order`, in place: newest first,
    or most recommended first (Comment.recommendation_count, a column of the rows already
    read: no query) and, among equals, oldest first. comments.thread.cache finds a comment's
    page in the same order with SQL (_page_showing)."""
    if order == "newest":
        threads.reverse()
    elif order == "best":
        threads.sort(key=lambda comment: -comment.recommendation_count)  # stable: oldest first


def page_query(page, order):
    """The query string of comment page `page` in `order` as links write it: `csort` (only
    when not the default) before `cpage` (only past the first page); "" for the first page
    in the default order. The page's canonical URL and the API's links use it too."""
    params = [f"csort={order}"] if order != thread_order() else []
    if page > 1:
        params.append(f"cpage={page}")
    return f"?{'&'.join(params)}" if params else ""


def sort_links(order):
    """(label, href, chosen) of each order's link: its first comment page."""
    return tuple(
        (label, f"?csort={value}#comments", value == order) for value, label in ORDERS.items()
    )


def _pick_page(page, order):
    """What goes after "?cpage=" in a pick's link: its page, and the order when it is not
    the default (the link then reads "?cpage=2&csort=newest", which the whole-page cache
    takes in either order)."""
    if order is None or order == thread_order():
        return page
    return html("{}&amp;csort={}", page, order)


# Markup: each template's {} are filled in by html_template, which escapes them; constants
# that go in as values are SafeStrings, markup as they are.
STAFF_BADGE = SafeString(' <span class="badge text-bg-primary comment-staff-badge">Staff</span>')
PICK = html_template(
    '<li class="editors-pick mb-3">\n'
    '  <p class="small text-body-secondary mb-1"><b class="text-body">{}</b>{} · '
    '<a class="text-body-secondary" href="?cpage={}#comment-{}">{} · in the thread</a></p>\n'
    '  <div class="comment-content">{}</div>\n'
    "</li>"
)
PICKS_SEPARATOR = SafeString("\n")


def render_picks(picks, dates, order=None):
    """The "Editors' picks" above the thread: each pick's author, date and text, linking to
    it in its thread (which may be on another comment page; in `order`, the thread's)."""
    return html_join([render_pick(comment, dates, order) for comment in picks], PICKS_SEPARATOR)


def render_pick(comment, dates, order=None):
    """One pick's <li>: its name, body and date by the same helpers as in the thread."""
    shown_at, _ = dates(comment.submitted_at, with_time=False)
    return PICK(
        author_name_html(comment),
        STAFF_BADGE if comment.staff_author_id else NO_MARKUP,
        _pick_page(comment.page, order),
        comment.pk,
        shown_at,
        comment_body(comment),
    )


OPEN_CHILDREN = SafeString('\n  <ol class="children list-unstyled ms-3 mt-3">\n')
CLOSE_CHILDREN = SafeString("</ol>\n  </li>\n")
CLOSE_COMMENT = SafeString("\n</li>\n")


def render_comments(threads, *, can_reply, dates=None):
    """The <li> of each comment in `threads`, replies nested in <ol class="children">."""
    parts = []
    dates = dates or LocalDates()
    urls = comment_urls()
    # Depth first, without recursion: a thread as deep as the sanitizer's limits allow
    # renders like a flat one.
    stack = [(comment, False) for comment in reversed(threads)]
    while stack:
        comment, closing = stack.pop()
        if closing:
            parts.append(CLOSE_CHILDREN)
            continue
        parts.append(render_comment(comment, can_reply, dates, urls))
        if comment.children:
            parts.append(OPEN_CHILDREN)
            stack.append((comment, True))
            stack.extend((child, False) for child in reversed(comment.children))
        else:
            parts.append(CLOSE_COMMENT)
    return html_join(parts)


# The <li>'s class beyond "comment", by what the comment is.
FEATURED_CLASS = SafeString(" comment-featured")
PENDING_CLASS = SafeString(" comment-pending")
STATUS_CLASS = {status: html(" comment-{}", status.value) for status in Status}

COMMENT_HEAD = (
    '<li id="comment-{}" class="comment mb-4 depth-{}{}">\n'
    '  <article class="comment-body border-start ps-3">\n'
)
REMOVED = html_template(
    COMMENT_HEAD + '    <p class="comment-removed text-body-secondary fst-italic small mb-1">'
    "This comment was removed.</p>\n  </article>"
)
COMMENT = html_template(
    COMMENT_HEAD + '    <footer class="comment-meta small text-body-secondary mb-1">\n'
    '      <b class="fn text-body">{}{}</b> says:\n      {}'
    '<a class="text-body-secondary" href="#comment-{}"><time datetime="{}">{}</time></a>{}\n'
    "    </footer>\n"
    "{}"
    '    <div class="comment-content">{}</div>\n'
    "{}"
    "  </article>"
)
AUTHOR_LINK = html_template('<a href="{}" rel="external nofollow ugc" class="url">{}</a>')
IN_REPLY_TO = html_template('<span class="visually-hidden">(in reply to {})</span>\n      ')
IN_REPLY_TO_REMOVED = IN_REPLY_TO(SafeString("a removed comment"))
EDITED = SafeString(' <span class="comment-edited">(edited)</span>')
PICK_LABEL = SafeString(
    '    <p class="comment-pick-label small fw-semibold mb-1">Editors\' pick</p>\n'
)
STAFF_PREVIEW = html_template(
    '    <p class="comment-staff-preview alert alert-warning py-1 px-2 small">'
    "{}: shown to staff only.</p>\n"
)
AWAITING_MODERATION = SafeString(
    '    <p class="comment-awaiting-moderation alert alert-info py-1 px-2 small">'
    "Your comment is awaiting moderation.</p>\n"
)
# Under a published comment: Reply (when the discussion is open), Recommend with its count
# and Report; under the poster's own while they may edit it, Reply and Edit instead.
ACTIONS_OPEN = '    <p class="reply small mb-0 mt-1">'
ACTIONS_CLOSE = "</p>\n"
REPLY_LINK = (
    '<a rel="nofollow" class="comment-reply-link" href="?replytocom={}#respond" '
    'aria-label="Reply to {}">Reply</a>'
)
REPLY_THEN = html_template(REPLY_LINK + " ")
# Recommend and Report are plain links to their pages (comments.public.reactions), which
# carry the forms: the thread every reader shares holds no token and nothing of one reader.
# comments.js makes them work in place (and marks what this browser recommends). The count
# is the row's, so it costs no query.
RECOMMEND_LINK = (
    '<a rel="nofollow" class="comment-recommend-link" href="{}" '
    'aria-label="Recommend this comment by {}, {}">Recommend'
    '<span class="comment-recommend-count">{}</span></a>'
)
REPORT_LINK = (
    '<a rel="nofollow" class="comment-report-link" href="{}" '
    'aria-label="Report this comment by {} to the editors">Report</a>'
)
PUBLISHED_ACTIONS = html_template(
    ACTIONS_OPEN + "{}" + RECOMMEND_LINK + " " + REPORT_LINK + ACTIONS_CLOSE
)
EDIT_ACTIONS = html_template(
    ACTIONS_OPEN + '<a class="comment-edit-link" href="{}">Edit or delete</a>' + ACTIONS_CLOSE
)
REPLY_AND_EDIT_ACTIONS = html_template(
    ACTIONS_OPEN
    + REPLY_LINK
    + ' <a class="comment-edit-link ms-2" href="{}">Edit or delete</a>'
    + ACTIONS_CLOSE
)


@dataclass(frozen=True)
class CommentUrls:
    """The addresses of a comment's Edit, Recommend and Report links, each with a {} for its
    id: reversed once per page (render_comments), filled in for each comment."""

    edit: str
    recommend: str
    report: str


def comment_urls():
    def address(name):
        return reverse(f"comments:{name}", kwargs={"comment_id": 0}).replace("/0/", "/{}/")

    return CommentUrls(address("edit"), address("recommend"), address("report"))


def recommendations(count):
    """ "3 recommendations", for the Recommend link's accessible name."""
    return f"{count} recommendation" if count == 1 else f"{count} recommendations"


def render_comment(comment, can_reply, dates, urls):
    """One comment's opening <li> and its <article> (the caller closes the <li>).

    Every value goes in through a template; the names through `author_name_html`, the body
    through `comment_body`, as in the picks and the preview.
    """
    pk = comment.pk
    status = comment.status
    approved = status == Status.APPROVED
    pending_shown = not approved and comment.shown_as_pending
    preview = comment.is_staff_preview
    if approved:
        extra = FEATURED_CLASS if comment.featured_at else NO_MARKUP
    elif pending_shown:
        extra = PENDING_CLASS
    else:
        extra = STATUS_CLASS[status]
    if status == Status.REMOVED and not preview:
        return REMOVED(pk, comment.depth, extra)
    name = author_name_html(comment)
    link = comment.author_link
    if link:
        name = AUTHOR_LINK(link, name)
    in_reply_to = NO_MARKUP
    if comment.parent_id:
        parent_name = comment.parent_name  # None when the parent was removed
        in_reply_to = IN_REPLY_TO(AUTHOR_NAME(parent_name)) if parent_name else IN_REPLY_TO_REMOVED
    shown_at, iso = dates(comment.submitted_at)
    notice = NO_MARKUP
    if approved and comment.featured_at:
        notice = PICK_LABEL
    if preview:
        notice = STAFF_PREVIEW(comment.get_status_display())
    elif pending_shown:
        notice = AWAITING_MODERATION
    reply = approved and can_reply
    if comment.editable:  # the poster's own: they can't recommend it
        edit = urls.edit.format(pk)
        if reply:
            actions = REPLY_AND_EDIT_ACTIONS(pk, comment.author_name, edit)
        else:
            actions = EDIT_ACTIONS(edit)
    elif approved:
        count = comment.recommendation_count
        actions = PUBLISHED_ACTIONS(
            REPLY_THEN(pk, comment.author_name) if reply else NO_MARKUP,
            urls.recommend.format(pk),
            comment.author_name,
            recommendations(count),
            f" ({count})" if count else "",
            urls.report.format(pk),
            comment.author_name,
        )
    else:
        actions = NO_MARKUP
    return COMMENT(
        pk,
        comment.depth,
        extra,
        name,
        STAFF_BADGE if comment.staff_author_id else NO_MARKUP,
        in_reply_to,
        pk,
        iso,
        shown_at,
        EDITED if comment.edited_at else NO_MARKUP,
        notice,
        comment_body(comment),
        actions,
    )
