"""Create an editor: a staff account in the Editors group, for moderating in /admin/.

Editors need not be superusers (docs/editors.md), so this is what `make editor`
runs instead of createsuperuser. The password is typed twice and checked by the site's
password validators; it is never an argument, which would land in the shell's history.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comments.editors import EDITORS_GROUP


class Command(BaseCommand):
    help = (
        "Create a staff account in the Editors group, which may moderate comments (and do "
        "what else the project gives the group) in /admin/ without being a superuser. "
        "Asks for the username (unless --username is given) and for the password, twice. "
        "For scripts and tests, --password-from-env VAR reads the password from the "
        "environment variable VAR instead of asking. If the user already exists, it is "
        "made staff and added to Editors, and its password is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", help="The new editor's username (asked if absent).")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the password from the environment variable VAR instead of asking.",
        )

    def handle(self, *args, username=None, password_from_env=None, **options):
        User = get_user_model()
        try:
            editors = Group.objects.get(name=EDITORS_GROUP)
        except Group.DoesNotExist:
            raise CommandError(
                f'There is no "{EDITORS_GROUP}" group: run "manage.py migrate" first.'
            ) from None

        username = self.clean_username(username) if username else self.ask_username()
        existing = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if existing is not None:
            self.make_editor(existing, editors)
            self.stdout.write(
                f'"{username}" already existed: it is now staff and in {EDITORS_GROUP}. Its '
                f"password is unchanged (manage.py changepassword {username} sets a new one)."
            )
            return

        user = User(**{User.USERNAME_FIELD: username})
        if password_from_env:
            password = os.environ.get(password_from_env)
            if not password:
                raise CommandError(f"The environment variable {password_from_env} is not set.")
            self.check_password(password, user)
        else:
            password = self.ask_password(user)
        user.set_password(password)
        self.make_editor(user, editors)
        self.stdout.write(f'Editor "{username}" created: sign in at /admin/ to moderate comments.')

    @transaction.atomic
    def make_editor(self, user, editors):
        user.is_staff = True
        user.save()
        user.groups.add(editors)

    def clean_username(self, raw):
        """The username as the model would store it, or an error saying what is wrong."""
        field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
        try:
            return field.clean(raw.strip(), None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None

    def ask_username(self):
        while True:
            try:
                return self.clean_username(input("Username: "))
            except CommandError as error:
                self.stderr.write(f"Error: {error}")
            except EOFError:
                raise CommandError("No username: give --username or type one.") from None

    def check_password(self, password, user):
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def ask_password(self, user):
        """Ask until the two entries match and the validators accept the password."""
        while True:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                self.stderr.write("Error: the two passwords didn't match.")
                continue
            try:
                self.check_password(password, user)
            except CommandError as error:
                self.stderr.write(f"Error: {error}")
                continue
            return password
