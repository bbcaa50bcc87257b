"""Editors read the spam filter's report (and train it: see SpamFilterVersionAdmin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ("view_spamfilterversion", "view_spamexample")


def _editors_and_permissions(apps):
    comments = apps.get_app_config("comments")
    comments.models_module = True
    create_permissions(comments, apps=apps, verbosity=0)
    comments.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="comments", codename__in=CODENAMES
    )
    return Group.objects.filter(name="Editors"), list(permissions)


def grant(apps, schema_editor):
    groups, permissions = _editors_and_permissions(apps)
    for editors in groups:
        editors.permissions.add(*permissions)


def revoke(apps, schema_editor):
    groups, permissions = _editors_and_permissions(apps)
    for editors in groups:
        editors.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("comments", "0010_spam_filter")]

    operations = [migrations.RunPython(grant, revoke)]
