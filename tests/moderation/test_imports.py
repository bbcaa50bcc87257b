"""A newsroom's history brought in (comments.moderation.imports, manage.py import_comments):
threads matched to articles by path, or else made discussions of their pages (not with
--objects-only), threading, statuses, dates and authors kept, bodies sanitized (in worker
processes for a large file), one transaction, nothing added twice, the discussions' counts,
the trail, the listeners and the progress line."""

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from comments.history import ImportedComment, Thread, write_wordpress
from comments.models import Comment, Discussion, ModerationEvent, SpamExample
from comments.moderation import imports
from comments.sanitize import sanitize_comment
from tests.factories import discussion_of, make_article, make_comment

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


def run_import(path, *args, stderr=None):
    out = io.StringIO()
    call_command("import_comments", str(path), *args, stdout=out, stderr=stderr or io.StringIO())
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
    assert {c.discussion_id for c in found.values()} == {discussion_of(article).pk}
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


def test_importing_the_same_file_again_adds_nothing(history, monkeypatch):
    run_import(history)
    monkeypatch.setattr(imports, "sanitize_comment", lambda raw: pytest.fail("sanitized again"))
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


ELSEWHERE = Thread(key="2", link="https://old-gazette.example/about/letters?x=1", title="Letters")


def test_a_thread_no_article_matches_becomes_a_discussion_of_its_page(tmp_path, article):
    path = export_file(
        tmp_path,
        [
            (thread_for(article), [comment(1)]),
            (ELSEWHERE, [comment(2, thread="2"), comment(3, thread="2", parent=2)]),
        ],
    )
    output = run_import(path)
    found = imported()
    page = Discussion.objects.get(content_type=None)
    assert (page.url, page.title) == ("https://old-gazette.example/about/letters?x=1", "Letters")
    assert found["1"].discussion_id == discussion_of(article).pk
    assert {found["2"].discussion_id, found["3"].discussion_id} == {page.pk}
    assert found["3"].parent_id == found["2"].pk
    assert "Added 3 comments: 3 approved." in output
    assert "Nothing to discuss" not in output
    again = run_import(path)  # the page's discussion is found again by its address
    assert "Added 0 comments." in again and "Skipped 3: imported before." in again
    assert Discussion.objects.filter(content_type=None).count() == 1


def test_with_objects_only_a_thread_no_article_matches_is_reported_and_skipped(tmp_path, article):
    path = export_file(
        tmp_path,
        [(thread_for(article), [comment(1)]), (ELSEWHERE, [comment(2, thread="2")])],
    )
    output = run_import(path, "--objects-only")
    assert set(imported()) == {"1"}
    assert not Discussion.objects.filter(content_type=None).exists()
    assert (
        "Nothing to discuss at https://old-gazette.example/about/letters?x=1: its comments were "
        "skipped." in output
    )
    assert "Skipped 1: nothing to discuss at its link." in output


def test_a_link_that_is_no_web_address_is_reported_and_skipped(tmp_path, db):
    nowhere = Thread(key="7", link="about-us", title="About")
    output = run_import(export_file(tmp_path, [(nowhere, [comment(1, thread="7")])]))
    assert not Comment.objects.exists() and not Discussion.objects.exists()
    assert "Nothing to discuss at about-us" in output


def test_an_unpublished_article_takes_no_history(tmp_path, db):
    draft = make_article(status="draft")
    output = run_import(export_file(tmp_path, [(thread_for(draft), [comment(1)])]))
    assert not Comment.objects.exists()
    # Nor is it made a page's discussion, which readers would see, headline and all.
    assert not Discussion.objects.filter(content_type=None).exists()
    assert "Nothing to discuss at" in output


def test_each_discussions_approved_count_is_right_after_an_import(history, tmp_path, article):
    other = make_article()
    make_comment(other)  # one approved before the import
    path = export_file(
        tmp_path,
        [
            (thread_for(other, "9"), [comment(1, thread="9"), comment(2, thread="9")]),
            (ELSEWHERE, [comment(3, thread="2"), comment(4, thread="2", status="pending")]),
        ],
        "more.xml",
    )
    run_import(history)
    run_import(path)
    page = Discussion.objects.get(content_type=None)
    counts = dict(Discussion.objects.values_list("pk", "approved_count"))
    assert counts == {discussion_of(article).pk: 5, discussion_of(other).pk: 3, page.pk: 1}
    for discussion in Discussion.objects.all():
        assert discussion.approved_count == discussion.comments.approved().count()


