"""Editors' picks and staff replies: both made in the admin, both through comments.moderation,
both shown to readers on the article page (and in the cached thread)."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationEvent
from tests import factories
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

EDITOR_EMAIL = "ines.editor@newsroom.example"


@pytest.fixture
def named_editor(editor):
    editor.first_name, editor.last_name, editor.email = "Inès", "Moreau", EDITOR_EMAIL
    editor.save()
    return editor


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


def picks_block(html):
    found = re.search(r'<section class="editors-picks.*?</section>', html, re.S)
    return found[0] if found else ""


# --------------------------------------------------------------------------------------------
# Editors' picks


def test_a_pick_shows_above_the_thread_and_stays_in_it(
    client, article, editor, django_capture_on_commit_callbacks
):
    """Guards: featuring a comment puts it in an "Editors' picks" block above the thread,
    linking to it in its thread, where it stays (marked as a pick); the cached thread is
    forgotten on commit, so the next reader sees it."""
    pick = factories.make_comment(article, author_name="Ada", body="The sharpest point yet.")
    factories.make_comment(article, author_name="Ben", body="An ordinary remark.")
    before = page(client, article)  # cached now
    assert picks_block(before) == ""
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.feature([pick], by=editor) == [pick]
    html = page(client, article)
    block = picks_block(html)
    assert "Editors\N{RIGHT SINGLE QUOTATION MARK} picks" in block
    assert "The sharpest point yet." in block and "An ordinary remark." not in block
    assert f'href="?cpage=1#comment-{pick.pk}"' in block
    assert html.index("editors-picks") < html.index('class="comment-list')
    thread = html[html.index('class="comment-list') :]
    assert f'id="comment-{pick.pk}"' in thread
    assert "comment-featured" in thread and "Editors' pick" in thread
    assert html.count(f'id="comment-{pick.pk}"') == 1  # the block repeats no id
    event = pick.events.first()
    assert (event.action, event.actor, event.to_status) == ("feature", editor, "approved")


def test_only_approved_comments_can_be_picks(article, editor):
    """Guards: a comment readers can't see is never featured (nothing changes)."""
    pending = factories.make_comment(article, status="pending")
    assert moderation.feature([pending], by=editor) == []
    pending.refresh_from_db()
    assert pending.featured_at is None
    assert not pending.events.filter(action="feature").exists()


