"""Editors decide on comments (approve, spam, remove, restore); they never hard-delete them.

A deletion leaves no comment to restore, so only superusers keep it.
"""

from django.db import migrations


def _editors_and_delete_permission(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    delete_comment = Permission.objects.filter(
        content_type__app_label="comments", codename="delete_comment"
    )
    return Group.objects.filter(name="Editors"), list(delete_comment)


def revoke_delete(apps, schema_editor):
    groups, permissions = _editors_and_delete_permission(apps)
    for editors in groups:
        editors.permissions.remove(*permissions)


def grant_delete(apps, schema_editor):
    groups, permissions = _editors_and_delete_permission(apps)
    for editors in groups:
        editors.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_audit_trail_identity_fingerprint")]

    operations = [migrations.RunPython(revoke_delete, grant_delete)]
