"""The registry of what happens after a change to comments is committed.

The write path (comments.moderation) tells it each change once the transaction commits; the
listeners attached in `comments.apps` (the cached thread, the spam filter's training, editors'
alerts) hang here and nowhere else. No Django signals: the call sites are explicit.

Each listener runs on its own: one that raises is logged with the change it was given, and
the others still run; nothing reaches the request, whose change is already committed.

Imports nothing from the app: a listener is told a `Change` and decides for itself.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """What a listener is told: which comments moved, from which status to which, and who."""

    action: str  # a ModerationEvent.Action
    comments: tuple
    from_status: dict  # comment pk -> status before ("" for a new comment)
    to_status: str  # "" for a deletion
    by: object  # a User or a rule name
    reason: str = ""
    discussion_ids: frozenset = field(init=False)

    def __post_init__(self):
        object.__setattr__(
            self, "discussion_ids", frozenset(c.discussion_id for c in self.comments)
        )


_listeners = []


def on_change(listener):
    """Tell `listener(change)` of each committed change, after those attached before it.
    Attaching one twice changes nothing. Usable as a decorator."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def disconnect(listener):
    """Stop telling `listener`."""
    if listener in _listeners:
        _listeners.remove(listener)


def listeners():
    """The listeners attached, in the order they are told."""
    return tuple(_listeners)


@contextmanager
def listening(listener):
    """Attach `listener` for the duration of the block (tests, one-off tools), then detach it,
    unless it was attached before the block (the app's own are never removed)."""
    attached_here = listener not in _listeners
    on_change(listener)
    try:
        yield listener
    finally:
        if attached_here:
            disconnect(listener)


def tell_on_commit(change):
    """Tell every listener of `change` once the current transaction commits (at once outside
    one; never if it rolls back)."""
    transaction.on_commit(lambda: notify(change))


def notify(change):
    """Tell each listener of `change`, each on its own: an exception is logged, with the
    change, and the next listener is told all the same."""
    for listener in listeners():
        try:
            listener(change)
        except Exception:
            logger.exception(
                "The moderation listener %s failed on %s of comments %s",
                getattr(listener, "__qualname__", listener),
                change.action,
                [comment.pk for comment in change.comments],
            )
