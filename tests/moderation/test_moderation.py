"""Moderation: the policy, the decisions, and the editors' admin."""

import re

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationEvent
from tests.factories import discussion_of, make_article, make_comment, make_comments

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


def new_comment(article, name="Ada", email="ada@example.com"):
    comment = Comment(discussion=discussion_of(article), author_name=name, author_email=email)
    comment.set_body("Hello")
    comment.email_normalized = comment.author_email.strip().lower()
    return comment


def decided_status(comment):
    return moderation.initial_decision(comment).status


def test_new_author_is_held(article):
    assert decided_status(new_comment(article)) == Comment.Status.PENDING


def test_author_with_an_approved_comment_is_trusted(article):
    make_comment(make_article(), author_name="Ada", author_email="ADA@Example.com")
    assert decided_status(new_comment(article)) == Comment.Status.APPROVED


def test_policy_compares_the_normalised_email(article):
    make_comment(make_article(), author_name="Ada", author_email="  ADA@Example.com ")
    comment = moderation.submit(new_comment(article, email="ada@EXAMPLE.com"))
    assert comment.status == Comment.Status.APPROVED
    assert comment.email_normalized == "ada@example.com"


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_author_without_an_approved_comment_is_not_trusted(article, status):
    make_comment(article, author_name="Ada", author_email="ada@example.com", status=status)
    assert decided_status(new_comment(article)) == Comment.Status.PENDING


def test_same_email_with_another_name_is_held(article):
    make_comment(article, author_name="Ada", author_email="ada@example.com")
    assert decided_status(new_comment(article, name="Someone Else")) == Comment.Status.PENDING


def test_hold_all_holds_trusted_authors(article, settings):
    settings.COMMENTS_HOLD_ALL = True
    make_comment(article, author_name="Ada", author_email="ada@example.com")
    decision = moderation.initial_decision(new_comment(article))
    assert decision.status == Comment.Status.PENDING
    assert decision.rule == "hold all"


def test_submit_saves_with_the_policy_status_and_records_the_rule(article):
    comment = moderation.submit(new_comment(article))
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    event = comment.events.get()
    assert (event.action, event.from_status, event.to_status) == ("submit", "", "pending")
    assert event.actor is None
    assert event.rule == "new author"
    assert "no approved comment" in event.reason


def test_submit_refuses_a_duplicate(article):
    moderation.submit(new_comment(article, email="ada@example.com"))
    with pytest.raises(moderation.DuplicateComment):
        moderation.submit(new_comment(article, email=" ADA@example.com"))
    assert Comment.objects.count() == 1


def test_removed_comment_does_not_block_its_text(article):
    first = moderation.submit(new_comment(article))
    moderation.remove([first], by="test")
    second = moderation.submit(new_comment(article))
    assert second.pk != first.pk
    # Restoring the removed one would repeat the live one, so it is left alone.
    assert moderation.restore([first], by="test") == []


def test_create_with_body_raw_sanitizes(article):
    comment = Comment.objects.create(
        discussion=discussion_of(article),
        author_name="Ada",
        author_email="Ada@Example.com",
        body_raw="<script>x()</script><b>bold</b>",
    )
    comment.refresh_from_db()
    assert comment.body_html == "<p><b>bold</b></p>"
    assert comment.email_normalized == "ada@example.com"
    assert len(comment.fingerprint) == 64


DECISIONS = [
    (moderation.approve, Comment.Status.APPROVED, "approve"),
    (moderation.mark_spam, Comment.Status.SPAM, "spam"),
    (moderation.remove, Comment.Status.REMOVED, "remove"),
]


