"""Everything stored about one commenter, as JSON: `manage.py export_commenter_data EMAIL`.

For a reader's request to see their data (docs/privacy.md). Writes to standard
output, or to --output FILE.
"""

import json

from django.core.management.base import BaseCommand

from comments.moderation import commenter_data


class Command(BaseCommand):
    help = "Write everything stored about the commenter with this email, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", help="a file to write instead of standard output")

    def handle(self, *args, email, output, **options):
        found = commenter_data(email)
        data = json.dumps(found, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(data + "\n")
            count = len(found["comments"])
            self.stderr.write(f"{count} comment{'s' if count != 1 else ''} written to {output}")
        else:
            self.stdout.write(data)
