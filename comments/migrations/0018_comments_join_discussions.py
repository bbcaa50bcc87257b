"""Discussions, step 2 of 3: each article gets its Discussion (title, address, publication
date, and its "comments open" switch, which moves there), and each comment is pointed at its
article's discussion; the approved counts are worked out once.

In batches, each its own short transaction (the migration is not atomic): a row being
updated is never hidden from readers (PostgreSQL's readers do not wait for writers), and
no transaction grows with the table. Run again after a failure, it carries on where it
stopped. Backwards it points comments at their article again (refusing if a comment belongs
to a discussion that is not an article's, which the old schema cannot hold) and gives the
switch back to the article.
"""

from django.db import migrations
from django.db.models import CharField, Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse

from comments.migrations import ARTICLES

BATCH = 20_000


def _article_url(slug):
    try:
        return reverse("articles:detail", kwargs={"slug": slug})
    except NoReverseMatch:  # a site without that URL: Discussion.objects.of() fills it in
        return ""


def fill_in_batches(empty, **values):
    """UPDATE the comments of `empty` (those with the column still to fill) to `values`, in
    ranges of BATCH ids, each its own statement (this migration is not atomic)."""
    last = 0
    while True:
        ids = list(empty.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        empty.filter(pk__gte=ids[0], pk__lte=ids[-1]).update(**values)
        last = ids[-1]


def _article_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="articles", model="article")[0]


def forwards(apps, schema_editor):
    if not ARTICLES:
        return
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    Discussion = apps.get_model("comments", "Discussion")
    article_type = _article_type(apps)
    existing = set(
        Discussion.objects.filter(content_type=article_type).values_list("object_id", flat=True)
    )
    articles = Article.objects.exclude(pk__in=[int(pk) for pk in existing if pk.isdecimal()])
    # The switch, where the article still has it (0019 runs this again after articles' 0002).
    has_switch = any(f.name == "comments_open" for f in Article._meta.get_fields())
    fields = ["pk", "headline", "slug", "published_at", *(["comments_open"] if has_switch else [])]
    Discussion.objects.bulk_create(
        (
            Discussion(
                content_type=article_type,
                object_id=str(article.pk),
                title=article.headline[:300],
                url=_article_url(article.slug),
                is_open=article.comments_open if has_switch else True,
                published_at=article.published_at,
            )
            for article in articles.only(*fields)
        ),
        batch_size=1000,
    )
    if schema_editor.connection.vendor == "postgresql":
        # The planner knows nothing of the new table yet; without this it looks each
        # comment's discussion up by content type alone (measured: 2.5 times slower).
        schema_editor.execute("ANALYZE comments_discussion")
    # Each comment's discussion, found by the discussion's unique (content type, object id).
    discussion_of_article = Subquery(
        Discussion.objects.filter(
            content_type=article_type, object_id=Cast(OuterRef("article_id"), CharField())
        ).values("pk")[:1]
    )
    fill_in_batches(
        Comment.objects.filter(discussion__isnull=True), discussion_id=discussion_of_article
    )
    # The approved counts in one grouped pass (a subquery per discussion would scan the
    # table once each: discussion_id has no index until 0019).
    counts = dict(
        Comment.objects.filter(status="approved", discussion__isnull=False)
        .order_by()
        .values_list("discussion")
        .annotate(count=Count("pk"))
    )
    discussions = list(Discussion.objects.filter(content_type=article_type).only("pk"))
    for discussion in discussions:
        discussion.approved_count = counts.get(discussion.pk, 0)
    Discussion.objects.bulk_update(discussions, ["approved_count"], batch_size=1000)


def backwards(apps, schema_editor):
    if not ARTICLES:
        return
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    Discussion = apps.get_model("comments", "Discussion")
    article_type = _article_type(apps)
    elsewhere = Comment.objects.exclude(discussion__content_type=article_type)
    if elsewhere.exists():
        raise RuntimeError(
            f"{elsewhere.count()} comments belong to discussions of pages or of other models, "
            "which the schema before discussions cannot hold: delete or export them first."
        )
    switches = Discussion.objects.filter(content_type=article_type).values_list(
        "object_id", "is_open"
    )
    closed = [int(object_id) for object_id, is_open in switches if not is_open]
    Article.objects.update(comments_open=True)
    Article.objects.filter(pk__in=closed).update(comments_open=False)
    # Each comment's article, from its discussion's object id; in id ranges, as forwards.
    article_of_discussion = Subquery(
        Discussion.objects.filter(pk=OuterRef("discussion_id"))
        .annotate(article_id=Cast("object_id", IntegerField()))
        .values("article_id")[:1]
    )
    fill_in_batches(Comment.objects.filter(article__isnull=True), article_id=article_of_discussion)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        *ARTICLES,
        ("comments", "0017_discussions"),
    ]
    # The articles' switch moves here before articles' 0002 drops it.
    run_before = [("articles", "0002_comments_open_moves_to_discussions")] if ARTICLES else []

    operations = [migrations.RunPython(forwards, backwards)]
