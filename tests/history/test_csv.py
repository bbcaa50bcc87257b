"""The CSV reader: the documented format read, and each kind of bad row refused with the line
it starts on."""

import io
from datetime import UTC, datetime

import pytest

from comments.history import ImportedComment, Thread, UnreadableExport, read_csv

from .samples import DATA

CSV = DATA / "comments.csv"
BRIDGE = "https://gazette.example/2023/11/the-bridge-reopens/"
COUNCIL = "https://gazette.example/2023/11/council-meets/"
HEADER = "thread_link,id,author_name,submitted_at,body,status\r\n"


def csv_file(*rows, header=HEADER):
    return io.BytesIO((header + "".join(rows)).encode())


@pytest.fixture(scope="module")
def records():
    return list(read_csv(CSV))


@pytest.fixture(scope="module")
def comments(records):
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


def test_a_thread_the_first_time_its_link_appears(records):
    assert [type(r).__name__ for r in records] == [
        "Thread",
        *["ImportedComment"] * 4,
        "Thread",
        *["ImportedComment"] * 2,
    ]
    assert records[0] == Thread(BRIDGE, BRIDGE, "The bridge reopens")
    assert records[5] == Thread(COUNCIL, COUNCIL, "Council meets on Tuesday")
    assert comments_of(records, COUNCIL) == ["c5", "c6"]


def comments_of(records, link):
    return [r.source_id for r in records if isinstance(r, ImportedComment) and r.thread_key == link]


def test_a_row_with_all_its_fields(comments):
    assert comments["c1"] == ImportedComment(
        thread_key=BRIDGE,
        source_id="c1",
        parent_id=None,
        author_name="Ada Lovelace",
        author_email="ada@readers.example",
        author_url="https://ada.readers.example/",
        ip_address="192.0.2.10",
        submitted_at=datetime(2023, 11, 2, 9, 15, tzinfo=UTC),
        body="Finally! I used to cross it <em>every</em> day.",
        status="approved",
    )


def test_statuses_with_approved_for_an_empty_cell(comments):
    assert [comments[f"c{n}"].status for n in range(1, 7)] == [
        "approved",
        "approved",
        "approved",  # empty
        "pending",
        "spam",
        "removed",
    ]


def test_dates_with_any_offset_come_out_in_utc(comments):
    assert comments["c2"].submitted_at == datetime(2023, 11, 2, 10, 0, tzinfo=UTC)
    assert comments["c3"].submitted_at == datetime(2023, 11, 2, 11, 30, tzinfo=UTC)
    assert comments["c6"].submitted_at == datetime(2023, 11, 4, 8, 0, 0, 250000, tzinfo=UTC)
    assert all(c.submitted_at.tzinfo is UTC for c in comments.values())


def test_parents_unicode_quoted_lines_and_addresses(comments):
    assert [comments[f"c{n}"].parent_id for n in (1, 2, 3, 6)] == [
        None,
        "c1",
        "c2",
        "missing-parent",
    ]
    assert comments["c2"].author_name == "نور الهدى"
    assert comments["c2"].body == 'Line one, with a comma.\nLine two, with "quotes".'
    assert comments["c3"].author_name == "Zoë 🦊"
    assert (comments["c2"].ip_address, comments["c3"].ip_address) == ("2001:db8::42", "")
    assert comments["c6"].author_name == ""


def test_hostile_html_is_passed_on_untouched(comments):
    assert comments["c4"].body == '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_any_column_order_a_bom_unknown_columns_and_no_optional_columns():
    header = "\ufeffbody,Submitted_At,author_name,legacy_flag,id,thread_link\n"
    (thread, comment) = read_csv(
        csv_file("Hi,2023-11-02T09:15:00Z,Ada,x,1,https://a.example/\n", header=header)
    )
    assert thread == Thread("https://a.example/", "https://a.example/", "")
    assert (comment.body, comment.author_name, comment.status) == ("Hi", "Ada", "approved")
    assert (comment.author_email, comment.author_url, comment.ip_address) == ("", "", "")


def test_an_open_text_file_is_read_too():
    with open(CSV, encoding="utf-8", newline="") as file:
        assert len(list(read_csv(file))) == 8


def test_empty_rows_are_passed_over():
    records = list(read_csv(csv_file("\r\n", ",,,,,\r\n", "l,1,Ada,2023-11-02T09:15:00Z,Hi,\r\n")))
    assert len(records) == 2


ROW = "https://a.example/,1,Ada,2023-11-02T09:15:00Z,Hi,approved\r\n"
QUOTED = 'https://a.example/,2,Ada,2023-11-02T09:15:00Z,"two\r\nlines",approved\r\n'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            csv_file(header=""),
            "Line 1: the file is empty: a comment history CSV starts with a header row naming "
            "its columns.",
        ),
        (
            csv_file(header="link,id,author,submitted_at,body\n"),
            "Line 1: the header has no thread_link, author_name columns (it has: link, id, "
            "author, submitted_at, body). A comment history CSV needs thread_link, id, "
            "author_name, submitted_at, body.",
        ),
        (
            csv_file(header="thread_link,id,ID,author_name,submitted_at,body\n"),
            "Line 1: the header names id more than once.",
        ),
        (
            csv_file(ROW, QUOTED, "https://a.example/,3,Ada,2023-11-02T09:15:00Z,Hi,held\r\n"),
            "Line 5: comment 3 has the status “held”: it must be one of approved, pending, spam, "
            "removed.",
        ),
        (
            csv_file(ROW, "https://a.example/,3,Ada,2023-11-02 09:15,Hi,\r\n"),
            "Line 3: comment 3's submitted_at “2023-11-02 09:15” is not an ISO 8601 date and "
            "time with its offset, such as 2019-03-04T10:22:33Z.",
        ),
        (
            csv_file("https://a.example/,3,Ada,yesterday,Hi,\r\n"),
            "Line 2: comment 3's submitted_at “yesterday” is not an ISO 8601 date and time with "
            "its offset, such as 2019-03-04T10:22:33Z.",
        ),
        (
            csv_file(ROW, ",3,Ada,2023-11-02T09:15:00Z,,\r\n"),
            "Line 3: the row has no thread_link and no body.",
        ),
        (
            csv_file(QUOTED, "https://a.example/,3,Ada,2023-11-02T09:15:00Z,Hi, there,\r\n"),
            "Line 4: the row has 7 fields where the header names 6 (a comma or quote out of "
            "place?).",
        ),
        (
            csv_file(ROW, 'https://a.example/,3,Ada,2023-11-02T09:15:00Z,"Hi" there,\r\n'),
            "Line 3: the CSV is malformed (',' expected after '\"').",
        ),
        (
            io.BytesIO(
                HEADER.encode() + ROW.encode() + b"l,2,Ren\xe9e,2023-11-02T09:15:00Z,Hi,\r\n"
            ),
            "Line 3: the file is not UTF-8 text (byte 0xe9, column 8): save it as CSV UTF-8.",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_line_its_row_starts_on(source, message):
    with pytest.raises(UnreadableExport) as refused:
        list(read_csv(source))
    assert str(refused.value) == message
