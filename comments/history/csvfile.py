"""A comment history in CSV, for every system that is neither WordPress nor Disqus.

The format
----------

UTF-8 text (a byte-order mark, as Excel writes, is allowed), comma-separated, fields with
commas, quotes or line breaks in double quotes (a quote inside doubled: `""`), as Python's
`csv` module and every spreadsheet write it. The first row names the columns, in any order;
columns not listed here are ignored, and an optional column may be left out.

=============  ========  ==================================================================
column         required  what it holds
=============  ========  ==================================================================
thread_link    yes       the URL of the page the comment was posted on; it identifies the
                         discussion, and the import matches it to an article
thread_title   no        the page's title (from the first row with that link)
id             yes       the comment's id in the old system, unique in the file
parent_id      no        the id of the comment it answers; empty at the top level
author_name    yes       the commenter's name (the column is required, a cell may be empty)
author_email   no        their e-mail address
author_url     no        their website
ip_address     no        the address they posted from (IPv4 or IPv6); an invalid one is
                         dropped
submitted_at   yes       when it was posted, ISO 8601 with its offset: 2019-03-04T10:22:33Z,
                         2019-03-04T11:22:33+01:00 (a time without an offset is refused)
status         no        approved, pending, spam or removed; approved when empty or absent
body           yes       the comment, HTML or plain text as the old system stored it (it is
                         sanitized on import, as a reader's post is)
=============  ========  ==================================================================

Example::

    thread_link,thread_title,id,parent_id,author_name,submitted_at,status,body
    https://news.example/2019/budget/,The budget,1,,Ada,2019-03-04T10:22:33Z,approved,First!
    https://news.example/2019/budget/,The budget,2,1,Grace,2019-03-04T10:30:00Z,,"Agreed, Ada."

A row naming a link not seen before yields its `Thread` (key and link: the `thread_link`)
before its comment. A bad row is refused with its line number (the line the row starts on).

Imports nothing from the app: see the package's docstring.
"""

import csv

from ._common import aware_utc, ip_or_blank, iso_datetime, opened
from .records import STATUSES, ImportedComment, Thread, UnreadableExport

COLUMNS = (
    "thread_link",
    "thread_title",
    "id",
    "parent_id",
    "author_name",
    "author_email",
    "author_url",
    "ip_address",
    "submitted_at",
    "status",
    "body",
)
REQUIRED = ("thread_link", "id", "author_name", "submitted_at", "body")
# Required, and a value in every row (author_name may be empty: WordPress allows it).
NOT_EMPTY = ("thread_link", "id", "submitted_at", "body")


def read_csv(path_or_file):
    """Yield the `Thread` and `ImportedComment` records of a comment history CSV (see the
    module's docstring for the format), in file order. `path_or_file`: a path, or a file open
    for reading (binary, or text opened with newline="").

    Streams a row at a time; keeps only the links seen. Raises `UnreadableExport` (only) for a
    file it can't read.
    """
    with opened(path_or_file) as file:
        reader = csv.reader(_lines(file), strict=True)
        line = 1
        try:
            header = next(reader, None)
            if header is None:
                raise UnreadableExport(
                    "the file is empty: a comment history CSV starts with a "
                    "header row naming its columns.",
                    1,
                )
            columns = _columns(header)
            threads = set()
            line = reader.line_num + 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield from _records(row, columns, header, threads, line)
                line = reader.line_num + 1
        except csv.Error as error:
            raise UnreadableExport(f"the CSV is malformed ({error}).", line) from None
        except UnicodeDecodeError as error:
            raise UnreadableExport(
                f"the file is not UTF-8 text (byte 0x{error.object[error.start]:02x}, column "
                f"{error.start + 1}): save it as CSV UTF-8.",
                reader.line_num + 1,
            ) from None


def _lines(file):
    """The file's lines as text. A binary file is decoded one line at a time, so a byte
    that isn't UTF-8 is reported on its own line."""
    first = True
    for line in file:
        if isinstance(line, bytes):
            if first:
                line = line.removeprefix(b"\xef\xbb\xbf")
            line = line.decode("utf-8")
        elif first:
            line = line.removeprefix("\ufeff")
        first = False
        yield line


def _columns(header):
    names = [name.strip().lower() for name in header]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise UnreadableExport(f"the header names {', '.join(repeated)} more than once.", 1)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise UnreadableExport(
            f"the header has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
            f"(it has: {', '.join(header)}). A comment history CSV needs "
            f"{', '.join(REQUIRED)}.",
            1,
        )
    return {name: names.index(name) for name in COLUMNS if name in names}


def _records(row, columns, header, threads, line):
    if len(row) != len(header):
        raise UnreadableExport(
            f"the row has {len(row)} fields where the header names {len(header)} (a comma "
            "or quote out of place?).",
            line,
        )
    values = {name: row[index].strip() for name, index in columns.items()}
    empty = [name for name in NOT_EMPTY if not values[name]]
    if empty:
        raise UnreadableExport(f"the row has no {' and no '.join(empty)}.", line)
    status = values.get("status", "").lower() or "approved"
    if status not in STATUSES:
        raise UnreadableExport(
            f"comment {values['id']} has the status “{values['status']}”: it must be one of "
            f"{', '.join(STATUSES)}.",
            line,
        )
    submitted_at = iso_datetime(values["submitted_at"])
    if submitted_at is None or submitted_at.tzinfo is None:
        raise UnreadableExport(
            f"comment {values['id']}'s submitted_at “{values['submitted_at']}” is not an "
            "ISO 8601 date and time with its offset, such as 2019-03-04T10:22:33Z.",
            line,
        )
    link = values["thread_link"]
    if link not in threads:
        threads.add(link)
        yield Thread(key=link, link=link, title=values.get("thread_title", ""))
    yield ImportedComment(
        thread_key=link,
        source_id=values["id"],
        parent_id=values.get("parent_id") or None,
        author_name=values["author_name"],
        author_email=values.get("author_email", ""),
        author_url=values.get("author_url", ""),
        ip_address=ip_or_blank(values.get("ip_address", "")),
        submitted_at=aware_utc(submitted_at),
        body=values["body"],
        status=status,
    )
