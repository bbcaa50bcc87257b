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

Every word is in the active language (the thread cache keeps a page per language): the
markup holds none, `ThreadWords` looks them up once per rendering and they go in as values,
escaped like any other.
"""

import functools
import hashlib
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_formatchars
from django.utils.dates import MONTHS, MONTHS_ALT
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy

from ..conf import settings
from ..models import THREAD_FIELDS, Comment
from ..sanitize import comment_text

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


# How the thread writes a comment's date, in Django's date format syntax: translated, so each
# language orders and words it as its readers do (the month names are Django's own, in the
# active language). English: "4 December 2026 at 21:18", and "4 December 2026" in the picks.
# Translators: the date and time of a comment in the thread, in Django's date format syntax
# (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date): j day, F month
# name, Y year, H:i hours and minutes; a letter that is no code is escaped with a backslash
# ("\a\t" writes "at").
DATETIME_FORMAT = pgettext_lazy("comment date format", "j F Y \\a\\t H:i")
# Translators: the date of a comment in the Editors' picks, in Django's date format syntax
# (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date): j day, F month
# name, Y year.
DATE_FORMAT = pgettext_lazy("comment date format", "j F Y")
_ESCAPED = re.compile(r"\\(.)")


def _slow_code(code, local):
    """A format character LocalDates does not write itself, as Django's DateFormat does."""
    return str(getattr(DateFormat(local), code)())


# The format characters LocalDates writes itself (the usual ones), as Python expressions of
# the local datetime `t`; any other is asked of Django's DateFormat.
_DATE_CODES = {
    "d": "'%02d' % t.day",
    "j": "str(t.day)",
    "m": "'%02d' % t.month",
    "n": "str(t.month)",
    "F": "months[t.month]",
    "E": "months_alt[t.month]",
    "Y": "'%04d' % t.year",
    "H": "'%02d' % t.hour",
    "G": "str(t.hour)",
    "i": "'%02d' % t.minute",
}


@functools.cache  # One per format: a language or two.
def date_formatter(format_string):
    """`format_string` (Django's date format syntax, as DateFormat reads it) as a function
    of a local datetime and the month names, compiled once as `html_template` compiles markup:
    "j F Y" becomes

        def shown(t, months, months_alt):
            return "".join((str(t.day), " ", months[t.month], " ", "%04d" % t.year))

    Django's DateFormat takes some 20 µs a date, a thousand comments' worth of time. Only
    this module's expressions and repr() literals go into the source."""
    items = []
    for index, piece in enumerate(re_formatchars.split(format_string)):
        if index % 2:
            items.append(_DATE_CODES.get(piece) or f"slow({piece!r}, t)")
        elif piece:
            items.append(repr(_ESCAPED.sub(r"\1", piece)))
    source = (
        "def shown(t, months, months_alt):\n"
        f"    return ''.join(({', '.join(items or [repr('')])},))"
    )
    namespace = {"slow": _slow_code}
    exec(source, namespace)  # noqa: S102
    return namespace["shown"]


class LocalDates:
    """Dates as comments show them, in the current time zone and language: "4 December 2026
    at 21:18" (in the picks, "4 December 2026"), as DATETIME_FORMAT and DATE_FORMAT say, and
    <time datetime>'s ISO 8601 value, to the second (with microseconds the Nu HTML checker
    rejects it).

    The one date helper of the thread and the picks. One is made per rendering, so the time
    zone, the formats and the month names (Django's, translated) are looked up once, not for
    each of a thousand comments (`date_formatter`). Plain text: the templates escape it like
    any other value.
    """

    __slots__ = ("day_only", "months", "months_alt", "with_time", "zone")

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.months = {number: str(name) for number, name in MONTHS.items()}
        self.months_alt = {number: str(name) for number, name in MONTHS_ALT.items()}
        self.with_time = date_formatter(str(DATETIME_FORMAT))
        self.day_only = date_formatter(str(DATE_FORMAT))

    def __call__(self, when, *, with_time=True):
        """(shown, iso) for the aware datetime `when`."""
        local = when.astimezone(self.zone)
        iso = local.isoformat(timespec="seconds")  # 2026-12-04T21:18:07+01:00
        shown = (self.with_time if with_time else self.day_only)(
            local, self.months, self.months_alt
        )
        return shown, iso


