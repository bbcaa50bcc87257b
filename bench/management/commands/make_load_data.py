"""Fill a database with realistic articles and threaded comments, in bulk, for load tests.

    manage.py make_load_data --articles 100 --comments 1000000

Idempotent: the articles are "load-<n>" (made if missing), and comments are added only until
those articles hold --comments in all, so running it again adds nothing, and a larger number
adds the difference. Comments come in waves of threads (half start one, the rest answer a
comment of the wave before, up to four deep), mostly approved, a few pending or spam, spread
over the articles and over the last months. Bodies are drawn from a few hundred texts
sanitized once, so a million comments cost minutes, not bleach's hours.
"""

import random
import sys
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.models import Comment

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
        load_articles = self._articles(articles)
        existing = Comment.objects.filter(article__in=load_articles).count()
        missing = max(0, comments - existing)
        self.stdout.write(
            f"{len(load_articles)} load articles; {existing} comments there, adding {missing}."
        )
        bodies = self._bodies(rng)
        start, added = time.perf_counter(), 0
        serial = existing
        while added < missing:
            size = min(BATCH, missing - added)
            with transaction.atomic():
                self._wave(load_articles, size, serial, bodies, rng)
            added += size
            serial += size
            rate = added / (time.perf_counter() - start)
            sys.stderr.write(f"\r  {added:,}/{missing:,} comments ({rate:,.0f}/s)")
            sys.stderr.flush()
        if missing:
            sys.stderr.write("\n")
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

    def _wave(self, load_articles, size, serial, bodies, rng):
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
                article = parent.article if parent else rng.choice(load_articles)
                raw, html = rng.choice(bodies)
                comment = Comment(
                    article=article,
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
