"""System checks: what is discussed must exist (COMMENTS_MODELS), the thread's default order
must be one it knows (COMMENTS_THREAD_ORDER), and, for deployment, the cached thread needs
one cache shared by every process."""

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


@checks.register()
def discussed_models_exist(app_configs, **kwargs):
    """Every model COMMENTS_MODELS names is installed, has its `public` manager method, the
    field its `updated_at` names (the whole-page cache compares it), and a get_absolute_url
    (the thread is shown on the object's page)."""
    from django.apps import apps

    from .conf import settings as comments_settings

    problems = []
    for label, options in comments_settings.COMMENTS_MODELS.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            problems.append(
                checks.Warning(
                    f"COMMENTS_MODELS names {label!r}, which is not an installed model.",
                    hint="Set COMMENTS_MODELS to your own models (docs/settings.md).",
                    id="comments.W002",
                )
            )
            continue
        public = (options or {}).get("public")
        if public and not callable(getattr(model._default_manager, public, None)):
            problems.append(
                checks.Error(
                    f"COMMENTS_MODELS: {label}'s default manager has no method {public!r}.",
                    id="comments.E003",
                )
            )
        updated_at = (options or {}).get("updated_at")
        if updated_at and updated_at not in {f.name for f in model._meta.concrete_fields}:
            problems.append(
                checks.Error(
                    f"COMMENTS_MODELS: {label} has no field {updated_at!r} (updated_at).",
                    hint="Name a DateTimeField(auto_now=True), or leave updated_at out.",
                    id="comments.E005",
                )
            )
        if not hasattr(model, "get_absolute_url"):
            problems.append(
                checks.Error(
                    f"COMMENTS_MODELS: {label} has no get_absolute_url().",
                    hint="The thread and permalinks are shown on the object's own page.",
                    id="comments.E004",
                )
            )
    return problems


@checks.register()
def thread_order_is_known(app_configs, **kwargs):
    """COMMENTS_THREAD_ORDER names one of the orders readers may choose (?csort=): a typo
    would otherwise sort every thread oldest first without a word."""
    from .conf import settings as comments_settings
    from .thread.render import ORDERS

    value = comments_settings.COMMENTS_THREAD_ORDER
    if isinstance(value, str) and value in ORDERS:
        return []
    return [
        checks.Error(
            f"COMMENTS_THREAD_ORDER is {value!r}, which is not an order of the thread.",
            hint=f"Set it to one of {', '.join(map(repr, ORDERS))}.",
            id="comments.E006",
        )
    ]