@pytest.mark.parametrize(("decide", "status", "action"), DECISIONS)
def test_decisions_set_status_record_the_moderator_and_the_event(
    article, editor, decide, status, action
):
    pending = make_comment(article, status="pending")
    untouched = make_comment(article, status="pending")
    changed = decide(Comment.objects.filter(pk=pending.pk), by=editor, reason="checked")
    assert [c.pk for c in changed] == [pending.pk]
    pending.refresh_from_db()
    assert pending.status == status
    assert pending.moderated_by == editor
    assert pending.moderated_at is not None
    event = pending.events.get()
    assert (event.action, event.from_status, event.to_status) == (action, "pending", status)
    assert (event.actor, event.rule, event.reason) == (editor, "", "checked")
    assert Comment.objects.get(pk=untouched.pk).status == Comment.Status.PENDING
    assert not untouched.events.exists()
    # Deciding again changes nothing and records nothing.
    assert decide(Comment.objects.filter(pk=pending.pk), by=editor) == []
    assert pending.events.count() == 1


@pytest.mark.parametrize(("decide", "status", "action"), DECISIONS)
def test_decisions_by_a_person_write_a_log_entry(article, editor, decide, status, action):
    comments = [make_comment(article, status="pending") for _ in range(2)]
    decide(comments, by=editor)
    entries = LogEntry.objects.filter(user=editor, action_flag=CHANGE)
    assert sorted(int(e.object_id) for e in entries) == sorted(c.pk for c in comments)
    assert all(e.content_type.model_class() is Comment for e in entries)


def test_a_rule_writes_no_log_entry(article):
    moderation.mark_spam([make_comment(article, status="pending")], by="honeypot")
    assert not LogEntry.objects.exists()
    assert ModerationEvent.objects.get().rule == "honeypot"


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """A registry listener that records every change it is told about."""
    changes = []
    with moderation.listening(changes.append):
        yield changes


def test_listeners_are_told_on_commit_which_comments_articles_and_statuses(
    article, editor, told, django_capture_on_commit_callbacks
):
    other_article = make_article()
    first = make_comment(article, status="pending")
    second = make_comment(other_article, status="spam")
    already = make_comment(article, status="approved")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        moderation.approve([first, second, already], by=editor)
        assert told == []  # nothing before the commit
    assert len(callbacks) == 1
    (change,) = told
    assert change.action == "approve"
    assert {c.pk for c in change.comments} == {first.pk, second.pk}
    assert change.discussion_ids == {discussion_of(article).pk, discussion_of(other_article).pk}
    assert change.from_status == {first.pk: "pending", second.pk: "spam"}
    assert change.to_status == "approved"
    assert change.by == editor


def test_listeners_are_not_told_when_the_transaction_rolls_back(article, editor, told):
    comment = make_comment(article, status="pending")
    with pytest.raises(RuntimeError), transaction.atomic():
        moderation.approve([comment], by=editor)
        raise RuntimeError
    assert told == []
    assert not ModerationEvent.objects.exists()


@pytest.mark.parametrize(
    "call",
    [
        lambda c, by: moderation.submit(new_comment(c.discussion, email="new@example.com")),
        lambda c, by: moderation.approve([c], by=by),
        lambda c, by: moderation.mark_spam([c], by=by),
        lambda c, by: moderation.remove([c], by=by),
        lambda c, by: moderation.edit(c, ["author_name"], by=by),
        lambda c, by: moderation.delete([c], by=by),
    ],
    ids=["submit", "approve", "spam", "remove", "edit", "delete"],
)
def test_every_write_function_records_one_event_and_tells_the_registry_once(
    article, editor, told, call, django_capture_on_commit_callbacks
):
    comment = make_comment(article, status="pending")
    comment.author_name = "Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        call(comment, editor)
    assert len(told) == 1
    assert len(told[0].comments) == 1
    assert ModerationEvent.objects.count() == 1
    assert ModerationEvent.objects.get().action == told[0].action


def test_restore_undoes_the_last_decision(article, editor):
    comment = make_comment(article, status="pending")
    moderation.approve([comment], by=editor)
    moderation.remove([comment], by=editor)
    assert [c.status for c in moderation.restore([comment], by=editor)] == ["approved"]
    event = comment.events.first()
    assert (event.action, event.from_status, event.to_status) == ("restore", "removed", "approved")


