"""One entry point for the import: `read_export(path, format=None)`, which picks the reader
by the format named, or by the file's first bytes."""

import re

from ._common import opened
from .csvfile import read_csv
from .disqus import read_disqus
from .records import UnreadableExport
from .wordpress import read_wordpress

READERS = {"wordpress": read_wordpress, "disqus": read_disqus, "csv": read_csv}
FORMATS = tuple(READERS)

# Enough for WordPress's opening comment (some 1,500 bytes) and a DOCTYPE: never the whole file.
SNIFF_BYTES = 64 * 1024
# What may stand before the root element: the XML declaration, comments, instructions.
PROLOGUE = re.compile(r"<\?.*?\?>|<!--.*?-->|\s+", re.DOTALL)
ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def read_export(path_or_file, format=None):
    """The records of an export, from the reader for `format` ("wordpress", "disqus", "csv"),
    or for the format `sniff_format` sees. Raises `UnreadableExport` at once for an unknown
    format or a file it can't tell; the reader raises it later, while streaming, for the
    rest."""
    if format is None:
        format = sniff_format(path_or_file)
    reader = READERS.get(format)
    if reader is None:
        raise UnreadableExport(
            f"“{format}” is not a format read here: it is one of {', '.join(FORMATS)}."
        )
    return reader(path_or_file)


def sniff_format(path_or_file):
    """The file's format, "wordpress", "disqus" or "csv", from its first 64 KiB: XML whose root is
    <rss> with WordPress's export namespace is WordPress's, <disqus> Disqus's; what isn't XML
    is taken for CSV. An open file is read from where it stands and put back there."""
    with opened(path_or_file) as file:
        if file is path_or_file:
            if not file.seekable():
                raise UnreadableExport(
                    "the format of a stream that can't be rewound can't be sniffed: name it."
                )
            start = file.tell()
            head = file.read(SNIFF_BYTES)
            file.seek(start)
        else:
            head = file.read(SNIFF_BYTES)
    if isinstance(head, bytes):
        head = _decoded(head)
    head = head.removeprefix("\ufeff")
    if not head.lstrip().startswith("<"):
        return "csv"
    # XML: skip its prologue, then look at the root's name. Past a DOCTYPE the name is a guess
    # (its declarations may hold anything), but either XML reader refuses the DOCTYPE itself.
    position = 0
    while match := PROLOGUE.match(head, position):
        position = match.end()
    root = ROOT.search(head, position)
    name = root.group(1).rpartition(":")[2] if root else ""
    if name == "disqus":
        return "disqus"
    if name == "rss" and "http://wordpress.org/export/" in head:
        return "wordpress"
    if head.startswith("<!DOCTYPE", position):
        return "wordpress"
    if name == "rss":
        raise UnreadableExport(
            "the file is an RSS feed, not a WordPress export: it lacks WordPress's namespace "
            "(http://wordpress.org/export/1.2/). Export it from WordPress's Tools → Export."
        )
    raise UnreadableExport(
        f"the file is XML whose root element is <{name or '?'}>: neither a WordPress export "
        "(<rss> with WordPress's namespace) nor a Disqus export (<disqus>). Name its format if "
        "it is one of them."
    )


def _decoded(head):
    """The start of the file as text, whatever its encoding: only ASCII markup is looked for."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace")