def _text(message):
    """A translated message as markup: escaped (quotes kept: it goes between tags only)."""
    return SafeString(escape(message, quote=False))


def _around(message, name="name"):
    """A translated sentence around one piece of markup ("%(name)s says:"), as the escaped
    text before and after it. Translations keep the placeholder (msgfmt checks it); one that
    lost it puts the markup after the whole sentence."""
    before, found, after = message.partition(f"%({name})s")
    if not found:
        before, after = f"{message} ", ""
    return _text(before.replace("%%", "%")), _text(after.replace("%%", "%"))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def sentence_template(message):
    """A translated sentence with %(name)s placeholders (each at most once) as an
    html_template, its text escaped (quotes too: it may go into an attribute), and the names
    in the order the translation puts them: (fill, names). Made once per rendering and
    language, so each comment costs what a constant template's values cost."""
    parts = _PLACEHOLDER.split(message)
    literals = [
        escape(part.replace("%%", "%")).replace("{", "&#123;").replace("}", "&#125;")
        for part in parts[::2]
    ]
    return html_template("{}".join(literals)), tuple(parts[1::2])


def _with_name(message):
    """A sentence taking one reader's name (%(name)s) as a function of the name: a
    translation that left the name out still renders (without it), never a 500."""
    fill, names = sentence_template(message)
    if names == ("name",):
        return fill
    return lambda name: fill(*(name for _ in names))


def says(name_html):
    """ "Ann says:" with `name_html` (markup, e.g. the name in <b>) in its place: above a
    comment quoted on a page (the preview, the recommend and report pages)."""
    before, after = _around(gettext("%(name)s says:"))
    return html("{}{}{}", before, name_html, after)


