"""Show PostgreSQL's plan for each hot query on the comments table, run for real.

    DATABASE_URL=postgres://…/newsite_bench DJANGO_SETTINGS_MODULE=bench.settings \
        manage.py explain_hot_queries

Meant for a big database (`make_load_data`, or `make bench`'s newsite_bench with a million
comments): each plan should read an index, never the whole table. tests/models/test_indexes.py
checks that each query can use its index; this shows that the planner does, at scale.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, F

from comments.models import Comment
from comments.thread import ThreadComment


def hot_queries():
    """{name: queryset} for the queries every page view, post or moderation step runs, with
    arguments taken from the data (the article with the most comments, a real author)."""
    busiest = (
        Comment.objects.values("article")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("article", flat=True)
        .first()
    )
    author = Comment.objects.approved().order_by("-pk").values_list(
        "author_name", "email_normalized"
    ).first() or ("", "")
    return {
        "the thread of the busiest article": Comment.objects.for_article_thread(busiest)
        .order_by(*Comment._meta.ordering)
        .values_list(*ThreadComment.FIELDS),
        "the moderation queue, first page": Comment.objects.pending().order_by(
            F("spam_score").desc(nulls_last=True), "-submitted_at", "-pk"
        )[:50],
        # The rows `Comment.objects.pending().count()` counts (the admin index shows it).
        "the pending count": Comment.objects.pending().order_by().values("pk"),
        "all comments, newest first, first page": Comment.objects.order_by("-submitted_at", "-pk")[
            :50
        ],
        "approved comments, newest first": Comment.objects.approved().order_by(
            "-submitted_at", "-pk"
        )[:50],
        # As .exists() asks it (comments.moderation.initial_decision): no ORDER BY.
        "the policy's known-author look-up": Comment.objects.approved()
        .filter(author_name=author[0], email_normalized=author[1])
        .order_by()
        .values("pk")[:1],
    }


class Command(BaseCommand):
    help = "EXPLAIN ANALYZE the hot queries on the comments table (PostgreSQL)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Needs PostgreSQL (DATABASE_URL=postgres://…).")
        total = Comment.objects.count()
        self.stdout.write(f"{total:,} comments\n")
        for name, queryset in hot_queries().items():
            plan = queryset.explain(analyze=True)
            self.stdout.write(self.style.MIGRATE_HEADING(name))
            self.stdout.write(plan + "\n")
