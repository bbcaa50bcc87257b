"""The comments app in a project that is not the newsroom: two models of the blog's own are
discussed, readers post through the app's form, editors approve in the admin.

Every comment here goes the way a reader's does: the page is fetched, the form read as the app
rendered it (action, hidden token and honeypot, CSRF token) and sent back filled in.
"""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from blogtest import (
    AWAITING,
    COMMENT,
    EMAIL,
    NAME,
    WEBSITE,
    approve_in_admin,
    editor_client,
    fill_in,
    make_event,
    make_post,
    post_comment,
    read_form,
)
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import comments
from comments.models import Comment, Discussion


def test_the_comments_app_is_installed_with_its_templates_and_static_files():
    """The app comes with what it renders. Run from the app's repository on the built wheel
    (tests/packaging), it must come from that fresh venv, never from the checkout."""
    package = Path(comments.__file__).resolve().parent
    assert (package / "templates" / "comments" / "_form.html").is_file()
    assert (package / "static" / "comments" / "comments.js").is_file()
    assert (package / "migrations" / "0001_initial.py").is_file()
    expected = os.environ.get("BLOG_EXPECT_COMMENTS_UNDER")
    if expected:
        assert package.is_relative_to(Path(expected).resolve()), package


@pytest.mark.django_db
def test_a_post_page_shows_the_post_an_empty_thread_and_the_form(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert post.title in html
    assert "0 comments" in html
    assert "Leave a Reply" in html
    form = read_form(html)
    assert {NAME, EMAIL, WEBSITE, COMMENT} <= set(form.labels)
    assert {"token", "hp", "csrfmiddlewaretoken"} <= set(form.fields)  # the app's own
    assert form.action.startswith("/comments/")


@pytest.mark.django_db
def test_a_comment_waits_for_an_editor_then_everyone_sees_it(client, editor, discussed):
    text = "Counting the votes by hand takes patience."
    response = post_comment(client, discussed, text)
    assert response.status_code == 302

    comment = Comment.objects.get()
    assert comment.discussion == Discussion.objects.of(discussed)
    assert comment.status == Comment.Status.PENDING
    assert comment.author_name == "Ada Reader"

    # Its poster sees it, marked as waiting; another reader doesn't see it at all.
    own = client.get(response["Location"]).content.decode()
    assert text in own
    assert AWAITING in own
    assert text not in Client().get(discussed.get_absolute_url()).content.decode()

    # An editor approves it in the admin (the Approve action on the comment list).
    editors_browser = editor_client()
    queue = editors_browser.get(reverse("admin:comments_comment_changelist"))
    assert queue.status_code == 200
    approve_in_admin(editors_browser, [comment])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    page = Client().get(discussed.get_absolute_url()).content.decode()
    assert text in page
    assert AWAITING not in page
    assert "1 comment" in page
    assert "ada@example.com" not in page  # an email is never public


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hide",
    [
        pytest.param(lambda post: setattr(post, "is_draft", True), id="draft"),
        pytest.param(
            lambda post: setattr(post, "published_at", timezone.now() + timedelta(days=1)),
            id="scheduled",
        ),
    ],
)
def test_a_post_readers_may_not_see_has_no_page_and_takes_no_comment(client, post, hide):
    form = read_form(client.get(post.get_absolute_url()).content.decode())
    hide(post)
    post.save()

    assert client.get(post.get_absolute_url()).status_code == 404
    response = client.post(*fill_in(form, "Sneaking in before it is published."))
    assert response.status_code in {403, 404}
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_private_event_has_no_page_and_takes_no_comment(client, event):
    form = read_form(client.get(event.get_absolute_url()).content.decode())
    event.is_public = False
    event.save()

    assert client.get(event.get_absolute_url()).status_code == 404
    response = client.post(*fill_in(form, "Is anyone there yet?"))
    assert response.status_code in {403, 404}
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_private_object_has_no_thread_even_with_approved_comments(client, editor, event):
    text = "Said while the event was public."
    post_comment(client, event, text)
    approve_in_admin(editor_client(), Comment.objects.all())
    assert text in Client().get(event.get_absolute_url()).content.decode()

    event.is_public = False
    event.save()
    feed = Client().get(reverse("comments:feed"))
    assert text not in feed.content.decode()


