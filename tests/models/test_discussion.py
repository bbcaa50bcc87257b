"""Discussions: of any discussed object (COMMENTS_MODELS) or of a page by its URL, their
unique keys, the approved count the write path keeps, the closing rules, and what an
unpublished object gets (nothing)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import Comment, Discussion, current_policy
from tests.discussed.models import LiveBlog
from tests.factories import (
    discussion_of,
    form_token,
    make_article,
    make_comment,
    make_editor,
    post_url,
)

pytestmark = pytest.mark.django_db


def make_live_blog(**fields):
    defaults = {
        "title": "Election night, live",
        "slug": f"election-night-{LiveBlog.objects.count()}",
        "started_at": timezone.now() - timedelta(hours=1),
    }
    return LiveBlog.objects.create(**(defaults | fields))


def render(source, **context):
    request = RequestFactory().get("/")
    request.session = {}
    return Template("{% load comments %}" + source).render(Context({"request": request, **context}))


# --------------------------------------------------------------------------------------------
# What a discussion is of


def test_an_object_gets_one_discussion_made_on_first_use(article):
    first = Discussion.objects.of(article)
    assert Discussion.objects.of(article) == first
    assert Discussion.objects.count() == 1
    assert (first.content_type, first.object_id) == (
        ContentType.objects.get_for_model(Article),
        str(article.pk),
    )
    assert first.title == article.headline
    assert first.url == article.get_absolute_url() == first.get_absolute_url()
    assert first.published_at == article.published_at
    assert not first.is_page


def test_two_models_each_have_their_discussions(article):
    blog = make_live_blog(pk=article.pk)  # the same primary key, another model
    of_article, of_blog = Discussion.objects.of(article), Discussion.objects.of(blog)
    assert of_article != of_blog
    assert of_blog.title == "Election night, live"
    assert of_blog.url == f"/live/{blog.slug}/"
    assert of_blog.published_at == blog.started_at  # COMMENTS_MODELS' published_at


def test_a_model_not_in_comments_models_is_not_discussed():
    editor = make_editor()
    assert Discussion.objects.of(editor) is None
    assert render("{% comment_thread who %}{% comment_form who %}", who=editor) == ""


def test_a_discussion_follows_its_objects_title_and_address(article):
    discussion = Discussion.objects.of(article)
    article.headline, article.slug = "Accord signed", "accord-signed"
    article.save()
    again = Discussion.objects.of(article)
    assert (again.pk, again.title, again.url) == (
        discussion.pk,
        "Accord signed",
        "/articles/accord-signed/",
    )
    assert again.updated_at > discussion.updated_at  # cached pages key on it


def test_a_page_is_discussed_by_its_address():
    page = Discussion.objects.of_url("https://News.Example/explainers/tides#top", "Tides")
    assert page.is_page
    assert page.url == "https://news.example/explainers/tides"
    assert Discussion.objects.of_url("https://news.example/explainers/tides") == page
    assert page.get_absolute_url() == f"/comments/discussion/{page.pk}/"


@pytest.mark.parametrize("url", ["/a/path", "javascript:alert(1)", "ftp://x.example/", ""])
def test_only_absolute_web_addresses_make_a_page_discussion(url):
    with pytest.raises(ValueError):
        Discussion.objects.of_url(url)


def test_the_database_keeps_one_discussion_per_object_and_per_page(article):
    discussion = Discussion.objects.of(article)
    with pytest.raises(IntegrityError), transaction.atomic():
        Discussion.objects.create(
            content_type=discussion.content_type, object_id=discussion.object_id
        )
    Discussion.objects.of_url("https://news.example/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Discussion.objects.create(url="https://news.example/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Discussion.objects.create(title="of nothing")  # neither an object nor a page


# --------------------------------------------------------------------------------------------
# The approved count, kept by the write path


def count_of(obj):
    return Discussion.objects.get(pk=discussion_of(obj).pk).approved_count


def test_the_count_follows_every_decision(article, editor):
    comment = make_comment(article, status="pending")
    assert count_of(article) == 0
    moderation.approve([comment], by=editor)
    assert count_of(article) == 1
    moderation.mark_spam([comment], by=editor)
    assert count_of(article) == 0
    moderation.restore([comment], by=editor)  # back to approved
    assert count_of(article) == 1
    moderation.remove([comment], by=editor)
    assert count_of(article) == 0
    moderation.approve([comment], by=editor)
    comment.refresh_from_db()
    reply = moderation.staff_reply(comment, "Thanks for this.", by=editor)
    assert reply.is_approved and count_of(article) == 2
    moderation.erase([reply], by=editor, remove_text=True)
    assert count_of(article) == 1
    moderation.delete([comment], by=editor)
    assert count_of(article) == 0


def test_a_posted_comment_counts_once_approved(client, article, comment_data, editor):
    # A known author: published at once.
    make_comment(article, author_name=comment_data["name"], author_email=comment_data["email"])
    assert client.post(post_url(article), comment_data).status_code == 302
    assert count_of(article) == 2
    own = Comment.objects.get(body_raw=comment_data["comment"])
    moderation.remove_own(own)
    assert count_of(article) == 1


def test_counts_of_two_discussions_move_apart(article, editor):
    other = make_article()
    first, second = make_comment(article, status="pending"), make_comment(other)
    moderation.approve([first], by=editor)
    moderation.remove([second], by=editor)
    assert (count_of(article), count_of(other)) == (1, 0)


def test_lists_show_counts_of_any_models_without_counting_rows(
    article, django_assert_max_num_queries
):
    """Guards the N+1 of one count per object, and a COUNT(*) per list: one query per model,
    reading the counts the write path keeps."""
    blog = make_live_blog()
    make_comment(article)
    make_comment(article)
    make_comment(blog)
    silent = make_article()
    objects = [article, blog, silent]
    with django_assert_max_num_queries(2):
        html = render(
            "{% for o in objects|with_comment_counts %}{{ o.approved_comment_count }},{% endfor %}",
            objects=objects,
        )
    assert html == "2,1,0,"


# --------------------------------------------------------------------------------------------
# Open, closed, public


def test_an_editor_closes_a_discussion(article):
    discussion = discussion_of(article)
    assert discussion.accepts_comments(current_policy())
    discussion.is_open = False
    assert not discussion.accepts_comments(current_policy())


def test_a_discussion_closes_at_its_closing_time(article):
    discussion = discussion_of(article)
    discussion.closes_at = timezone.now() + timedelta(minutes=5)
    assert discussion.accepts_comments(current_policy())
    discussion.closes_at = timezone.now() - timedelta(seconds=1)
    assert not discussion.accepts_comments(current_policy())


def test_close_after_days_counts_from_the_objects_own_date(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 2
    old_blog = make_live_blog(started_at=timezone.now() - timedelta(days=3))
    new_blog = make_live_blog(started_at=timezone.now() - timedelta(days=1))
    assert not discussion_of(old_blog).accepts_comments(current_policy())
    assert discussion_of(new_blog).accepts_comments(current_policy())


@pytest.mark.parametrize(
    "unpublished",
    [
        lambda: make_article(status=Article.Status.DRAFT),
        lambda: make_article(published_at=timezone.now() + timedelta(days=1)),
        lambda: make_live_blog(is_live=False),
    ],
    ids=["draft article", "scheduled article", "live blog not live"],
)
def test_an_unpublished_object_has_no_thread_and_takes_no_comment(client, unpublished):
    obj = unpublished()
    make_comment(obj)
    html = render("{% comment_count o %}{% comment_thread o %}{% comment_form o %}", o=obj).strip()
    assert html == ""
    data = {"name": "Ann", "email": "ann@example.com", "comment": "Hi", "token": form_token(obj)}
    assert client.post(post_url(obj), data).status_code == 404
    assert client.get(f"/comments/feed/{discussion_of(obj).pk}/").status_code == 404
    assert Comment.objects.count() == 1


# --------------------------------------------------------------------------------------------
# The template tags, on two models and on a page


def test_the_tags_show_each_objects_own_thread_and_form(client):
    blog = make_live_blog()
    article = make_article()
    make_comment(blog, body="From the live blog")
    make_comment(article, body="From the article")
    page = client.get(blog.get_absolute_url()).content.decode()
    assert "From the live blog" in page and "From the article" not in page
    assert f'action="{post_url(blog)}#respond"' in page
    assert '<a class="comment-count" href="#comments">1 comment</a>' in page


def test_a_reader_comments_on_a_live_blog_and_sees_it_after_approval(client, editor):
    blog = make_live_blog()
    data = {
        "name": "Lou Blogreader",
        "email": "lou@example.com",
        "comment": "Turnout looks high here.",
        "token": form_token(blog),
    }
    response = client.post(post_url(blog), data)
    assert response.status_code == 302
    assert response["Location"].startswith(blog.get_absolute_url())
    comment = Comment.objects.get()
    assert comment.discussion == discussion_of(blog) and comment.is_pending
    moderation.approve([comment], by=editor)
    assert "Turnout looks high here." in client.get(blog.get_absolute_url()).content.decode()


def test_a_live_blog_form_with_errors_comes_back_on_the_live_blog_page(client):
    blog = make_live_blog()
    data = {"name": "", "email": "lou@example.com", "comment": "Kept", "token": form_token(blog)}
    response = client.post(post_url(blog), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Election night, live</h1>" in html
    assert "Your comment was not posted" in html and "Kept" in html


def test_a_page_discussion_has_a_page_of_its_own_here(client, editor):
    page = Discussion.objects.of_url("https://static.example/explainer", "The explainer")
    url = page.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Comments on “The explainer”" in html
    assert 'href="https://static.example/explainer"' in html
    data = {
        "name": "Pat",
        "email": "pat@example.com",
        "comment": "Clear.",
        "token": form_token(page),
    }
    response = client.post(post_url(page), data)
    assert response.status_code == 302 and response["Location"].startswith(url)
    moderation.approve(Comment.objects.all(), by=editor)
    assert "Clear." in client.get(url).content.decode()
    assert count_of(page) == 1


def test_the_discussion_page_of_an_object_leads_to_the_object(client, article):
    response = client.get(discussion_of(article).get_absolute_url())
    assert response.status_code == 200  # the article itself
    own_page = client.get(f"/comments/discussion/{discussion_of(article).pk}/")
    assert own_page.status_code == 302
    assert own_page["Location"] == article.get_absolute_url()


def test_a_model_may_name_the_template_its_form_comes_back_on(client, settings):
    """COMMENTS_MODELS' "template": for a view whose template is not the DetailView name."""
    settings.COMMENTS_MODELS = {
        **settings.COMMENTS_MODELS,
        "discussed.LiveBlog": {"public": "live", "template": "comments/discussion_detail.html"},
    }
    blog = make_live_blog()
    data = {"name": "", "email": "lou@example.com", "comment": "Kept", "token": form_token(blog)}
    html = client.post(post_url(blog), data).content.decode()
    assert "Comments on “Election night, live”" in html and "Kept" in html
