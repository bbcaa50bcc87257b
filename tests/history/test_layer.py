"""The readers import nothing from the app, nor Django: they parse, and the import decides.
And the statuses they give are the app's."""

import ast
from pathlib import Path

import comments.history
from comments.history import STATUSES
from comments.models import Comment

PACKAGE = Path(comments.history.__file__).parent


def imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module


def test_the_readers_import_nothing_from_the_app_nor_django():
    readers = sorted(PACKAGE.glob("*.py"))
    assert {p.name for p in readers} >= {"wordpress.py", "disqus.py", "csvfile.py", "safexml.py"}
    outside = sorted(
        f"{path.name} imports {name}"
        for path in readers
        for name in imports(path)
        if name.split(".")[0] in {"comments", "django", "articles", "newsite"}
    )
    assert outside == []


def test_xml_is_read_through_defusedxml_only():
    """The standard library's parsers expand entities; only safexml may parse, via defusedxml.
    (Writing is another matter: export.py writes WXR with xml.sax.saxutils.XMLGenerator.)"""
    parsing = sorted(
        f"{path.name} imports {name}"
        for path in PACKAGE.glob("*.py")
        for name in imports(path)
        if name.startswith(("xml.etree", "xml.dom", "xml.sax", "lxml", "defusedxml"))
        and path.name != "safexml.py"
        and (path.name, name) != ("export.py", "xml.sax.saxutils")
    )
    assert parsing == []


def test_the_statuses_are_the_apps():
    assert set(STATUSES) == set(Comment.Status.values)
