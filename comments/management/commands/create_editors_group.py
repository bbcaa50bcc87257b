"""`manage.py create_editors_group [--also-app LABEL …]`: the Editors group, with what an
editor may do in the comments app (comments.editors) and, with --also-app, every permission
of the project's own apps (the demo site gives its editors the articles). Run it again at
any time: it only adds what is missing."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from comments.editors import EDITORS_GROUP, ensure_editors_group


class Command(BaseCommand):
    help = "Create or update the Editors group: moderating comments without being a superuser."

    def add_arguments(self, parser):
        parser.add_argument(
            "--also-app",
            action="append",
            default=[],
            metavar="LABEL",
            help="also give editors every permission of this app (repeatable)",
        )

    def handle(self, *args, also_app, **options):
        for label in also_app:
            if label not in {config.label for config in apps.get_app_configs()}:
                raise CommandError(f"No installed app is labelled {label!r}.")
        editors = ensure_editors_group(apps, also_app)
        self.stdout.write(
            f'The "{EDITORS_GROUP}" group has {editors.permissions.count()} permissions.'
        )
