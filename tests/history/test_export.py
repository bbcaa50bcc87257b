"""WXR out (comments.history.export): what read_wordpress reads back is what was written, from
WordPress's own export and from Disqus's (whose ids are not WordPress's numbers)."""

import io
from datetime import UTC, datetime

from comments.history import (
    ImportedComment,
    Thread,
    by_thread,
    read_disqus,
    read_wordpress,
    write_wordpress,
)
from tests.history.test_disqus import DISQUS as DISQUS_FIXTURE
from tests.history.test_wordpress import WORDPRESS as WORDPRESS_FIXTURE


def round_trip(discussions):
    out = io.BytesIO()
    write_wordpress(discussions, out, site_title="The Meridian", site_link="https://example.org/")
    out.seek(0)
    return list(read_wordpress(out))


def comments_of(records):
    return [r for r in records if isinstance(r, ImportedComment)]


def test_a_wordpress_export_comes_back_the_same():
    read = list(read_wordpress(WORDPRESS_FIXTURE))
    again = round_trip(by_thread(read))
    assert [r for r in again if isinstance(r, Thread)] == [r for r in read if isinstance(r, Thread)]
    assert comments_of(again) == comments_of(read)


def test_a_disqus_export_keeps_its_threads_replies_and_statuses_as_wxr():
    read = list(read_disqus(DISQUS_FIXTURE))
    again = round_trip(by_thread(read))
    before, after = comments_of(read), comments_of(again)
    assert len(after) == len(before)
    fields = ("author_name", "author_email", "ip_address", "submitted_at", "body", "status")
    assert [[getattr(c, f) for f in fields] for c in after] == [
        [getattr(c, f) for f in fields] for c in before
    ]
    # Disqus's ids became WordPress numbers; every reply still answers the same comment.
    number = {b.source_id: a.source_id for b, a in zip(before, after, strict=True)}
    assert all(a.source_id.isdecimal() for a in after)
    for b, a in zip(before, after, strict=True):
        if b.parent_id is None:
            assert a.parent_id is None
        elif b.parent_id in number:
            assert a.parent_id == number[b.parent_id]
        else:  # a reply whose parent is not in the file still answers no comment there
            assert a.parent_id not in number.values()
    titles = {t.key: t.title for t in read if isinstance(t, Thread)}
    assert sorted(t.title for t in again if isinstance(t, Thread)) == sorted(titles.values())


def test_characters_xml_cannot_hold_are_left_out_and_times_are_utc():
    thread = Thread(key="7", link="https://example.org/a", title="Café \x0b")
    when = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    comment = ImportedComment(
        thread_key="7",
        source_id="70",
        parent_id=None,
        author_name="Zoë\x00",
        author_email="zoe@example.org",
        author_url="",
        ip_address="2001:db8::7",
        submitted_at=when,
        body="<p>bell \x07 and <b>bold</b></p>",
        status="removed",
    )
    (back_thread, back) = round_trip([(thread, [comment])])
    assert back_thread.title == "Café"
    assert (back.author_name, back.body, back.status) == (
        "Zoë",
        "<p>bell  and <b>bold</b></p>",
        "removed",
    )
    assert back.submitted_at == when