def test_restore_of_a_comment_a_rule_sent_to_spam_goes_to_the_queue(article, editor):
    comment = new_comment(article)
    comment.save()
    moderation.mark_spam([comment], by="honeypot")
    ModerationEvent.objects.filter(comment=comment).delete()  # as if submitted straight to spam
    assert [c.status for c in moderation.restore([comment], by=editor)] == ["pending"]


def test_edit_resanitizes_and_is_marked_edited_by_staff(article, editor):
    comment = make_comment(article, body="Original")
    comment.body_raw = "Edited <script>x()</script><b>text</b>"
    moderation.edit(comment, ["body_raw"], by=editor)
    comment.refresh_from_db()
    assert comment.body_html == "<p>Edited <b>text</b></p>"
    event = comment.events.get()
    assert event.action == "edit"
    assert event.reason == "edited by staff: body_raw"


def test_delete_keeps_the_trail(article, editor):
    comment = make_comment(article)
    pk = comment.pk
    moderation.delete([comment], by=editor)
    assert not Comment.objects.filter(pk=pk).exists()
    event = ModerationEvent.objects.get(comment_ref=pk)
    assert (event.action, event.comment, event.to_status) == ("delete", None, "")
    assert LogEntry.objects.get(object_id=str(pk)).action_flag == DELETION


def test_events_are_append_only(article):
    comment = moderation.submit(new_comment(article))
    event = comment.events.get()
    event.reason = "rewritten history"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_editors_group_can_moderate_and_write_but_not_delete_comments(editor):
    assert not editor.is_superuser
    for perm in (
        "comments.change_comment",
        "comments.view_comment",
        "articles.add_article",
        "articles.change_article",
    ):
        assert editor.has_perm(perm), perm
    assert not editor.has_perm("comments.delete_comment")
    assert not editor.has_perm("comments.add_comment")
    assert not editor.has_perm("auth.change_user")
    assert Group.objects.filter(name="Editors").exists()


def test_editors_cannot_delete_comments_in_the_admin(editor_client, article):
    comment = make_comment(article, status="pending")
    html = editor_client.get(CHANGELIST).content.decode()
    assert "delete_selected" not in html
    delete_url = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = editor_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_superuser_delete_goes_through_the_write_path(client, article):
    admin_user = User.objects.create_superuser("boss", password="pw-for-tests-only")
    client.force_login(admin_user)
    comment = make_comment(article, status="spam")
    response = client.post(
        f"{CHANGELIST}?status=all",
        {"action": "delete_selected", "_selected_action": [comment.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    event = ModerationEvent.objects.get(comment_ref=comment.pk)
    assert (event.action, event.actor) == ("delete", admin_user)
    assert LogEntry.objects.filter(object_id=str(comment.pk), action_flag=DELETION).count() == 1


def test_changelist_opens_on_the_queue_with_every_column(editor_client, article):
    make_comment(
        article,
        author_name="Visible Author",
        author_email="visible@example.com",
        body="<b>Excerpt</b> &amp; text",
        status="pending",
        ip_address="198.51.100.23",
    )
    make_comment(article, author_name="Approved Author", status="approved")
    html = editor_client.get(CHANGELIST).content.decode()
    for text in ("Visible Author", "visible@example.com", "198.51.100.23", article.headline[:40]):
        assert text in html
    assert "Approved Author" not in html  # the queue, not everything
    assert "Excerpt &amp; text" in html  # plain text: tags stripped, escaped once
    assert "&lt;b&gt;" not in html
    assert "1 comment awaiting moderation" in html
    assert '<span class="comment-status status-pending">Pending</span>' in html
    headers = re.findall(r'<th scope="col" class="([^"]*)"', html)
    assert headers[:2] == ["action-checkbox-column", "sortable column-status_badge"]
    everything = editor_client.get(CHANGELIST, {"status": "all"}).content.decode()
    assert "Approved Author" in everything and "Visible Author" in everything


@pytest.mark.parametrize(
    "query", ["Searchable Name", "search@example.com", "needle-in-text", "198.51.100.99"]
)
def test_admin_search_looks_through_every_status(editor_client, article, query):
    make_comment(
        article,
        author_name="Searchable Name",
        author_email="Search@Example.com",
        body="a needle-in-text here",
        ip_address="198.51.100.99",
    )
    make_comment(article, author_name="Other Person", body="nothing")
    html = editor_client.get(CHANGELIST, {"q": query}).content.decode()
    assert "Searchable Name" in html
    assert "Other Person" not in html


def test_admin_filters_by_status(editor_client, article):
    make_comment(article, author_name="Held Author", status="pending")
    make_comment(article, author_name="Live Author", status="approved")
    html = editor_client.get(CHANGELIST, {"status": "approved"}).content.decode()
    assert "Live Author" in html
    assert "Held Author" not in html


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve_comments", Comment.Status.APPROVED, "2 comments were approved."),
        ("mark_comments_as_spam", Comment.Status.SPAM, "2 comments were marked as spam."),
        ("remove_comments", Comment.Status.REMOVED, "2 comments were removed."),
    ],
)
def test_admin_actions_go_through_the_write_path(
    editor_client, editor, article, action, status, message
):
    comments = [make_comment(article, status="pending") for _ in range(2)]
    response = editor_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )
    assert message in response.content.decode()
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == status
        assert comment.moderated_by == editor
        assert comment.events.get().actor == editor
        assert LogEntry.objects.get(object_id=str(comment.pk)).user == editor
    # History and "Recent actions" show the bulk decision.
    history = editor_client.get(reverse("admin:comments_comment_history", args=[comments[0].pk]))
    assert Comment.Status(status).label.split()[0].lower() in history.content.decode().lower()


