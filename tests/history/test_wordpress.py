"""The WordPress reader on a WXR file written after WordPress's own exports: every record and
field, and the files it refuses, with where and why."""

import io
from datetime import UTC, datetime

import pytest

from comments.history import ImportedComment, Skipped, Thread, UnreadableExport, read_wordpress

from .samples import DATA, line_of, read_until_refused, wxr, wxr_comment, wxr_item

WORDPRESS = DATA / "wordpress.xml"
BRIDGE = "https://gazette.example/2023/11/the-bridge-reopens/"


@pytest.fixture(scope="module")
def records():
    return list(read_wordpress(WORDPRESS))


@pytest.fixture(scope="module")
def comments(records):
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


def test_each_post_is_a_thread_given_before_its_comments_in_file_order(records):
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["Thread"] + ["ImportedComment"] * 6 + ["Skipped"] * 2 + [
        "ImportedComment",
        "ImportedComment",
        "Thread",
    ]
    assert [r.source_id for r in records if not isinstance(r, Thread)] == [
        str(n) for n in range(1, 11)
    ]


def test_a_post_without_comments_is_still_a_thread(records):
    assert records[0] == Thread(key="101", link=BRIDGE, title="The bridge reopens")
    assert records[-1] == Thread(
        key="102",
        link="https://gazette.example/2023/11/council-meets/",
        title="Council meets on Tuesday",
    )


def test_a_comment_with_all_its_fields(comments):
    assert comments["1"] == ImportedComment(
        thread_key="101",
        source_id="1",
        parent_id=None,
        author_name="Ada Lovelace",
        author_email="ada@readers.example",
        author_url="https://ada.readers.example/",
        ip_address="192.0.2.10",
        submitted_at=datetime(2023, 11, 2, 9, 15, tzinfo=UTC),
        body="Finally! I used to cross it <em>every</em> day.",
        status="approved",
    )
    assert {c.thread_key for c in comments.values()} == {"101"}


def test_each_wordpress_state_becomes_the_apps_status(comments):
    assert {key: c.status for key, c in comments.items()} == {
        "1": "approved",
        "2": "approved",
        "3": "approved",
        "4": "pending",  # 0
        "5": "spam",
        "6": "removed",  # trash
        "9": "approved",
        "10": "approved",
    }


def test_replies_name_their_parent_two_levels_deep_and_a_missing_parent_is_passed_on(comments):
    assert comments["1"].parent_id is None
    assert comments["2"].parent_id == "1"
    assert comments["3"].parent_id == "2"
    assert comments["6"].parent_id == "1"
    # 77 is not in the file (deleted long ago): what the reply becomes is the import's call.
    assert comments["9"].parent_id == "77"


def test_dates_are_aware_and_utc_from_the_gmt_date_or_else_the_local_one(comments):
    assert all(c.submitted_at.tzinfo is UTC for c in comments.values())
    assert comments["2"].submitted_at == datetime(2023, 11, 2, 10, 0, tzinfo=UTC)
    # comment_date_gmt 0000-00-00 00:00:00: comment_date, taken as UTC.
    assert comments["10"].submitted_at == datetime(2023, 11, 7, 8, 45, tzinfo=UTC)


def test_pingbacks_and_trackbacks_are_skipped_and_said_so(records):
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert skipped == [Skipped("7", "pingback"), Skipped("8", "trackback")]


def test_unicode_comes_through_intact_and_whitespace_around_text_is_stripped(comments):
    assert comments["2"].author_name == "نور الهدى"
    assert comments["2"].body == "وأنا أيضاً! The detour took me forty minutes."
    assert comments["3"].author_name == "Zoë 🦊 Quinn"
    assert comments["3"].body == "Forty?! 🚲 Try cycling: ten minutes, même sous la pluie."
    assert comments["10"].body == "An anonymous note, from an old importer that left no GMT date."


def test_hostile_html_is_passed_on_untouched_for_the_import_to_sanitize(comments):
    """The readers don't sanitize: the import does, as it does a reader's post. So the
    records must carry the markup exactly, for the import's sanitizer to see all of it."""
    assert comments["4"].body == (
        'Nice bridge <script>alert(1)</script><img src=x onerror="alert(2)"> '
        '<a href="javascript:alert(3)">see</a>'
    )
    assert comments["4"].author_url == "javascript:alert(document.cookie)"


def test_addresses_ipv6_kept_in_its_standard_spelling_an_invalid_one_dropped(comments):
    assert comments["3"].ip_address == "2001:db8::7"
    assert comments["10"].ip_address == ""


def test_an_empty_author_name_is_given_as_empty(comments):
    assert comments["10"].author_name == ""
    assert comments["10"].author_email == ""


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read(version):
    records = list(read_wordpress(wxr(wxr_item("7", wxr_comment("1")), version=version)))
    assert [type(r) for r in records] == [Thread, ImportedComment]


def test_an_unknown_wxr_version_is_refused():
    with pytest.raises(UnreadableExport, match=r"^Line 5: .*version 1\.3 .*1\.0 to 1\.2"):
        list(read_wordpress(wxr(wxr_item("7"), version="1.3")))


def test_comments_of_a_trashed_post_are_removed():
    (_, comment) = read_wordpress(wxr(wxr_item("7", wxr_comment(comment_approved="post-trashed"))))
    assert comment.status == "removed"


