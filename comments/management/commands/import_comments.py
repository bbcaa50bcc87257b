"""Bring a newsroom's comment history in: `manage.py import_comments FILE`.

Reads a WordPress export (WXR), a Disqus export or the documented CSV (docs/history.md),
chosen by --format or by the file's first bytes, and attaches each thread's comments to the
published article whose address has the same path as the thread's link (so a changed domain
still matches). Threads no article matches are listed and their comments skipped. The whole
file is one transaction (comments.moderation.bring_in): a malformed file is refused with its
line and reason, and nothing of it stays. Importing the same file again adds nothing.
"""

from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from comments import moderation
from comments.history import FORMATS, UnreadableExport, read_export, sniff_format


def page_path(url):
    """The path of a page's address, with the trailing slash Django's URLs have."""
    path = urlsplit((url or "").strip()).path or "/"
    return path if path.endswith("/") else f"{path}/"


class Command(BaseCommand):
    help = "Import comments from a WordPress, Disqus or CSV export (see docs/history.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file's start")
        parser.add_argument(
            "--source",
            help="the old system's name, kept with each comment so a re-import adds nothing "
            "(default: the format)",
        )
        parser.add_argument(
            "--teach-filter",
            action="store_true",
            help="let the spam filter learn from the approved and spam comments imported",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            format_ = options["format"] or sniff_format(path)
            articles = {
                page_path(article.get_absolute_url()): article
                for article in Article.objects.published().only("pk", "slug")
            }
            report = moderation.bring_in(
                read_export(path, format_),
                source=options["source"] or format_,
                find_discussed=lambda thread: articles.get(page_path(thread.link)),
                teach_filter=options["teach_filter"],
            )
        except UnreadableExport as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from error
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}.") from error
        self.stdout.write(
            f"Read {report.read} comments in {report.threads} threads from {path} ({format_})."
        )
        added = ", ".join(f"{count} {status}" for status, count in report.added.items() if count)
        self.stdout.write(
            f"Added {report.added_total} comments" + (f": {added}." if added else ".")
        )
        for reason, count in sorted(report.skipped.items()):
            if count:
                self.stdout.write(f"Skipped {count}: {reason}.")
        for link in report.unmatched:
            self.stdout.write(f"No article at {link}: its comments were skipped.")
