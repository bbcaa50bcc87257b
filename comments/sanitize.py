"""Turn what a reader typed into safe HTML, once, when the comment is written.

The policy: tags outside the whitelist are stripped (their text is kept, as WordPress does),
except elements whose content is code or hidden text (script, style, …), which are dropped
whole, but only when the reader closed them: an unclosed one is shown as the text it was
meant to be ("Use the <select> element…"). Links and quotes may only point at http, https,
mailto or a relative address, judged as a browser reads the URL, and links always carry
rel="nofollow ugc". Blank lines become paragraphs and single line breaks become <br>; a second
bleach pass lets the HTML5 parser repair nesting (a <blockquote> can never end up inside a <p>).

The work is bounded: html5lib's tree building costs time per token (and more than linear time
for deep nesting), so check_markup() refuses markup beyond limits no reader needs, and the text
between tags (however many "<", "&", ">" and line breaks it holds) reaches the parser as one
token, see _prepare().
"""

import html
import re
import unicodedata
from html.entities import html5 as _NAMED_ENTITIES

import bleach
from bleach.html5lib_shim import Filter
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

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

# Limits on markup, checked by check_markup() before anything is parsed. Each is far beyond
# what an honest comment holds (a long, carefully formatted comment has a few dozen tags,
# nested three or four deep, in a few dozen paragraphs), and each bounds a cost that grows
# with it: html5lib spends time per tag and per paragraph, more than linear time on deep or
# misnested formatting (every unclosed <b> is rebuilt in every later paragraph), and a
# browser lays out deep nesting slowly. At these limits the worst comment sanitizes in a few
# tens of milliseconds (`manage.py bench_sanitize`) and renders quickly (`bench_render`).
#
# Opening and closing tags count, and so do comments and other markup ("<!…>", "<?…>"). A "<"
# that starts no markup (no ">" after it, "a < b") is text and costs nothing.
MAX_TAGS = 500
# Elements of the whitelist open inside one another at once.
MAX_NESTING = 10
# Attributes on one tag: a pasted link with class, id, data-… attributes has under ten.
MAX_ATTRIBUTES = 20
# Paragraphs (text separated by blank lines): 65 characters each on average at the length
# limit; a list with one item per paragraph fits easily.
MAX_PARAGRAPHS = 1000

# The limits' messages, in the reader's language: each its whole sentence with the limit as
# a placeholder (translated where the error is raised, validate_markup).
MARKUP_ERRORS = {
    "too_many_tags": (
        _(
            "This comment has more than %(limit)s HTML tags, the most a comment may have "
            "(<b> and </b> count as two). Please remove some of the formatting, or split the "
            "comment into two."
        ),
        MAX_TAGS,
    ),
    "too_deep": (
        _(
            "This comment has HTML tags nested more than %(limit)s deep, the most a comment "
            "may have. Please close each tag once you are done with it (<b> needs a </b>), or "
            "remove some of them."
        ),
        MAX_NESTING,
    ),
    "too_many_attributes": (
        _(
            "A tag in this comment has more than %(limit)s attributes, the most a tag may "
            'have. Please keep only the ones the tag needs, such as href="…" on a link.'
        ),
        MAX_ATTRIBUTES,
    ),
    "too_many_paragraphs": (
        _(
            "This comment has more than %(limit)s paragraphs, the most a comment may have. "
            "Please remove some blank lines, or split the comment into two."
        ),
        MAX_PARAGRAPHS,
    ),
}


def markup_error(code):
    """The message of the limit `code` (a MARKUP_ERRORS key), in the active language."""
    message, limit = MARKUP_ERRORS[code]
    return message % {"limit": number_format(limit, force_grouping=True)}


# What the sanitizer's own line-break pass adds on top of the reader's whitelist.
_STRUCTURE_TAGS = ("p", "br")

# Elements whose content the tokenizer reads as plain text up to their closing tag.
_RAW_TEXT = frozenset(
    {"script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"}
)
# Elements that never have content or a closing tag.
_VOID = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image",
        "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    }
)  # fmt: skip


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


# Placeholders for characters html5lib would otherwise handle one token at a time (a text
# run of 65,000 "&" took over a second): private-use characters (noncharacters would be
# simpler, but html5lib reports each one as a parse error, which is slower still). A reader's
# own characters in this range are written as character references first, which shows them
# the same, so the placeholders can only be ours. _RESTORE turns them into what bleach would
# have written.
_LT, _GT, _AMP, _ENTITY, _BR = (chr(0xF0000 + offset) for offset in range(5))
_RESTORE = str.maketrans({_LT: "&lt;", _GT: "&gt;", _AMP: "&amp;", _ENTITY: "&", _BR: "<br>"})
_PLACEHOLDER_RANGE = re.compile("[\U000f0000-\U000f00ff]")
# Characters html5lib reports one parse error at a time (quadratic in their number): controls,
# noncharacters, lone surrogates. The form refuses them; other callers get them removed.
_PARSE_ERROR_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff"
    + "".join(
        chr(plane + last) for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF)
    )
    + "]"
)

