"""The site's comments out: `manage.py export_comments --format wordpress`.

Writes a WordPress export (WXR 1.2, comments.history.write_wordpress) of every discussion
that has comments, or of those named with --discussion, to --output or to stdout: one
<item> a discussion (its title; its link, the object's address on COMMENTS_SITE_URL or the
page's own URL; wp:post_id, the discussion's id) holding its comments (author, email,
website, IP address, date in UTC, the text as typed, status, the comment it answers; ids
are the comments' own). WordPress's Tools → Import → WordPress takes it, and so does
`import_comments`, which finds the same discussions again (objects by path, pages by URL).

Streamed: one discussion's comments at a time, read in chunks. The file holds commenters'
emails and IP addresses, as WordPress's own does: it is for the site's editors, never for
readers.
"""

import sys
from urllib.parse import urljoin

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from comments.conf import settings
from comments.history import ImportedComment, Thread, write_wordpress
from comments.models import Comment, Discussion

FIELDS = (
    "pk",
    "parent_id",
    "author_name",
    "author_email",
    "author_url",
    "ip_address",
    "submitted_at",
    "body_raw",
    "status",
)
CHUNK = 2000


def discussion_link(discussion):
    """Where the discussed thing is, as an absolute address: a page's own URL; an object's
    address on this site (COMMENTS_SITE_URL), which import_comments matches by its path."""
    if discussion.is_page:
        return discussion.url
    site = settings.COMMENTS_SITE_URL.rstrip("/") + "/"
    return urljoin(site, discussion.url or discussion.get_absolute_url())


def exported(discussions):
    """(Thread, its comments) pairs for write_wordpress, the comments read as they are
    written: parents before their replies (by depth), in the order they came."""
    for discussion in discussions.iterator(chunk_size=CHUNK):
        thread = Thread(
            key=str(discussion.pk), link=discussion_link(discussion), title=discussion.title
        )
        yield thread, _comments(discussion, thread.key)


def _comments(discussion, thread_key):
    rows = (
        Comment.objects.filter(discussion=discussion)
        .order_by("depth", "pk")
        .values_list(*FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    for pk, parent_id, name, email, url, ip, submitted_at, body, status in rows:
        yield ImportedComment(
            thread_key=thread_key,
            source_id=str(pk),
            parent_id=None if parent_id is None else str(parent_id),
            author_name=name,
            author_email=email,
            author_url=url,
            ip_address=ip or "",
            submitted_at=submitted_at,
            body=body,
            status=status,
        )


class Command(BaseCommand):
    help = "Export comments as a file WordPress imports (see docs/history.md)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["wordpress"], default="wordpress")
        parser.add_argument("--output", metavar="FILE", help="default: stdout")
        parser.add_argument(
            "--discussion",
            type=int,
            action="append",
            metavar="ID",
            help="only this discussion (may be given more than once; default: every "
            "discussion that has comments)",
        )

    def handle(self, *args, **options):
        ids = options["discussion"]
        if ids:
            discussions = Discussion.objects.filter(pk__in=ids)
            missing = sorted(set(ids) - set(discussions.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No discussion {', '.join(map(str, missing))}.")
        else:
            has_comments = Exists(Comment.objects.filter(discussion=OuterRef("pk")))
            discussions = Discussion.objects.filter(has_comments)
        discussions = discussions.order_by("pk")
        path = options["output"]
        if path:
            try:
                with open(path, "wb") as out:
                    self.write(discussions, out)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror or error}.") from error
        else:
            stream = options.get("stdout") or sys.stdout
            self.write(discussions, getattr(stream, "buffer", stream))

    def write(self, discussions, out):
        write_wordpress(
            exported(discussions),
            out,
            site_title=settings.COMMENTS_SITE_NAME,
            site_link=settings.COMMENTS_SITE_URL,
        )
