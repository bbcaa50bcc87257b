"""Threaded replies: the Reply link, the parent a reply may have, depth, and the nested thread."""

import re

import pytest
from django.test import Client

from comments import moderation
from comments.models import Comment
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db


def reply_data(parent, **fields):
    """A reply to `parent` from its article's form (pass article= for a top-level comment)."""
    article = fields.pop("article", None) or parent.discussion
    return {
        "name": "Bo Replier",
        "email": "bo@example.com",
        "comment": "A reply worth keeping.",
        "parent": parent.pk if parent else "",
        "token": form_token(article),
    } | fields


def test_every_approved_comment_has_a_real_reply_link(client, article):
    comment = make_comment(article, author_name="Ann")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="?replytocom={comment.pk}#respond"' in html
    assert 'aria-label="Reply to Ann"' in html


def test_no_reply_links_on_a_closed_article(client):
    closed = make_article(comments_open=False)
    make_comment(closed)
    assert "replytocom" not in client.get(closed.get_absolute_url()).content.decode()


def test_the_reply_link_shows_the_form_with_the_parent_named(client, article):
    comment = make_comment(article, author_name="Ann")
    html = client.get(f"{article.get_absolute_url()}?replytocom={comment.pk}").content.decode()
    assert re.search(r"Replying to <a href=\"#comment-\d+\"><bdi>Ann</bdi></a>", html)
    assert "Cancel reply" in html
    assert f'name="parent" value="{comment.pk}"' in html


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_a_reply_link_to_a_hidden_comment_shows_the_plain_form(client, article, status):
    comment = make_comment(article, author_name="Hidden Ann", status=status)
    html = client.get(f"{article.get_absolute_url()}?replytocom={comment.pk}").content.decode()
    assert "Replying to" not in html
    assert 'name="parent" value=' not in html


def test_a_reply_is_stored_under_its_parent_and_shown_nested(client, article):
    parent = make_comment(article, author_name="Ann", body="The first word.")
    response = client.post(post_url(article), reply_data(parent))
    reply = Comment.objects.get(author_name="Bo Replier")
    assert response.status_code == 302
    assert (reply.parent, reply.depth) == (parent, 1)
    moderation.approve([reply], by="test")
    html = Client().get(article.get_absolute_url()).content.decode()
    parent_li = html[html.index(f'id="comment-{parent.pk}"') :]
    children = parent_li[parent_li.index('<ol class="children') :]
    assert f'id="comment-{reply.pk}"' in children.split("</ol>")[0]
    assert "(in reply to <bdi>Ann</bdi>)" in html


def test_replies_show_oldest_first(client, article):
    parent = make_comment(article)
    later = make_comment(article, parent=parent, body="Second")
    earlier = make_comment(article, parent=parent, body="First")
    Comment.objects.filter(pk=earlier.pk).update(submitted_at=later.submitted_at.replace(year=2020))
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index(f'id="comment-{earlier.pk}"') < html.index(f'id="comment-{later.pk}"')


def test_a_reply_at_the_deepest_level_joins_that_level(client, article, settings):
    settings.COMMENTS_THREAD_DEPTH = 3
    top = make_comment(article)
    middle = make_comment(article, parent=top)
    deepest = make_comment(article, parent=middle)
    client.post(post_url(article), reply_data(deepest))
    reply = Comment.objects.get(author_name="Bo Replier")
    assert (reply.parent, reply.depth) == (middle, 2)


def test_a_thread_depth_of_one_means_no_nesting(client, article, settings):
    settings.COMMENTS_THREAD_DEPTH = 1
    top = make_comment(article)
    client.post(post_url(article), reply_data(top))
    reply = Comment.objects.get(author_name="Bo Replier")
    assert (reply.parent, reply.depth) == (top, 1)


@pytest.mark.parametrize("kind", ["made-up", "pending", "spam", "removed", "other-article"])
def test_a_reply_to_a_comment_readers_cannot_see_is_refused_and_kept(client, article, kind):
    if kind == "made-up":
        parent_id = 999_999
    elif kind == "other-article":
        parent_id = make_comment(make_article()).pk
    else:
        parent_id = make_comment(article, status=kind).pk
    data = reply_data(None, article=article) | {"parent": parent_id}
    response = client.post(post_url(article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The comment you are replying to is not available" in html
    assert "A reply worth keeping.</textarea>" in html
    assert f'name="parent" value="{parent_id}"' not in html  # posting again makes a new comment
    assert not Comment.objects.filter(author_name="Bo Replier").exists()


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1e9"])
def test_a_forged_parent_value_is_a_form_error_not_a_500(client, article, value):
    response = client.post(post_url(article), reply_data(None, article=article) | {"parent": value})
    assert response.status_code == 200
    assert "A reply worth keeping.</textarea>" in response.content.decode()


def test_a_removed_comment_with_replies_keeps_the_thread_shape(client, article):
    parent = make_comment(article, author_name="Gone Author", body="Removed words")
    reply = make_comment(article, parent=parent, body="Still here")
    moderation.remove([parent], by="test")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "This comment was removed." in html
    assert "Gone Author" not in html
    assert "Removed words" not in html
    assert "Still here" in html
    assert "(in reply to a removed comment)" in html
    assert f'href="?replytocom={parent.pk}' not in html
    assert f'href="?replytocom={reply.pk}' in html
    assert "1 comment on" in html  # the placeholder is not counted


def test_a_removed_comment_without_replies_is_simply_gone(client, article):
    comment = make_comment(article, body="Removed words")
    make_comment(article, parent=comment, status="pending", body="Held reply")
    moderation.remove([comment], by="test")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "This comment was removed." not in html
    assert "Held reply" not in html


def test_the_same_words_may_answer_two_readers(client, article):
    first, second = make_comment(article), make_comment(article)
    assert client.post(post_url(article), reply_data(first)).status_code == 302
    assert client.post(post_url(article), reply_data(second)).status_code == 302
    assert client.post(post_url(article), reply_data(second)).status_code == 409


def test_after_an_error_the_note_still_names_the_comment_the_reader_answered(
    client, article, settings
):
    settings.COMMENTS_THREAD_DEPTH = 2
    top = make_comment(article, author_name="Top Reader")
    deepest = make_comment(article, author_name="Deep Reader", parent=top)
    data = reply_data(deepest) | {"email": "kay@example"}
    html = client.post(post_url(article), data).content.decode()
    assert "Replying to <a href=" in html
    assert "<bdi>Deep Reader</bdi></a> · " in html


def test_depth_and_root_are_derived_on_save(article):
    """Whoever creates a reply (the form, the demo, an import) gets its place in the thread
    from its parent; nobody sets depth or root by hand."""
    top = make_comment(article)
    middle = Comment.objects.create(
        discussion=discussion_of(article),
        author_name="M",
        author_email="m@example.com",
        body_raw="m",
        parent=top,
    )
    deepest = Comment.objects.create(
        discussion=discussion_of(article),
        author_name="D",
        author_email="d@example.com",
        body_raw="d",
        parent=middle,
    )
    assert (top.depth, top.root_id) == (0, None)
    assert (middle.depth, middle.root_id) == (1, top.pk)
    assert (deepest.depth, deepest.root_id) == (2, top.pk)
