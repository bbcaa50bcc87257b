"""What the API answers, shared by its packages: a comment as readers see it, a discussion
with a page of its threads, and an error. No email, hash of one, IP address or user agent is
in any of them, and a body is always the sanitized HTML (never what another reader typed)."""

from datetime import datetime
from typing import Literal

from ninja import Schema


class CommentOut(Schema):
    """A comment in a thread. A removed comment kept as the placeholder of its approved
    replies has status "removed" and no author or body; a poster's own comment may be
    "pending" (only in answers to that poster)."""

    id: int
    parent: int | None
    depth: int
    status: Literal["approved", "pending", "removed"]
    author: str
    author_url: str
    staff: bool
    body_html: str
    submitted_at: datetime
    edited_at: datetime | None
    featured: bool
    recommendations: int  # readers' recommendations of an approved comment (else 0)
    url: str  # where it is shown: a path on this site (a client elsewhere adds the API's origin)
    replies: list["CommentOut"] = []


Order = Literal["oldest", "newest", "best"]


class DiscussionOut(Schema):
    """A discussion and one page of its threads, paged as the HTML page pages them, its
    threads in `order` (oldest first, newest first, or most recommended first)."""

    id: int
    title: str
    url: str
    is_open: bool
    approved_count: int
    page: int
    num_pages: int
    threads_per_page: int
    order: Order
    comments: list[CommentOut]


class ErrorOut(Schema):
    """Any refusal: a sentence for people, and, for a form, each field's messages (the
    HTML form's own wording; "__all__" for the form as a whole)."""

    message: str
    errors: dict[str, list[str]] = {}
