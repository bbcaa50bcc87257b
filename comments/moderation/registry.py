"""The registry of what happens after a change to comments is committed.

The write path (comments.moderation) tells it each change once the transaction commits; the
listeners attached in `comments.apps` (the cached thread, the spam filter's training, editors'
alerts) hang here and nowhere else. No Django signals: the call sites are explicit.

Each listener runs on its own: one that raises is logged with the change it was given, and
the others still run; nothing reaches the request, whose change is already committed. Those
that need not happen before the response (alerts, training) run after it is sent.

Imports nothing from the app: a listener is told a `Change` and decides for itself.
"""

import logging
import threading
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


_listeners = []  # (listener, after_response)
# Changes whose after-response listeners wait for this thread's request to end; None when
# the thread is not serving a request (a command, a test's own code): they run at once.
_waiting = threading.local()


def on_change(listener, *, after_response=False):
    """Tell `listener(change)` of each committed change, after those attached before it.

    With `after_response`, a change made while serving a request is told once the response
    has been sent (Django's request_finished; see begin_request and end_request), so the
    reader does not wait for it: what need not happen before the redirect (editors' alerts
    and their mail server, the spam filter's examples). Attaching one twice changes
    nothing. Usable as a decorator."""
    if listener not in listeners():
        _listeners.append((listener, after_response))
    return listener


def disconnect(listener):
    """Stop telling `listener`."""
    _listeners[:] = [entry for entry in _listeners if entry[0] != listener]


def listeners():
    """The listeners attached, in the order they are told."""
    return tuple(listener for listener, _ in _listeners)


@contextmanager
def listening(listener, *, after_response=False):
    """Attach `listener` for the duration of the block (tests, one-off tools), then detach it,
    unless it was attached before the block (the app's own are never removed)."""
    attached_here = listener not in listeners()
    on_change(listener, after_response=after_response)
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
    change, and the next listener is told all the same. After-response listeners wait for
    the end of the request this thread serves, if it serves one."""
    waiting = getattr(_waiting, "changes", None)
    for listener, after_response in tuple(_listeners):
        if after_response and waiting is not None:
            waiting.append((listener, change))
        else:
            _tell(listener, change)


def begin_request(**kwargs):
    """Django's request_started (connected in comments.apps): this thread's changes' after-
    response listeners wait from now on."""
    end_request()  # anything a request that never finished left behind is told now
    _waiting.changes = []


def end_request(**kwargs):
    """Django's request_finished, sent once the server has sent the response: tell the
    after-response listeners what they waited for."""
    waiting, _waiting.changes = getattr(_waiting, "changes", None), None
    for listener, change in waiting or ():
        _tell(listener, change)


def _tell(listener, change):
    try:
        listener(change)
    except Exception:
        logger.exception(
            "The moderation listener %s failed on %s of comments %s",
            getattr(listener, "__qualname__", listener),
            change.action,
            [comment.pk for comment in change.comments],
        )
