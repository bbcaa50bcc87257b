"""For tests that start other processes (app servers, a second Django) on the test database:
the database's address for them, free ports, and `manage.py runserver` processes with a
reader's browser to talk to them (tests/conftest.py's app_servers and redis_prefix start and
clean up after them)."""

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from .factories import post_url

ROOT = Path(__file__).resolve().parents[1]

# The real Redis the app servers share (CI has it on both database runs); each test uses a
# key prefix of its own there (conftest.py's redis_prefix).
REDIS_URL = "redis://127.0.0.1:6379/0"

# manage.py runserver, with the static files storage tests use (conftest.py): DEBUG is off,
# and the manifest storage of settings.py needs a collectstatic this test must not run.
RUNSERVER = (
    "import sys; from django.conf import settings; "
    "settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
    "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}; "
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', *sys.argv[1:]])"
)


def database_url():
    """The test database this process uses, as a DATABASE_URL for another process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        assert Path(db["NAME"]).is_absolute(), db["NAME"]
        return f"sqlite:///{db['NAME']}"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    user = urllib.parse.quote(db["USER"])
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """One `manage.py runserver` process (the demo's settings, DEBUG off, on the test
    database), its output in a file. `env` is added to the common environment."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        unset = {"DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "ALLOWED_HOSTS", "LOG_LEVEL"}
        base = {
            key: value
            for key, value in os.environ.items()
            if key not in unset and not key.startswith("COMMENTS_")
        }
        env = base | {
            "DJANGO_SETTINGS_MODULE": "newsite.settings",
            "SECRET_KEY": django_settings.SECRET_KEY,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url(),
            "COMMENTS_FLOOD_SECONDS": "15",
            "COMMENTS_MIN_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        command = [sys.executable, "-c", RUNSERVER, "runserver", "--noreload", "--nothreading"]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [*command, f"127.0.0.1:{self.port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The server on {self.port} exited:\n{self.output()}")
            try:
                urllib.request.urlopen(f"{self.url}/", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"The server on {self.port} did not answer in {timeout} s:\n{self.output()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def logs(*servers):
    return "\n".join(f"--- server on {s.port} ---\n{s.output()}" for s in servers)


def input_value(page, name):
    """The value of the <input name=`name`> on `page`, unescaped ("" if it has none)."""
    field = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert field, f"no {name} field on the page"
    value = re.search(r'\bvalue="([^"]*)"', field[0])
    return html.unescape(value[1]) if value else ""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One reader's browser: a cookie jar shared by every port on 127.0.0.1, no redirects
    followed (so a 302 is seen as one)."""

    def __init__(self):
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect()
        )

    def open(self, request):
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, server, article):
        """The article page from `server`: its form's CSRF token and signed token."""
        status, page = self.open(server.url + article.get_absolute_url())
        assert status == 200, f"{status}\n{server.output()}"
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        return {"csrfmiddlewaretoken": csrf, "token": input_value(page, "token")}

    def post_comment(self, server, article, **fields):
        """Load the article page from `server`, fill the form, send it back to `server`."""
        data = self.form(server, article) | fields
        request = urllib.request.Request(
            f"{server.url}{post_url(article)}",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Origin": server.url},
        )
        return self.open(request)
