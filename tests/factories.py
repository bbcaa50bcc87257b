"""Test data builders: one place that knows how to make a valid article or comment."""

import itertools
import time
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, Discussion
from comments.public.forms import sign_form_token

_sequence = itertools.count(1)


def make_article(*, comments_open=True, **fields):
    """A published article (unless `status` says otherwise); with comments_open=False, its
    discussion is closed (the switch is the Discussion's)."""
    n = next(_sequence)
    defaults = {
        "headline": f"Envoys meet to discuss the harbour accord, round {n}",
        "slug": f"envoys-meet-round-{n}",
        "standfirst": "Negotiators return to the table after a month-long pause.",
        "photo_caption": "Delegates arrive for the talks on Monday.",
        "body": "The talks resumed on Monday.\n\nBoth sides said progress was possible.",
        "byline": "Diplomatic staff",
        "published_at": timezone.now() - timedelta(hours=n),
        "status": Article.Status.PUBLISHED,
    }
    article = Article.objects.create(**(defaults | fields))
    if not comments_open:
        close_comments(article)
    return article


def close_comments(article):
    """Close the discussion of `article` as an editor does in the admin (Discussions)."""
    discussion = discussion_of(article)
    discussion.is_open = False
    discussion.save()
    return discussion


def discussion_of(obj):
    """The discussion of an article (or any discussed object; a Discussion is its own)."""
    return Discussion.objects.of(obj)


def form_token(article, age=60):
    """The comment form's token for `article`'s discussion (or a Discussion's), as if the
    form was shown `age` seconds ago."""
    return sign_form_token(discussion_of(article), time.time() - age)


def make_comment(article, *, body="A thoughtful remark.", **fields):
    """A comment on `article` (or any discussed object, or a Discussion), approved unless
    `status` says otherwise. Its discussion's count is kept as the write path keeps it."""
    n = next(_sequence)
    defaults = {
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "status": Comment.Status.APPROVED,
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0 (test)",
    }
    discussion = discussion_of(article)
    comment = Comment(discussion=discussion, **(defaults | fields))
    comment.set_body(body)
    comment.save()
    Discussion.objects.recount([discussion.pk])
    return comment


def make_comments(article, count, **fields):
    """Many comments in one INSERT, for thread-size tests."""
    comments = []
    now = timezone.now()
    batch = next(_sequence)
    discussion = discussion_of(article)
    for i in range(count):
        comment = Comment(
            discussion=discussion,
            author_name=f"Bulk reader {i}",
            author_email=f"bulk{i}@example.com",
            status=Comment.Status.APPROVED,
            submitted_at=now - timedelta(minutes=count - i),
            **fields,
        )
        comment.set_body(f"Comment number {i} (batch {batch}) with <em>emphasis</em>.")
        comment.derive_fields()  # bulk_create skips save()
        comments.append(comment)
    created = Comment.objects.bulk_create(comments)
    Discussion.objects.recount([discussion.pk])
    return created


def make_editor(username="editor", password="correct horse battery staple"):
    """A staff member in the Editors group (created by a migration), not a superuser."""
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def post_url(article):
    """Where the form for `article` (or any discussed object, or a Discussion) posts."""
    return reverse("comments:post", kwargs={"discussion_id": discussion_of(article).pk})
