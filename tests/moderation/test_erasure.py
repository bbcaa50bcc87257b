"""A reader's personal data: the export, the erasure (the commands and the admin's actions), the
IP retention period, who may do them, and a crawl of every public page afterwards."""

import io
import json
import re
from datetime import timedelta
from html import unescape as html_unescaped

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment, ModerationEvent, SpamExample
from comments.moderation import commenter_data
from tests import factories
from tests.factories import discussion_of
from tests.moderation.test_privacy import crawl, disguises
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/?status=all"

# Ada's email as she typed it on three comments: three spellings of one normalised identity.
ADA_EMAILS = ("Ada.Lovelace@Example.ORG", "ada.lovelace@example.org", "ADA.LOVELACE@EXAMPLE.ORG")
ADA = "ada.lovelace@example.org"
ADA_ASKED = "  ADA.lovelace@EXAMPLE.org  "  # how an editor may type it on the command line
ADA_NAME = "Ada Lovelace"
ADA_WEBSITE = "https://ada-notes.example.org/about"
ADA_IPS = ("198.51.100.23", "2001:db8::ada", "203.0.113.77")
ADA_AGENT = "Mozilla/5.0 (AdaBook; rv:121.0) Gecko/20100101 AdaFox/121.0"

BOB = "bob.builder@example.net"
BOB_NAME = "Bob Builder"
BOB_IP = "192.0.2.99"
BOB_AGENT = "BobBrowser/3.2 (Bob's tablet; Android 14)"

EDITOR_EMAIL = "ines.editor@newsroom.example"


def submit(article, text, *, name=ADA_NAME, email=ADA_EMAILS[0], ip=ADA_IPS[0], **fields):
    """A reader's comment, through the write path as the form sends it (the trail starts)."""
    defaults = {"author_url": ADA_WEBSITE, "user_agent": ADA_AGENT, "poster_key": "k" * 32}
    comment = Comment(
        discussion=discussion_of(article),
        author_name=name,
        author_email=email,
        ip_address=ip,
        **(defaults | fields),
    )
    comment.set_body(text)
    return moderation.submit(comment)


def submit_for_bob(article, text, **fields):
    fields = {"author_url": "", "user_agent": BOB_AGENT, "poster_key": "b" * 32} | fields
    return submit(article, text, name=BOB_NAME, email=BOB, ip=BOB_IP, **fields)


def personal(comment):
    """What the erasure and the purge change, as stored now."""
    comment.refresh_from_db()
    return (
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.email_normalized,
        comment.ip_address,
        comment.user_agent,
        comment.poster_key,
        comment.fingerprint,
        comment.ip_purged_at,
        comment.body_raw,
        comment.body_html,
        comment.status,
    )


