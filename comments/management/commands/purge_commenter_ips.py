"""Clear IP addresses and user agents older than COMMENTS_IP_RETENTION_DAYS (default 60).

    manage.py purge_commenter_ips

Safe to run from cron as often as you like (daily is plenty): it touches only comments not
purged yet, in batches, each recorded in the trail (rule "IP retention").
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from comments import moderation


class Command(BaseCommand):
    help = "Clear the IP address and user agent of comments older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        days = settings.COMMENTS_IP_RETENTION_DAYS
        before = timezone.now() - timedelta(days=days)
        purged = moderation.purge_ips(before, batch_size=batch_size)
        self.stdout.write(
            f"Purged the IP address and user agent of {purged} comment"
            f"{'s' if purged != 1 else ''} older than {days} days."
        )
