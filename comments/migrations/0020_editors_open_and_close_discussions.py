"""Editors may open and close discussions (and see them): the Editors group gets the
Discussion permissions, as comments.editors lists them. Backwards, it loses them."""

from django.db import migrations

from . import editors_may


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("comments", "0019_comments_by_discussion"),
    ]

    operations = [editors_may("view_discussion", "change_discussion")]
