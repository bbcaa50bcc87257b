"""The "close after days" setting is about any discussion, not only articles: its label says
so (no change to the table)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0020_editors_open_and_close_discussions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="discussionsettings",
            name="close_after_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="0: never; blank follows the environment.",
                null=True,
                verbose_name="close discussions older than (days)",
            ),
        ),
    ]
