"""Hostile and broken XML: refused by both XML readers, with a message saying why, and for a
DOCTYPE before any record comes out (the refusal happens at the DOCTYPE itself)."""

import io

import pytest

from comments.history import UnreadableExport, read_disqus, read_export, read_wordpress

from .samples import DATA, read_until_refused

READERS = [read_wordpress, read_disqus, read_export]

REFUSED = [
    (
        "billion_laughs.xml",
        "Line 2: the file declares XML entities (a DOCTYPE with declarations), which are refused "
        "(a 'billion laughs' or external-entity file): nothing was read.",
    ),
    (
        "external_entity.xml",
        "Line 2: the file declares XML entities (a DOCTYPE with declarations), which are refused "
        "(a 'billion laughs' or external-entity file): nothing was read.",
    ),
    (
        "external_dtd.xml",
        "Line 2: the file's DOCTYPE points at an external DTD "
        "(http://attacker.example/evil.dtd), which is refused: reading it would make the server "
        "fetch what the file names (an external-entity attack): nothing was read.",
    ),
]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
@pytest.mark.parametrize(("name", "message"), REFUSED, ids=[n for n, _ in REFUSED])
def test_a_doctype_is_refused_before_any_record(reader, name, message):
    records, error = read_until_refused(reader, DATA / name)
    assert records == []
    assert type(error) is UnreadableExport
    assert str(error) == message
    assert error.line == 2


def test_a_bare_doctype_is_refused_too():
    """No declarations, nothing to fetch: still refused, since no export has one."""
    source = io.BytesIO(
        b'<?xml version="1.0"?>\n<!DOCTYPE disqus>\n<disqus xmlns="http://disqus.com"/>'
    )
    with pytest.raises(UnreadableExport) as refused:
        list(read_disqus(source))
    assert str(refused.value) == (
        "Line 2: the file declares a document type (<!DOCTYPE disqus>), which is refused: "
        "exports from WordPress and Disqus have none, and it is where a 'billion laughs' or "
        "external-entity file declares its entities. Nothing was read."
    )


def test_a_truncated_file_is_refused_with_the_line_it_stops_on():
    path = DATA / "truncated.xml"
    last_line = len(path.read_bytes().splitlines())
    records, error = read_until_refused(read_wordpress, path)
    assert type(error) is UnreadableExport
    assert error.line == last_line
    assert str(error) == (
        f"Line {last_line}: the file ends before its XML is complete (unclosed token): it was "
        "probably cut short, e.g. by an interrupted download or a full disk. Export it again."
    )
    # Streaming: what came before the cut came out first. The import takes all or nothing.
    assert [getattr(r, "source_id", None) for r in records] == [None, "1"]


def test_mismatched_tags_are_malformed_xml_with_line_and_column():
    source = io.BytesIO(b'<disqus xmlns="http://disqus.com">\n<thread>\n</post>\n</disqus>\n')
    with pytest.raises(UnreadableExport) as refused:
        list(read_disqus(source))
    assert str(refused.value) == "Line 3: the XML is malformed (mismatched tag, column 3)."
