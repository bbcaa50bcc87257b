"""Editors may make API tokens for their own tools, and revoke them: the Editors group gets
the view, add and change permissions of ApiToken, as comments.editors lists them (not delete:
a revoked token is kept as the record that it existed). Backwards, it loses them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ("view_apitoken", "add_apitoken", "change_apitoken")


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
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("comments", "0022_api_tokens"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
