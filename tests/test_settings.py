"""Settings come from the environment, and refuse to start unsafely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these variables set."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.COMMENTS_HOLD_ALL, settings.ALLOWED_HOSTS, "
            "settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "newsite.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_uses_a_development_key():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True False")


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_hold_all_and_hosts_come_from_the_environment(value):
    result = load_settings(
        SECRET_KEY="k" * 50,
        COMMENTS_HOLD_ALL=value,
        ALLOWED_HOSTS="news.example.org, www.news.example.org",
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False True ['news.example.org', 'www.news.example.org'] django.db.backends.postgresql"
    )
