import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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


@require_safe
def robots_txt(request):
    """What crawlers may read: everything but the admin, the API, the pages that post or
    react (posting, editing, recommending, reporting, subscribing; the language switch) and
    the reply links (?replytocom=, the same page again); where the sitemaps are. Each
    address is the URLconf's own, so the rules follow it if it moves."""

    def beside_the_id(name):
        # "/comments/0/edit/" → "/comments/*/edit/": any comment's.
        return reverse(name, kwargs={"comment_id": 0}).replace("/0/", "/*/")

    def up_to_the_id(name, **kwargs):
        # "/comments/post/0/" → "/comments/post/": any discussion's.
        return reverse(name, kwargs=kwargs).rpartition("/0/")[0] + "/"

    def first_segment(path):
        # "/api/v1/" → "/api/": every version.
        return f"/{path.strip('/').split('/')[0]}/"

    disallowed = [
        reverse("admin:index"),
        first_segment(reverse("comments_api:api-root")),
        up_to_the_id("comments:post", discussion_id=0),
        beside_the_id("comments:edit"),
        beside_the_id("comments:recommend"),
        beside_the_id("comments:report"),
        reverse("comments:recommended"),
        reverse("comments:notify_request"),
        # The embed's way in without JavaScript (?url=): a redirect to a discussion's page.
        f"{reverse('comments:discussion_by_url')}?",
        reverse("language"),
        reverse("set_language"),
        "/*?replytocom=",
        "/*&replytocom=",
    ]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), ""]
    lines += [
        f"Sitemap: {request.build_absolute_uri(reverse(name))}"
        for name in ("sitemap", "news_sitemap")
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def language(request):
    """The language switch, a page of its own (the header links to it from every page): one
    form to Django's set_language with a button per language, sending the reader back to
    the page they came from (?next=, this site's only; else the front page).

    A page and not a form in every page's header: its CSRF token would keep the article
    pages and the front page from being shared whole from the cache
    (comments.public.pages), and a plain link and a form need no JavaScript."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    return render(request, "language.html", {"next": next_url})
