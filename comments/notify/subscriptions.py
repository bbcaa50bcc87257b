"""Readers' subscriptions: made unconfirmed, confirmed by the signed link mailed once (double
opt-in), ended in one step from any message's link or the page listing an address's.

- `subscribe` / `subscribe_to`: the form's boxes (comments.public.posting). A new
  subscription queues one confirmation message (several ticked together, one message);
  ticking the same box again while its confirmation is pending, or once confirmed, sends
  nothing. An unconfirmed subscription is forgotten once its link has expired
  (COMMENTS_NOTIFY_CONFIRM_DAYS): the next subscription made anywhere deletes it, and the
  same box ticked later starts again with a new message.
- `confirm`: the confirmation link's POST; from then on the subscription is told of
  comments submitted after it.
- `unsubscribe`: deletes (no "unsubscribed" row is kept: nothing of the address remains).
- `manage_link`: mails an address the link to its subscriptions' page, at most once per
  MANAGE_LINK_SECONDS, and only if it has subscriptions (the page that asks never says).

Nothing but the confirmation is ever mailed to an address whose subscription is unconfirmed
(comments.notify.tasks reads confirmed ones only).
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .. import outbox
from ..models import Subscription, normalize_email
from . import mail, tokens

logger = logging.getLogger(__name__)

Scope = Subscription.Scope
# One manage link per address this often, however often it is asked for.
MANAGE_LINK_SECONDS = 10 * 60


def confirm_window():
    return timedelta(seconds=tokens.confirm_max_age())


def subscribe(discussion, email, scope, language=""):
    """Subscribe `email` to `scope` ("replies" or "all") in `discussion`; return the
    Subscription (see subscribe_to)."""
    return subscribe_to(discussion, email, [scope], language=language)[0]


def subscribe_to(discussion, email, scopes, language=""):
    """Subscribe `email` to each of `scopes` in `discussion`; return the Subscriptions.

    Those made here are unconfirmed, and one confirmation message is queued for all of them
    together; those that exist already (confirmed, or awaiting their confirmation within
    COMMENTS_NOTIFY_CONFIRM_DAYS) are returned as they are and mail nothing."""
    normalized = normalize_email(email)
    scopes = [Scope(scope) for scope in dict.fromkeys(scopes)]
    if not normalized or not scopes:
        return []
    now = timezone.now()
    with transaction.atomic():
        forget_unconfirmed(now)
        found, new = [], []
        for scope in scopes:
            subscription, created = _get_or_create(
                discussion, email, normalized, scope, language, now
            )
            subscription.discussion = discussion
            found.append(subscription)
            if created:
                new.append(subscription)
        if new:
            outbox.send(mail.confirmation_message(new))
    return found


def _get_or_create(discussion, email, normalized, scope, language, now):
    lookup = {"discussion": discussion, "email_normalized": normalized, "scope": scope}
    existing = Subscription.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    subscription = Subscription(
        discussion=discussion,
        scope=scope,
        email=email.strip(),
        language=(language or "")[:16],
        created_at=now,
    )
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:  # the same box, ticked at the same moment in another request
        return Subscription.objects.get(**lookup), False
    return subscription, True


def forget_unconfirmed(now=None):
    """Delete the subscriptions whose confirmation link has expired unfollowed: an address
    nobody confirmed is not kept. Returns how many."""
    now = now or timezone.now()
    stale = Subscription.objects.filter(confirmed_at=None, created_at__lt=now - confirm_window())
    return stale.delete()[0]


def by_pk(pks):
    """The subscriptions with these pks that still exist, with their discussions."""
    return list(Subscription.objects.filter(pk__in=pks).select_related("discussion").order_by("pk"))


def confirm(token):
    """Confirm the subscriptions the confirmation link names; return them (those still
    existing; [] if all were ended). Raises tokens.Expired or tokens.Invalid. Confirming
    twice changes nothing."""
    pks = tokens.read_confirm_token(token)
    now = timezone.now()
    Subscription.objects.filter(pk__in=pks, confirmed_at=None).update(confirmed_at=now)
    return by_pk(pks)


def unsubscribe(subscriptions):
    """End `subscriptions` (Subscriptions or pks): they are deleted. Returns how many were.

    An address that keeps its "replies" subscription while ending its "all" one in the same
    discussion goes on from where the "all" one left off, so nothing it was told is told
    again."""
    pks = [getattr(subscription, "pk", subscription) for subscription in subscriptions]
    with transaction.atomic():
        ending = list(Subscription.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
        for covering in (s for s in ending if s.scope == Scope.ALL and s.confirmed_at):
            _carry_over(covering, ending)
        return Subscription.objects.filter(pk__in=[s.pk for s in ending]).delete()[0]


def _carry_over(covering, ending):
    kept = (
        Subscription.objects.select_for_update()
        .filter(
            discussion_id=covering.discussion_id,
            email_normalized=covering.email_normalized,
            scope=Scope.REPLIES,
        )
        .exclude(pk__in=[s.pk for s in ending])
        .first()
    )
    if kept is None:
        return
    kept.notified_through = max(kept.notified_through, covering.notified_through)
    sent = [at for at in (kept.last_sent_at, covering.last_sent_at) if at is not None]
    kept.last_sent_at = max(sent, default=None)
    kept.save(update_fields=["notified_through", "last_sent_at"])


def subscriptions_of(email):
    """Every subscription of this address (normalised), confirmed or not, with its
    discussion, newest first."""
    return (
        Subscription.objects.of_email(email)
        .select_related("discussion")
        .order_by("-created_at", "-pk")
    )


def manage_link(email):
    """Mail `email` the link to its subscriptions' page if it has any, unless one was
    mailed in the last MANAGE_LINK_SECONDS. Returns whether a message was queued (the page
    that asks never tells the visitor)."""
    normalized = normalize_email(email)
    if not normalized:
        return False
    subscriptions = list(subscriptions_of(normalized))
    if not subscriptions:
        return False
    key = "comments:notify:manage:" + salted_hmac("comments.notify", normalized).hexdigest()[:32]
    try:
        if not cache.add(key, 1, timeout=MANAGE_LINK_SECONDS):
            return False
    except Exception as error:  # Redis unreachable, …: no link, rather than a flood of them
        logger.warning("The cache did not answer (%s): no manage link sent", error)
        return False
    outbox.send(mail.manage_message(subscriptions))
    return True