def test_unfeaturing_takes_it_out_of_the_block(
    client, article, editor, django_capture_on_commit_callbacks
):
    """Guards: unfeature removes the pick from the block (and the trail says who)."""
    pick = factories.make_comment(article, body="Featured, then not.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.feature([pick], by=editor)
    assert "Featured, then not." in picks_block(page(client, article))
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.unfeature([pick], by=editor) == [pick]
    assert picks_block(page(client, article)) == ""
    assert pick.events.first().action == "unfeature"


def test_a_removed_pick_leaves_the_block(
    client, article, editor, django_capture_on_commit_callbacks
):
    """Guards: the block shows approved comments only: removing a pick hides it there too."""
    pick = factories.make_comment(article, body="Later removed.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.feature([pick], by=editor)
        moderation.remove([pick], by=editor)
    assert "Later removed." not in page(client, article)


def test_the_admin_features_from_the_list_and_the_change_page(editor_client, article):
    """Guards: the bulk action and the change page's button both feature, with a message;
    the change page offers Feature only for an approved comment, Unfeature for a pick."""
    first = factories.make_comment(article, body="First.")
    second = factories.make_comment(article, body="Second.")
    response = editor_client.post(
        reverse("admin:comments_comment_changelist") + "?status=all",
        {"action": "feature_comments", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "1 comment was made an editors' pick." in visible_text(response.content.decode())
    change = reverse("admin:comments_comment_change", args=[second.pk])
    form = editor_client.get(change).content.decode()
    assert 'value="feature"' in form and 'value="unfeature"' not in form
    data = {
        "author_name": second.author_name,
        "author_email": second.author_email,
        "author_url": "",
        "body_raw": second.body_raw,
        "_decision": "feature",
    }
    editor_client.post(change, data)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.featured_at and second.featured_at
    assert 'value="unfeature"' in editor_client.get(change).content.decode()
    pending = factories.make_comment(article, status="pending", body="Pending.")
    pending_form = editor_client.get(reverse("admin:comments_comment_change", args=[pending.pk]))
    assert 'value="feature"' not in pending_form.content.decode()


# --------------------------------------------------------------------------------------------
# Staff replies


def test_an_editor_replies_as_staff_from_the_admin(
    editor_client, client, article, named_editor, django_capture_on_commit_callbacks
):
    """Guards: "Reply as staff" publishes at once, under the editor's display name with a
    Staff badge, answering the comment; the editor's email is nowhere in the page; the trail
    records the editor."""
    question = factories.make_comment(article, author_name="Ada", body="Who wrote the report?")
    url = reverse("admin:comments_comment_reply", args=[question.pk])
    form = editor_client.get(url).content.decode()
    assert "Publish reply" in form and "Inès Moreau" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, {"text": "Our <em>data desk</em> did."})
    assert response.status_code == 302
    reply = Comment.objects.get(parent=question)
    assert (reply.status, reply.author_name, reply.author_email) == (
        "approved",
        "Inès Moreau",
        "",
    )
    assert reply.staff_author == named_editor
    assert reply.body_html == "<p>Our <em>data desk</em> did.</p>"
    event = reply.events.get()
    assert (event.action, event.actor, event.reason) == ("submit", named_editor, "staff reply")

    html = page(client, article)
    item = html[html.index(f'id="comment-{reply.pk}"') :]
    item = item[: item.index("</article>")]
    assert "Inès Moreau" in item and "comment-staff-badge" in item and ">Staff<" in item
    assert "in reply to" in visible_text(item) and "Ada" in visible_text(item)
    assert EDITOR_EMAIL not in html and "ines.editor" not in html.lower()
    assert "newsroom.example" not in html


def test_a_staff_reply_is_sanitized_like_a_readers(editor_client, article, editor):
    """Guards: staff text goes through the same sanitizer: no script survives."""
    question = factories.make_comment(article)
    url = reverse("admin:comments_comment_reply", args=[question.pk])
    editor_client.post(url, {"text": 'Fine.<script>alert(1)</script><a href="javascript:x">x</a>'})
    reply = Comment.objects.get(parent=question)
    assert "<script" not in reply.body_html and "javascript:" not in reply.body_html


def test_the_same_staff_reply_twice_is_refused_with_a_message(editor_client, article):
    """Guards: a double submit makes one reply and says so, not an error page."""
    question = factories.make_comment(article)
    url = reverse("admin:comments_comment_reply", args=[question.pk])
    editor_client.post(url, {"text": "Once."})
    again = editor_client.post(url, {"text": "Once."})
    assert again.status_code == 200
    assert "You have already posted this reply." in again.content.decode()
    assert Comment.objects.filter(parent=question).count() == 1


def test_only_approved_comments_get_staff_replies(editor_client, article):
    """Guards: a comment readers can't see can't be answered publicly."""
    pending = factories.make_comment(article, status="pending")
    url = reverse("admin:comments_comment_reply", args=[pending.pk])
    assert "Only an approved comment can be answered" in editor_client.get(url).content.decode()
    with pytest.raises(ValueError):
        moderation.staff_reply(pending, "No.", by=User.objects.get(username="editor"))
    assert not Comment.objects.filter(parent=pending).exists()


def test_staff_outside_the_editors_group_cannot_reply(client, article):
    """Guards: replying as staff needs the Editors' permission, not just is_staff."""
    question = factories.make_comment(article)
    User.objects.create_user("intern", password="pw-intern-123", is_staff=True)
    client.login(username="intern", password="pw-intern-123")
    url = reverse("admin:comments_comment_reply", args=[question.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"text": "Hello."}).status_code == 403
    assert not Comment.objects.filter(parent=question).exists()


def test_a_staff_reply_can_be_edited_in_the_admin_without_an_email(editor_client, article):
    """Guards: the change page doesn't demand an email the staff reply never had; the edit
    is sanitized again and the trail says "edited by staff"."""
    question = factories.make_comment(article)
    editor_client.post(
        reverse("admin:comments_comment_reply", args=[question.pk]), {"text": "First."}
    )
    reply = Comment.objects.get(parent=question)
    change = reverse("admin:comments_comment_change", args=[reply.pk])
    data = {
        "author_name": reply.author_name,
        "author_email": "",
        "author_url": "",
        "body_raw": "Second <b>thought</b>.",
    }
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    reply.refresh_from_db()
    assert reply.body_html == "<p>Second <b>thought</b>.</p>"
    edit = ModerationEvent.objects.filter(comment=reply, action="edit").get()
    assert edit.reason.startswith("edited by staff")