# An "&" that starts a character reference bleach keeps as typed ("&eacute;", "&#233;");
# any other "&" is shown as typed, i.e. escaped. Bounded digits: int() refuses huge numbers.
_CHARACTER_REFERENCE = re.compile(_AMP + r"(#0*[0-9]{1,7};|#[xX]0*[0-9a-fA-F]{1,6};|[A-Za-z0-9]+;)")

# Markup, read as the HTML tokenizer reads it (possessive, so an attempt never backtracks):
# a tag with its attributes (a quote after "=" runs to the matching quote), "</>" (which the
# tokenizer drops), or a bogus comment ("<!…>", "<?…>", "</ …>"); comments are found with
# str.find. A tag that doesn't match although a ">" follows has a quote that is never closed.
_WS = r"\t\n\f\r "
_WS_CHARS = "\t\n\f\r "
_VALUE = rf""""[^"]*+"|'[^']*+'|[^{_WS}>"'][^{_WS}>]*+|(?=>)"""
_ATTRIBUTE = rf"[^{_WS}/>][^{_WS}/>=]*+(?>[{_WS}]*+=[{_WS}]*+(?>{_VALUE})|(?![{_WS}]*+=))"
_MARKUP = re.compile(
    rf"<(?P<end>/?)(?P<name>[A-Za-z][^{_WS}/>]*+)(?P<attrs>(?:[{_WS}/]++|{_ATTRIBUTE})*+)>"
    r"|</>|<\?[^>]*+>|<!(?!--)[^>]*+>|</(?![A-Za-z])[^>]*+>"
)
_ATTRIBUTES = re.compile(rf"[{_WS}/]*+{_ATTRIBUTE}")
_SELF_CLOSING = re.compile(rf"(?:^|[{_WS}\"'/])/$")
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]++\n")


def _normalize(raw):
    """Unify line endings; drop trailing spaces and characters that are parse errors."""
    text = _PARSE_ERROR_CHARACTERS.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = _PLACEHOLDER_RANGE.sub(lambda char: f"&#{ord(char[0])};", text)
    return _TRAILING_SPACE.sub("\n", text).strip()


def _mark_reference(match):
    reference = match[1]
    if reference[0] == "#":
        digits = reference[2:-1] if reference[1] in "xX" else reference[1:-1]
        valid = 0 < int(digits, 16 if reference[1] in "xX" else 10) < 0x110000
    else:
        valid = reference in _NAMED_ENTITIES
    return (_ENTITY if valid else _AMP) + reference


def _as_text(segment):
    return segment.replace("<", _LT).replace(">", _GT)


def _comment_end(text, start, search=True):
    """Where the comment opened by the "<!--" before `start` ends, or None if it never does.

    `search=False` says no "-->" follows (an earlier search found none): only "<!-->" and
    "<!--->", which end at once, can end.
    """
    if text.startswith(">", start):
        return start + 1
    if text.startswith("->", start):
        return start + 2
    if not search:
        return None
    end = text.find("-->", start)
    # "--!>" only matters before the first "-->"; searching no further keeps this linear.
    bang = text.find("--!>", start, len(text) if end < 0 else end + 3)
    if bang >= 0:
        return bang + 4
    return None if end < 0 else end + 3


class _RawTextCloser:
    """Finds the closing tag of raw-text elements (<script>, <title>, …), each text once.

    The search for "</title" from one start tag answers every later start tag up to where it
    was found, so many unclosed <title> cost one search, not one each.
    """

    def __init__(self, text):
        self.text = text
        self.found = {}  # name -> (searched from, closing tag position or None)

    def __call__(self, name, start):
        searched_from, close = self.found.get(name, (None, None))
        if searched_from is None or start < searched_from or (close is not None and start > close):
            pattern = re.compile(rf"</{name}[{_WS}/>]", re.IGNORECASE)
            match = pattern.search(self.text, start)
            close = match.start() if match and _MARKUP.match(self.text, match.start()) else None
            self.found[name] = (start, close)
        return close


