"""Test data builders: one place that knows how to make a valid article or comment."""

import itertools
import time
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.public.forms import sign_form_token

_sequence = itertools.count(1)


def make_article(**fields):
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
    return Article.objects.create(**(defaults | fields))


def form_token(article, age=60):
    """The comment form's token for `article`, as if the form was shown `age` seconds ago."""
    return sign_form_token(article, time.time() - age)


def make_comment(article, *, body="A thoughtful remark.", **fields):
    n = next(_sequence)
    defaults = {
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "status": Comment.Status.APPROVED,
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0 (test)",
    }
    comment = Comment(article=article, **(defaults | fields))
    comment.set_body(body)
    comment.save()
    return comment


def make_comments(article, count, **fields):
    """Many comments in one INSERT, for thread-size tests."""
    comments = []
    now = timezone.now()
    batch = next(_sequence)
    for i in range(count):
        comment = Comment(
            article=article,
            author_name=f"Bulk reader {i}",
            author_email=f"bulk{i}@example.com",
            status=Comment.Status.APPROVED,
            submitted_at=now - timedelta(minutes=count - i),
            **fields,
        )
        comment.set_body(f"Comment number {i} (batch {batch}) with <em>emphasis</em>.")
        comment.derive_fields()  # bulk_create skips save()
        comments.append(comment)
    return Comment.objects.bulk_create(comments)


def make_editor(username="editor", password="correct horse battery staple"):
    """A staff member in the Editors group (created by a migration), not a superuser."""
    user = User.objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user