def command(*args, **options):
    """Run a management command; its standard output."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


@pytest.fixture
def named_editor(editor):
    """An editor with a real name and a real email address (which must never be published)."""
    editor.first_name, editor.last_name, editor.email = "Inès", "Moreau", EDITOR_EMAIL
    editor.save()
    return editor


@pytest.fixture
def ada(article, editor, django_capture_on_commit_callbacks):
    """Ada's three comments (approved after an editor's edit, pending on another article, and
    spam in reply to Bob) and Bob's two approved ones (one answering Ada). The editor's
    decisions run their listeners, so the spam filter keeps its copies."""
    other_article = factories.make_article()
    with django_capture_on_commit_callbacks(execute=True):
        bob = submit_for_bob(article, "Bob disagrees with the accord entirely.")
        approved = submit(article, "First thoughts on the accord.", email=ADA_EMAILS[0])
        pending = submit(
            other_article, "A second remark, later.", email=ADA_EMAILS[1], ip=ADA_IPS[1]
        )
        spam = submit(
            article, "Buy my book on engines!", email=ADA_EMAILS[2], ip=ADA_IPS[2], parent=bob
        )
        approved.body_raw = "First thoughts on the accord, corrected."
        moderation.edit(approved, ["body_raw"], by=editor)
        moderation.approve([approved, bob], by=editor)
        moderation.mark_spam([spam], by=editor)
        bob_reply = submit_for_bob(article, "Bob answers: not so fast.", parent=approved)
    comments = {
        "approved": approved,
        "pending": pending,
        "spam": spam,
        "bob": bob,
        "bob_reply": bob_reply,
    }
    for comment in comments.values():
        comment.refresh_from_db()
    assert [comments[key].status for key in ("approved", "pending", "spam", "bob_reply")] == [
        "approved",
        "pending",
        "spam",
        "approved",  # Bob is a known author by then
    ]
    return comments


def ada_comments(ada):
    return [ada["approved"], ada["pending"], ada["spam"]]


def bobs_comments(ada):
    return [ada["bob"], ada["bob_reply"]]


# --------------------------------------------------------------------------------------------
# Export


def test_the_export_holds_every_comment_of_the_normalised_email_and_nothing_else(
    ada, article, tmp_path
):
    """Guards: export_commenter_data finds a commenter's comments by normalised email (asked
    with other case and spaces, stored under three spellings), with their article, status,
    name, email as typed, website, text, dates, IP address, user agent, pick and spam-filter
    flags and whole trail, oldest event first; nothing of another commenter, not even on
    the same article; --output writes the same JSON to a file."""
    out = command("export_commenter_data", ADA_ASKED)
    data = json.loads(out)
    assert data["email"] == ADA
    approved, pending, spam = ada_comments(ada)
    assert [entry["id"] for entry in data["comments"]] == [approved.pk, pending.pk, spam.pk]

    for comment, entry, ip in zip(ada_comments(ada), data["comments"], ADA_IPS, strict=True):
        assert entry["discussion"] == {
            "title": comment.discussion.title,
            "url": comment.discussion.get_absolute_url(),
        }
        assert entry["status"] == comment.status
        assert entry["name"] == ADA_NAME
        assert entry["email"] == comment.author_email  # as typed
        assert entry["website"] == ADA_WEBSITE
        assert entry["text"] == comment.body_raw
        assert entry["submitted_at"] == comment.submitted_at.isoformat()
        assert entry["ip_address"] == ip
        assert entry["user_agent"] == ADA_AGENT
        assert entry["editors_pick"] is False
    assert [entry["email"] for entry in data["comments"]] == list(ADA_EMAILS)

    first, second, third = data["comments"]
    assert first["discussion"]["url"] == article.get_absolute_url()
    assert second["discussion"]["url"] != article.get_absolute_url()
    assert first["text"] == "First thoughts on the accord, corrected."
    assert first["edited_at"] == approved.edited_at.isoformat()
    assert first["moderated_at"] == approved.moderated_at.isoformat()
    assert (second["edited_at"], second["moderated_at"]) == (None, None)
    assert third["moderated_at"] == spam.moderated_at.isoformat()
    assert (first["in_reply_to"], second["in_reply_to"]) == (None, None)
    assert third["in_reply_to"] == ada["bob"].pk
    # The editor's decisions taught the spam filter: it keeps a copy of those two.
    assert [entry["kept_by_the_spam_filter"] for entry in data["comments"]] == [True, False, True]

    def trail(entry):
        return [
            (event["action"], event["from_status"], event["to_status"], event["by"])
            for event in entry["trail"]
        ]

    assert trail(first) == [
        ("Submitted", "", "pending", "new author"),
        ("Edited", "pending", "pending", "an editor"),
        ("Approved", "pending", "approved", "an editor"),
    ]
    assert trail(second) == [("Submitted", "", "pending", "new author")]
    assert trail(third) == [
        ("Submitted", "", "pending", "new author"),
        ("Marked as spam", "pending", "spam", "an editor"),
    ]
    assert first["trail"][1]["reason"] == "edited by staff: body_raw"
    events = list(reversed(approved.events.all()))
    assert [event["at"] for event in first["trail"]] == [e.created_at.isoformat() for e in events]

    lowered = out.lower()
    for bobs in (BOB, BOB_NAME, BOB_IP, BOB_AGENT, "bob.builder", "disagrees", "not so fast"):
        assert bobs.lower() not in lowered, bobs

    # --output: the same JSON in a file, and a count on standard error, not the data.
    path = tmp_path / "ada.json"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "export_commenter_data", ADA_ASKED, "--output", str(path), stdout=stdout, stderr=stderr
    )
    assert path.read_text(encoding="utf-8") == out
    assert stdout.getvalue() == ""
    assert f"3 comments written to {path}" in stderr.getvalue()


def test_the_export_shows_an_editors_pick(article, editor):
    """Guards: "editors_pick" says whether the comment is featured."""
    pick = factories.make_comment(article, author_email=ADA, body="Picked words.")
    factories.make_comment(article, author_email=ADA, body="Plain words.")
    moderation.feature([pick], by=editor)
    data = commenter_data(ADA)
    assert [entry["editors_pick"] for entry in data["comments"]] == [True, False]


def test_an_unknown_email_exports_nothing(ada):
    """Guards: an email with no comments gives an empty export, not someone else's."""
    assert json.loads(command("export_commenter_data", "nobody@example.org")) == {
        "email": "nobody@example.org",
        "comments": [],
        "subscriptions": [],
    }


