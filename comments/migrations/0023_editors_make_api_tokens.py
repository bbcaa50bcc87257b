"""Editors may make API tokens for their own tools, and revoke them: the Editors group gets
the view, add and change permissions of ApiToken, as comments.editors lists them (not delete:
a revoked token is kept as the record that it existed). Backwards, it loses them."""

from django.db import migrations

from . import editors_may


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("comments", "0022_api_tokens"),
    ]

    operations = [editors_may("view_apitoken", "add_apitoken", "change_apitoken")]
