"""The site as deployed, plus what the benchmark needs to measure it (`make bench`).

Never used to serve readers: it adds the baseline view and a header counting queries.
"""

from newsite.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405 (the benchmark and load-data commands)
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
