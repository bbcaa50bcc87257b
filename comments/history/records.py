"""What a reader gives back: plain, frozen records, and the one error a bad file raises.

The records carry the source's own ids and values as the file gives them (stripped of
surrounding whitespace), so that the import, which owns every decision about the site's
data, can match threads to articles, rebuild reply chains and report what it left out.
Nothing here touches the database or the app.
"""

from dataclasses import dataclass
from datetime import datetime

#: The statuses a comment can arrive in: the app's `Comment.Status` values, spelled out
#: here because the readers import nothing from the app.
STATUSES = ("approved", "pending", "spam", "removed")


@dataclass(frozen=True, slots=True)
class Thread:
    """A page the source held a discussion on.

    `key` is the source's own id for it (WordPress's `wp:post_id`, Disqus's `dsq:id`, the CSV's
    `thread_link`): comments name their thread by it. `link` is the page's URL as the file
    gives it, which the import matches to an article; `title` helps a person do so by hand.
    """

    key: str
    link: str
    title: str


@dataclass(frozen=True, slots=True)
class ImportedComment:
    """One comment, as the source held it.

    - `thread_key`: the `Thread.key` of the page it was posted on (yielded before it).
    - `source_id`, `parent_id`: the source's ids of the comment and of the one it answers
      (None at the top level). The parent may be missing from the file, or come later in it:
      the import decides what such a reply becomes.
    - `author_name` may be "" (WordPress allows it); `author_email` and `author_url` are as
      given, unchecked; `ip_address` is a valid IPv4 or IPv6 address or "" (an invalid one is
      dropped, since the site stores only valid ones).
    - `submitted_at`: an aware datetime in UTC.
    - `body`: the HTML or text exactly as in the file, NOT sanitized. It is whatever the old
      system stored, scripts included; the import sanitizes it as it would a reader's post
      (`comments.sanitize`), which a reader here may not import.
    - `status`: one of `STATUSES`.
    """

    thread_key: str
    source_id: str
    parent_id: str | None
    author_name: str
    author_email: str
    author_url: str
    ip_address: str
    submitted_at: datetime
    body: str
    status: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something read and deliberately not imported, so the import can count it and say so.

    `reason` names what it was: "pingback", "trackback", or another comment type a WordPress
    plugin stored (e.g. "order_note"), which is not a reader's comment.
    """

    source_id: str
    reason: str


Record = Thread | ImportedComment | Skipped


class UnreadableExport(ValueError):
    """An export file that can't be read: the only exception a reader raises for bad input.

    The message says where (the line, when known) and why, in words an editor can act on:
    "Line 42: a comment has no date." `line` and `reason` are kept for the caller. Readers
    stream, so records may have come out before it (never for a refused DOCTYPE, which comes
    before any element): the import must treat the file as all or nothing.
    """

    def __init__(self, reason, line=None):
        self.reason = reason
        self.line = line
        message = f"Line {line}: {reason}" if line else reason[:1].upper() + reason[1:]
        super().__init__(message)