# --------------------------------------------------------------------------------------------
# Erasure


def test_erasure_anonymises_every_comment_of_the_author_and_only_theirs(
    ada, article, client, django_capture_on_commit_callbacks
):
    """Guards: erase_commenter_data (normalised email) sets each of the author's comments'
    name to "Anonymous" and clears email, website, IP address, user agent and browser key,
    marks the IP purged, keeps text and status; Bob's comments are untouched; each comment
    has one "erase" event; the spam filter's copies of hers go (Bob's stay); the export
    then finds nothing; the cached article page shows "Anonymous"; running it again changes
    nothing."""
    bob_before = [personal(comment) for comment in bobs_comments(ada)]
    texts = {comment.pk: (comment.body_raw, comment.body_html) for comment in ada_comments(ada)}
    statuses = {comment.pk: comment.status for comment in ada_comments(ada)}
    assert SpamExample.objects.filter(comment__in=ada_comments(ada)).count() == 2
    assert SpamExample.objects.filter(comment=ada["bob"]).exists()
    assert ADA_NAME in page(client, article)  # the thread is cached now

    with django_capture_on_commit_callbacks(execute=True):
        out = command("erase_commenter_data", ADA_ASKED)
    assert out == (
        "Erased the personal data of 3 comments "
        "(name, email, website, IP address, user agent; text kept).\n"
    )
    for comment in ada_comments(ada):
        comment.refresh_from_db()
        assert comment.author_name == "Anonymous"
        assert (comment.author_email, comment.email_normalized, comment.author_url) == ("", "", "")
        assert (comment.ip_address, comment.user_agent, comment.poster_key) == (None, "", "")
        assert comment.fingerprint == f"erased-{comment.pk}"
        assert comment.ip_purged_at is not None
        assert (comment.body_raw, comment.body_html) == texts[comment.pk]
        assert comment.status == statuses[comment.pk]
        erase = comment.events.get(action="erase")
        assert (erase.from_status, erase.to_status) == (comment.status, comment.status)
        assert (erase.actor, erase.rule) == (None, "erasure request")
        assert erase.reason == "erased at the author's request"
    assert [personal(comment) for comment in bobs_comments(ada)] == bob_before
    assert not ModerationEvent.objects.filter(comment__in=bobs_comments(ada), action="erase")

    assert not SpamExample.objects.filter(comment__in=ada_comments(ada)).exists()
    assert not SpamExample.objects.filter(text__contains="accord, corrected").exists()
    assert not SpamExample.objects.filter(text__contains="Buy my book").exists()
    assert SpamExample.objects.filter(comment=ada["bob"]).exists()

    assert commenter_data(ADA) == {"email": ADA, "comments": [], "subscriptions": []}
    assert json.loads(command("export_commenter_data", ADA))["comments"] == []

    html = page(client, article)
    assert "First thoughts on the accord, corrected." in html
    assert "Anonymous" in html
    assert ADA_NAME not in html and "ada-notes.example.org" not in html

    # Again: nothing left to find, nothing changes, no new events.
    after = [personal(comment) for comment in ada_comments(ada)]
    events = ModerationEvent.objects.count()
    again = command("erase_commenter_data", ADA)
    assert again.startswith("Erased the personal data of 0 comments ")
    assert [personal(comment) for comment in ada_comments(ada)] == after
    assert ModerationEvent.objects.count() == events


def many_comments(article, count, email):
    """`count` approved comments by one author in one INSERT (the text sanitized once)."""
    probe = Comment()
    probe.set_body("One of very many remarks.")
    rows = []
    for n in range(count):
        comment = Comment(
            discussion=discussion_of(article),
            author_name="Prolific Poster",
            author_email=email,
            author_url="https://prolific.example.com",
            ip_address=f"198.51.100.{n % 250 + 1}",
            user_agent="ProlificBrowser/1.0",
            status=Comment.Status.APPROVED,
        )
        comment.body_raw, comment.body_html = f"{probe.body_raw} {n}", probe.body_html
        comment._sanitized_from = comment.body_raw
        comment.derive_fields()
        rows.append(comment)
    Comment.objects.bulk_create(rows, batch_size=500)