@pytest.fixture
def may_fork(monkeypatch):
    """Forking allowed even if an earlier test left a thread running (a live server)."""
    monkeypatch.setattr(imports, "_can_fork", lambda: True)


def test_a_large_file_is_sanitized_in_worker_processes_the_same(
    tmp_path, article, monkeypatch, may_fork
):
    monkeypatch.setattr(imports, "POOL_FROM", 4)
    monkeypatch.setattr(imports, "SANITIZE_CHUNK", 3)
    pools, here = [], []
    start_pool, sanitize_here = imports._pool, imports._Sanitizer._here

    def pool(workers):
        pools.append(start_pool(workers))
        return pools[-1]

    def sanitized_here(self, chunk):
        here.extend(chunk)
        sanitize_here(self, chunk)

    monkeypatch.setattr(imports, "_pool", pool)
    monkeypatch.setattr(imports._Sanitizer, "_here", sanitized_here)
    bodies = [
        '<p onclick="steal()">Hi<script>alert(1)</script></p>',
        '<a href="javascript:alert(1)">x</a> and <a href="https://example.org/">y</a>',
        "Two\n\nparagraphs, <em>one</em> &amp; the other",
        "Ünïcode 🎉 <b>bold</b>",
    ]
    comments = [comment(n, body=bodies[n % 4] + f" {n}") for n in range(1, 12)]
    # The same text as comment 4's, by another author: sanitized once, imported twice.
    comments.append(comment(12, body=bodies[0] + " 4", author_email="other@example.org"))
    output = run_import(export_file(tmp_path, [(thread_for(article), comments)]), "--workers", "2")
    found = imported()
    assert len(found) == 12 and "Added 12 comments" in output
    assert len(pools) == 1 and pools[0] is not None and here == []  # all done by the pool
    for imported_comment in found.values():
        assert imported_comment.body_html == sanitize_comment(imported_comment.body_raw)
    assert "<script" not in found["1"].body_html and "javascript" not in found["2"].body_html


def test_the_sanitizer_gives_every_bodys_html_however_the_chunks_were_shared(monkeypatch, may_fork):
    """However the chunks are shared (the workers take them from the front, this process from
    the back while it waits), each body's HTML is the sanitizer's."""
    monkeypatch.setattr(imports, "POOL_FROM", 1)
    monkeypatch.setattr(imports, "SANITIZE_CHUNK", 2)
    bodies = [f"<p>Number {n} <script>x()</script><i>it</i></p>" for n in range(41)]
    with imports._Sanitizer(workers=2) as sanitizer:
        for body in bodies + bodies[:5]:  # each distinct text once
            sanitizer.add(body)
        sanitizer.finish()
        assert sanitizer.pool is not None
        shown = [sanitizer.html_of(body) for body in reversed(bodies)]
    assert shown == [sanitize_comment(body) for body in reversed(bodies)]
    assert sanitizer.pool is None  # ended with the block


def test_no_pool_is_forked_while_another_thread_runs(monkeypatch):
    monkeypatch.setattr(imports, "POOL_FROM", 1)
    monkeypatch.setattr(imports, "SANITIZE_CHUNK", 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with imports._Sanitizer(workers=2) as sanitizer:
            for n in range(10):
                sanitizer.add(f"<b>{n}</b><script>x()</script>")
            sanitizer.finish()
            assert sanitizer.pool is None
            assert sanitizer.html_of("<b>3</b><script>x()</script>") == "<p><b>3</b></p>"
    finally:
        stop.set()
        other.join()


def test_a_small_file_is_sanitized_in_the_importing_process(history, monkeypatch):
    monkeypatch.setattr(imports, "_pool", lambda workers: pytest.fail("no pool for 8 comments"))
    run_import(history, "--workers", "4")
    assert "<script" not in imported()["7"].body_html


def test_progress_goes_to_stderr_on_one_line_when_asked(history, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 3)
    err = io.StringIO()
    output = run_import(history, "--progress", stderr=err)
    shown = err.getvalue()
    assert shown.startswith("\rRead 3 comments…\rRead 6 comments…")
    assert "\rAdded 8 of 8 comments…" in shown
    assert shown.endswith("\n") and shown.count("\n") == 1  # one line, ended at the end
    assert "Read 8 comments" in output and "…" not in output  # stdout: the report only


def test_no_progress_is_shown_off_a_terminal(history, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 3)
    err = io.StringIO()  # not a terminal
    run_import(history, stderr=err)
    assert err.getvalue() == ""


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