def _prepare(text):
    """Return (`text` ready for bleach, the MARKUP_ERRORS key of the first limit exceeded).

    One linear pass in the tokenizer's own terms: "<" that can't start markup, ">" in text and
    every "&" become placeholders; markup that would swallow the rest of the comment has its
    "<" escaped so the reader's words show as typed (an unterminated tag or comment; a
    DROPPED_WITH_CONTENT element never closed; after a quote opened in a tag and never closed,
    everything); and tags, nesting and attributes are counted.
    """
    if len(_PARAGRAPH_BREAK.findall(text)) >= MAX_PARAGRAPHS:
        return text, "too_many_paragraphs"
    text = text.replace("&", _AMP)
    last_gt = text.rfind(">")
    closing_tag = _RawTextCloser(text)
    comments_end_before = len(text)
    pieces, pos, tags, open_elements = [], 0, 0, []
    unclosed = {}  # element name -> indexes in `pieces` of its start tags not yet closed
    while start := _MARKUP_START.search(text, pos):
        lt = start.start()
        pieces.append(_as_text(text[pos:lt]))
        if text.startswith("<!--", lt):
            # Dropped here rather than by bleach, which reads a comment a few characters at a
            # time; one never closed (no end after `comments_end_before`) is shown as text.
            end = _comment_end(text, lt + 4, search=lt < comments_end_before)
            if end is None:
                comments_end_before = lt
            pieces.append(_LT if end is None else "")
            pos = lt + 1 if end is None else end
            tags += end is not None
            if tags > MAX_TAGS:
                return text, "too_many_tags"
            continue
        markup = _MARKUP.match(text, lt) if lt < last_gt else None
        if markup is None:
            if lt < last_gt:  # a quote that is never closed: the rest would be its value
                pieces.append(_as_text(text[lt:]))
                pos = len(text)
                break
            pieces.append(_LT)
            pos = lt + 1
            continue
        tags += 1
        if tags > MAX_TAGS:
            return text, "too_many_tags"
        pos = markup.end()
        name = (markup["name"] or "").lower()
        if not name:
            pieces.append(markup[0])
        elif markup["end"]:
            pieces.append(markup[0])
            if unclosed.get(name):
                unclosed[name].pop()
            if name in open_elements:
                del open_elements[len(open_elements) - 1 - open_elements[::-1].index(name)]
        else:
            attributes = markup["attrs"].rstrip(_WS_CHARS + "/")
            if len(_ATTRIBUTES.findall(attributes)) > MAX_ATTRIBUTES:
                return text, "too_many_attributes"
            if name in _RAW_TEXT:
                # Closed: the content goes now (it would be dropped anyway, and html5lib reads
                # script text a few characters at a time). Unclosed: shown as text.
                close = closing_tag(name, pos)
                pieces.append(_LT if close is None else markup[0])
                pos = lt + 1 if close is None else close
                continue
            if name in ALLOWED_TAGS and name not in _VOID:
                open_elements.append(name)
                if len(open_elements) > MAX_NESTING:
                    return text, "too_deep"
            self_closed = name in ("svg", "math") and _SELF_CLOSING.search(markup["attrs"])
            if name in DROPPED_WITH_CONTENT and name not in _VOID and not self_closed:
                unclosed.setdefault(name, []).append(len(pieces))
            pieces.append(markup[0])
    pieces.append(_as_text(text[pos:]))
    for indexes in unclosed.values():
        for index in indexes:
            pieces[index] = _LT + pieces[index][1:]
    return _CHARACTER_REFERENCE.sub(_mark_reference, "".join(pieces)), None


# How a browser reads a URL (WHATWG URL standard): leading and trailing C0 controls and spaces
# are stripped, tabs and newlines removed anywhere, then a scheme is letters, digits, "+", "-"
# and "." up to the first ":". A value without one is relative.
_URL_ATTRIBUTES = frozenset({"href", "cite"})
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_AND_NEWLINE = str.maketrans("", "", "\t\n\r")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# html.unescape() calls int() on the digits, which refuses more than 4,300 of them; any
# number over 0x10FFFF decodes to U+FFFD, so eight digits say the same.
_HUGE_DECIMAL_REFERENCE = re.compile(r"(&#0*)[0-9]{8,}")


def _is_safe_url(value):
    """Whether a browser would read `value` as an http, https, mailto or relative URL.

    The value is judged as the page will carry it: _prepare()'s placeholders put back, then
    character references decoded (bleach hands values over still encoded, "javascript&#58;…").
    Stricter than browsers on one point: a scheme that only appears once invisible characters
    (no-break or zero-width spaces, BOM, line separators) are removed from the start must be
    allowed too, in case some program on the way strips them.
    """
    value = _HUGE_DECIMAL_REFERENCE.sub(r"\g<1>99999999", value.translate(_RESTORE))
    url = html.unescape(value).strip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINE)
    visible = 0
    while visible < len(url) and _is_invisible(url[visible]):
        visible += 1
    for candidate in (url, url[visible:]):
        scheme = _SCHEME.match(candidate)
        if scheme and scheme[1].lower() not in ALLOWED_PROTOCOLS:
            return False
    return True


