"""The production setup: health checks, compression, and `check --deploy` in the documented
environment (README, docs/deploy.md)."""

import gzip
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from .processes import database_url, free_port
from .test_settings import ROOT

pytestmark = pytest.mark.django_db

# The production environment docs/deploy.md documents (behind an HTTPS proxy).
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-key-" + "x7Qp9Lm2" * 6,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "news.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.org",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "COMMENTS_TRUSTED_PROXIES": "10.0.0.0/8",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WEB_CONCURRENCY": "4",
}


def check_deploy(variables):
    """`manage.py check --deploy` in a fresh process with exactly these settings variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTS_", "SECURE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env | variables,
        capture_output=True,
        text=True,
    )


def test_healthz_answers_when_the_database_and_the_cache_do(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    # The tests' task backend runs each task at once: no queue to measure
    # (tests/test_outbox.py measures the database queue's).
    assert response.json() == {"database": "ok", "cache": "ok", "tasks": "immediate"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_cache_is_down(client, dead_redis):
    """A server whose Redis doesn't answer is taken out of the load balancer's rotation."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "unavailable", "tasks": "immediate"}


def test_healthz_takes_no_posts(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_pages_are_compressed_for_browsers_that_ask(client, article):
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert article.headline in gzip.decompress(response.content).decode()
    plain = client.get(article.get_absolute_url())
    assert not plain.has_header("Content-Encoding")


def test_check_deploy_is_clean_in_the_documented_production_environment():
    """`manage.py check --deploy` finds nothing to warn about (HSTS, secure cookies, SSL
    redirect, the proxy header, a strong key) with the environment docs/deploy.md gives."""
    result = check_deploy(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_production_environment():
    """The same check does fail when HTTPS settings are missing: the test above means it."""
    result = check_deploy({"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "DEBUG": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_the_site_as_make_serve_starts_it(tmp_path):
    """`make serve`'s server: gunicorn with two workers, DEBUG off, answering /healthz from
    the database (this test's) and the cache."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTS_", "SECURE_"))}
    env |= {"SECRET_KEY": "k" * 50, "DEBUG": "0", "DATABASE_URL": database_url()}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [gunicorn, "newsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        answer = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    answer = (r.status, r.headers["Server"], r.read().decode())
                break
            except OSError:
                time.sleep(0.1)
        assert answer is not None, log.read_text()
        status, server_name, body = answer
        assert status == 200
        assert server_name.startswith("gunicorn")
        assert '"database": "ok"' in body and '"cache": "ok"' in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_check_deploy_refuses_workers_each_with_a_cache_of_their_own():
    """Guards: several workers without Redis would each cache their own copy of a thread, and
    an editor's decision would reach one copy; `check --deploy` says so (comments.E001)."""
    local = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    refused = check_deploy(local | {"REDIS_URL": ""})
    assert refused.returncode != 0
    assert "comments.E001" in refused.stderr
    assert "WEB_CONCURRENCY is 4" in refused.stderr
    one_worker = check_deploy(local | {"REDIS_URL": "", "WEB_CONCURRENCY": "1"})
    assert "comments.E001" not in one_worker.stdout + one_worker.stderr


def test_the_redis_cache_keeps_one_client_per_pool():
    """Guards: newsite.cache.RedisCache hands out the same redis client for every call
    (Django's built one per call, which cost a tenth of a cached page), and works: values
    round-trip through the real Redis."""
    from django.core.cache import caches
    from django.test import override_settings

    redis_cache = {
        "default": {
            "BACKEND": "newsite.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-client-{os.getpid()}",
        }
    }
    with override_settings(CACHES=redis_cache):
        backend = caches["default"]
        client = backend._cache.get_client()
        assert backend._cache.get_client() is client
        assert backend._cache.get_client(write=True) is client  # one server: one pool
        backend.set("probe", {"thread": b"<li>"}, 5)
        assert backend.get("probe") == {"thread": b"<li>"}
        backend.delete("probe")
