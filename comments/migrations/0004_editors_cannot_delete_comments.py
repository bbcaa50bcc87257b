"""Editors decide on comments (approve, spam, remove, restore); they never hard-delete them.

A deletion leaves no comment to restore, so only superusers keep it.
"""

from django.db import migrations


def revoke_delete(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    delete_comment = Permission.objects.filter(
        content_type__app_label="comments", codename="delete_comment"
    )
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(*delete_comment)


def grant_delete(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    delete_comment = Permission.objects.filter(
        content_type__app_label="comments", codename="delete_comment"
    )
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.add(*delete_comment)


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_audit_trail_identity_fingerprint")]

    operations = [migrations.RunPython(revoke_delete, grant_delete)]