def test_a_prolific_author_is_erased_in_batches(article, monkeypatch):
    """Guards: --batch-size splits the erasure (1,200 comments: 500, 500, 200, each its own
    call of the write path) and the summary counts them all; nobody else is touched."""
    many_comments(article, 1200, "Prolific@Example.com")
    other = factories.make_comment(article, author_email="other@example.com", body="Other.")
    other_before = personal(other)
    batches = []
    erase = moderation.erase

    def counting_erase(comments, **options):
        batches.append(len(comments))
        return erase(comments, **options)

    monkeypatch.setattr(moderation, "erase", counting_erase)
    out = command("erase_commenter_data", "prolific@example.com", "--batch-size", "500")
    assert batches == [500, 500, 200]
    assert out.startswith("Erased the personal data of 1200 comments ")
    erased = Comment.objects.exclude(pk=other.pk)
    assert erased.count() == 1200
    assert erased.filter(author_name="Anonymous", author_email="", ip_address=None).count() == 1200
    assert not erased.exclude(user_agent="").exists()
    assert not erased.exclude(author_url="").exists()
    assert not erased.filter(ip_purged_at=None).exists()
    assert ModerationEvent.objects.filter(action="erase").count() == 1200
    assert not Comment.objects.filter(email_normalized="prolific@example.com").exists()
    assert personal(other) == other_before


def test_erasing_with_the_text_keeps_the_replies_under_a_placeholder(
    article, client, django_capture_on_commit_callbacks
):
    """Guards: --remove-text empties the text and removes the comments; an approved reply by
    someone else stays on the article page, under "This comment was removed."; the erased
    text and name appear nowhere on the page or the feed (the cached thread is forgotten);
    a removed comment nobody answered is gone from the page."""
    zelda = "zelda.quincy@example.org"
    answered = factories.make_comment(
        article, author_name="Zelda Quincy", author_email=zelda, body="Zelda's private musings."
    )
    reply = factories.make_comment(
        article, parent=answered, author_name="Yusuf", body="I see the harbour differently."
    )
    lonely = factories.make_comment(
        article, author_name="Zelda Quincy", author_email=zelda, body="A remark nobody answered."
    )
    before = page(client, article)  # cached now
    assert "Zelda's private musings." in html_unescaped(before)

    with django_capture_on_commit_callbacks(execute=True):
        out = command("erase_commenter_data", zelda.upper(), "--remove-text")
    assert out == (
        "Erased the personal data of 2 comments "
        "(name, email, website, IP address, user agent; text removed).\n"
    )
    for comment in (answered, lonely):
        comment.refresh_from_db()
        assert (comment.status, comment.body_raw, comment.body_html) == ("removed", "", "")
        assert comment.author_name == "Anonymous"
        erase = comment.events.get(action="erase")
        assert (erase.from_status, erase.to_status) == ("approved", "removed")
        assert erase.reason == "erased at the author's request, text removed"
    reply.refresh_from_db()
    assert reply.status == "approved" and reply.parent_id == answered.pk

    html = page(client, article)
    placeholder = html.index(f'id="comment-{answered.pk}"')
    assert html.index(f'id="comment-{reply.pk}"') > placeholder
    assert html.count("This comment was removed.") == 1
    assert "This comment was removed." in html[placeholder : html.index(f'id="comment-{reply.pk}"')]
    assert "I see the harbour differently." in html
    assert "in reply to a removed comment" in visible_text(html)
    assert f'id="comment-{lonely.pk}"' not in html
    feed_url = reverse("comments:discussion_feed", args=[discussion_of(article).pk])
    feed = client.get(feed_url).content.decode()
    for content in (html_unescaped(html), html_unescaped(feed)):
        for gone in ("private musings", "nobody answered", "Zelda Quincy", "zelda.quincy"):
            assert gone not in content, gone


# --------------------------------------------------------------------------------------------
# IP retention