def test_admin_restore_action_undoes(editor_client, article):
    comment = make_comment(article, status="pending")
    moderation.remove([comment], by="test")
    response = editor_client.post(
        f"{CHANGELIST}?status=all",
        {"action": "restore_comments", "_selected_action": [comment.pk]},
        follow=True,
    )
    assert "1 comment was restored." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_admin_action_singular_message(editor_client, article):
    comment = make_comment(article, status="pending")
    response = editor_client.post(
        CHANGELIST, {"action": "approve_comments", "_selected_action": [comment.pk]}, follow=True
    )
    assert "1 comment was approved." in response.content.decode()


def test_action_labels(editor_client, article):
    make_comment(article, status="pending")
    html = editor_client.get(CHANGELIST).content.decode()
    for label in (
        "Approve selected comments",
        "Mark selected comments as spam",
        "Remove selected comments",
        "Restore selected comments (undo)",
    ):
        assert label in html


def test_change_page_shows_raw_text_escaped_beside_the_rendered_comment(editor_client, article):
    comment = make_comment(
        article, body='<script>alert("raw")</script><em>fine</em>', status="pending"
    )
    moderation.approve([comment], by="test")
    html = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    html = html.content.decode()
    assert '<script>alert("raw")' not in html
    assert "&lt;script&gt;alert(&quot;raw&quot;)&lt;/script&gt;&lt;em&gt;fine&lt;/em&gt;" in html
    assert '<div class="comment-rendered"><p><em>fine</em></p></div>' in html
    # The trail, newest first, and the decision buttons; status itself is not a form field.
    assert '<table class="comment-trail">' in html
    assert 'name="_decision" value="spam"' in html
    assert 'name="status"' not in html


def post_change_form(client, comment, **changes):
    """Submit the admin's change form for a comment, with some fields changed."""
    data = {
        "status": comment.status,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "body_raw": comment.body_raw,
    }
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    return client.post(url, data | changes)


