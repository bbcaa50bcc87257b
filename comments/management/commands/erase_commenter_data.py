"""Anonymise one commenter's comments: `manage.py erase_commenter_data EMAIL [--remove-text]`.

For a reader's request to erase their data (docs/privacy.md). Through the write
path (comments.moderation.erase), in batches, each recorded in the trail; ends the address's
email subscriptions (comments.notify); prints a summary.
"""

from django.core.management.base import BaseCommand

from comments import moderation
from comments.moderation import comments_of
from comments.moderation.privacy import end_subscriptions

RULE = "erasure request"


class Command(BaseCommand):
    help = "Anonymise the comments of the commenter with this email (text kept unless asked)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--remove-text", action="store_true", help="remove the comments' text too"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, email, remove_text, batch_size, **options):
        ids = list(comments_of(email).values_list("pk", flat=True))
        ended = end_subscriptions(email)
        erased = 0
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            erased += len(moderation.erase(batch, by=RULE, remove_text=remove_text))
        text = "removed" if remove_text else "kept"
        self.stdout.write(
            f"Erased the personal data of {erased} comment{'s' if erased != 1 else ''} "
            f"(name, email, website, IP address, user agent; text {text})."
        )
        if ended:
            self.stdout.write(f"Ended {ended} email subscription{'s' if ended != 1 else ''}.")
