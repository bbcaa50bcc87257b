"""manage.py export_comments: the site's discussions out as a WordPress export, and back in
through import_comments unchanged (objects found again by path, pages by URL)."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from comments.history import ImportedComment, Thread, read_wordpress
from comments.models import Comment, Discussion
from tests.factories import discussion_of, make_article, make_comment

SITE = "https://www.meridian.example"
START = datetime(2021, 6, 7, 8, 9, 10, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.COMMENTS_SITE_URL = SITE


@pytest.fixture
def page(db):
    return Discussion.objects.of_url("https://explainers.example/tides?lang=en", "Why tides turn")


@pytest.fixture
def history(article, page):
    """Comments of every kind: threads three deep, every status, a removed comment whose
    reply stands, unicode, markup, a website and IP addresses; on an article and a page."""

    def at(minutes, **fields):
        return {"submitted_at": START + timedelta(minutes=minutes), **fields}

    first = make_comment(article, body="<p>First, with <em>emphasis</em>.</p>", **at(1))
    reply = make_comment(
        article,
        body="Ünïcode ‏עברית‏ 🎉 & <b>bold</b>",
        parent=first,
        depth=1,
        root=first,
        author_name="Zoë Ünïcode",
        author_url="https://zoe.example/",
        ip_address="2001:db8::7",
        **at(2),
    )
    make_comment(article, body="Third level.", parent=reply, depth=2, root=first, **at(3))
    make_comment(article, body="Waiting.", status=Comment.Status.PENDING, **at(4))
    make_comment(article, body="Cheap pills https://spam.example/", status="spam", **at(5))
    removed = make_comment(article, body="Taken down.", status=Comment.Status.REMOVED, **at(6))
    make_comment(article, body="Still here.", parent=removed, depth=1, root=removed, **at(7))
    on_page = make_comment(page, body="On a page we don't serve.", ip_address=None, **at(8))
    make_comment(page, body="A reply there.", parent=on_page, depth=1, root=on_page, **at(9))
    make_article()  # a discussion with nothing to export
    return article, page


def export(*args):
    out = io.StringIO()
    call_command("export_comments", "--format", "wordpress", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Every comment as it can be compared across databases: its discussion by what
    identifies it (an article's path, a page's URL), its parent by its text."""

    def where(discussion):
        return ("page", discussion.url) if discussion.is_page else ("object", discussion.url)

    comments = Comment.objects.select_related("discussion", "parent")
    return {
        (where(c.discussion), c.body_raw): (
            c.author_name,
            c.author_email,
            c.author_url,
            c.ip_address,
            c.body_html,
            c.status,
            c.submitted_at.replace(microsecond=0),  # WordPress keeps seconds
            c.parent.body_raw if c.parent else None,
            c.depth,
            c.discussion.title,
        )
        for c in comments
    }


def counts():
    return {
        (d.content_type_id is None, d.url): d.approved_count
        for d in Discussion.objects.filter(comments__isnull=False).distinct()
    }


def test_what_is_exported_comes_back_the_same(history, tmp_path):
    before, counted = snapshot(), counts()
    path = tmp_path / "site.xml"
    assert export("--output", str(path)) == ""
    Comment.objects.all().delete()
    Discussion.objects.all().delete()

    out = io.StringIO()
    call_command("import_comments", str(path), stdout=out, stderr=io.StringIO())
    assert "Added 9 comments: 6 approved, 1 pending, 1 spam, 1 removed." in out.getvalue()
    assert snapshot() == before
    assert counts() == counted
    article, page = history
    assert Discussion.objects.of(article).approved_count == 4
    assert Discussion.objects.get(content_type=None).url == page.url


def test_each_discussion_is_an_item_with_its_title_address_and_id(history):
    article, page = history
    records = list(read_wordpress(io.BytesIO(export().encode())))
    threads = [r for r in records if isinstance(r, Thread)]
    assert sorted(threads, key=lambda thread: int(thread.key)) == threads  # by id
    assert set(threads) == {
        Thread(
            key=str(discussion_of(article).pk),
            link=f"{SITE}{article.get_absolute_url()}",
            title=article.headline,
        ),
        Thread(key=str(page.pk), link=page.url, title="Why tides turn"),
    }
    comments = {r.body: r for r in records if isinstance(r, ImportedComment)}
    assert len(comments) == 9
    reply = comments["Ünïcode ‏עברית‏ 🎉 & <b>bold</b>"]
    first = Comment.objects.get(body_raw="<p>First, with <em>emphasis</em>.</p>")
    assert (reply.parent_id, reply.author_name, reply.author_url, reply.ip_address) == (
        str(first.pk),
        "Zoë Ünïcode",
        "https://zoe.example/",
        "2001:db8::7",
    )
    assert reply.submitted_at == (START + timedelta(minutes=2)).replace(microsecond=0)
    assert comments["Taken down."].status == "removed"
    assert comments["Cheap pills https://spam.example/"].status == "spam"
    assert comments["On a page we don't serve."].ip_address == ""


def test_parents_come_before_their_replies(history):
    records = read_wordpress(io.BytesIO(export().encode()))
    order = [r.source_id for r in records if isinstance(r, ImportedComment)]
    for comment in Comment.objects.filter(parent__isnull=False):
        assert order.index(str(comment.parent_id)) < order.index(str(comment.pk))


def test_only_the_discussions_named(history):
    _, page = history
    records = list(read_wordpress(io.BytesIO(export("--discussion", str(page.pk)).encode())))
    assert [r.title for r in records if isinstance(r, Thread)] == ["Why tides turn"]
    assert sum(isinstance(r, ImportedComment) for r in records) == 2


def test_an_unknown_discussion_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No discussion 404"):
        export("--discussion", "404")


def test_an_export_of_nothing_is_still_a_valid_file(db):
    assert list(read_wordpress(io.BytesIO(export().encode()))) == []


def test_an_unwritable_output_is_a_clear_error(history, tmp_path):
    with pytest.raises(CommandError, match="nowhere"):
        export("--output", str(tmp_path / "nowhere" / "site.xml"))
