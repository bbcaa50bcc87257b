"""Show PostgreSQL's plan for each hot query on the comments and discussions tables, run for
real.

    DATABASE_URL=postgres://…/newsite_bench DJANGO_SETTINGS_MODULE=bench.settings \
        manage.py explain_hot_queries

Meant for a big database (`make_load_data`, or `make bench`'s newsite_bench with a million
comments): each plan should read an index, never the whole table. tests/models/test_indexes.py
checks that each query can use its index; this shows that the planner does, at scale.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Exists, F

from comments.models import Comment, Discussion, public_objects
from comments.thread import ThreadComment


def hot_queries():
    """{name: queryset} for the queries every page view, post or moderation step runs, with
    arguments taken from the data (the discussion with the most approved comments, a real
    author, a real comment)."""
    busiest = (
        Discussion.objects.order_by("-approved_count", "pk").select_related("content_type").first()
    )
    author = Comment.objects.approved().order_by("-pk").values_list(
        "author_name", "email_normalized"
    ).first() or ("", "")
    # A new post repeating the latest comment: what the duplicate check compares.
    latest = Comment.objects.order_by("-pk").values("discussion_id", "fingerprint").first()
    repeat = Comment(**latest) if latest else Comment()
    queries = {}
    if busiest is not None and not busiest.is_page:
        # What Discussion.objects.of(obj, public_only=True) asks on every page of an object
        # (the article page, warm or cold): its discussion, and whether readers may see it.
        model = busiest.content_type.model_class()
        if model is not None and public_objects(model) is not None:
            shown = public_objects(model).filter(pk=busiest.object_id)
            queries["the discussion of an article's page"] = Discussion.objects.filter(
                content_type=busiest.content_type_id, object_id=busiest.object_id
            ).annotate(shown=Exists(shown))[:1]
    queries |= {
        "the thread of the busiest discussion": Comment.objects.for_thread_of(busiest)
        .order_by(*Comment._meta.ordering)
        .values_list(*ThreadComment.FIELDS),
        # comments.moderation's duplicate check before each post (Comment.live_twins).
        "the duplicate check": Comment.objects.live_twins([repeat]).order_by().values("pk")[:1],
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
    return queries


class Command(BaseCommand):
    help = "EXPLAIN ANALYZE the hot queries on the comments and discussions tables (PostgreSQL)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Needs PostgreSQL (DATABASE_URL=postgres://…).")
        total = Comment.objects.count()
        discussions = Discussion.objects.count()
        self.stdout.write(f"{total:,} comments in {discussions:,} discussions\n")
        for name, queryset in hot_queries().items():
            plan = queryset.explain(analyze=True)
            self.stdout.write(self.style.MIGRATE_HEADING(name))
            self.stdout.write(plan + "\n")
