"""The admin's sign-in, slowed and then locked after repeated wrong passwords.

Counted per account (the username, case-folded) and per client IP (comments.public.network's
client_ip, so a trusted proxy's X-Forwarded-For is followed), in the shared cache: every app
server sees the same counts. After FREE_FAILURES failures within WINDOW seconds, each further
attempt must wait 2, 4, 8, … seconds after the last; after LOCK_AFTER failures the account,
or the address, is locked for LOCK_SECONDS. A refused attempt checks no password.

Written here rather than with django-axes: the same dozen lines of cache counters as flood
control, no extra tables, middleware or authentication backend.

If the cache is down, sign-in is not throttled (it fails open): Django's slow password hash
still stands in the way, and editors must be able to reach the admin during an outage.
"""

import math
import time

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from comments.public import throttle
from comments.public.network import client_ip

FREE_FAILURES = 5
LOCK_AFTER = 10
WINDOW = LOCK_SECONDS = 15 * 60


def _keys(username, ip):
    keys = [throttle.cache_key("login-account", username.casefold())]
    if ip:
        keys.append(throttle.cache_key("login-ip", ip))
    return keys


def wait_seconds(username, ip):
    """How long this account or address must wait before its next attempt (0: none)."""
    now = time.time()
    until = max((throttle.read(f"{key}:until", 0) for key in _keys(username, ip)), default=0)
    return max(0, math.ceil(until - now))


def count_failure(username, ip):
    now = time.time()
    for key in _keys(username, ip):
        failures = throttle.add_failure(key, WINDOW)
        if failures >= LOCK_AFTER:
            throttle.write(f"{key}:until", now + LOCK_SECONDS, LOCK_SECONDS)
        elif failures > FREE_FAILURES:
            delay = 2 ** (failures - FREE_FAILURES)
            throttle.write(f"{key}:until", now + delay, delay)


def forget_failures(username):
    """A correct password clears the account's count (not the address's)."""
    key = _keys(username, None)[0]
    throttle.release([key, f"{key}:until"])


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        ip = client_ip(self.request) if self.request is not None else None
        if username and password:
            wait = wait_seconds(username, ip)
            if wait > 60:
                minutes = math.ceil(wait / 60)
                raise ValidationError(
                    ngettext(
                        "Too many failed sign-ins for this account or from this address: "
                        "sign-in is locked. Try again in %(minutes)d minute, or ask an "
                        "administrator.",
                        "Too many failed sign-ins for this account or from this address: "
                        "sign-in is locked. Try again in %(minutes)d minutes, or ask an "
                        "administrator.",
                        minutes,
                    ),
                    code="locked",
                    params={"minutes": minutes},
                )
            if wait:
                raise ValidationError(
                    ngettext(
                        "Too many failed sign-ins. Wait %(seconds)d second, then try again.",
                        "Too many failed sign-ins. Wait %(seconds)d seconds, then try again.",
                        wait,
                    ),
                    code="slowed",
                    params={"seconds": wait},
                )
        try:
            cleaned_data = super().clean()
        except ValidationError:
            if username and password:
                count_failure(username, ip)
            raise
        forget_failures(username)
        return cleaned_data
