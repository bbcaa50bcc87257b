"""The comments app's migrations.

The app began as this demo site's, with a foreign key from each comment to its article;
0017 to 0019 moved comments to Discussions. So that a project without the demo's `articles`
app can run the same migrations, the early ones name `articles` only where it is installed:
`ARTICLES` is the dependency on it (or nothing), and `article_field()` the column comments had
(a foreign key to the article, or else a plain nullable integer, which 0019 drops all the same).
"""

from django.apps import apps
from django.db import migrations, models

ARTICLES = [("articles", "0001_initial")] if apps.is_installed("articles") else []


def article_field(**options):
    """Comment.article as the early migrations made it: a foreign key to articles.Article
    where that app is installed, else a nullable integer column nothing reads."""
    if ARTICLES:
        return models.ForeignKey(
            on_delete=models.CASCADE, related_name="comments", to="articles.article", **options
        )
    return models.IntegerField(null=True, editable=False)


class OnPostgreSQL(migrations.operations.base.Operation):
    """`operation`'s state change; on PostgreSQL `sql` (forwards) and `reverse_sql`
    (backwards) instead of its schema change, one statement per transaction."""

    reduces_to_sql = False

    def __init__(self, operation, sql, reverse_sql):
        self.operation, self.sql, self.reverse_sql = operation, sql, reverse_sql

    def deconstruct(self):
        return (self.__class__.__name__, [self.operation, self.sql, self.reverse_sql], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return self.operation.database_forwards(app_label, schema_editor, from_state, to_state)
        for statement in self.sql:
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return self.operation.database_backwards(app_label, schema_editor, from_state, to_state)
        for statement in self.reverse_sql:
            schema_editor.execute(statement, params=None)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL: without long locks)"


def editors_may(*codenames):
    """A RunPython that gives the Editors group these permissions of the app's models (made
    first, as `migrate` would only make them at its end), and takes them back backwards:
    the one way a migration widens what editors may do (comments.editors lists the whole)."""
    from django.contrib.auth.management import create_permissions

    def editors_and_permissions(apps):
        comments = apps.get_app_config("comments")
        comments.models_module = True
        create_permissions(comments, apps=apps, verbosity=0)
        comments.models_module = None
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        permissions = Permission.objects.filter(
            content_type__app_label="comments", codename__in=codenames
        )
        return Group.objects.filter(name="Editors"), list(permissions)

    def grant(apps, schema_editor):
        groups, permissions = editors_and_permissions(apps)
        for editors in groups:
            editors.permissions.add(*permissions)

    def revoke(apps, schema_editor):
        groups, permissions = editors_and_permissions(apps)
        for editors in groups:
            editors.permissions.remove(*permissions)

    return migrations.RunPython(grant, revoke)
