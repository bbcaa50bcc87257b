"""Comments out, as WordPress reads them: a WXR file (WordPress eXtended RSS 1.2), the file
WordPress's Tools → Import → WordPress takes, and the one `read_wordpress` reads back.
`manage.py export_comments --format wordpress` writes the site's discussions through this:
each a `Thread` (its id, title and absolute address) with its comments as `ImportedComment`s
(the text as typed in `body`).

Streamed: each discussion is written as it comes, so a site's whole history never sits in
memory. Only what WordPress's own export carries goes in; the file holds commenters' emails
and IP addresses (WordPress needs them to keep its moderation history), so it is for the site's
editors, never for readers.
"""

import re
from datetime import UTC
from xml.sax.saxutils import XMLGenerator

from .records import ImportedComment, Thread

WP = "http://wordpress.org/export/1.2/"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
# A comment's status as WordPress's comment_approved says it.
APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "removed": "trash"}
DATE = "%Y-%m-%d %H:%M:%S"
# Characters XML 1.0 can't hold: the file would not parse. The form refuses them; an old or
# admin-edited comment might still have one.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _Numbers:
    """WordPress ids are numbers: a source's own numeric id is kept, any other is given the
    next number not taken, the same one every time it is asked for."""

    def __init__(self):
        self.given = {}
        self.taken = set()
        self.next = 1

    def __call__(self, key):
        if key is None or key == "":
            return "0"
        if key not in self.given:
            text = str(key)
            if not (text.isdecimal() and int(text) > 0 and text not in self.taken):
                while str(self.next) in self.taken:
                    self.next += 1
                text = str(self.next)
            self.given[key] = text
            self.taken.add(text)
        return self.given[key]


def write_wordpress(discussions, out, *, site_title="", site_link=""):
    """Write `discussions` (pairs of a `Thread` and its `ImportedComment`s, parents before
    their replies) to the binary file `out` as WXR 1.2. Numeric ids are kept; any other id
    (Disqus's, a CSV's) is given a number, the same for a comment and the replies naming it."""
    xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
    post_ids, comment_ids = _Numbers(), _Numbers()
    xml.startDocument()
    xml.startElement("rss", {"version": "2.0", **{f"xmlns:{k}": v for k, v in NAMESPACES.items()}})
    xml.startElement("channel", {})
    _text(xml, "title", site_title)
    _text(xml, "link", site_link)
    _text(xml, "wp:wxr_version", "1.2")
    for thread, comments in discussions:
        _write_item(xml, thread, comments, post_ids, comment_ids)
    xml.endElement("channel")
    xml.endElement("rss")
    xml.endDocument()


def _write_item(xml, thread: Thread, comments, post_ids, comment_ids):
    xml.startElement("item", {})
    _text(xml, "title", thread.title)
    _text(xml, "link", thread.link)
    _text(xml, "wp:post_id", post_ids(thread.key))
    _text(xml, "wp:post_type", "post")
    _text(xml, "wp:status", "publish")
    for comment in comments:
        _write_comment(xml, comment, comment_ids)
    xml.endElement("item")


def _write_comment(xml, comment: ImportedComment, comment_ids):
    when = comment.submitted_at.astimezone(UTC).strftime(DATE)
    xml.startElement("wp:comment", {})
    for name, value in (
        ("comment_id", comment_ids(comment.source_id)),
        ("comment_author", comment.author_name),
        ("comment_author_email", comment.author_email),
        ("comment_author_url", comment.author_url),
        ("comment_author_IP", comment.ip_address),
        ("comment_date", when),
        ("comment_date_gmt", when),
        ("comment_content", comment.body),
        ("comment_approved", APPROVED[comment.status]),
        ("comment_type", "comment"),
        ("comment_parent", comment_ids(comment.parent_id)),
    ):
        _text(xml, f"wp:{name}", value)
    xml.endElement("wp:comment")


def _text(xml, name, value):
    xml.startElement(name, {})
    xml.characters(_XML_INVALID.sub("", value or ""))
    xml.endElement(name)


def by_thread(records):
    """(Thread, [ImportedComment, …]) pairs from a reader's records, in the order the threads
    came; `Skipped` records are left out. Holds the comments in memory: for converting a
    file; the site's own export writes each discussion as it reads it."""
    threads, comments = {}, {}
    for record in records:
        if isinstance(record, Thread):
            threads.setdefault(record.key, record)
            comments.setdefault(record.key, [])
        elif isinstance(record, ImportedComment):
            comments.setdefault(record.thread_key, []).append(record)
    return [(thread, comments[key]) for key, thread in threads.items()]
