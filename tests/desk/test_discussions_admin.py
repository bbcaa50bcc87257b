"""Discussions in the admin: editors see each one with its count and open or close it; the
Editors group comes from the app (comments.editors), made or updated by a command."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from comments.editors import EDITOR_PERMISSIONS
from comments.models import Discussion
from tests.factories import discussion_of, make_article, make_comment

pytestmark = pytest.mark.django_db

LIST = "/admin/comments/discussion/"


def test_editors_see_each_discussion_with_its_count_and_page(editor_client, article):
    ours = make_comment(article)
    make_comment(article, status="pending")
    elsewhere = make_comment(make_article())
    html = editor_client.get(LIST).content.decode()
    discussion = discussion_of(article)
    assert article.headline in html
    approved_list = (
        f"/admin/comments/comment/?discussion__id__exact={discussion.pk}&status=approved"
    )
    assert f'href="{approved_list.replace("&", "&amp;")}">1</a>' in html
    assert f'href="{article.get_absolute_url()}">View on site</a>' in html
    comments = editor_client.get(approved_list)
    assert comments.status_code == 200
    listed = comments.content.decode()
    assert f"/admin/comments/comment/{ours.pk}/change/" in listed
    assert f"/admin/comments/comment/{elsewhere.pk}/change/" not in listed


def test_an_editor_closes_a_discussion_and_readers_see_it_at_once(editor_client, client, article):
    make_comment(article)
    discussion = discussion_of(article)
    assert "Leave a Reply" in client.get(article.get_absolute_url()).content.decode()
    page = f"/admin/comments/discussion/{discussion.pk}/change/"
    response = editor_client.post(page, {"is_open": "", "closes_at_0": "", "closes_at_1": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Discussion.objects.get(pk=discussion.pk).is_open
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed." in html and "Leave a Reply" not in html


def test_discussions_are_not_added_by_hand_nor_deleted_by_editors(editor_client, article):
    discussion = discussion_of(article)
    assert editor_client.get(f"{LIST}add/").status_code == 403
    assert editor_client.get(f"{LIST}{discussion.pk}/delete/").status_code == 403
    form = editor_client.get(f"{LIST}{discussion.pk}/change/").content.decode()
    assert 'name="title"' not in form  # kept from the object, not typed


def test_the_editors_group_is_made_or_completed_by_a_command():
    Group.objects.filter(name="Editors").delete()
    out = StringIO()
    call_command("create_editors_group", "--also-app", "articles", stdout=out)
    assert 'The "Editors" group has' in out.getvalue()
    editors = Group.objects.get(name="Editors")
    granted = {
        (p.content_type.app_label, p.codename)
        for p in editors.permissions.select_related("content_type")
    }
    assert {("comments", codename) for codename in EDITOR_PERMISSIONS} <= granted
    assert ("articles", "change_article") in granted
    assert ("comments", "delete_comment") not in granted  # superusers only
    assert not any(label == "auth" for label, _ in granted)


def test_the_command_refuses_an_app_that_is_not_installed():
    with pytest.raises(Exception, match="No installed app is labelled 'nope'"):
        call_command("create_editors_group", "--also-app", "nope")
