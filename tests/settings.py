"""The demo site's settings, plus the benchmark app: the tests run its load-data and
explain commands too (`bench/settings.py` installs it the same way for `make bench`)."""

from newsite.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

# A second discussed model (a live blog), so the app is tested on more than articles.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.discussed"]
ROOT_URLCONF = "tests.urls"
COMMENTS_MODELS = {
    **COMMENTS_MODELS,  # noqa: F405
    "discussed.LiveBlog": {"public": "live", "published_at": "started_at"},
}

# Tasks run at once, in the process that queues them (after the response, as the registry's
# listeners are told): a test sees their mail without a worker. The queue itself, its worker
# and its retries are tested with the database backend (tests/test_outbox.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
