"""The signed links of reply notifications: django.core.signing under SECRET_KEY, one salt
each, so a link made for one purpose is refused for any other.

- confirm: the subscriptions a confirmation message asks about (their pks), with the time it
  was signed; refused after COMMENTS_NOTIFY_CONFIRM_DAYS.
- unsubscribe: the subscriptions a message speaks for, without expiry: the link in an old
  message must still end them (RFC 8058's one-click POST, or the page).
- manage: an address (normalised), for MANAGE_MAX_AGE: the page listing its subscriptions.

A token says nothing secret (signing is not encryption; a manage link carries its address in
base64): it is only ever mailed to the address it is about, and it is the sole authority of
the pages it opens (no sign-in).
"""

from django.core import signing

from ..conf import settings

CONFIRM_SALT = "comments.notify.confirm"
UNSUBSCRIBE_SALT = "comments.notify.unsubscribe"
MANAGE_SALT = "comments.notify.manage"
MANAGE_MAX_AGE = 24 * 60 * 60  # a manage link works for a day


class Expired(Exception):
    """The link was genuine but is too old."""


class Invalid(Exception):
    """The link was cut short, changed or made for something else."""


def confirm_max_age():
    """COMMENTS_NOTIFY_CONFIRM_DAYS, in seconds."""
    return max(0, float(settings.COMMENTS_NOTIFY_CONFIRM_DAYS)) * 24 * 60 * 60


def confirm_token(subscriptions):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(_pks(subscriptions))


def unsubscribe_token(subscriptions):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(_pks(subscriptions))


def manage_token(email_normalized):
    return signing.TimestampSigner(salt=MANAGE_SALT).sign_object(email_normalized)


def read_confirm_token(token):
    """The subscription pks a confirmation link names; raises Expired or Invalid."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    return _checked_pks(_load(signer, token, max_age=confirm_max_age()))


def read_unsubscribe_token(token):
    """The subscription pks an unsubscribe link names; raises Invalid."""
    return _checked_pks(_load(signing.Signer(salt=UNSUBSCRIBE_SALT), token))


def read_manage_token(token):
    """The normalised address a manage link is for; raises Expired or Invalid."""
    signer = signing.TimestampSigner(salt=MANAGE_SALT)
    email = _load(signer, token, max_age=MANAGE_MAX_AGE)
    if not isinstance(email, str) or "@" not in email:
        raise Invalid
    return email


def _pks(subscriptions):
    return sorted({getattr(subscription, "pk", subscription) for subscription in subscriptions})


def _load(signer, token, **options):
    try:
        return signer.unsign_object(token or "", **options)
    except signing.SignatureExpired:
        raise Expired from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise Invalid from None


def _checked_pks(value):
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in value)
    ):
        raise Invalid
    return value
