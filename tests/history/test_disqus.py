"""The Disqus reader on an export written after Disqus's own: threads, posts, statuses,
authors, and the files it refuses."""

from datetime import UTC, datetime

import pytest

from comments.history import ImportedComment, Thread, UnreadableExport, read_disqus

from .samples import DATA, disqus, disqus_post, disqus_thread, line_of, read_until_refused

DISQUS = DATA / "disqus.xml"
BRIDGE = "https://gazette.example/2023/11/the-bridge-reopens/"


@pytest.fixture(scope="module")
def records():
    return list(read_disqus(DISQUS))


@pytest.fixture(scope="module")
def posts(records):
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


def test_threads_come_first_then_posts_and_categories_are_ignored(records):
    assert records[:2] == [
        Thread(key="5001", link=BRIDGE, title="The bridge reopens"),
        Thread(
            key="5002",
            link="https://gazette.example/2023/11/council-meets/",
            title="Council meets — on Tuesday",
        ),
    ]
    assert [r.source_id for r in records[2:]] == ["9001", "9002", "9003", "9004", "9005", "9006"]


def test_a_post_with_all_its_fields(posts):
    assert posts["9001"] == ImportedComment(
        thread_key="5001",
        source_id="9001",
        parent_id=None,
        author_name="Ada Lovelace",
        author_email="ada@readers.example",
        author_url="",
        ip_address="192.0.2.10",
        submitted_at=datetime(2023, 11, 2, 9, 15, tzinfo=UTC),
        body="<p>Finally! I used to cross it <em>every</em> day.</p>",
        status="approved",
    )
    assert posts["9006"].thread_key == "5002"


def test_deleted_wins_over_spam_and_the_rest_is_approved(posts):
    assert {key: p.status for key, p in posts.items()} == {
        "9001": "approved",
        "9002": "approved",
        "9003": "approved",
        "9004": "spam",
        "9005": "removed",  # deleted, and marked spam too
        "9006": "approved",
    }


def test_replies_name_their_parent_two_levels_deep(posts):
    assert [posts[key].parent_id for key in ("9001", "9002", "9003", "9005")] == [
        None,
        "9001",
        "9002",
        "9001",
    ]


def test_the_date_is_utc_whatever_offset_it_was_written_with(posts):
    assert posts["9003"].submitted_at == datetime(2023, 11, 2, 11, 30, tzinfo=UTC)
    assert all(p.submitted_at.tzinfo is UTC for p in posts.values())


def test_authors_anonymous_or_by_username_and_unicode_intact(posts):
    assert (posts["9006"].author_name, posts["9006"].author_email) == ("Guest", "")
    assert posts["9003"].author_name == "zoe_🦊"  # no name: the username
    assert posts["9002"].author_name == "نور الهدى"


def test_addresses_ipv6_kept_an_invalid_one_dropped(posts):
    assert posts["9002"].ip_address == "2001:db8::42"
    assert posts["9003"].ip_address == ""


def test_hostile_html_is_passed_on_untouched_for_the_import_to_sanitize(posts):
    assert posts["9004"].body == (
        'Buy cheap watches <a href="https://watches.example/">here</a><script>steal()</script>'
    )
    assert posts["9006"].body == "<p>Will the meeting be streamed? <img src=x onerror=alert(1)></p>"


def test_a_post_of_a_thread_not_declared_before_it_is_refused():
    source = disqus(disqus_thread("1"), disqus_post("10", thread="2"))
    records, error = read_until_refused(read_disqus, source)
    assert records == [Thread("1", "https://gazette.example/1/", "")]
    line = line_of(source, '<thread dsq:id="2"/>')
    assert str(error) == (
        f"Line {line}: post 10 belongs to thread 2, which the "
        "file doesn't declare before it (a Disqus export lists every thread before the posts)."
    )


@pytest.mark.parametrize(
    ("post", "where", "message"),
    [
        (disqus_post("10", thread=None), "<post", "post 10 names no thread."),
        (disqus_post("").replace(' dsq:id=""', ""), "<post", "a post has no dsq:id."),
        (
            disqus_post("10", isSpam="maybe"),
            "isSpam",
            "post 10's <isSpam> is “maybe”, not true or false.",
        ),
        (
            disqus_post("10", createdAt=None),
            "<post",
            "post 10 has no date (<createdAt>).",
        ),
        (
            disqus_post("10", createdAt="27/08/2013"),
            "createdAt",
            "post 10's date “27/08/2013” (<createdAt>) is not an ISO 8601 date and time such as "
            "2013-08-27T15:06:35Z.",
        ),
    ],
)
def test_a_post_it_cant_read_is_refused_with_its_line(post, where, message):
    source = disqus(disqus_thread("1"), post)
    with pytest.raises(UnreadableExport) as refused:
        list(read_disqus(source))
    assert str(refused.value) == f"Line {line_of(source, where)}: {message}"


def test_a_wordpress_file_is_refused_by_its_root():
    line = line_of(DATA / "wordpress.xml", "<rss")
    with pytest.raises(UnreadableExport, match=f"^Line {line}: the file's root element is <rss>"):
        list(read_disqus(DATA / "wordpress.xml"))