def test_the_ip_purge_clears_what_is_older_than_the_retention_period(
    article, editor_client, settings
):
    """Guards: purge_commenter_ips clears the IP address and user agent of comments older than
    COMMENTS_IP_RETENTION_DAYS, in batches, and records a "purge" event by the rule "IP
    retention"; newer comments keep theirs; the admin's list, change page and queue say
    "purged"; the export says "purged"; running it again purges nothing."""
    settings.COMMENTS_IP_RETENTION_DAYS = 60
    now = timezone.now()
    old = [
        factories.make_comment(
            article,
            author_email=f"old{n}@example.org",
            ip_address=f"203.0.113.{n + 10}",
            user_agent=f"OldBrowser/{n}.0",
            submitted_at=now - timedelta(days=61 + n),
            status="pending" if n == 0 else "approved",
            body=f"Old remark {n}.",
        )
        for n in range(3)
    ]
    new = factories.make_comment(
        article,
        author_email="new@example.org",
        ip_address="198.51.100.200",
        user_agent="NewBrowser/9.9",
        submitted_at=now - timedelta(days=59),
        status="pending",
        body="A recent remark.",
    )

    out = command("purge_commenter_ips", "--batch-size", "2")
    assert out == "Purged the IP address and user agent of 3 comments older than 60 days.\n"
    for comment in old:
        comment.refresh_from_db()
        assert (comment.ip_address, comment.user_agent) == (None, "")
        assert comment.ip_purged_at is not None
        purge = comment.events.get(action="purge")
        assert (purge.actor, purge.rule, purge.reason) == (
            None,
            "IP retention",
            "older than 60 days",
        )
        assert purge.from_status == purge.to_status == comment.status
        assert comment.author_email and comment.body_raw  # nothing else is touched
    new.refresh_from_db()
    assert (new.ip_address, new.user_agent, new.ip_purged_at) == (
        "198.51.100.200",
        "NewBrowser/9.9",
        None,
    )
    assert not new.events.filter(action="purge").exists()

    change = editor_client.get(reverse("admin:comments_comment_change", args=[old[0].pk]))
    text = visible_text(change.content.decode())
    assert "203.0.113.10" not in text and "OldBrowser" not in text
    shown = " ".join(text.split())
    assert "IP address: purged" in shown and "user agent: purged" in shown.lower()
    recent = visible_text(
        editor_client.get(reverse("admin:comments_comment_change", args=[new.pk])).content.decode()
    )
    assert "198.51.100.200" in recent and "NewBrowser/9.9" in recent

    listing = editor_client.get(CHANGELIST).content.decode()
    assert listing.count(">purged<") == 3
    assert "198.51.100.200" in listing
    assert not any(f"203.0.113.{n + 10}" in listing for n in range(3))

    queue = visible_text(
        editor_client.get(reverse("admin:comments_comment_queue")).content.decode()
    )
    assert "IP purged" in queue and "203.0.113.10" not in queue
    assert "198.51.100.200" in queue

    exported = commenter_data("old0@example.org")["comments"][0]
    assert (exported["ip_address"], exported["user_agent"]) == ("purged", "purged")
    assert exported["trail"][-1]["action"] == "IP address and user agent purged"
    assert exported["trail"][-1]["by"] == "IP retention"
    assert commenter_data("new@example.org")["comments"][0]["ip_address"] == "198.51.100.200"

    events = ModerationEvent.objects.count()
    again = command("purge_commenter_ips")
    assert again == "Purged the IP address and user agent of 0 comments older than 60 days.\n"
    assert ModerationEvent.objects.count() == events


def test_the_retention_period_is_a_setting(article, settings):
    """Guards: the command reads COMMENTS_IP_RETENTION_DAYS (not a fixed 60)."""
    settings.COMMENTS_IP_RETENTION_DAYS = 10
    now = timezone.now()
    eleven = factories.make_comment(article, submitted_at=now - timedelta(days=11), body="11")
    nine = factories.make_comment(article, submitted_at=now - timedelta(days=9), body="9")
    out = command("purge_commenter_ips")
    assert out == "Purged the IP address and user agent of 1 comment older than 10 days.\n"
    eleven.refresh_from_db()
    nine.refresh_from_db()
    assert eleven.ip_purged_at is not None and nine.ip_address == "192.0.2.10"


# --------------------------------------------------------------------------------------------
# The admin's actions, and who may use them


def run_action(client, action, comments, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [comment.pk for comment in comments]},
        **extra,
    )


@pytest.fixture
def three_authors(ada, article):
    """Ada's and Bob's comments, and Carol's, whom nobody selects."""
    carol = factories.make_comment(
        article,
        author_name="Carol Unselected",
        author_email="carol@example.com",
        ip_address="192.0.2.250",
        user_agent="CarolBrowser/1.0",
        body="Carol was never selected.",
    )
    return {**ada, "carol": carol}


