import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from comments.management.commands import task_queue

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """For the load balancer: 200 only when the database and the cache both answer, else
    503 naming what failed (the response says nothing more about the servers).

    It also says how far behind the task queue is (the mail the app sends, run by
    `manage.py db_worker`): "tasks": {"ready": n, "oldest_seconds": s}, from one query on the
    queue's ready rows, or the backend's name ("immediate") when there is no queue. That never
    makes the answer a 503: a backlog means the workers are down or too few, which is no
    reason to take this app server out of the load balancer (every server would be taken out
    together, and readers would lose the site for the sake of mail). Watch it, or
    `manage.py task_queue --max-lag`, from monitoring instead."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    status = 200 if all(checks.values()) else 503
    body = {name: "ok" if fine else "unavailable" for name, fine in checks.items()}
    body["tasks"] = _task_backlog() if checks["database"] else "unavailable"
    return JsonResponse(body, status=status)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: the database did not answer", exc_info=True)
        return False


def _cache_answers():
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except Exception:
        logger.warning("healthz: the cache did not answer", exc_info=True)
        return False


def _task_backlog():
    backend = task_queue.queue_backend()
    if backend is None:
        return task_queue.backend_kind()
    try:
        ready, oldest = task_queue.ready_backlog(backend)
    except Exception:
        logger.warning("healthz: the task queue could not be read", exc_info=True)
        return "unavailable"
    return {"ready": ready, "oldest_seconds": oldest}
