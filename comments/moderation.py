"""Moderation decisions: one function each, called by the admin and views alike."""

from django.conf import settings
from django.utils import timezone

from .models import Comment


def initial_status(comment):
    """Decide whether a new comment is published at once or held for an editor.

    As WordPress does by default: held, unless the same name and email (the email compared
    case-insensitively) already have an approved comment. COMMENTS_HOLD_ALL holds everything.
    """
    if settings.COMMENTS_HOLD_ALL:
        return Comment.Status.PENDING
    known_author = Comment.objects.approved().filter(
        author_name=comment.author_name, author_email__iexact=comment.author_email
    )
    return Comment.Status.APPROVED if known_author.exists() else Comment.Status.PENDING


def submit(comment):
    """Save a new comment with the status the moderation policy gives it."""
    comment.status = initial_status(comment)
    comment.save()
    return comment


def _decide(comments, status, moderator):
    return comments.exclude(status=status).update(
        status=status, moderated_at=timezone.now(), moderated_by=moderator
    )


def approve(comments, moderator=None):
    """Publish the comments; returns how many changed."""
    return _decide(comments, Comment.Status.APPROVED, moderator)


def mark_spam(comments, moderator=None):
    """Hide the comments as spam; returns how many changed."""
    return _decide(comments, Comment.Status.SPAM, moderator)


def remove(comments, moderator=None):
    """Hide the comments as removed by an editor; returns how many changed."""
    return _decide(comments, Comment.Status.REMOVED, moderator)
