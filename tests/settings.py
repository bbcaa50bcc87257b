"""The demo site's settings, plus the benchmark app: the tests run its load-data and
explain commands too (`bench/settings.py` installs it the same way for `make bench`)."""

from newsite.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
