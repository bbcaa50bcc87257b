"""How long a real browser takes to show the worst comments the sanitizer lets through.

Markup can hurt readers without any script: one approved comment of <q> nested 21,841 deep
took Chromium 14.6 s to load. sanitize.check_markup bounds nesting and tag count; this times
Chromium on an article page holding one comment built to the edge of those bounds (and on an
ordinary comment, for comparison). Each page is rendered by Django's whole stack inside a
transaction that is rolled back, then served to headless Chromium through Playwright's request
routing: no server, no network. Needs the dev dependencies and /usr/bin/chromium, e.g.
`SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py bench_render`.
"""

import statistics
import time
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from bench.management.benchmarks import benchmark_article, rolled_back
from comments import moderation, sanitize
from comments.models import COMMENT_MAX_LENGTH, Discussion
from comments.public.forms import CommentForm, sign_form_token

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://bench.invalid"


def _nested(tag, depth, text="x"):
    return f"<{tag}>" * depth + text + f"</{tag}>" * depth


INLINE_TAGS = ("b", "i", "em", "strong", "q", "cite", "code", "del", "abbr", "strike")


def _mixed(depth):
    tags = [INLINE_TAGS[level % len(INLINE_TAGS)] for level in range(depth)]
    return "".join(f"<{t}>" for t in tags) + "x" + "".join(f"</{t}>" for t in reversed(tags))


def _fill(unit, *, tags_per_unit):
    """Repeat `unit` as often as the tag limit and the length limit both allow."""
    by_tags = sanitize.MAX_TAGS // tags_per_unit
    by_length = COMMENT_MAX_LENGTH // len(unit)
    return unit * max(1, min(by_tags, by_length))


def worst_cases():
    depth = sanitize.MAX_NESTING
    return {
        "ordinary 500-char comment": (
            "I was at the talks. <em>Nobody</em> expected this, and the "
            '<a href="https://example.org/report">report</a> says why. ' * 4
        ),
        f"<q> nested {depth} deep, repeated": _fill(_nested("q", depth), tags_per_unit=2 * depth),
        f"<blockquote> nested {depth} deep, repeated": _fill(
            _nested("blockquote", depth), tags_per_unit=2 * depth
        ),
        f"mixed inline nesting {depth} deep, repeated": _fill(
            _mixed(depth), tags_per_unit=2 * depth
        ),
        "as many links as allowed": _fill(
            '<a href="https://example.org/a">link</a> ', tags_per_unit=2
        ),
        "longest plain text": "word " * (COMMENT_MAX_LENGTH // 5),
    }


class Command(BaseCommand):
    help = "Time Chromium loading an article page with the worst allowed comment (nothing kept)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as error:
            raise CommandError("Needs the dev dependencies: pip install -e '.[dev]'") from error
        if not Path(CHROMIUM).exists():
            raise CommandError(f"Needs Chromium at {CHROMIUM}: apt-get install -y chromium")

        pages = self._render_pages()
        self.stdout.write(
            f"limits: nesting {sanitize.MAX_NESTING}, tags {sanitize.MAX_TAGS}; "
            f"Chromium load (median of {runs}, min, max)"
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for name, (length, html) in pages.items():
                    times = [self._load(browser, html) for _ in range(runs)]
                    self.stdout.write(
                        f"{name:<40} {length:>6} chars  median {statistics.median(times):7.1f} ms"
                        f"  min {min(times):7.1f}  max {max(times):7.1f}"
                    )
            finally:
                browser.close()

    def _render_pages(self):
        """Each case's article page as Django serves it; the data is rolled back."""
        pages = {}
        with rolled_back():
            for name, text in worst_cases().items():
                article = benchmark_article(f"Bench: {name}")
                discussion = Discussion.objects.of(article)
                form = CommentForm(
                    {
                        "name": "Bench",
                        "email": "bench@example.com",
                        "comment": text,
                        "token": sign_form_token(discussion, time.time() - 60),
                    },
                    discussion=discussion,
                )
                if not form.is_valid():
                    raise CommandError(f"{name}: refused by the form: {form.errors}")
                comment = moderation.submit(
                    form.build_comment(ip_address=None, user_agent="bench_render")
                )
                moderation.approve([comment], by="bench_render")
                response = Client(SERVER_NAME="localhost").get(article.get_absolute_url())
                pages[name] = (len(text), response.content)
        return pages

    def _load(self, browser, html):
        context = browser.new_context()
        page = context.new_page()

        def serve(route):
            path = route.request.url.removeprefix(ORIGIN)
            if path == "/article":
                return route.fulfill(body=html, content_type="text/html; charset=utf-8")
            static = path.startswith("/static/") and finders.find(path.removeprefix("/static/"))
            if static:
                return route.fulfill(path=static)
            return route.fulfill(status=404, body="")

        page.route(f"{ORIGIN}/**", serve)
        start = time.perf_counter()
        page.goto(f"{ORIGIN}/article", wait_until="load")
        page.evaluate("document.body.getBoundingClientRect().height")  # finish layout
        elapsed = (time.perf_counter() - start) * 1000
        context.close()
        return elapsed
