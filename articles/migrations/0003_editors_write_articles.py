"""This site's editors write articles too: the Editors group (the comments app makes it, for
moderating; this app knows it only by name) gets every permission on articles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"


def grant(apps, schema_editor):
    articles = apps.get_app_config("articles")
    articles.models_module = True
    create_permissions(articles, apps=apps, verbosity=0)
    articles.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="articles"))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for editors in apps.get_model("auth", "Group").objects.filter(name=EDITORS):
        editors.permissions.remove(*Permission.objects.filter(content_type__app_label="articles"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0002_comments_open_moves_to_discussions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
