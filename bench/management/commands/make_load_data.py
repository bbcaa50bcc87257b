"""Fill a database with realistic articles and threaded comments, in bulk, for load tests.

    manage.py make_load_data --articles 100 --comments 1000000

Idempotent: the articles are "load-<n>" (made if missing), each with its Discussion (made
in bulk if missing, with the title, address and publication date Discussion.objects.of()
would give it), and comments are added only until those discussions hold --comments in all,
so running it again adds nothing, and a larger number adds the difference. Comments come in
waves of threads (half start one, the rest answer a comment of the wave before, up to four
deep), mostly approved, a few pending or spam, spread over the discussions and over the last
months. Bodies are drawn from a few hundred texts sanitized once, so a million comments cost
minutes, not bleach's hours. At the end each discussion's approved count is worked out once,
as the write path keeps it.
"""

import random
import sys
import time
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, Discussion
from comments.models.discussion import TITLE_MAX_LENGTH, URL_MAX_LENGTH

BATCH = 5000
WORDS = tuple(
    [
        "the",
        "council",
        "vote",
        "harbour",
        "accord",
        "talks",
        "budget",
        "minister",
        "readers",
        "local",
        "schools",
        "transport",
        "report",
        "housing",
        "river",
        "bridge",
        "climate",
        "health",
        "court",
        "election",
        "market",
        "workers",
        "museum",
        "festival",
        "season",
        "coach",
        "league",
        "data",
        "survey",
        "policy",
        "plan",
        "debate",
        "question",
        "answer",
        "evidence",
    ]
)


class Command(BaseCommand):
    help = "Bulk-create load-test articles and threaded comments (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100)
        parser.add_argument("--comments", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, articles, comments, seed, **options):
        rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        discussions = self._discussions(self._articles(articles))
        existing = Comment.objects.filter(discussion__in=discussions).count()
        missing = max(0, comments - existing)
        self.stdout.write(
            f"{len(discussions)} load articles and their discussions; {existing} comments "
            f"there, adding {missing}."
        )
        bodies = self._bodies(rng)
        start, added = time.perf_counter(), 0
        serial = existing
        while added < missing:
            size = min(BATCH, missing - added)
            with transaction.atomic():
                self._wave(discussions, size, serial, bodies, rng)
            added += size
            serial += size
            rate = added / (time.perf_counter() - start)
            sys.stderr.write(f"\r  {added:,}/{missing:,} comments ({rate:,.0f}/s)")
            sys.stderr.flush()
        if missing:
            sys.stderr.write("\n")
        # The approved counts the write path keeps (one UPDATE, reading the thread index).
        Discussion.objects.recount([discussion.pk for discussion in discussions])
        self.stdout.write(self.style.SUCCESS(f"Done: {existing + added} comments."))

    def _articles(self, count):
        now = timezone.now()
        wanted = {f"load-{n}": n for n in range(1, count + 1)}
        have = set(Article.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        Article.objects.bulk_create(
            Article(
                headline=f"Load-test article {n}: the council debates the harbour accord",
                slug=slug,
                standfirst="A generated article for load tests.",
                body="Generated for load tests.\n\nIt has a second paragraph.",
                byline="Load generator",
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=n),
            )
            for slug, n in wanted.items()
            if slug not in have
        )
        return list(Article.objects.filter(slug__in=wanted).order_by("pk"))

    def _discussions(self, load_articles):
        """Each article's Discussion, in the articles' order: made in bulk where missing,
        described as Discussion.objects.of() describes an article (so a page view finds
        nothing stale to update)."""
        article_type = ContentType.objects.get_for_model(Article)
        ids = [str(article.pk) for article in load_articles]
        mine = Discussion.objects.filter(content_type=article_type, object_id__in=ids)
        have = set(mine.values_list("object_id", flat=True))
        Discussion.objects.bulk_create(
            (
                Discussion(
                    content_type=article_type,
                    object_id=str(article.pk),
                    title=str(article)[:TITLE_MAX_LENGTH],
                    url=article.get_absolute_url()[:URL_MAX_LENGTH],
                    published_at=article.published_at,
                )
                for article in load_articles
                if str(article.pk) not in have
            ),
            batch_size=1000,
        )
        by_object = {discussion.object_id: discussion for discussion in mine}
        return [by_object[object_id] for object_id in ids]

    def _bodies(self, rng):
        """A few hundred comment texts, each sanitized once, as (raw, html)."""
        bodies = []
        for _ in range(300):
            sentences = [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
                for _ in range(rng.randint(1, 4))
            ]
            raw = "\n\n".join(sentences)
            if rng.random() < 0.2:
                raw = raw.replace("council", "<em>council</em>", 1)
            probe = Comment()
            probe.set_body(raw)
            bodies.append((probe.body_raw, probe.body_html))
        return bodies

    def _wave(self, discussions, size, serial, bodies, rng):
        """`size` comments in up to four levels, each level answering the one before."""
        now = timezone.now()
        shares = (0.5, 0.25, 0.15, 0.10)
        counts = [int(size * share) for share in shares]
        counts[0] += size - sum(counts)
        parents = []
        for depth, count in enumerate(counts):
            level = []
            for _ in range(count):
                serial += 1
                parent = rng.choice(parents) if parents else None
                discussion = parent.discussion if parent else rng.choice(discussions)
                raw, html = rng.choice(bodies)
                comment = Comment(
                    discussion=discussion,
                    parent=parent,
                    author_name=f"Reader {serial % 50_000}",
                    author_email=f"reader{serial}@example.com",
                    status=self._status(rng),
                    submitted_at=self._when(parent, now, rng),
                    ip_address=f"10.{serial % 256}.{serial // 256 % 256}.{serial // 65536 % 256}",
                    user_agent="Mozilla/5.0 (load generator)",
                )
                comment.body_raw, comment.body_html = raw, html
                comment._sanitized_from = raw
                comment.derive_fields()
                level.append(comment)
            Comment.objects.bulk_create(level, batch_size=1000)
            # Only approved comments are answered, as on the site.
            parents = [c for c in level if c.status == Comment.Status.APPROVED] if depth < 3 else []

    @staticmethod
    def _when(parent, now, rng):
        """Within the last few months; a reply some minutes after what it answers."""
        if parent is None:
            return now - timedelta(minutes=rng.randint(0, 200_000))
        return min(now, parent.submitted_at + timedelta(minutes=rng.randint(1, 600)))

    @staticmethod
    def _status(rng):
        roll = rng.random()
        if roll < 0.9:
            return Comment.Status.APPROVED
        if roll < 0.96:
            return Comment.Status.PENDING
        return Comment.Status.SPAM
