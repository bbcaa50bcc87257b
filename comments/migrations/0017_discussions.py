"""Discussions, step 1 of 3: the Discussion table, and a nullable `discussion` column on
comments beside `article` (which becomes nullable, so the way back can refill it first).

On PostgreSQL each statement is its own transaction (atomic = False) and none holds a lock
readers wait on for more than a moment: both column changes are catalogue-only, and the new
column's foreign key is added NOT VALID, then validated under a lock that lets reads and
writes go on (Django's AddField would check a million rows under the table's strongest lock:
2.5 s of blocked readers, measured). No index is built here. 0018 fills the new column in
batches, and 0019 makes the switch.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from comments.migrations import ARTICLES, OnPostgreSQL, article_field

DISCUSSION_FK = "comments_comment_discussion_id_9f4ea1d4_fk_comments_"
# Back to NOT NULL without a long lock: a CHECK proved under SHARE UPDATE EXCLUSIVE first.
ARTICLE_REQUIRED_AGAIN = [
    'ALTER TABLE "comments_comment" ADD CONSTRAINT "comment_article_not_null" '
    'CHECK ("article_id" IS NOT NULL) NOT VALID',
    'ALTER TABLE "comments_comment" VALIDATE CONSTRAINT "comment_article_not_null"',
    'ALTER TABLE "comments_comment" ALTER COLUMN "article_id" SET NOT NULL',
    'ALTER TABLE "comments_comment" DROP CONSTRAINT "comment_article_not_null"',
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        *ARTICLES,
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0016_imported_comments"),
    ]

    operations = [
        migrations.CreateModel(
            name="Discussion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.CharField(blank=True, default="", max_length=64)),
                (
                    "url",
                    models.CharField(
                        blank=True, default="", max_length=500, verbose_name="address"
                    ),
                ),
                ("title", models.CharField(blank=True, default="", max_length=300)),
                (
                    "is_open",
                    models.BooleanField(
                        default=True,
                        help_text="Readers may post new comments here.",
                        verbose_name="open for comments",
                    ),
                ),
                (
                    "closes_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Comments close at this time (blank: only 'close after days' applies).",
                        null=True,
                        verbose_name="closes",
                    ),
                ),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "approved_count",
                    models.PositiveIntegerField(
                        default=0, editable=False, verbose_name="approved comments"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "ordering": ["-published_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("content_type__isnull", False)),
                        fields=("content_type", "object_id"),
                        name="unique_discussion_per_object",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("content_type__isnull", True)),
                        fields=("url",),
                        name="unique_discussion_per_page",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("content_type__isnull", False),
                            models.Q(("url", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="discussion_of_object_or_page",
                    ),
                ],
            },
        ),
        OnPostgreSQL(
            migrations.AlterField(
                model_name="comment",
                name="article",
                field=article_field(null=True),
            ),
            sql=['ALTER TABLE "comments_comment" ALTER COLUMN "article_id" DROP NOT NULL'],
            # Without articles the column was never required.
            reverse_sql=ARTICLE_REQUIRED_AGAIN if ARTICLES else [],
        ),
        OnPostgreSQL(
            migrations.AddField(
                model_name="comment",
                name="discussion",
                field=models.ForeignKey(
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="comments",
                    to="comments.discussion",
                ),
            ),
            sql=[
                'ALTER TABLE "comments_comment" ADD COLUMN "discussion_id" bigint NULL',
                f'ALTER TABLE "comments_comment" ADD CONSTRAINT "{DISCUSSION_FK}" '
                'FOREIGN KEY ("discussion_id") REFERENCES "comments_discussion" ("id") '
                "DEFERRABLE INITIALLY DEFERRED NOT VALID",
                f'ALTER TABLE "comments_comment" VALIDATE CONSTRAINT "{DISCUSSION_FK}"',
            ],
            reverse_sql=['ALTER TABLE "comments_comment" DROP COLUMN "discussion_id"'],
        ),
    ]
