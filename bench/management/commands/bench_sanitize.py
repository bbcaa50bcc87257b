"""Time the comment sanitizer on the worst inputs a reader can post, and on ordinary ones.

Each case runs check_markup (what the form does before saving) and sanitize_comment (what
saving does; for a refused post, what an edit in the admin, which skips the form, would cost).
The table shows whether the form accepts the case, with the refusal's code, and the median
milliseconds of both calls together. Run it by hand with DEBUG off, e.g.
`SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py bench_sanitize`.
"""

import statistics
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from comments import sanitize
from comments.models import COMMENT_MAX_LENGTH

LIMIT = COMMENT_MAX_LENGTH


def _fill(unit, length=LIMIT):
    """`unit` repeated to `length` characters at most."""
    return unit * (length // len(unit))


def _nested(tag, depth):
    return f"<{tag}>" * depth + "x" + f"</{tag}>" * depth


def _ordinary(length):
    """Prose in paragraphs with a little markup: one emphasis and one link per paragraph."""
    paragraph = (
        "I was at the talks and, honestly, <em>nobody</em> expected this outcome. The "
        '<a href="https://example.org/report">report</a> explains why, and the minister said '
        "as much in her speech; the opposition, for once, agreed with most of it. " + "We will "
        "see what the next round brings, and whether the harbour accord survives the winter. "
        * 4
        + "\n\n"
    )
    return (paragraph * (length // len(paragraph) + 1))[:length]


def cases():
    depth, tags = sanitize.MAX_NESTING, sanitize.MAX_TAGS
    formatting = "".join(f"<{tag}>" for tag in ("b", "i", "em", "strong", "q", "cite", "code"))
    return {
        # The worst cases found before the fix.
        '"<b>" * 21000': "<b>" * 21000,
        '"<b><blockquote></b>" to the limit': _fill("<b><blockquote></b>"),
        '"<" to the limit': "<" * LIMIT,
        # Text that html5lib reads one character or one token at a time.
        '"&" to the limit': "&" * LIMIT,
        '"&amp;" to the limit': _fill("&amp;"),
        '"&#" to the limit': _fill("&#"),
        '">" to the limit': ">" * LIMIT,
        '"a<b " to the limit': _fill("a<b "),
        '"</ " to the limit': _fill("</ "),
        "spaces, then one letter": " " * (LIMIT - 1) + "x",
        "line breaks to the limit": _fill("a\n"),
        f"{sanitize.MAX_PARAGRAPHS} paragraphs (the most allowed)": "\n\n".join(
            ["a"] * sanitize.MAX_PARAGRAPHS
        ),
        "blank lines to the limit": _fill("a\n\n"),
        "7 formatting tags left open, then paragraphs": formatting
        + _fill("a\n\n", LIMIT - len(formatting))[: (sanitize.MAX_PARAGRAPHS - 1) * 3],
        # Tags, comments and attributes.
        '"<br>" to the limit': _fill("<br>"),
        "links to the limit": _fill('<a href="https://example.org/">x</a> '),
        f"{tags // 2} links (the most allowed)": '<a href="https://example.org/">x</a> '
        * (tags // 2),
        f"<q> nested {depth} deep, up to MAX_TAGS": _nested("q", depth) * (tags // (2 * depth)),
        f"<a> nested {depth} deep, up to MAX_TAGS": _nested("a", depth) * (tags // (2 * depth)),
        '"<b><blockquote></b>" up to the nesting limit': "<b><blockquote></b>" * (depth - 1),
        "one huge attribute": '<a href="https://example.org/' + "x" * (LIMIT - 40) + '">x</a>',
        "one huge attribute of &": '<a title="' + "&" * (LIMIT - 20) + '">x</a>',
        "a tag with 30,000 attributes": "<b " + "a " * 30000 + ">",
        f"{tags // 2} tags with {sanitize.MAX_ATTRIBUTES} attributes each": (
            "<b " + " ".join(f"a{i}=1" for i in range(sanitize.MAX_ATTRIBUTES)) + ">x</b>"
        )
        * (tags // 2),
        '"<!--" to the limit (never closed)': _fill("<!--"),
        '"<!---->" to the limit': _fill("<!---->"),
        "one comment to the limit": "<!--" + _fill("<!--", LIMIT - 7) + "-->",
        '"<script>" to the limit (never closed)': _fill("<script>"),
        "one script to the limit": "<script>" + _fill("<b>", LIMIT - 17) + "</script>",
        "a quote never closed, then tags": '<a href="x>' + _fill("<b>y</b>", LIMIT - 11),
        # Honest comments.
        "ordinary 65,000-char text": _ordinary(65000),
        "typical 500-char comment": _ordinary(500),
    }


class Command(BaseCommand):
    help = "Time check_markup + sanitize_comment on pathological and ordinary comments."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        self.stdout.write(
            f"limits: MAX_TAGS {sanitize.MAX_TAGS}, MAX_NESTING {sanitize.MAX_NESTING}, "
            f"MAX_ATTRIBUTES {sanitize.MAX_ATTRIBUTES}, MAX_PARAGRAPHS {sanitize.MAX_PARAGRAPHS}"
            f"; median of {runs} runs of check_markup + sanitize_comment"
        )
        self.stdout.write(f"{'case':<52} {'length':>7}  {'form':<30} {'ms':>7}")
        slowest = 0.0
        for name, text in cases().items():
            timings, verdict = [], "accepted"
            for _ in range(runs):
                start = time.perf_counter()
                try:
                    sanitize.check_markup(text)
                except ValidationError as error:
                    verdict = f"refused ({error.code})"
                sanitize.sanitize_comment(text)
                timings.append((time.perf_counter() - start) * 1000)
            median = statistics.median(timings)
            slowest = max(slowest, median)
            self.stdout.write(f"{name:<52} {len(text):>7}  {verdict:<30} {median:7.1f}")
        self.stdout.write(f"slowest case: {slowest:.1f} ms")
