"""What is stored about a commenter, for their export; erasure and retention are changes, so
they live in comments.moderation (erase, purge_ips)."""

from django.db.models import Prefetch

from .models import Comment, ModerationEvent, normalize_email


def comments_of(email):
    """Every comment stored under this email, as the policy compares it (normalised). A blank
    email matches nothing (staff replies and erased comments have none)."""
    normalized = normalize_email(email)
    if not normalized:
        return Comment.objects.none()
    return Comment.objects.filter(email_normalized=normalized).order_by("pk")


def commenter_data(email):
    """Everything stored about the author with this email, as plain data for JSON: each
    comment with its status, dates, IP address, user agent and trail, and whether the spam
    filter keeps a copy of its text."""
    trail = Prefetch("events", queryset=ModerationEvent.objects.select_related("actor"))
    comments = comments_of(email).select_related("article").prefetch_related(trail)
    return {
        "email": normalize_email(email),
        "comments": [_comment_data(comment) for comment in comments],
    }


def _comment_data(comment):
    return {
        "id": comment.pk,
        "article": {
            "headline": comment.article.headline,
            "url": comment.article.get_absolute_url(),
        },
        "in_reply_to": comment.parent_id,
        "status": comment.status,
        "name": comment.author_name,
        "email": comment.author_email,
        "website": comment.author_url,
        "text": comment.body_raw,
        "submitted_at": _date(comment.submitted_at),
        "edited_at": _date(comment.edited_at),
        "moderated_at": _date(comment.moderated_at),
        "ip_address": "purged" if comment.ip_purged_at else comment.ip_address,
        "user_agent": "purged" if comment.ip_purged_at else comment.user_agent,
        "editors_pick": comment.featured_at is not None,
        "kept_by_the_spam_filter": hasattr(comment, "spam_example"),
        "trail": [
            {
                "at": _date(event.created_at),
                "action": event.get_action_display(),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "by": "an editor" if event.actor_id else event.rule,
                "reason": event.reason,
            }
            for event in reversed(comment.events.all())
        ],
    }


def _date(value):
    return value.isoformat() if value else None