def test_the_admin_exports_the_selected_comments_authors(editor_client, three_authors):
    """Guards: "Export the personal data…" downloads JSON (an attachment, not stored by any
    cache) with every comment of each selected comment's author, found by normalised email,
    and nothing of the authors not selected."""
    selected = [three_authors["pending"], three_authors["bob"]]
    response = run_action(editor_client, "export_authors_data", selected)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="commenter-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [author["email"] for author in data["authors"]] == [ADA, BOB]
    ada_data, bob_data = data["authors"]
    assert [entry["id"] for entry in ada_data["comments"]] == [
        c.pk for c in ada_comments(three_authors)
    ]
    assert [entry["id"] for entry in bob_data["comments"]] == [
        c.pk for c in bobs_comments(three_authors)
    ]
    assert ada_data["comments"][0]["ip_address"] == ADA_IPS[0]
    assert bob_data["comments"][0]["user_agent"] == BOB_AGENT
    content = response.content.decode()
    for carols in ("carol@example.com", "Carol Unselected", "192.0.2.250", "CarolBrowser"):
        assert carols not in content, carols


def test_the_admin_erases_the_selected_comments_authors(editor_client, editor, three_authors):
    """Guards: "Erase the personal data…" anonymises every comment of each selected comment's
    author (text kept), says how many, records the editor in the trail, and leaves the
    authors not selected alone."""
    carol_before = personal(three_authors["carol"])
    selected = [three_authors["spam"], three_authors["bob_reply"]]
    response = run_action(editor_client, "erase_authors_data", selected, follow=True)
    assert "The personal data of 5 comments by 2 authors was erased." in visible_text(
        response.content.decode()
    )
    for comment in [*ada_comments(three_authors), *bobs_comments(three_authors)]:
        comment.refresh_from_db()
        assert (comment.author_name, comment.author_email, comment.ip_address) == (
            "Anonymous",
            "",
            None,
        )
        assert comment.body_raw  # text kept
        erase = comment.events.get(action="erase")
        assert (erase.actor, erase.rule) == (editor, "")
    assert personal(three_authors["carol"]) == carol_before
    assert commenter_data(ADA)["comments"] == [] and commenter_data(BOB)["comments"] == []


def test_the_erase_actions_message_counts_authors_in_the_right_number(editor_client, ada):
    """Guards: one author's three comments read "3 comments by 1 author", not "1 authors"
    (the plural is chosen by the comment count alone)."""
    response = run_action(editor_client, "erase_authors_data", [ada["approved"]], follow=True)
    message = visible_text(response.content.decode())
    assert "The personal data of 3 comments by 1 author was erased." in message


@pytest.fixture
def intern_client(client):
    """Staff, but outside the Editors group: no permission at all."""
    intern = User.objects.create_user("intern", password="pw-intern-123", is_staff=True)
    client.force_login(intern)
    return client


@pytest.fixture
def viewer_client(client):
    """Staff who may read comments (view_comment) but not change them."""
    viewer = User.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    return client


def test_staff_outside_the_editors_group_cannot_export_or_erase(intern_client, three_authors):
    """Guards: a staff user with no permission gets 403 for the list and both actions: no
    download, nothing erased."""
    before = [personal(comment) for comment in ada_comments(three_authors)]
    assert intern_client.get(CHANGELIST).status_code == 403
    for action in ("export_authors_data", "erase_authors_data"):
        response = run_action(intern_client, action, [three_authors["approved"]])
        assert response.status_code == 403
        assert "Content-Disposition" not in response
        assert ADA not in response.content.decode()
    assert [personal(comment) for comment in ada_comments(three_authors)] == before


def test_staff_who_may_only_read_comments_are_not_offered_the_actions(viewer_client, three_authors):
    """Guards: the actions need comments.change_comment: someone who may only view comments
    sees neither offered, and posting them anyway downloads nothing and erases nothing."""
    before = [personal(comment) for comment in ada_comments(three_authors)]
    listing = viewer_client.get(CHANGELIST)
    assert listing.status_code == 200
    content = listing.content.decode()
    assert ADA_NAME in content  # the list itself is there
    assert 'value="export_authors_data"' not in content
    assert 'value="erase_authors_data"' not in content
    for action in ("export_authors_data", "erase_authors_data"):
        response = run_action(viewer_client, action, [three_authors["approved"]])
        assert "Content-Disposition" not in response
        assert not response["Content-Type"].startswith("application/json")
    assert [personal(comment) for comment in ada_comments(three_authors)] == before
    assert not ModerationEvent.objects.filter(action="erase").exists()


def test_editors_are_offered_both_actions(editor_client, ada):
    """Guards: the Editors group (comments.change_comment) sees both actions in the list."""
    content = editor_client.get(CHANGELIST).content.decode()
    assert 'value="export_authors_data"' in content
    assert 'value="erase_authors_data"' in content


