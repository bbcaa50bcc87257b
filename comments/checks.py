"""A deployment check: the cached thread needs one cache shared by every process."""

import os

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def cache_shared_by_workers(app_configs, **kwargs):
    """Several workers (WEB_CONCURRENCY) each with its own local-memory cache would each
    keep their own copy of every thread, and an editor's decision would forget only the
    copy of the worker that served it: readers would see stale threads until the copies
    expired. With more than one worker, the cache must be Redis (REDIS_URL)."""
    backend = settings.CACHES["default"]["BACKEND"]
    workers = os.environ.get("WEB_CONCURRENCY", "1").strip() or "1"
    if backend.endswith("LocMemCache") and workers.isdecimal() and int(workers) > 1:
        return [
            checks.Error(
                f"WEB_CONCURRENCY is {workers} but the cache is each process's own memory.",
                hint="Set REDIS_URL so that every worker shares one cache (docs/deploy.md).",
                id="comments.E001",
            )
        ]
    return []
