"""WordPress's export (WXR, "WordPress eXtended RSS", versions 1.0 to 1.2): its comments.

The file is an RSS feed whose `<channel>` holds one `<item>` per post (pages and attachments
too), each with `<title>`, `<link>` and `<wp:post_id>` and then its `<wp:comment>`s:

    <wp:comment>
      <wp:comment_id>12</wp:comment_id>
      <wp:comment_author><![CDATA[Ada]]></wp:comment_author>
      <wp:comment_author_email>ada@example.org</wp:comment_author_email>
      <wp:comment_author_url>https://example.org</wp:comment_author_url>
      <wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>
      <wp:comment_date>2019-03-04 11:22:33</wp:comment_date>          (the blog's time)
      <wp:comment_date_gmt>2019-03-04 10:22:33</wp:comment_date_gmt>  (UTC)
      <wp:comment_content><![CDATA[<p>Hello</p>]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>   1, 0, spam, trash (post-trashed)
      <wp:comment_type></wp:comment_type>            "", comment, pingback, trackback, …
      <wp:comment_parent>0</wp:comment_parent>       0 at the top level
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>

Every item yields its `Thread` (with no comments too), before its comments. Pingbacks,
trackbacks and plugins' own comment types (WooCommerce's order notes, reviews…) are
`Skipped`, by their type. Statuses: 1 → approved, 0 → pending, spam → spam, trash and
post-trashed (the post went to the bin, taking its comments) → removed; any other value is
refused, naming it. The date is `wp:comment_date_gmt`; when that is missing or
`0000-00-00 00:00:00` (drafts, some importers), `wp:comment_date` taken as UTC.

Imports nothing from the app: see the package's docstring.
"""

import re
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache

from . import safexml
from ._common import ip_or_blank
from .records import ImportedComment, Skipped, Thread, UnreadableExport

WXR_NAMESPACES = {
    "http://wordpress.org/export/1.0/": "wp",
    "http://wordpress.org/export/1.1/": "wp",
    "http://wordpress.org/export/1.2/": "wp",
    "http://purl.org/rss/1.0/modules/content/": "content",
}
WXR_FAMILY = "http://wordpress.org/export/"
# Another version's namespace (not 1.x/excerpt/, which is the posts' excerpts).
WXR_VERSION = re.compile(re.escape(WXR_FAMILY) + r"([\d.]+)/")

WORDPRESS_STATUSES = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "removed",
    "post-trashed": "removed",
}
COMMENT_TYPES = {"", "comment"}
NO_DATE = "0000-00-00 00:00:00"
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")


def read_wordpress(path_or_file):
    """Yield the `Thread`, `ImportedComment` and `Skipped` records of a WXR file, in file
    order, a thread before its comments. `path_or_file`: a path, or a file open for reading.

    Streams: each comment is dropped from the tree once read, each post once its comments
    are. Raises `UnreadableExport` (only) for a file it can't read.
    """
    channel = item = thread = None
    held = []  # an item's records read before its wp:post_id (none in WordPress's own files)
    wordpress = False  # seen an element of WordPress's namespace: this is WXR, not plain RSS
    for kind, element, parent, depth in safexml.events(path_or_file, max_depth=3):
        if kind == "start":
            name = _name(element)
            if depth == 0 and name != "rss":
                raise UnreadableExport(
                    f"the file's root element is <{_shown(element.tag)}>, not the <rss> of a "
                    "WordPress export.",
                    element.line,
                )
            if depth == 1 and name == "channel":
                channel = element
            elif depth == 2 and parent is channel and name == "item":
                item, thread, held = element, None, []
            elif depth == 3 and parent is item and name == "wp:comment" and thread is None:
                # Its title, link and id come before the first comment: announce the thread.
                thread = _thread(item, required=False)
                if thread is not None:
                    yield from _announced(thread, held)
                    held = []
            continue

        if depth == 3 and parent is item and item is not None and _name(element) == "wp:comment":
            record = _comment(element, thread.key if thread else "")
            item.remove(element)
            if thread is None:
                held.append(record)
            else:
                yield record
        elif depth == 2 and parent is channel and channel is not None:
            wordpress = wordpress or _name(element).startswith("wp:")
            if element is item:
                wordpress = True
                if thread is None:
                    yield from _announced(_thread(item, required=True), held)
                item = thread = None
                held = []
            channel.remove(element)
    if not wordpress:
        raise UnreadableExport(
            "the file is an RSS feed without WordPress's export elements (wp:…), not a "
            "WordPress export."
        )