def _is_invisible(char):
    return char.isspace() or unicodedata.category(char) in _INVISIBLE


def _allow_attribute(tag, name, value):
    """The attribute whitelist, with URLs judged by _is_safe_url()."""
    if name not in ALLOWED_TAGS.get(tag, ()):
        return False
    return name not in _URL_ATTRIBUTES or _is_safe_url(value)


def _cleaner(extra_tags, filter_class):
    """A bleach Cleaner for the whitelist plus `extra_tags`.

    Cleaners keep parser state and are not thread-safe, so each call builds its own
    (about 70 µs; sanitizing happens once per comment, on write).
    """
    return bleach.Cleaner(
        tags=set(ALLOWED_TAGS) | set(extra_tags),
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[filter_class],
    )


def _paragraphs(safe):
    """Django's linebreaks(), with each <br> a placeholder the second pass reads as text.

    A real <br> costs html5lib two tokens; 32,000 of them ("a\n" to the length limit) took
    0.6 s. A <br> needs no repair, so it can go in after the parser.
    """
    return "\n\n".join(
        f"<p>{paragraph.replace(chr(10), _BR)}</p>" for paragraph in _PARAGRAPH_BREAK.split(safe)
    )


# Leftovers of the repair pass: empty paragraphs, and formatting split around a paragraph break.
# Possessive, so a long run of spaces is read once, not once per position.
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*+</p>")
_EMPTY_FORMATTING = re.compile(r"<(b|i|em|strong|strike|del|cite|code|q|abbr|acronym)>(\s*+)</\1>")


def _as_plain_text(text):
    """`text` shown exactly as typed, markup and all: linear work, whatever the input.

    For text beyond the limits that did not come through the form (an editor in the admin):
    html5lib would take seconds on it.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _EMPTY_PARAGRAPH.sub("", linebreaks(escaped)).strip()


def sanitize_comment(raw):
    """Return the safe HTML to show for a comment whose reader-typed text is `raw`."""
    text = _normalize(raw)
    if not text:
        return ""
    prepared, error = _prepare(text)
    if error:
        return _as_plain_text(text)
    safe = _cleaner(DROPPED_WITH_CONTENT, _DropContentFilter).clean(prepared).strip()
    html_text = _cleaner(_STRUCTURE_TAGS, _LinkRelFilter).clean(_paragraphs(safe))
    html_text = _EMPTY_FORMATTING.sub(r"\2", html_text.translate(_RESTORE))
    return _EMPTY_PARAGRAPH.sub("", html_text).strip()


def check_markup(raw):
    """Refuse, with a ValidationError a reader can act on, markup too costly to sanitize or show.

    Called by the comment form before anything is saved, so the reader's text is kept. The
    check is _prepare()'s linear pass; no HTML parser runs.
    """
    _, error = _prepare(_normalize(raw))
    if error:
        raise ValidationError(markup_error(error), code=error)


def allowed_tags_help():
    """The whitelist as WordPress words it: <a href="" title=""> <abbr title=""> …"""
    parts = []
    for tag, attrs in ALLOWED_TAGS.items():
        attributes = "".join(f' {name}=""' for name in attrs)
        parts.append(f"<{tag}{attributes}>")
    return " ".join(parts)


# Where sanitized HTML breaks a line or ends a block: a new line in its plain text.
_LINE_ENDS = re.compile(r"<br\s*/?>|</p>|</blockquote>|</li>|</pre>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")
# A tag of sanitized HTML, quoted attribute values and all (a ">" in one does not end it):
# the sanitizer's output is well-formed, so a pattern reads it as a parser would, ten times
# faster than Django's strip_tags (a thread page's structured data strips every comment).
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def comment_text(body_html):
    """A sanitized comment as the plain text a reader sees (emails, structured data): its
    tags dropped, a line break or a block's end a new line, entities (&amp; …) read back as
    characters, no more than one blank line in a row."""
    text = _LINE_ENDS.sub(lambda match: match.group() + "\n", body_html or "")
    text = html.unescape(_TAG.sub("", text)).replace("\r\n", "\n")
    return _BLANK_LINES.sub("\n\n", text).strip()
