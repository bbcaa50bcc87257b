"""read_export: the reader named, or the one the file's first bytes call for, read from the
start of the file only."""

import io

import pytest

from comments.history import (
    ImportedComment,
    UnreadableExport,
    read_csv,
    read_export,
    sniff_format,
)
from comments.history.readers import SNIFF_BYTES

from .samples import DATA


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("wordpress.xml", "wordpress"),
        ("disqus.xml", "disqus"),
        ("comments.csv", "csv"),
        ("bad_status.xml", "wordpress"),
        ("truncated.xml", "wordpress"),
        # Hostile files go to an XML reader, which refuses them: never to the CSV reader.
        ("billion_laughs.xml", "wordpress"),
        ("external_entity.xml", "wordpress"),
        ("external_dtd.xml", "disqus"),
    ],
)
def test_the_format_is_sniffed_from_the_start_of_the_file(name, format):
    assert sniff_format(DATA / name) == format


@pytest.mark.parametrize("name", ["wordpress.xml", "disqus.xml", "comments.csv"])
def test_read_export_reads_what_the_named_reader_reads(name):
    sniffed = list(read_export(DATA / name))
    assert sniffed == list(read_export(DATA / name, sniff_format(DATA / name)))
    assert sum(isinstance(r, ImportedComment) for r in sniffed) >= 6


def test_a_named_format_is_not_second_guessed():
    with pytest.raises(UnreadableExport, match="the header has no thread_link"):
        list(read_export(DATA / "wordpress.xml", format="csv"))


def test_an_unknown_format_is_refused_at_once():
    with pytest.raises(UnreadableExport) as refused:
        read_export(DATA / "comments.csv", format="blogger")
    assert (
        str(refused.value)
        == "“blogger” is not a format read here: it is one of wordpress, disqus, csv."
    )


def test_an_rss_feed_without_wordpress_namespace_is_refused_at_once():
    feed = io.BytesIO(b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>')
    with pytest.raises(UnreadableExport, match=r"^The file is an RSS feed, not a WordPress export"):
        read_export(feed)


def test_other_xml_is_refused_at_once():
    with pytest.raises(UnreadableExport, match=r"^The file is XML whose root element is <feed>"):
        read_export(io.BytesIO(b"<!-- Atom -->\n<feed xmlns='http://www.w3.org/2005/Atom'/>"))


def test_a_missing_file_is_refused_at_once(tmp_path):
    with pytest.raises(UnreadableExport, match=r"^Can't read .*missing\.csv"):
        read_export(tmp_path / "missing.csv")


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def test_sniffing_reads_the_start_only_and_puts_an_open_file_back():
    rows = "".join(f"https://a.example/,{n},Ada,2023-11-02T09:15:00Z,Hi\n" for n in range(20_000))
    file = CountingFile(("thread_link,id,author_name,submitted_at,body\n" + rows).encode())
    assert len(file.getvalue()) > 10 * SNIFF_BYTES
    assert sniff_format(file) == "csv"
    assert file.read_bytes == SNIFF_BYTES
    assert file.tell() == 0
    records = read_export(file)
    assert sum(isinstance(r, ImportedComment) for r in records) == 20_000


def test_wordpress_is_recognised_behind_its_long_opening_comment():
    head = "<?xml version='1.0'?>\n<!-- " + "x" * 5000 + " -->\n<!-- generator -->\n"
    text = head + "<rss xmlns:wp='http://wordpress.org/export/1.1/'><channel/></rss>"
    assert sniff_format(io.BytesIO(text.encode())) == "wordpress"


def test_a_csv_given_as_text_is_sniffed_and_read():
    with open(DATA / "comments.csv", encoding="utf-8", newline="") as file:
        assert sniff_format(file) == "csv"
        assert list(read_export(file)) == list(read_csv(DATA / "comments.csv"))
