"""Where an imported comment came from (Comment.import_key, unique when set), and the trail's
"import" action (comments.moderation.imports). On PostgreSQL the column is added without
rewriting the table; the unique index is partial, over imported comments only."""

from django.conf import settings
from django.db import migrations, models

from comments.migrations import ARTICLES


class Migration(migrations.Migration):
    dependencies = [
        *ARTICLES,
        ("comments", "0015_reasons_without_the_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="import_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name="moderationevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "Submitted"),
                    ("approve", "Approved"),
                    ("spam", "Marked as spam"),
                    ("remove", "Removed"),
                    ("restore", "Restored"),
                    ("edit", "Edited"),
                    ("delete", "Deleted"),
                    ("feature", "Featured as an editors' pick"),
                    ("unfeature", "No longer an editors' pick"),
                    ("erase", "Author's personal data erased"),
                    ("purge", "IP address and user agent purged"),
                    ("import", "Imported from another system"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("import_key", ""), _negated=True),
                fields=("import_key",),
                name="unique_import_key",
            ),
        ),
    ]
