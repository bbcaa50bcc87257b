"""A newsroom's history brought in (comments.moderation.imports, manage.py import_comments):
threads matched to articles by path, threading, statuses, dates and authors kept, bodies
sanitized, one transaction, nothing added twice, the trail and the listeners."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from comments.history import ImportedComment, Thread, write_wordpress
from comments.models import Comment, ModerationEvent, SpamExample
from tests.factories import make_article, make_comment

START = datetime(2019, 3, 4, 10, 22, 33, tzinfo=UTC)


def comment(n, thread="1", parent=None, status="approved", **fields):
    values = {
        "thread_key": thread,
        "source_id": str(n),
        "parent_id": None if parent is None else str(parent),
        "author_name": f"Old reader {n}",
        "author_email": f"old{n}@example.org",
        "author_url": "",
        "ip_address": "192.0.2.9",
        "submitted_at": START + timedelta(minutes=n),
        "body": f"<p>Remark number {n}.</p>",
        "status": status,
    }
    return ImportedComment(**(values | fields))


def export_file(tmp_path, discussions, name="export.xml"):
    path = tmp_path / name
    with open(path, "wb") as out:
        write_wordpress(discussions, out, site_title="The Old Gazette")
    return path


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_comments", str(path), *args, stdout=out)
    return out.getvalue()


def thread_for(article, key="1"):
    # Another domain and no trailing slash: the path still finds the article.
    link = "https://old-gazette.example" + article.get_absolute_url().rstrip("/")
    return Thread(key=key, link=link, title=article.headline)


@pytest.fixture
def history(tmp_path, article):
    comments = [
        comment(1),
        comment(2, parent=1, author_name="Ünïcode ‏עברית‏ 🎉"),
        comment(3, parent=2),
        comment(4, status="pending"),
        comment(5, status="spam", body="Cheap pills https://spam.example/"),
        comment(6, status="removed"),
        comment(7, body='<p onclick="steal()">Hi<script>alert(1)</script></p>'),
        comment(8, parent=999),  # its parent is not in the file
    ]
    return export_file(tmp_path, [(thread_for(article), comments)])


def imported():
    return {c.import_key.rsplit(":", 1)[1]: c for c in Comment.objects.exclude(import_key="")}


def test_threads_statuses_dates_and_authors_come_in(history, article):
    output = run_import(history)
    found = imported()
    assert set(found) == {str(n) for n in range(1, 9)}
    assert {n: c.status for n, c in found.items()} == {
        "1": "approved",
        "2": "approved",
        "3": "approved",
        "4": "pending",
        "5": "spam",
        "6": "removed",
        "7": "approved",
        "8": "approved",
    }
    assert all(c.article_id == article.pk for c in found.values())
    assert (found["2"].parent_id, found["2"].depth, found["2"].root_id) == (
        found["1"].pk,
        1,
        found["1"].pk,
    )
    assert (found["3"].parent_id, found["3"].depth, found["3"].root_id) == (
        found["2"].pk,
        2,
        found["1"].pk,
    )
    assert found["8"].parent_id is None and found["8"].depth == 0  # a new thread
    assert found["3"].submitted_at == START + timedelta(minutes=3)
    assert found["2"].author_name == "Ünïcode ‏עברית‏ 🎉"
    assert found["1"].email_normalized == "old1@example.org"
    assert "Added 8 comments: 5 approved, 1 pending, 1 spam, 1 removed." in output


def test_imported_html_is_sanitized_like_a_readers_post(history):
    run_import(history)
    hostile = imported()["7"]
    assert "<script" not in hostile.body_html and "onclick" not in hostile.body_html
    assert "Hi" in hostile.body_html


def test_the_trail_says_imported_by_the_import_rule(history):
    run_import(history)
    events = ModerationEvent.objects.filter(comment__in=imported().values())
    assert events.count() == 8
    assert set(events.values_list("action", "rule", "from_status")) == {("import", "import", "")}
    assert set(events.values_list("reason", flat=True)) == {"imported from wordpress"}


def test_importing_the_same_file_again_adds_nothing(history):
    run_import(history)
    again = run_import(history)
    assert Comment.objects.exclude(import_key="").count() == 8
    assert "Added 0 comments." in again
    assert "Skipped 8: imported before." in again


def test_a_later_file_answering_an_imported_comment_joins_its_thread(history, tmp_path, article):
    run_import(history)
    later = export_file(tmp_path, [(thread_for(article), [comment(9, parent=3)])], "later.xml")
    run_import(later)
    found = imported()
    assert (found["9"].parent_id, found["9"].depth, found["9"].root_id) == (
        found["3"].pk,
        3,
        found["1"].pk,
    )


def test_replies_deeper_than_the_site_allows_join_the_deepest_level(tmp_path, article, settings):
    settings.COMMENTS_THREAD_DEPTH = 2
    chain = [comment(1), comment(2, parent=1), comment(3, parent=2), comment(4, parent=3)]
    run_import(export_file(tmp_path, [(thread_for(article), chain)]))
    found = imported()
    assert [found[n].depth for n in "1234"] == [0, 1, 1, 1]
    assert {found[n].parent_id for n in "234"} == {found["1"].pk}


def test_a_circle_of_replies_is_cut_rather_than_lost(tmp_path, article):
    circle = [comment(1, parent=2), comment(2, parent=1)]
    run_import(export_file(tmp_path, [(thread_for(article), circle)]))
    found = imported()
    assert set(found) == {"1", "2"}
    assert sorted(c.depth for c in found.values()) == [0, 1]


def test_a_comment_id_given_twice_is_imported_once(tmp_path, article):
    twice = [comment(1), comment(1, body="<p>Another text, the same id.</p>")]
    output = run_import(export_file(tmp_path, [(thread_for(article), twice)]))
    assert imported()["1"].body_raw == "<p>Remark number 1.</p>"
    assert "Skipped 1: the file gives the same comment id twice." in output


def test_a_comment_already_on_the_site_is_not_repeated(tmp_path, article):
    make_comment(article, author_email="old1@example.org", body="<p>Remark number 1.</p>")
    output = run_import(export_file(tmp_path, [(thread_for(article), [comment(1)])]))
    assert not Comment.objects.exclude(import_key="").exists()
    assert "Skipped 1: the same text by the same author is there already." in output


def test_threads_no_article_matches_are_reported_and_skipped(tmp_path, article):
    elsewhere = Thread(key="2", link="https://old-gazette.example/gone/", title="Gone")
    path = export_file(
        tmp_path,
        [(thread_for(article), [comment(1)]), (elsewhere, [comment(2, thread="2")])],
    )
    output = run_import(path)
    assert set(imported()) == {"1"}
    assert "No article at https://old-gazette.example/gone/" in output
    assert "Skipped 1: no page of this site at its link." in output


def test_an_unpublished_article_takes_no_history(tmp_path, db):
    draft = make_article(status="draft")
    output = run_import(export_file(tmp_path, [(thread_for(draft), [comment(1)])]))
    assert not Comment.objects.exists()
    assert "No article at" in output


def test_a_malformed_file_is_refused_and_nothing_of_it_stays(tmp_path, article, history):
    whole = history.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(whole[: whole.rindex(b"<wp:comment>")])  # the last comment cut off
    with pytest.raises(CommandError, match=r"cut.xml: Line \d+: .*Nothing was imported."):
        run_import(cut)
    assert not Comment.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_a_billion_laughs_file_is_refused_at_once(tmp_path, article):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<rss>&b;</rss>\n'
    )
    with pytest.raises(CommandError, match="entities"):
        run_import(bomb, "--format", "wordpress")
    assert not Comment.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match=r"nothing-here\.xml"):
        run_import(tmp_path / "nothing-here.xml", "--format", "wordpress")


def test_imports_teach_the_spam_filter_only_when_asked(history, tmp_path, article):
    run_import(history)
    assert not SpamExample.objects.exists()
    other = make_article()
    path = export_file(
        tmp_path,
        [(thread_for(other, "9"), [comment(1, thread="9"), comment(2, thread="9", status="spam")])],
        "teach.xml",
    )
    run_import(path, "--teach-filter", "--source", "gazette")
    assert sorted(SpamExample.objects.values_list("is_spam", "source")) == [
        (False, "import"),
        (True, "import"),
    ]


def test_editors_are_not_alerted_to_history_and_readers_see_it_at_once(
    history, article, client, editor, django_capture_on_commit_callbacks
):
    client.get(article.get_absolute_url())  # the thread, cached before the import
    with django_capture_on_commit_callbacks(execute=True):
        run_import(history)
    assert mail.outbox == []  # a pending comment from 2019 is no news
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Old reader 1" in page and "Remark number 3." in page
    assert "Old reader 4" not in page  # pending
