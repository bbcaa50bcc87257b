"""Rate limits kept in Django's cache, so every app server sharing it (Redis) sees the same
counts: flood control for comments, and the admin's sign-in attempts (newsite.admin_login).

Keys are HMACs of what they count (an IP, an email, a username) under SECRET_KEY: the cache
never holds a reader's address in clear.
"""

import contextlib
import logging

from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """The cache did not answer, so no limit could be checked."""


def cache_key(kind, value):
    digest = salted_hmac("comments.throttle", f"{kind}\0{value}").hexdigest()[:32]
    return f"throttle:{kind}:{digest}"


def _cache_call(method, *args, **kwargs):
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as error:  # redis' ConnectionError, TimeoutError, …: whatever the backend
        logger.warning("The cache did not answer (%s: %s)", type(error).__name__, error)
        raise CacheUnavailable from error


# ---------------------------------------------------------------------------------------------
# Flood control: one comment per client IP and per email every `seconds`.


def flood_keys(ip_address, email_normalized):
    keys = [cache_key("flood-email", email_normalized)]
    if ip_address:
        keys.append(cache_key("flood-ip", ip_address))
    return keys


def claim(keys, seconds):
    """Take every key for `seconds` (cache.add is atomic, in Redis too); True if all were
    free. If any was taken, the ones just taken are let go, so a refused post doesn't
    lengthen the wait. Raises CacheUnavailable if the cache is down."""
    taken = []
    for key in keys:
        if not _cache_call("add", key, 1, timeout=seconds):
            release(taken)
            return False
        taken.append(key)
    return True


def release(keys):
    """Let keys go (a claimed post was not saved after all: a duplicate)."""
    if keys:
        with contextlib.suppress(CacheUnavailable):
            _cache_call("delete_many", keys)


# ---------------------------------------------------------------------------------------------
# Counted failures (the admin sign-in): slowed, then locked.


def add_failure(key, window):
    """Count one more failure for `key`, in a window of `window` seconds from the first."""
    try:
        if _cache_call("add", key, 1, timeout=window):
            return 1
        return _cache_call("incr", key)
    except (CacheUnavailable, ValueError):  # ValueError: expired between add and incr
        return 1


def read(key, default=None):
    """The value under `key`, or `default` (also if the cache is down: fail open)."""
    try:
        return _cache_call("get", key, default)
    except CacheUnavailable:
        return default


def write(key, value, seconds):
    with contextlib.suppress(CacheUnavailable):
        _cache_call("set", key, value, timeout=seconds)