def test_editing_the_text_in_the_admin_resanitizes_it_and_records_it(
    editor_client, editor, article
):
    comment = make_comment(article, body="Original")
    response = post_change_form(
        editor_client, comment, body_raw="Edited <script>x()</script><b>text</b>"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    comment.refresh_from_db()
    assert comment.body_raw == "Edited <script>x()</script><b>text</b>"
    assert comment.body_html == "<p>Edited <b>text</b></p>"
    event = comment.events.get()
    assert (event.action, event.actor, event.reason) == (
        "edit",
        editor,
        "edited by staff: body_raw",
    )
    assert LogEntry.objects.filter(object_id=str(comment.pk)).count() == 1


def test_an_edit_that_would_duplicate_another_comment_is_refused(editor_client, article):
    make_comment(article, author_email="ada@example.com", body="Same words")
    comment = make_comment(article, author_email="ada@example.com", body="Other words")
    response = post_change_form(editor_client, comment, body_raw="Same words")
    assert response.status_code == 200
    assert "has the same text from the same email" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body_raw == "Other words"
    comment.body_raw = "Same words"
    with pytest.raises(moderation.DuplicateComment):
        moderation.edit(comment, ["body_raw"], by="test")


def test_an_edit_that_would_duplicate_a_sibling_reply_is_refused(editor_client, article):
    """The admin's check uses the same fingerprint as the constraint, parent included."""
    parent = make_comment(article)
    make_comment(article, author_email="ada@example.com", body="Same words", parent=parent)
    reply = make_comment(article, author_email="ada@example.com", body="Other", parent=parent)
    response = post_change_form(editor_client, reply, body_raw="Same words")
    assert response.status_code == 200
    assert "has the same text from the same email" in response.content.decode()


def test_a_status_posted_to_the_change_form_is_ignored(editor_client, article):
    comment = make_comment(article, status="pending")
    response = post_change_form(editor_client, comment, status="approved")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None


@pytest.mark.parametrize(
    ("decision", "status", "message"),
    [
        ("approve", "approved", "The comment was approved."),
        ("spam", "spam", "The comment was marked as spam."),
        ("remove", "removed", "The comment was removed."),
    ],
)
def test_change_page_decision_buttons_go_through_the_write_path(
    editor_client, editor, article, decision, status, message
):
    comment = make_comment(article, status="pending")
    response = post_change_form(editor_client, comment, _decision=decision)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:comments_comment_change", args=[comment.pk])
    assert message in editor_client.get(response["Location"]).content.decode()
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by == editor
    assert comment.moderated_at is not None
    assert comment.events.get().to_status == status
    assert LogEntry.objects.get(object_id=str(comment.pk)).user == editor


def test_view_on_site_shows_a_pending_comment_to_staff_only(editor_client, article):
    comment = make_comment(article, status="pending", body="Held for a look")
    change_page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    url = re.search(r'href="([^"]+)" class="viewsitelink"', change_page.content.decode())[1]
    assert url == f"{article.get_absolute_url()}?moderate={comment.pk}#comment-{comment.pk}"
    staff_page = editor_client.get(url)
    assert "Held for a look" in staff_page.content.decode()
    assert "Pending: shown to staff only." in staff_page.content.decode()
    assert "private" in staff_page["Cache-Control"]
    assert "Held for a look" not in Client().get(url).content.decode()


def test_admin_index_shows_the_pending_count(editor_client, article):
    make_comment(article, status="pending")
    make_comment(article, status="pending")
    html = editor_client.get("/admin/").content.decode()
    assert "2 comments awaiting moderation" in html


def test_admin_refuses_non_http_website(editor_client, article):
    comment = make_comment(article)
    response = post_change_form(editor_client, comment, author_url="ftp://example.org/")
    assert response.status_code == 200
    assert "Enter a web address starting with http:// or https://." in response.content.decode()


def test_changelist_query_count_does_not_grow(editor_client, django_assert_max_num_queries):
    """Guards the N+1 of loading each comment's article for the list's article column."""
    for _ in range(20):
        make_comment(make_article())
    with django_assert_max_num_queries(12):
        editor_client.get(CHANGELIST)


def test_readers_cannot_reach_the_admin(client, article):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_comment_string_and_url(article):
    comment = make_comment(article, author_name="Ada", status="approved")
    assert str(comment).startswith("Comment by Ada (")
    assert comment.get_absolute_url() == f"{article.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("No links at all.", 0),
        ('<a href="https://a.example/">a</a> and https://a.example/', 1),
        ("see www.a.example and http://b.example/x and https://c.example", 3),
        ('<a href="/relative">one</a> <a href="#two">two</a> <a>three</a>', 3),
        ("HTTPS://SHOUT.EXAMPLE/ and https://shout.example/", 2),
    ],
)
def test_links_are_counted_in_what_the_reader_typed(body, links):
    assert moderation.count_links(body) == links


