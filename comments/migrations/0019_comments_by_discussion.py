"""Discussions, step 3 of 3: the switch. Every comment has its discussion now (0018; a
comment the old code posted since is given its own first), so the column becomes required, the
thread's index and the duplicate constraint are rebuilt on it, and the article column goes.

On PostgreSQL nothing here stops readers or writers for long (measured on a million comments:
docs/deploy.md): each statement runs in its own transaction (atomic = False), the indexes are
built CONCURRENTLY, the NOT NULL is proved by a CHECK validated under SHARE UPDATE EXCLUSIVE
so SET NOT NULL needs no scan, and the foreign key is left alone (Django's AlterField would
drop and re-validate it). The ACCESS EXCLUSIVE locks left are catalogue-only. Elsewhere
(SQLite) Django's own operations run. Backwards, the article column comes back empty, for
0018's way back to fill.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

from comments.migrations import ARTICLES, OnPostgreSQL

# The article column as it comes back, on PostgreSQL: a foreign key where articles is installed.
ARTICLE_COLUMN = (
    'ALTER TABLE "comments_comment" ADD COLUMN "article_id" bigint NULL '
    'CONSTRAINT "comments_comment_article_id_94fe60a2_fk_articles_article_id" '
    'REFERENCES "articles_article" ("id") DEFERRABLE INITIALLY DEFERRED'
    if ARTICLES
    else 'ALTER TABLE "comments_comment" ADD COLUMN "article_id" integer NULL'
)


def give_late_comments_their_discussion(apps, schema_editor):
    """0018 again, for comments the old code posted after it ran (it only fills the gaps)."""
    import_module("comments.migrations.0018_comments_join_discussions").forwards(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        *ARTICLES,
        ("comments", "0018_comments_join_discussions"),
    ]

    operations = [
        migrations.RunPython(give_late_comments_their_discussion, migrations.RunPython.noop),
        # The new indexes first, while the old ones still serve.
        OnPostgreSQL(
            migrations.AddIndex(
                model_name="comment",
                index=models.Index(
                    fields=["discussion", "status", "submitted_at"], name="comment_thread"
                ),
            ),
            sql=[
                'CREATE INDEX CONCURRENTLY IF NOT EXISTS "comment_thread" ON "comments_comment" '
                '("discussion_id", "status", "submitted_at")'
            ],
            reverse_sql=['DROP INDEX CONCURRENTLY IF EXISTS "comment_thread"'],
        ),
        OnPostgreSQL(
            migrations.RemoveConstraint(model_name="comment", name="unique_comment_unless_removed"),
            sql=[
                'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "unique_comment_by_discussion" '
                'ON "comments_comment" ("discussion_id", "fingerprint") '
                "WHERE NOT (\"status\" = 'removed')",
                'DROP INDEX CONCURRENTLY IF EXISTS "unique_comment_unless_removed"',
            ],
            reverse_sql=[
                'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "unique_comment_unless_removed" '
                'ON "comments_comment" ("article_id", "fingerprint") '
                "WHERE NOT (\"status\" = 'removed')",
            ],
        ),
        OnPostgreSQL(
            migrations.AddConstraint(
                model_name="comment",
                constraint=models.UniqueConstraint(
                    condition=models.Q(("status", "removed"), _negated=True),
                    fields=("discussion", "fingerprint"),
                    name="unique_comment_unless_removed",
                ),
            ),
            sql=[
                'ALTER INDEX "unique_comment_by_discussion" '
                'RENAME TO "unique_comment_unless_removed"'
            ],
            reverse_sql=[
                'ALTER INDEX "unique_comment_unless_removed" '
                'RENAME TO "unique_comment_by_discussion"',
                'DROP INDEX CONCURRENTLY IF EXISTS "unique_comment_by_discussion"',
            ],
        ),
        OnPostgreSQL(
            migrations.AlterField(
                model_name="comment",
                name="discussion",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="comments",
                    to="comments.discussion",
                ),
            ),
            sql=[
                'ALTER TABLE "comments_comment" ADD CONSTRAINT "comment_discussion_not_null" '
                'CHECK ("discussion_id" IS NOT NULL) NOT VALID',
                'ALTER TABLE "comments_comment" VALIDATE CONSTRAINT "comment_discussion_not_null"',
                'ALTER TABLE "comments_comment" ALTER COLUMN "discussion_id" SET NOT NULL',
                'ALTER TABLE "comments_comment" DROP CONSTRAINT "comment_discussion_not_null"',
            ],
            reverse_sql=[
                'ALTER TABLE "comments_comment" ALTER COLUMN "discussion_id" DROP NOT NULL'
            ],
        ),
        OnPostgreSQL(
            migrations.RemoveIndex(model_name="comment", name="comments_co_article_b5615d_idx"),
            sql=['DROP INDEX CONCURRENTLY IF EXISTS "comments_co_article_b5615d_idx"'],
            reverse_sql=[
                'CREATE INDEX CONCURRENTLY IF NOT EXISTS "comments_co_article_b5615d_idx" '
                'ON "comments_comment" ("article_id", "status", "submitted_at")'
            ],
        ),
        OnPostgreSQL(
            migrations.RemoveField(model_name="comment", name="article"),
            sql=[
                'DROP INDEX CONCURRENTLY IF EXISTS "comments_comment_article_id_94fe60a2"',
                'ALTER TABLE "comments_comment" DROP COLUMN "article_id"',
            ],
            reverse_sql=[
                ARTICLE_COLUMN,
                'CREATE INDEX CONCURRENTLY IF NOT EXISTS "comments_comment_article_id_94fe60a2" '
                'ON "comments_comment" ("article_id")',
            ],
        ),
    ]
