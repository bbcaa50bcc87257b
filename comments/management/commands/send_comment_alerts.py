"""Send the editors' alert for comments held since the last one, if one is due.

    manage.py send_comment_alerts

For cron, every minute or so: held comments alert the editors as they arrive, at most once
every COMMENTS_ALERT_MINUTES; those held during that quiet period would otherwise wait for
the next held comment to be reported. This sends them once the period is over. Cheap when
there is nothing to say (one cache read, one query), and safe beside the app servers: the
same cache lock decides who sends (comments.desk.alerts).
"""

from django.core.management.base import BaseCommand, CommandError

from comments.desk import alerts


class Command(BaseCommand):
    help = "Queue the editors' alert about comments held since the last one, if one is due."

    def handle(self, *args, **options):
        if not alerts.alert_minutes():
            self.stdout.write("Alerts are off (COMMENTS_ALERT_MINUTES is 0).")
            return
        try:
            due = alerts.has_unreported()
        except Exception as error:  # the cache did not answer
            raise CommandError(
                f"The cache did not answer ({error}); held comments are alerted as they arrive "
                "meanwhile, without the rate limit."
            ) from error
        if not due:
            self.stdout.write("Nothing held since the last alert.")
            return
        sent = alerts.send_due_alert()
        if sent:
            self.stdout.write(
                f"Alert queued for the task worker: {sent} message{'s' if sent != 1 else ''}."
            )
        else:
            self.stdout.write(
                "No alert queued: one went out less than COMMENTS_ALERT_MINUTES ago, or no "
                "editor has an email address (see the log)."
            )