def test_more_links_than_allowed_hold_even_a_known_author(article, settings):
    settings.COMMENTS_MAX_LINKS = 2
    make_comment(make_article(), author_name="Ada", author_email="ada@example.com")
    comment = new_comment(article)
    comment.set_body("Look: https://a.example https://b.example www.c.example")
    decision = moderation.initial_decision(comment)
    assert (decision.status, decision.rule) == ("pending", "links")
    assert decision.reason == "3 links (more than 2)"
    comment.set_body("Only https://a.example and https://b.example")
    assert moderation.initial_decision(comment).status == "approved"


def test_the_list_shows_why_and_filters_by_rule(editor_client, article, settings):
    settings.COMMENTS_MAX_LINKS = 0
    moderation.submit(new_comment(article, name="Linker", email="l@example.com"))  # no link
    held = new_comment(article, name="Held Linker", email="h@example.com")
    held.set_body("https://spam.example/ https://spam.example/2")
    moderation.submit(held)
    html = editor_client.get(CHANGELIST).content.decode()
    assert '<span class="comment-reason" title="2 links (more than 0)">links</span>' in html
    assert 'title="no approved comment from this name and email">new author<' in html
    only_links = editor_client.get(CHANGELIST, {"rule": "links"}).content.decode()
    assert "Held Linker" in only_links
    assert ">Linker<" not in only_links and "<bdi>Linker</bdi>" not in only_links


def test_only_from_leaves_a_comment_decided_meanwhile_alone(article, editor):
    """Guards: a decision restricted to pending comments (the moderation queue's) re-reads
    the status under the row lock, so a comment another editor marked as spam in between is
    neither approved nor given a trail entry."""
    comment = make_comment(article, status="pending")
    moderation.mark_spam([comment], by=editor)
    stale = Comment.objects.get(pk=comment.pk)
    stale.status = "pending"  # what an open queue page still believes
    assert moderation.approve([stale], by=editor, only_from=("pending",)) == []
    comment.refresh_from_db()
    assert comment.status == "spam"
    assert not comment.events.filter(action="approve").exists()
    assert moderation.approve([stale], by=editor) == [stale]  # unrestricted: it does


def test_bringing_back_a_thousand_removed_comments_at_once(article, editor):
    """Guards: the live-twin check asks about all of them in two IN lists; an OR per comment
    went past SQLite's expression depth (1,000) and the whole decision failed."""
    comments = make_comments(article, 1200)
    moderation.remove(comments, by=editor)
    assert len(moderation.approve(comments, by=editor)) == 1200
    assert Comment.objects.approved().filter(discussion=discussion_of(article)).count() == 1200


def test_a_removed_comment_whose_twin_is_live_stays_removed(article, editor):
    first = make_comment(article, status="approved", body="Same words.")
    moderation.remove([first], by=editor)
    again = make_comment(
        article, status="approved", body="Same words.", author_email=first.author_email
    )
    # The same author and words on another article: not a twin of the live one above.
    elsewhere = make_comment(
        make_article(), status="removed", body="Same words.", author_email=first.author_email
    )
    assert moderation.approve([first, elsewhere], by=editor) == [elsewhere]
    first.refresh_from_db()
    assert (first.status, again.status) == ("removed", "approved")
