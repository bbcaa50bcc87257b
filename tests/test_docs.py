"""The README and the pages under docs/: every relative link and image resolves, anchors
included, and the README stays short enough for a newcomer to read.

Plain Python (no Django, no database): links are `[text](target)` and `![alt](target)`
outside code; an anchor must be the GitHub-style slug of a heading in the target file.
"""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](target) or ![alt](target), with an optional "title" after the target.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
EXTERNAL = ("http://", "https://", "mailto:")


def prose_lines(path):
    """(line number, text) for each line outside fenced code blocks."""
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading: the text without markup, lower-case, punctuation dropped
    (hyphens, underscores and spaces kept), spaces turned into hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    """Every heading anchor of a Markdown file, numbered as GitHub numbers repeated ones."""
    seen = {}
    found = set()
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path):
    """(line number, target) for each link and image outside code."""
    for number, line in prose_lines(path):
        for match in LINK.finditer(INLINE_CODE.sub("", line)):
            yield number, match.group(1)


def broken_links(path):
    problems = []
    for number, target in links(path):
        if target.startswith(EXTERNAL):
            continue
        where, _, anchor = target.partition("#")
        destination = (path.parent / unquote(where)).resolve() if where else path
        label = f"{path.relative_to(ROOT)}:{number}: {target}"
        if not destination.exists():
            problems.append(f"{label} (no such file)")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            problems.append(f"{label} (no heading #{anchor} in {destination.name})")
    return problems


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_docs_pages_exist():
    assert DOCS, "docs/ holds no Markdown pages"


def test_readme_is_short_and_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    assert "make run" in text
    assert "make test" in text


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("The commenter's IP", "the-commenters-ip"),
        ("Export, erasure and IP retention", "export-erasure-and-ip-retention"),
        ("The `make bench` command", "the-make-bench-command"),
        ("Fast pages at any size", "fast-pages-at-any-size"),
    ],
)
def test_slug_is_githubs(heading, expected):
    assert slug(heading) == expected