def test_a_plugins_own_comment_type_is_skipped_by_its_name():
    """WooCommerce keeps order notes (private) as comments: not a reader's comment."""
    records = list(read_wordpress(wxr(wxr_item("7", wxr_comment("5", comment_type="order_note")))))
    assert records[1] == Skipped("5", "order_note")


def test_comments_before_the_posts_id_still_follow_their_thread():
    item = wxr_item(
        "7",
        wxr_comment("1"),
        wxr_comment("2", comment_parent="1"),
        head="<title>Late id</title><link>https://gazette.example/7/</link>\n",
    )
    item = item.replace("</item>", "<wp:post_id>7</wp:post_id>\n</item>")
    records = list(read_wordpress(wxr(item)))
    assert records[0] == Thread("7", "https://gazette.example/7/", "Late id")
    assert [(r.source_id, r.thread_key) for r in records[1:]] == [("1", "7"), ("2", "7")]


def test_a_posts_id_between_its_comments_still_comes_before_them():
    item = wxr_item(
        "7",
        wxr_comment("1"),
        "<wp:post_id>7</wp:post_id>\n",
        wxr_comment("2", comment_parent="1"),
        wxr_comment("3", comment_type="pingback"),
        head="<title>Id in between</title><link>https://gazette.example/7/</link>\n",
    )
    records = list(read_wordpress(wxr(item)))
    assert records[0] == Thread("7", "https://gazette.example/7/", "Id in between")
    assert [(r.source_id, getattr(r, "thread_key", None)) for r in records[1:]] == [
        ("1", "7"),
        ("2", "7"),
        ("3", None),
    ]


def test_the_bad_status_file_is_refused_naming_the_value_and_its_line():
    path = DATA / "bad_status.xml"
    line = line_of(path, "<![CDATA[held]]>")
    records, error = read_until_refused(read_wordpress, path)
    assert isinstance(error, UnreadableExport)
    assert str(error).startswith(f"Line {line}: comment 3 has the status “held”")
    assert error.line == line
    assert [r.source_id for r in records[1:]] == ["1", "2"]


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        (
            {"comment_date": None, "comment_date_gmt": None},
            "<wp:comment>",
            "comment 1 has no date (no wp:comment_date_gmt or wp:comment_date).",
        ),
        (
            {"comment_date": "0000-00-00 00:00:00", "comment_date_gmt": "0000-00-00 00:00:00"},
            "<wp:comment>",
            "comment 1 has no date (no wp:comment_date_gmt or wp:comment_date).",
        ),
        (
            {"comment_date_gmt": "2023-02-30 10:00:00"},
            "comment_date_gmt",
            "comment 1's date “2023-02-30 10:00:00” (wp:comment_date_gmt) is not a date and "
            "time written YYYY-MM-DD HH:MM:SS.",
        ),
        (
            {"comment_date_gmt": "02/11/2023 10:00"},
            "comment_date_gmt",
            "comment 1's date “02/11/2023 10:00” (wp:comment_date_gmt) is not a date and time "
            "written YYYY-MM-DD HH:MM:SS.",
        ),
        ({"comment_id": None}, "<wp:comment>", "a comment has no wp:comment_id."),
        (
            {"comment_approved": ""},
            "comment_approved",
            "comment 1 has the status “” (wp:comment_approved), which WordPress doesn't use: "
            "it knows 1, 0, spam, trash and post-trashed.",
        ),
    ],
)
def test_a_comment_it_cant_read_is_refused_with_its_line(fields, where, message):
    source = wxr(wxr_item("7", wxr_comment(**{"comment_id": "1"} | fields)))
    with pytest.raises(UnreadableExport) as refused:
        list(read_wordpress(source))
    assert str(refused.value) == f"Line {line_of(source, where)}: {message}"


def test_a_post_without_an_id_is_refused():
    source = wxr(wxr_item("7", head="<title>No id</title>\n"))
    with pytest.raises(UnreadableExport) as refused:
        list(read_wordpress(source))
    assert (
        str(refused.value)
        == f"Line {line_of(source, '<item>')}: a post (<item>) has no wp:post_id."
    )


def test_an_rss_feed_that_isnt_a_wordpress_export_is_refused():
    feed = b'<rss version="2.0"><channel><title>News</title></channel></rss>'
    with pytest.raises(UnreadableExport, match="RSS feed without WordPress's export elements"):
        list(read_wordpress(io.BytesIO(feed)))


def test_another_xml_file_is_refused_by_its_root():
    with pytest.raises(UnreadableExport, match=r"^Line 3: the file's root element is <disqus>"):
        list(read_wordpress(DATA / "disqus.xml"))


def test_an_undeclared_entity_is_malformed_xml_with_its_line():
    """HTML's &nbsp; outside CDATA: XML knows no such entity (and none may be declared)."""
    source = wxr(wxr_item("7", wxr_comment(comment_content="Hello&nbsp;there")))
    with pytest.raises(UnreadableExport) as refused:
        list(read_wordpress(source))
    line = line_of(source, "&nbsp;")
    assert str(refused.value) == f"Line {line}: the XML is malformed (undefined entity, column 26)."


def test_a_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnreadableExport, match=r"^Can't read .*nothing\.xml: No such file"):
        list(read_wordpress(tmp_path / "nothing.xml"))


def test_an_open_file_is_read_and_left_open_for_its_owner():
    with open(WORDPRESS, "rb") as file:
        assert len(list(read_wordpress(file))) == 12
        assert not file.closed
