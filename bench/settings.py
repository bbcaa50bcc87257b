"""The site as deployed, plus what the benchmark needs to measure it (`make bench`).

Never used to serve readers: it adds the baseline view and a header counting queries.
"""

from newsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