@functools.lru_cache(maxsize=1)
def catalogs_digest():
    """A digest of the compiled translations as deployed (the app's and the project's
    LOCALE_PATHS', each .mo file's name, size and time) and of the language settings: a
    deploy that changes only words changes every key of what is rendered with them (the
    cached thread, whole pages). Read once per process (comments.thread.pages.forget_stamp
    reads it again)."""
    digest = hashlib.sha256(
        repr((settings.LANGUAGES, settings.LANGUAGE_CODE, settings.FORMAT_MODULE_PATH)).encode()
    )
    app = Path(__file__).resolve().parent.parent
    for directory in (app / "locale", *map(Path, settings.LOCALE_PATHS)):
        for path in sorted(directory.rglob("*.mo")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


class ThreadWords:
    """The thread's words in the active language, looked up once per rendering (as
    LocalDates): the markup's texts escaped as SafeStrings (the fixed pieces of markup that
    hold them made once too), and the sentences that take a reader's name as plain text,
    put in per comment and escaped then."""

    __slots__ = (
        "awaiting",
        "edit",
        "edited",
        "in_reply_to",
        "in_reply_to_removed",
        "in_the_thread",
        "pick_label",
        "recommend",
        "recommend_labels",
        "removed",
        "reply",
        "reply_to",
        "report",
        "report_to",
        "says",
        "staff_badge",
        "staff_only",
    )

    def __init__(self):
        self.says = _around(gettext("%(name)s says:"))
        # Translators: for screen readers, after the name of a reply's author.
        self.in_reply_to = _around(gettext("(in reply to %(name)s)"))
        self.in_reply_to_removed = IN_REPLY_TO_REMOVED(
            # Translators: for screen readers, after the name of a reply's author.
            _text(gettext("(in reply to a removed comment)"))
        )
        self.removed = _text(gettext("This comment was removed."))
        # Translators: after the date of a comment changed since it was posted.
        self.edited = EDITED(_text(gettext("(edited)")))
        self.pick_label = PICK_LABEL(_text(gettext("Editors' pick")))
        self.awaiting = AWAITING_MODERATION(_text(gettext("Your comment is awaiting moderation.")))
        # Translators: a badge after the name of a comment's author who is on the site's staff.
        self.staff_badge = STAFF_BADGE(_text(pgettext("comment author", "Staff")))
        # Translators: the link under a comment that opens the form to answer it.
        self.reply = _text(pgettext("verb", "Reply"))
        self.reply_to = _with_name(gettext("Reply to %(name)s"))
        # Translators: the link under a comment that recommends it to other readers.
        self.recommend = _text(pgettext("verb", "Recommend"))
        self.recommend_labels = {}  # by count: sentence_template of ngettext's answer
        # Translators: the link under a comment that reports it to the editors.
        self.report = _text(pgettext("verb", "Report"))
        self.report_to = _with_name(gettext("Report this comment by %(name)s to the editors"))
        self.edit = _text(gettext("Edit or delete"))
        # Translators: in the Editors' picks, the link to a pick in the thread, after its date.
        self.in_the_thread = gettext("%(date)s · in the thread")
        # Translators: shown to staff over a comment readers do not see; %(status)s is its
        # status ("Pending", "Spam", "Removed").
        self.staff_only = gettext("%(status)s: shown to staff only.")

    def recommend_label(self, name, count):
        """The Recommend link's accessible name: whose comment, and how many recommend it."""
        found = self.recommend_labels.get(count)
        if found is None:
            found = self.recommend_labels[count] = sentence_template(
                ngettext(
                    "Recommend this comment by %(name)s, %(count)s recommendation",
                    "Recommend this comment by %(name)s, %(count)s recommendations",
                    count,
                )
            )
        fill, names = found
        if names == ("name", "count"):
            return fill(name, count)
        values = {"name": name, "count": count}
        return fill(*[values[key] for key in names])


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
    dates, words = LocalDates(), ThreadWords()
    context = {
        "discussion": discussion,
        # Isolated as names are: an English title in an Arabic sentence keeps its own order.
        "title_html": AUTHOR_NAME(discussion.title),
        "picks_html": render_picks(picks, dates, order, words=words),
        "comments_html": render_comments(shown, can_reply=can_reply, dates=dates, words=words),
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
        "shown_comments": shown_comments(
            shown, discussion.get_absolute_url() + page_query(page, order)
        ),
    }


# A comment's text in what a page tells search engines: enough to know it by, without
# sending every comment twice in a long page.
SHOWN_TEXT_CHARS = 500


def _shortened(text):
    return text if len(text) <= SHOWN_TEXT_CHARS else f"{text[: SHOWN_TEXT_CHARS - 1]}…"


def shown_comments(threads, page_url):
    """The approved comments of `threads`, depth first as the page shows them, as plain
    data for what a page tells search engines (comments.templatetags.comment_structured_data):
    the name, the website the thread links, the time, the text as plain text, the permalink
    (on `page_url`). Made with the page and cached with it: no query, nothing to convert on a
    warm page. Never an email: the thread's rows do not hold one."""
    found = []
    pending = list(reversed(threads))
    while pending:
        comment = pending.pop()
        if comment.is_approved:
            found.append(
                {
                    "author": comment.author_name,
                    "author_url": comment.author_link,
                    "submitted_at": comment.submitted_at,
                    "text": _shortened(comment_text(comment.body_html)),
                    "url": f"{page_url}#comment-{comment.pk}",
                }
            )
        pending.extend(reversed(comment.children))
    return found


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

# The orders a reader may choose (?csort=), with the words of their links (lazy: in the
# language of each rendering). Top-level threads move, each whole; replies stay oldest first
# under their parent.
ORDERS = {
    # Translators: a choice of the order of comments ("Sort by: Oldest · Newest · …").
    "oldest": pgettext_lazy("comments sorted", "Oldest"),
    # Translators: a choice of the order of comments ("Sort by: Oldest · Newest · …").
    "newest": pgettext_lazy("comments sorted", "Newest"),
    # Translators: a choice of the order of comments ("Sort by: Oldest · Newest · …").
    "best": pgettext_lazy("comments sorted", "Most recommended"),
}
# The words of the links to the previous and the next comment page, in each order.
_OLDER = pgettext_lazy("link to a comment page", "Older comments")
_NEWER = pgettext_lazy("link to a comment page", "Newer comments")
PAGE_LABELS = {
    "oldest": (_OLDER, _NEWER),
    "newest": (_NEWER, _OLDER),
    "best": (
        pgettext_lazy("link to a comment page", "Previous comments"),
        pgettext_lazy("link to a comment page", "Next comments"),
    ),
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
# that go in as values are SafeStrings, markup as they are. The words go in as values too
# (ThreadWords), so the markup is the same in every language.
STAFF_BADGE = html_template(' <span class="badge text-bg-primary comment-staff-badge">{}</span>')
PICK = html_template(
    '<li class="editors-pick mb-3">\n'
    '  <p class="small text-body-secondary mb-1"><b class="text-body">{}</b>{} · '
    '<a class="text-body-secondary" href="?cpage={}#comment-{}">{}</a></p>\n'
    '  <div class="comment-content" dir="auto">{}</div>\n'
    "</li>"
)
PICKS_SEPARATOR = SafeString("\n")


def render_picks(picks, dates, order=None, *, words=None):
    """The "Editors' picks" above the thread: each pick's author, date and text, linking to
    it in its thread (which may be on another comment page; in `order`, the thread's)."""
    words = words or ThreadWords()
    return html_join(
        [render_pick(comment, dates, order, words=words) for comment in picks], PICKS_SEPARATOR
    )


def render_pick(comment, dates, order=None, *, words=None):
    """One pick's <li>: its name, body and date by the same helpers as in the thread."""
    words = words or ThreadWords()
    shown_at, _ = dates(comment.submitted_at, with_time=False)
    return PICK(
        author_name_html(comment),
        words.staff_badge if comment.staff_author_id else NO_MARKUP,
        _pick_page(comment.page, order),
        comment.pk,
        words.in_the_thread % {"date": shown_at},
        comment_body(comment),
    )


OPEN_CHILDREN = SafeString('\n  <ol class="children list-unstyled ms-3 mt-3">\n')
CLOSE_CHILDREN = SafeString("</ol>\n  </li>\n")
CLOSE_COMMENT = SafeString("\n</li>\n")


def render_comments(threads, *, can_reply, dates=None, words=None):
    """The <li> of each comment in `threads`, replies nested in <ol class="children">."""
    parts = []
    dates = dates or LocalDates()
    words = words or ThreadWords()
    urls = comment_urls()
    # Depth first, without recursion: a thread as deep as the sanitizer's limits allow
    # renders like a flat one.
    stack = [(comment, False) for comment in reversed(threads)]
    while stack:
        comment, closing = stack.pop()
        if closing:
            parts.append(CLOSE_CHILDREN)
            continue
        parts.append(render_comment(comment, can_reply, dates, urls, words))
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
    "{}</p>\n  </article>"
)
# "{name} says:": the sentence's text before the name, the name, the text after it.
COMMENT = html_template(
    COMMENT_HEAD + '    <footer class="comment-meta small text-body-secondary mb-1">\n'
    '      {}<b class="fn text-body">{}{}</b>{}\n      {}'
    '<a class="text-body-secondary" href="#comment-{}"><time datetime="{}">{}</time></a>{}\n'
    "    </footer>\n"
    "{}"
    '    <div class="comment-content" dir="auto">{}</div>\n'
    "{}"
    "  </article>"
)
AUTHOR_LINK = html_template('<a href="{}" rel="external nofollow ugc" class="url">{}</a>')
IN_REPLY_TO = html_template('<span class="visually-hidden">{}{}{}</span>\n      ')
IN_REPLY_TO_REMOVED = html_template('<span class="visually-hidden">{}</span>\n      ')
EDITED = html_template(' <span class="comment-edited">{}</span>')
PICK_LABEL = html_template('    <p class="comment-pick-label small fw-semibold mb-1">{}</p>\n')
STAFF_PREVIEW = html_template(
    '    <p class="comment-staff-preview alert alert-warning py-1 px-2 small">{}</p>\n'
)
AWAITING_MODERATION = html_template(
    '    <p class="comment-awaiting-moderation alert alert-info py-1 px-2 small">{}</p>\n'
)
# Under a published comment: Reply (when the discussion is open), Recommend with its count
# and Report; under the poster's own while they may edit it, Reply and Edit instead.
ACTIONS_OPEN = '    <p class="reply small mb-0 mt-1">'
ACTIONS_CLOSE = "</p>\n"
REPLY_LINK = (
    '<a rel="nofollow" class="comment-reply-link" href="?replytocom={}#respond" '
    'aria-label="{}">{}</a>'
)
REPLY_THEN = html_template(REPLY_LINK + " ")
# Recommend and Report are plain links to their pages (comments.public.reactions), which
# carry the forms: the thread every reader shares holds no token and nothing of one reader.
# comments.js makes them work in place (and marks what this browser recommends). The count
# is the row's, so it costs no query.
RECOMMEND_LINK = (
    '<a rel="nofollow" class="comment-recommend-link" href="{}" '
    'aria-label="{}">{}'
    '<span class="comment-recommend-count">{}</span></a>'
)
REPORT_LINK = '<a rel="nofollow" class="comment-report-link" href="{}" aria-label="{}">{}</a>'
PUBLISHED_ACTIONS = html_template(
    ACTIONS_OPEN + "{}" + RECOMMEND_LINK + " " + REPORT_LINK + ACTIONS_CLOSE
)
EDIT_ACTIONS = html_template(
    ACTIONS_OPEN + '<a class="comment-edit-link" href="{}">{}</a>' + ACTIONS_CLOSE
)
REPLY_AND_EDIT_ACTIONS = html_template(
    ACTIONS_OPEN
    + REPLY_LINK
    + ' <a class="comment-edit-link ms-2" href="{}">{}</a>'
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


def render_comment(comment, can_reply, dates, urls, words=None):
    """One comment's opening <li> and its <article> (the caller closes the <li>).

    Every value goes in through a template; the names through `author_name_html`, the body
    through `comment_body`, as in the picks and the preview; the words from `words`
    (ThreadWords, one per rendering).
    """
    words = words or ThreadWords()
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
        return REMOVED(pk, comment.depth, extra, words.removed)
    name = author_name_html(comment)
    link = comment.author_link
    if link:
        name = AUTHOR_LINK(link, name)
    in_reply_to = NO_MARKUP
    if comment.parent_id:
        parent_name = comment.parent_name  # None when the parent was removed
        if parent_name:
            before, after = words.in_reply_to
            in_reply_to = IN_REPLY_TO(before, AUTHOR_NAME(parent_name), after)
        else:
            in_reply_to = words.in_reply_to_removed
    shown_at, iso = dates(comment.submitted_at)
    notice = NO_MARKUP
    if approved and comment.featured_at:
        notice = words.pick_label
    if preview:
        shown_to = words.staff_only % {"status": comment.get_status_display()}
        notice = STAFF_PREVIEW(shown_to)
    elif pending_shown:
        notice = words.awaiting
    reply = approved and can_reply
    author = comment.author_name
    if comment.editable:  # the poster's own: they can't recommend it
        edit = urls.edit.format(pk)
        if reply:
            reply_to = words.reply_to(author)
            actions = REPLY_AND_EDIT_ACTIONS(pk, reply_to, words.reply, edit, words.edit)
        else:
            actions = EDIT_ACTIONS(edit, words.edit)
    elif approved:
        count = comment.recommendation_count
        actions = PUBLISHED_ACTIONS(
            REPLY_THEN(pk, words.reply_to(author), words.reply) if reply else NO_MARKUP,
            urls.recommend.format(pk),
            words.recommend_label(author, count),
            words.recommend,
            f" ({count})" if count else "",
            urls.report.format(pk),
            words.report_to(author),
            words.report,
        )
    else:
        actions = NO_MARKUP
    says_before, says_after = words.says
    return COMMENT(
        pk,
        comment.depth,
        extra,
        says_before,
        name,
        words.staff_badge if comment.staff_author_id else NO_MARKUP,
        says_after,
        in_reply_to,
        pk,
        iso,
        shown_at,
        words.edited if comment.edited_at else NO_MARKUP,
        notice,
        comment_body(comment),
        actions,
    )
