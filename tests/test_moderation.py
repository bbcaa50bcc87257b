"""Moderation: the policy, the decisions, and the editors' admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments import moderation
from comments.models import Comment

from .factories import make_article, make_comment

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


def new_comment(article, name="Ada", email="ada@example.com"):
    comment = Comment(article=article, author_name=name, author_email=email)
    comment.set_body("Hello")
    return comment


def test_new_author_is_held(article):
    assert moderation.initial_status(new_comment(article)) == Comment.Status.PENDING


def test_author_with_an_approved_comment_is_trusted(article):
    make_comment(make_article(), author_name="Ada", author_email="ADA@Example.com")
    assert moderation.initial_status(new_comment(article)) == Comment.Status.APPROVED


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_author_without_an_approved_comment_is_not_trusted(article, status):
    make_comment(article, author_name="Ada", author_email="ada@example.com", status=status)
    assert moderation.initial_status(new_comment(article)) == Comment.Status.PENDING


def test_same_email_with_another_name_is_held(article):
    make_comment(article, author_name="Ada", author_email="ada@example.com")
    comment = new_comment(article, name="Someone Else")
    assert moderation.initial_status(comment) == Comment.Status.PENDING


def test_hold_all_holds_trusted_authors(article, settings):
    settings.COMMENTS_HOLD_ALL = True
    make_comment(article, author_name="Ada", author_email="ada@example.com")
    assert moderation.initial_status(new_comment(article)) == Comment.Status.PENDING


def test_submit_saves_with_the_policy_status(article):
    comment = moderation.submit(new_comment(article))
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


@pytest.mark.parametrize(
    ("decide", "status"),
    [
        (moderation.approve, Comment.Status.APPROVED),
        (moderation.mark_spam, Comment.Status.SPAM),
        (moderation.remove, Comment.Status.REMOVED),
    ],
)
def test_decisions_set_status_and_record_the_moderator(article, editor, decide, status):
    pending = make_comment(article, status="pending")
    untouched = make_comment(article, status="pending")
    assert decide(Comment.objects.filter(pk=pending.pk), moderator=editor) == 1
    pending.refresh_from_db()
    assert pending.status == status
    assert pending.moderated_by == editor
    assert pending.moderated_at is not None
    assert Comment.objects.get(pk=untouched.pk).status == Comment.Status.PENDING
    assert decide(Comment.objects.filter(pk=pending.pk), moderator=editor) == 0


def test_editors_group_can_moderate_and_write_but_is_not_superuser(editor):
    assert not editor.is_superuser
    for perm in (
        "comments.change_comment",
        "comments.view_comment",
        "comments.delete_comment",
        "articles.add_article",
        "articles.change_article",
    ):
        assert editor.has_perm(perm), perm
    assert not editor.has_perm("comments.add_comment")
    assert not editor.has_perm("auth.change_user")
    assert Group.objects.filter(name="Editors").exists()


def test_changelist_shows_moderation_columns_and_pending_count(editor_client, article):
    make_comment(
        article,
        author_name="Visible Author",
        author_email="visible@example.com",
        body="<b>Excerpt</b> text",
        status="pending",
        ip_address="198.51.100.23",
    )
    make_comment(article, status="approved")
    html = editor_client.get(CHANGELIST).content.decode()
    for text in ("Visible Author", "visible@example.com", "198.51.100.23", article.headline):
        assert text in html
    assert "&lt;b&gt;Excerpt&lt;/b&gt; text" in html
    assert "1 comment awaiting moderation" in html
    assert '<td class="field-status">Pending</td>' in html


@pytest.mark.parametrize(
    "query", ["Searchable Name", "search@example.com", "needle-in-text", "198.51.100.99"]
)
def test_admin_search(editor_client, article, query):
    make_comment(
        article,
        author_name="Searchable Name",
        author_email="search@example.com",
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
    html = editor_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Held Author" in html
    assert "Live Author" not in html


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve_comments", Comment.Status.APPROVED, "2 comments were approved."),
        ("mark_comments_as_spam", Comment.Status.SPAM, "2 comments were marked as spam."),
        ("remove_comments", Comment.Status.REMOVED, "2 comments were removed."),
    ],
)
def test_admin_actions(editor_client, editor, article, action, status, message):
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


def test_admin_action_singular_message(editor_client, article):
    comment = make_comment(article, status="pending")
    response = editor_client.post(
        CHANGELIST, {"action": "approve_comments", "_selected_action": [comment.pk]}, follow=True
    )
    assert "1 comment was approved." in response.content.decode()


def test_action_labels(editor_client, article):
    make_comment(article)
    html = editor_client.get(CHANGELIST).content.decode()
    for label in (
        "Approve selected comments",
        "Mark selected comments as spam",
        "Remove selected comments",
    ):
        assert label in html


def test_change_page_shows_raw_and_sanitized_text_escaped(editor_client, article):
    comment = make_comment(article, body='<script>alert("raw")</script><em>fine</em>')
    html = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    html = html.content.decode()
    assert '<script>alert("raw")' not in html
    assert "&lt;script&gt;alert(&quot;raw&quot;)&lt;/script&gt;&lt;em&gt;fine&lt;/em&gt;" in html
    assert "&lt;p&gt;&lt;em&gt;fine&lt;/em&gt;&lt;/p&gt;" in html


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


def test_editing_the_text_in_the_admin_resanitizes_it(editor_client, article):
    comment = make_comment(article, body="Original")
    response = post_change_form(
        editor_client, comment, body_raw="Edited <script>x()</script><b>text</b>"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    comment.refresh_from_db()
    assert comment.body_raw == "Edited <script>x()</script><b>text</b>"
    assert comment.body_html == "<p>Edited <b>text</b></p>"


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
    comment = make_comment(article, author_name="Ada")
    assert str(comment).startswith("Comment by Ada (")
    assert comment.get_absolute_url() == f"{article.get_absolute_url()}#comment-{comment.pk}"
