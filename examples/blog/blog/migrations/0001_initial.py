import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="LiveEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("slug", models.SlugField(max_length=200, unique=True)),
                ("starts_at", models.DateTimeField()),
                ("is_public", models.BooleanField(default=False)),
            ],
            options={"ordering": ["-starts_at", "-pk"]},
        ),
        migrations.CreateModel(
            name="Post",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("slug", models.SlugField(max_length=200, unique=True)),
                ("body", models.TextField()),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("is_draft", models.BooleanField(default=True)),
            ],
            options={"ordering": ["-published_at", "-pk"]},
        ),
    ]
