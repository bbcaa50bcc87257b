"""Benchmark what the spam defences add to one post.

Posts --posts comments through Django's test client (the whole middleware, form and
moderation stack, no network) twice, inside a transaction that is rolled back: once with
the defences idle (no blocks, empty word lists, flood control off) and once with them all
working (--blocks blocks, half emails and half IP ranges; --words words in each list; flood
control on, every post from its own address and email so none is refused). The honeypot,
the signed form token, the link count and the duplicate check run in both. Prints the
median and p95 of each and the difference. Run it by hand with DEBUG off, e.g.

    SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py bench_post

With REDIS_URL set, flood control talks to Redis.
"""

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client
from django.urls import reverse

from bench.management.benchmarks import benchmark_discussion, rolled_back
from comments.models import Block, DiscussionSettings
from comments.public.forms import sign_form_token


class Command(BaseCommand):
    help = "Time one comment post with the spam defences idle and working (nothing is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=200)
        parser.add_argument("--blocks", type=int, default=1000)
        parser.add_argument("--words", type=int, default=500)

    def handle(self, *args, posts, blocks, words, **options):
        with rolled_back():
            self._run(posts, blocks, words)

    def _run(self, posts, blocks, words):
        discussion = benchmark_discussion()
        url = reverse("comments:post", kwargs={"discussion_id": discussion.pk})
        token = sign_form_token(discussion, time.time() - 60)
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]

        DiscussionSettings(flood_seconds=0).save()
        idle = self._time_posts(url, token, posts, "idle")

        DiscussionSettings(
            flood_seconds=15,
            hold_words="\n".join(f"holdword{n}" for n in range(words)),
            disallowed_words="\n".join(f"banned-phrase-{n}" for n in range(words)),
        ).save()
        Block.objects.bulk_create(
            [Block(email=f"blocked{n}@example.net") for n in range(blocks // 2)]
            + [Block(network=f"10.{n // 256}.{n % 256}.0/24") for n in range(blocks - blocks // 2)]
        )
        working = self._time_posts(url, token, posts, "working")

        self.stdout.write(
            f"one post, {posts} posts each, cache {backend}; working: {blocks} blocks, "
            f"{words} words in each list, flood control on"
        )
        for label, timings in (("defences idle", idle), ("defences working", working)):
            ms = sorted(t * 1000 for t in timings)
            self.stdout.write(
                f"  {label:<17} median {statistics.median(ms):6.2f} ms   "
                f"p95 {ms[int(len(ms) * 0.95) - 1]:6.2f} ms"
            )
        added = (statistics.median(working) - statistics.median(idle)) * 1000
        self.stdout.write(f"  the checks add   {added:6.2f} ms to the median post")

    def _time_posts(self, url, token, posts, run):
        client = Client(SERVER_NAME="localhost")
        timings = []
        for n in range(posts):
            data = {
                "name": f"Reader {n}",
                "email": f"{run}{n}@example.com",
                "comment": f"Comment {n} of the {run} run, with <em>some</em> markup.\n\nMore.",
                "token": token,
            }
            # Its own address and email, outside every block: none is refused or caught, and
            # flood keys of earlier runs (unique per run) never collide.
            address = f"192.{n // 62500 % 256}.{n // 250 % 250}.{n % 250 + 1}"
            start = time.perf_counter()
            response = client.post(url, data, REMOTE_ADDR=address)
            timings.append(time.perf_counter() - start)
            if response.status_code != 302:
                raise RuntimeError(f"post {n} of the {run} run answered {response.status_code}")
        return timings
