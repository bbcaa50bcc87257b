"""A poster may edit or delete their own comment, from the same browser, for a while."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.factories import form_token, make_comment, post_url

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    data = {"name": "Ada", "email": "ada@example.com", "comment": "First version."}
    data |= {"token": form_token(article)} | fields
    client.post(post_url(article), data)
    return Comment.objects.latest("pk")


def edit_url(comment):
    return reverse("comments:edit", kwargs={"comment_id": comment.pk})


def test_the_poster_sees_an_edit_link_and_edits_the_text(client, article):
    comment = post(client, article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{edit_url(comment)}"' in page
    form = client.get(edit_url(comment))
    assert form.status_code == 200
    assert "First version.</textarea>" in form.content.decode()
    response = client.post(
        edit_url(comment), {"comment": "Second <b>version</b>.<script>x</script>"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body_html == "<p>Second <b>version</b>.</p>"
    assert comment.edited_at is not None
    assert comment.events.first().reason == "edited by its poster"
    assert "(edited)" in client.get(article.get_absolute_url()).content.decode()


def test_the_poster_can_delete_their_comment(client, article):
    comment = post(client, article)
    response = client.post(edit_url(comment), {"delete": "1"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert comment.events.first().rule == "its poster"


def test_nobody_else_can_edit_it(client, article):
    comment = post(client, article)
    stranger = Client()
    assert stranger.get(edit_url(comment)).status_code == 404
    assert stranger.post(edit_url(comment), {"comment": "Hijacked"}).status_code == 404
    assert stranger.post(edit_url(comment), {"delete": "1"}).status_code == 404
    comment.refresh_from_db()
    assert comment.body_raw == "First version."
    assert comment.status == Comment.Status.PENDING
    assert (
        f'href="{edit_url(comment)}"'
        not in stranger.get(article.get_absolute_url()).content.decode()
    )


def test_another_readers_comment_id_is_a_404(client, article):
    post(client, article)
    someone_else = make_comment(article, body="Not yours")
    assert client.get(edit_url(someone_else)).status_code == 404
    assert client.post(edit_url(someone_else), {"delete": "1"}).status_code == 404
    assert Comment.objects.get(pk=someone_else.pk).status == Comment.Status.APPROVED


def test_the_window_closes(client, article, settings):
    settings.COMMENTS_EDIT_MINUTES = 10
    comment = post(client, article)
    Comment.objects.filter(pk=comment.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=11)
    )
    assert client.get(edit_url(comment)).status_code == 404
    assert "Edit or delete" not in client.get(article.get_absolute_url()).content.decode()


def test_a_comment_an_editor_decided_against_cannot_be_edited(client, article):
    comment = post(client, article)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    assert client.get(edit_url(comment)).status_code == 404


def test_an_approved_comment_whose_edit_adds_a_link_goes_back_to_the_policy(client, article):
    comment = post(client, article)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    client.post(edit_url(comment), {"comment": 'Now see <a href="https://shop.example/">this</a>'})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "the poster's edit added a link" in comment.events.first().reason


def test_an_edit_without_a_new_link_stays_approved(client, article):
    comment = post(client, article)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    client.post(edit_url(comment), {"comment": "A corrected typo."})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_an_empty_edit_is_refused_and_kept(client, article):
    comment = post(client, article)
    response = client.post(edit_url(comment), {"comment": "   "})
    assert response.status_code == 200
    assert "Please type a comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body_raw == "First version."