EDITORS_PERMISSIONS = {
    "articles.add_article",
    "articles.change_article",
    "articles.delete_article",
    "articles.view_article",
    "comments.change_comment",
    "comments.view_comment",
    "comments.view_discussion",
    "comments.change_discussion",
    "comments.view_discussionsettings",
    "comments.change_discussionsettings",
    "comments.add_block",
    "comments.change_block",
    "comments.delete_block",
    "comments.view_block",
    "comments.view_spamfilterversion",
    "comments.view_spamexample",
    "comments.view_apitoken",
    "comments.add_apitoken",
    "comments.change_apitoken",
}


def test_editors_cannot_touch_users_or_groups(editor_client, editor):
    """Guards: the Editors group holds exactly the permissions comments.editors lists (and,
    on this site, the articles'), none on users or groups: an editor can't open another
    user's password page or a group's page (403), so can't give themselves more rights, and
    posting changes nothing."""
    editors = Group.objects.get(name="Editors")
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in editors.permissions.select_related("content_type")
    }
    assert granted == EDITORS_PERMISSIONS
    assert editor.get_all_permissions() == EDITORS_PERMISSIONS

    chief = User.objects.create_superuser("chief", "chief@newsroom.example", "pw-chief-123")
    password_page = f"/admin/auth/user/{chief.pk}/password/"
    assert editor_client.get(password_page).status_code == 403
    response = editor_client.post(
        password_page, {"password1": "taken-over-99!", "password2": "taken-over-99!"}
    )
    assert response.status_code == 403
    chief.refresh_from_db()
    assert chief.check_password("pw-chief-123")

    group_page = f"/admin/auth/group/{editors.pk}/change/"
    assert editor_client.get(group_page).status_code == 403
    everything = list(Permission.objects.values_list("pk", flat=True))
    response = editor_client.post(group_page, {"name": "Editors", "permissions": everything})
    assert response.status_code == 403
    assert editors.permissions.count() == len(EDITORS_PERMISSIONS)
    assert editor_client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 403


# --------------------------------------------------------------------------------------------
# The crawl


def test_no_public_page_holds_personal_data_after_replies_picks_export_and_erasure(
    named_editor, django_capture_on_commit_callbacks
):
    """Guards: after a staff reply (by an editor with a real email), editors' picks, an export
    and an erasure, no public page (front page, articles, reply forms, feeds) contains any
    commenter's email in any form, IP address or user agent, nor the editor's email; the
    erased name is gone everywhere (the cached pages are forgotten), "Anonymous" shows."""
    first, second = factories.make_article(), factories.make_article()
    carol = "Carol.Pending@Example.com"
    with django_capture_on_commit_callbacks(execute=True):
        asked = factories.make_comment(
            first,
            author_name=ADA_NAME,
            author_email=ADA_EMAILS[0],
            author_url=ADA_WEBSITE,
            ip_address=ADA_IPS[0],
            user_agent=ADA_AGENT,
            body="Who paid for the harbour study?",
        )
        factories.make_comment(
            second,
            author_name=ADA_NAME,
            author_email=ADA_EMAILS[1],
            ip_address=ADA_IPS[1],
            user_agent=ADA_AGENT,
            body="Ada on the second article.",
        )
        factories.make_comment(
            first,
            author_name=ADA_NAME,
            author_email=ADA_EMAILS[2],
            ip_address=ADA_IPS[2],
            user_agent=ADA_AGENT,
            status="pending",
            body="Ada's pending afterthought.",
        )
        bob = factories.make_comment(
            first,
            parent=asked,
            author_name=BOB_NAME,
            author_email=BOB,
            ip_address=BOB_IP,
            user_agent=BOB_AGENT,
            body="The council did, I think.",
        )
        factories.make_comment(
            second,
            author_name="Carol",
            author_email=carol,
            ip_address="192.0.2.250",
            user_agent="CarolBrowser/1.0 (pending)",
            status="pending",
            body="Carol waits for an editor.",
        )
        staff = moderation.staff_reply(asked, "The port authority paid for it.", by=named_editor)
        moderation.feature([asked, bob], by=named_editor)
    command("export_commenter_data", ADA)

    private = set()
    for email in (*ADA_EMAILS, BOB, carol, EDITOR_EMAIL):
        private |= disguises(email)
    private |= {*ADA_IPS, BOB_IP, "192.0.2.250", ADA_AGENT, BOB_AGENT, "CarolBrowser"}
    private |= {"AdaFox", "BobBrowser", "ines.editor", "newsroom.example"}

    def check(pages):
        for url, (status, content) in pages.items():
            assert status == 200, url
            lowered = content.lower()
            for secret in private:
                assert secret.lower() not in lowered, f"{secret!r} found on {url}"

    before = crawl(Client(), ["/"])  # every page is cached now
    check(before)
    # Her name and website are public until she asks (the page links her name to it).
    assert ADA_NAME in before[first.get_absolute_url()][1]
    assert ADA_WEBSITE in before[first.get_absolute_url()][1]

    with django_capture_on_commit_callbacks(execute=True):
        command("erase_commenter_data", ADA)

    pages = crawl(Client(), ["/"])
    expected = {
        "/",
        first.get_absolute_url(),
        second.get_absolute_url(),
        reverse("comments:feed"),
        reverse("comments:discussion_feed", args=[discussion_of(first).pk]),
        reverse("comments:discussion_feed", args=[discussion_of(second).pk]),
        f"{first.get_absolute_url()}?replytocom={asked.pk}",
    }
    assert expected <= set(pages), sorted(pages)
    check(pages)
    for url, (_, content) in pages.items():
        assert ADA_NAME not in content and "ada-notes" not in content, url
    article_page = html_unescaped(pages[first.get_absolute_url()][1])
    assert "Anonymous" in article_page and "Who paid for the harbour study?" in article_page
    assert "Inès Moreau" in article_page and "The port authority paid for it." in article_page
    assert "editors-picks" in article_page
    site_feed = html_unescaped(pages[reverse("comments:feed")][1])
    assert "Anonymous" in site_feed and "Inès Moreau" in site_feed
    staff.refresh_from_db()
    assert staff.author_name == "Inès Moreau"  # the editor's reply is not the reader's data


