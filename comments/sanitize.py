"""Turn what a reader typed into safe HTML, once, when the comment is written.

The policy: tags outside the whitelist are stripped (their text is kept, as WordPress does),
except elements whose content is code or hidden text (script, style, …), which are dropped
whole. Links may only point at http, https or mailto and always carry rel="nofollow ugc".
Blank lines become paragraphs and single line breaks become <br>; a second bleach pass lets
the HTML5 parser repair nesting (a <blockquote> can never end up inside a <p>).
"""

import re

import bleach
from bleach.html5lib_shim import Filter
from django.utils.html import linebreaks

# The reader's whitelist: the sanitizer and the form's "You may use these HTML tags" note
# are both generated from this one constant.
ALLOWED_TAGS = {
    "a": ("href", "title"),
    "abbr": ("title",),
    "acronym": ("title",),
    "b": (),
    "blockquote": ("cite",),
    "cite": (),
    "code": (),
    "del": ("datetime",),
    "em": (),
    "i": (),
    "q": ("cite",),
    "strike": (),
    "strong": (),
}
ALLOWED_PROTOCOLS = ("http", "https", "mailto")
LINK_REL = "nofollow ugc"

# Elements dropped with everything inside them: their content is code, or text a browser
# would never show, so keeping it as visible text would only confuse readers.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "iframe", "noscript", "noembed", "noframes",
        "object", "embed", "textarea", "select", "title", "xmp", "svg", "math", "head",
    }
)  # fmt: skip

# What the sanitizer's own line-break pass adds on top of the reader's whitelist.
_STRUCTURE_TAGS = ("p", "br")


class _DropContentFilter(Filter):
    """Drop DROPPED_WITH_CONTENT elements and every token inside them."""

    def __iter__(self):
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            if kind in ("StartTag", "EndTag", "EmptyTag") and token["name"] in DROPPED_WITH_CONTENT:
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth = max(depth - 1, 0)
                continue
            if depth == 0:
                yield token


class _LinkRelFilter(Filter):
    """Give every link rel="nofollow ugc", replacing whatever was there."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                attrs = {key: value for key, value in token["data"].items() if key != (None, "rel")}
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


def _cleaner(extra_tags, filter_class):
    """A bleach Cleaner for the whitelist plus `extra_tags`.

    Cleaners keep parser state and are not thread-safe, so each call builds its own
    (about 70 µs; sanitizing happens once per comment, on write).
    """
    return bleach.Cleaner(
        tags=set(ALLOWED_TAGS) | set(extra_tags),
        attributes={tag: list(attrs) for tag, attrs in ALLOWED_TAGS.items()},
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[filter_class],
    )


# Leftovers of the repair pass: empty paragraphs, and formatting split around a paragraph break.
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")
_EMPTY_FORMATTING = re.compile(r"<(b|i|em|strong|strike|del|cite|code|q|abbr|acronym)>(\s*)</\1>")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def sanitize_comment(raw):
    """Return the safe HTML to show for a comment whose reader-typed text is `raw`."""
    text = _TRAILING_SPACE.sub("\n", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return ""
    safe = _cleaner(DROPPED_WITH_CONTENT, _DropContentFilter).clean(text).strip()
    html = _cleaner(_STRUCTURE_TAGS, _LinkRelFilter).clean(linebreaks(safe))
    html = _EMPTY_FORMATTING.sub(r"\2", html)
    return _EMPTY_PARAGRAPH.sub("", html).strip()


def check_markup(raw):
    """Refuse, with a ValidationError a reader can act on, markup too costly to sanitize or show.

    Called by the comment form before anything is saved, so the reader's text is kept.
    """


def allowed_tags_help():
    """The whitelist as WordPress words it: <a href="" title=""> <abbr title=""> …"""
    parts = []
    for tag, attrs in ALLOWED_TAGS.items():
        attributes = "".join(f' {name}=""' for name in attrs)
        parts.append(f"<{tag}{attributes}>")
    return " ".join(parts)