@pytest.mark.django_db
def test_the_list_shows_each_objects_approved_comment_count(client, editor):
    busy = make_post("busy", title="A busy post")
    quiet = make_post("quiet", title="A quiet post")
    event = make_event()
    for number, obj in enumerate([busy, busy, event, quiet]):
        post_comment(Client(), obj, f"Comment number {number} on {obj}.", name=f"Reader {number}")
    waiting = Comment.objects.filter(discussion=Discussion.objects.of(quiet))
    approve_in_admin(editor_client(), Comment.objects.exclude(pk__in=waiting))

    html = client.get(reverse("blog:list")).content.decode()

    def count_of(title):
        found = re.search(rf"{re.escape(title)}</a>\s*<span class=\"count\">(\d+) comment", html)
        assert found, f"no count for {title!r}"
        return int(found.group(1))

    assert count_of(busy.title) == 2
    assert count_of(quiet.title) == 0  # its one comment is still pending
    assert count_of(event.name) == 1


@pytest.mark.django_db
def test_create_editors_group_gives_editors_the_comments_permissions():
    call_command("create_editors_group", verbosity=0, stdout=io.StringIO())
    call_command("create_editors_group", verbosity=0, stdout=io.StringIO())  # idempotent

    editors = Group.objects.get(name="Editors")
    codenames = set(
        editors.permissions.filter(content_type__app_label="comments").values_list(
            "codename", flat=True
        )
    )
    assert {"view_comment", "change_comment"} <= codenames


@pytest.mark.django_db
def test_an_editor_is_staff_in_the_editors_group_and_not_a_superuser(editor):
    assert editor.is_staff
    assert not editor.is_superuser
    assert editor.groups.filter(name="Editors").exists()
    assert editor_client().get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_a_comment_with_errors_comes_back_on_its_own_page_as_typed(client, discussed):
    text = "A thought worth keeping, even with a typo in the address."
    response = post_comment(client, discussed, text, email="not an address")

    assert response.status_code == 200
    html = response.content.decode()
    assert str(discussed) in html  # the blog's own template, with the object
    assert "Your comment was not posted" in html
    assert text in html
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_comment_refused_by_the_csrf_check_comes_back_in_the_form(client, discussed):
    """CSRF_FAILURE_VIEW: a reader whose CSRF cookie went keeps what they typed."""
    form = read_form(client.get(discussed.get_absolute_url()).content.decode())
    text = "Typed before my cookies were cleared."
    cookieless = Client(enforce_csrf_checks=True)

    response = cookieless.post(*fill_in(form, text), HTTP_ORIGIN="http://testserver")

    assert response.status_code == 403
    html = response.content.decode()
    assert str(discussed) in html
    assert text in html
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_cross_site_post_is_refused_without_a_403_page_of_the_blogs_own(client, post):
    form = read_form(client.get(post.get_absolute_url()).content.decode())
    forger = Client(enforce_csrf_checks=True)

    response = forger.post(*fill_in(form, "Sent from elsewhere."), HTTP_ORIGIN="https://evil.test")

    assert response.status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_the_poster_may_edit_their_comment_for_a_while(client, post):
    """The app's own page extends this blog's base (COMMENTS_BASE_TEMPLATE)."""
    post_comment(client, post, "First version of my thought.")
    comment = Comment.objects.get()

    response = client.get(reverse("comments:edit", kwargs={"comment_id": comment.pk}))

    assert response.status_code == 200
    assert "First version of my thought." in response.content.decode()
    assert "The Example Blog" in response.content.decode()  # blog/base.html's own text
