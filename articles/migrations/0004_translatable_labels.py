"""The article's labels in the editor's language: each field and the model named in words a
catalog translates (verbose names, in English what the admin showed already). No change to
the database."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editors_write_articles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-pk"],
                "verbose_name": "article",
                "verbose_name_plural": "articles",
            },
        ),
        migrations.AlterField(
            model_name="article",
            name="body",
            field=models.TextField(
                help_text="Plain text; a blank line starts a new paragraph.", verbose_name="body"
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="byline",
            field=models.CharField(max_length=200, verbose_name="byline"),
        ),
        migrations.AlterField(
            model_name="article",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="article",
            name="headline",
            field=models.CharField(max_length=200, verbose_name="headline"),
        ),
        migrations.AlterField(
            model_name="article",
            name="photo_caption",
            field=models.CharField(blank=True, max_length=300, verbose_name="photo caption"),
        ),
        migrations.AlterField(
            model_name="article",
            name="published_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="published at"
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="slug",
            field=models.SlugField(max_length=200, unique=True, verbose_name="slug"),
        ),
        migrations.AlterField(
            model_name="article",
            name="standfirst",
            field=models.TextField(
                blank=True,
                help_text="One or two sentences under the headline.",
                verbose_name="standfirst",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")],
                default="draft",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
    ]