def _announced(thread, held):
    """The thread, then the records of its comments read before its id was."""
    yield thread
    for record in held:
        if isinstance(record, ImportedComment):
            record = replace(record, thread_key=thread.key)
        yield record


@lru_cache(maxsize=256)
def _qualified(tag):
    """`wp:comment_id` for `{http://wordpress.org/export/1.2/}comment_id` (any WXR version),
    `content:encoded`, a plain name as it is; None for a WXR version not known here."""
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    prefix = WXR_NAMESPACES.get(namespace)
    if prefix:
        return f"{prefix}:{local}"
    if WXR_VERSION.fullmatch(namespace):
        return None
    return tag


def _name(element):
    name = _qualified(element.tag)
    if name is None:
        version = WXR_VERSION.fullmatch(element.tag[1:].partition("}")[0]).group(1)
        raise UnreadableExport(
            f"the file is a WordPress export of version {version} (WXR), which this reader "
            "doesn't know: it reads versions 1.0 to 1.2.",
            element.line,
        )
    return name


def _shown(tag):
    return tag.rpartition("}")[2]


def _fields(element):
    """Its children by name (the first of each), for one pass over them."""
    fields = {}
    for child in element:
        fields.setdefault(_name(child), child)
    return fields


def _text(fields, name):
    child = fields.get(name)
    if child is None:
        return ""
    # Text, or CDATA; markup an exporter left unescaped is read for its text only.
    return ((child.text or "") if len(child) == 0 else "".join(child.itertext())).strip()


def _thread(item, *, required):
    fields = _fields(item)
    key = _text(fields, "wp:post_id")
    if not key:
        if not required:
            return None
        raise UnreadableExport("a post (<item>) has no wp:post_id.", item.line)
    return Thread(key=key, link=_text(fields, "link"), title=_text(fields, "title"))


def _comment(element, thread_key):
    fields = _fields(element)
    source_id = _text(fields, "wp:comment_id")
    if not source_id:
        raise UnreadableExport("a comment has no wp:comment_id.", element.line)
    kind = _text(fields, "wp:comment_type").lower()
    if kind not in COMMENT_TYPES:
        return Skipped(source_id=source_id, reason=kind)
    approved = _text(fields, "wp:comment_approved")
    if approved.lower() not in WORDPRESS_STATUSES:
        raise UnreadableExport(
            f"comment {source_id} has the status “{approved}” (wp:comment_approved), which "
            "WordPress doesn't use: it knows 1, 0, spam, trash and post-trashed.",
            fields.get("wp:comment_approved", element).line,
        )
    parent = _text(fields, "wp:comment_parent")
    return ImportedComment(
        thread_key=thread_key,
        source_id=source_id,
        parent_id=None if parent in ("", "0") else parent,
        author_name=_text(fields, "wp:comment_author"),
        author_email=_text(fields, "wp:comment_author_email"),
        author_url=_text(fields, "wp:comment_author_url"),
        ip_address=ip_or_blank(_text(fields, "wp:comment_author_IP")),
        submitted_at=_submitted_at(element, fields, source_id),
        body=_text(fields, "wp:comment_content"),
        status=WORDPRESS_STATUSES[approved.lower()],
    )


def _submitted_at(element, fields, source_id):
    for name in ("wp:comment_date_gmt", "wp:comment_date"):
        value = _text(fields, name)
        if not value or value == NO_DATE:
            continue
        match = DATE.fullmatch(value)
        try:
            return datetime(*map(int, match.groups()), tzinfo=UTC)
        except (AttributeError, ValueError):  # no match, or no such day (2023-02-30)
            raise UnreadableExport(
                f"comment {source_id}'s date “{value}” ({name}) is not a date and time "
                "written YYYY-MM-DD HH:MM:SS.",
                fields[name].line,
            ) from None
    raise UnreadableExport(
        f"comment {source_id} has no date (no wp:comment_date_gmt or wp:comment_date).",
        element.line,
    )
