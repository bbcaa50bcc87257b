"""The "Editors" group: staff who write articles and moderate comments, not superusers.

It lives in the comments app because that app depends on articles, so both apps'
permissions exist by the time this runs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from comments.migrations import ARTICLES

EDITORS = "Editors"
PERMISSIONS = {
    "articles": ("add_article", "change_article", "delete_article", "view_article"),
    "comments": ("change_comment", "delete_comment", "view_comment"),  # 0004 revokes delete
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    for app_label, codenames in PERMISSIONS.items():
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def delete_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        *ARTICLES,
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
