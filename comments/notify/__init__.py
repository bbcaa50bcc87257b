"""Reply notifications: readers emailed when someone answers them, or when anyone comments
in a discussion they follow (issue 19). docs/notifications.md says what readers, editors
and developers see of it.

- `subscriptions`: the form's boxes make subscriptions, unconfirmed until the one message
  they send is followed (double opt-in); confirm, unsubscribe, an address's list.
- `tokens`: the signed links (confirm: expires; unsubscribe: never; manage: a day).
- `listeners`: `notify_subscribers`, on the write path's registry (attached in
  comments.apps, after the response): comments just approved queue the task below.
- `tasks`: `send_notifications`, one subscriber's news gathered, at most one message per
  discussion every COMMENTS_NOTIFY_MINUTES.
- `mail`: the messages (plain text; one recipient; List-Unsubscribe, one-click).
- `views`, `urls`: confirm, unsubscribe, ask for and use the link to one's subscriptions.

Layer: imports only the base (`comments.models`, `comments.conf`, `comments.outbox`); the
readers' side (`comments.public`: the form's boxes) calls it, and `comments.apps` attaches
its listener. Never imports the write path: it is told of changes.
"""

from .listeners import notify_subscribers
from .subscriptions import (
    confirm,
    forget_unconfirmed,
    manage_link,
    subscribe,
    subscribe_to,
    subscriptions_of,
    unsubscribe,
)
from .tasks import news_for, send_notifications

__all__ = [
    "confirm",
    "forget_unconfirmed",
    "manage_link",
    "news_for",
    "notify_subscribers",
    "send_notifications",
    "subscribe",
    "subscribe_to",
    "subscriptions_of",
    "unsubscribe",
]