# --------------------------------------------------------------------------------------------
# Found while writing these tests


@pytest.fixture
def blank_identities(ada, named_editor):
    """Comments whose normalised email is blank: a staff reply (stored with no email) and
    Bob's comments, erased already."""
    staff = moderation.staff_reply(ada["bob"], "Thanks, Bob.", by=named_editor)
    command("erase_commenter_data", BOB)
    assert Comment.objects.filter(email_normalized="").count() == 3
    return staff


def run_or_refuse(*args):
    """The command's output, or None if it refused (refusing a blank email is fine too)."""
    try:
        return command(*args)
    except CommandError:
        return None


def test_a_blank_email_exports_nothing(blank_identities):
    """Guards: a blank (or all-space) email is nobody's identity: exporting it gives no
    comment, not the staff replies nor the comments erased before, which share the blank
    normalised email."""
    exported = run_or_refuse("export_commenter_data", "   ")
    assert exported is None or json.loads(exported)["comments"] == []


def test_a_blank_email_erases_nothing(blank_identities):
    """Guards: erasing a blank (or all-space) email touches nothing: the staff reply keeps
    its editor's name, and no erase event is recorded."""
    events = ModerationEvent.objects.count()
    out = run_or_refuse("erase_commenter_data", " ")
    assert out is None or out.startswith("Erased the personal data of 0 comments ")
    blank_identities.refresh_from_db()
    assert blank_identities.author_name == "Inès Moreau"
    assert ModerationEvent.objects.count() == events


def test_erasure_leaves_no_name_in_the_admins_log(editor_client, ada):
    """Guards: the editors' decisions on her comments were logged (LogEntry, shown under
    "Recent actions") as "Comment by Ada Lovelace (…)"; after the erasure that name is
    nowhere in the log nor on the admin's front page."""
    assert LogEntry.objects.filter(object_repr__contains=ADA_NAME).exists()
    command("erase_commenter_data", ADA)
    assert not LogEntry.objects.filter(object_repr__contains=ADA_NAME).exists()
    assert ADA_NAME not in editor_client.get("/admin/").content.decode()


def test_an_erased_comment_can_still_be_decided_on_its_change_page(editor_client, ada):
    """Guards: an erased comment has no email; its change page's decision buttons (Remove,
    …) still work without inventing one."""
    command("erase_commenter_data", ADA)
    comment = ada["approved"]
    comment.refresh_from_db()
    change = reverse("admin:comments_comment_change", args=[comment.pk])
    response = editor_client.post(
        change,
        {
            "author_name": comment.author_name,
            "author_email": "",
            "author_url": "",
            "body_raw": comment.body_raw,
            "_decision": "remove",
        },
    )
    errors = re.findall(r'<ul class="errorlist[^>]*>.*?</ul>', response.content.decode(), re.S)
    assert response.status_code == 302, errors
    comment.refresh_from_db()
    assert comment.status == "removed"
