"""Bring a newsroom's comment history in: `manage.py import_comments FILE`.

Reads a WordPress export (WXR), a Disqus export or the documented CSV (docs/history.md),
chosen by --format or by the file's first bytes, and attaches each thread's comments to the
discussion of the public object (of a COMMENTS_MODELS model) whose address has the same path
as the thread's link (so a changed domain still matches), or else to the discussion of the
page at that link (--objects-only: skipped, and listed). The whole file is one transaction
(comments.moderation.bring_in): a malformed file is refused with its line and reason, and
nothing of it stays. Importing the same file again adds nothing. A large file's bodies are
sanitized in --workers processes (default: one per CPU).

On a terminal (or with --progress) it says how far it has got on stderr, on one line: "Read
12,000 comments…", then "Added 3,000 of 12,000 comments…"; stdout has the report only.
"""

from django.core.management.base import BaseCommand, CommandError

from comments import moderation
from comments.history import FORMATS, UnreadableExport, read_export, sniff_format


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
            "--objects-only",
            action="store_true",
            help="skip threads whose link matches no object of this site, rather than "
            "starting a discussion of that page",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="say how far the import has got on stderr (the default on a terminal)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="processes sanitizing the bodies of a large file (default: one per CPU; "
            "1: this one only)",
        )
        parser.add_argument(
            "--teach-filter",
            action="store_true",
            help="let the spam filter learn from the approved and spam comments imported",
        )

    _shown = 0  # the length of the progress line on the terminal

    def show_progress(self, message):
        """`message` over the last one, on one line."""
        self.stderr.write(f"\r{message:<{self._shown}}", style_func=str, ending="")
        self.stderr.flush()
        self._shown = len(message)

    def handle(self, *args, **options):
        path = options["file"]
        progress = None
        if options["progress"] or self.stderr.isatty():
            progress = self.show_progress
        try:
            format_ = options["format"] or sniff_format(path)
            report = moderation.bring_in(
                read_export(path, format_),
                source=options["source"] or format_,
                find_discussed=moderation.DiscussionsByLink(objects_only=options["objects_only"]),
                teach_filter=options["teach_filter"],
                workers=options["workers"],
                progress=progress,
            )
        except UnreadableExport as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from error
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}.") from error
        finally:
            if self._shown:
                self.stderr.write("", style_func=str)  # ends the progress line
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
            self.stdout.write(f"Nothing to discuss at {link}: its comments were skipped.")
