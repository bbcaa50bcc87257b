"""The Editors group: staff who moderate comments without being superusers.

What an editor may do in the comments app is listed here once; `manage.py
create_editors_group` (and, for a new database, the app's first migration) gives the group
exactly these permissions. A project adds its own (writing articles …) with `--also-app`.

Wiring: imports nothing of the app's layers.
"""

from django.contrib.auth.management import create_permissions

EDITORS_GROUP = "Editors"

# Editors decide on comments but never delete them for good (superusers only: the trail must
# outlive any editor's mistake); they set the discussion policy and blocks, open and close
# discussions, read the spam filter's versions and examples, and make, rename and revoke API
# tokens for their own tools (the admin shows each editor their own only; deleting one, and
# with it the record that it existed, is for superusers).
EDITOR_PERMISSIONS = (
    "view_comment",
    "change_comment",
    "view_discussion",
    "change_discussion",
    "view_discussionsettings",
    "change_discussionsettings",
    "view_block",
    "add_block",
    "change_block",
    "delete_block",
    "view_spamfilterversion",
    "view_spamexample",
    "view_apitoken",
    "add_apitoken",
    "change_apitoken",
)


def ensure_editors_group(apps, also_apps=()):
    """Create the Editors group (or bring it up to date) with EDITOR_PERMISSIONS and every
    permission of the apps in `also_apps`; return it. `apps` is the app registry (a
    migration's historical one, or django.apps.apps)."""
    labels = ("comments", *also_apps)
    for label in labels:
        app_config = apps.get_app_config(label)
        # Permissions are normally created after all migrations; make sure they exist now.
        had_models_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments", codename__in=EDITOR_PERMISSIONS
        )
    )
    if also_apps:
        editors.permissions.add(*Permission.objects.filter(content_type__app_label__in=also_apps))
    return editors
