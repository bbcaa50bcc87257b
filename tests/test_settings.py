"""Settings come from the environment, and refuse to start unsafely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_with_settings(code, *, check=False, **env):
    """Run `code` after django.setup() in a fresh interpreter with exactly these variables set
    (on top of the environment, less the settings' own variables)."""
    unset = {"SECRET_KEY", "DEBUG", "LOG_LEVEL"}
    clean = {
        k: v for k, v in os.environ.items() if k not in unset and not k.startswith("COMMENTS_")
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "newsite.settings"} | env,
        capture_output=True,
        text=True,
        check=check,
    )


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these variables set."""
    return run_with_settings(
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.COMMENTS_HOLD_ALL, settings.ALLOWED_HOSTS, "
        "settings.DATABASES['default']['ENGINE'])",
        **env,
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


def log_one_of_each(**env):
    """In a fresh interpreter, log one line of each kind a developer sees; return stderr."""
    result = run_with_settings(
        "import logging; "
        "logging.getLogger('django.request').warning('Not Found: /nowhere/'); "
        "logging.getLogger('django.server').info('\"GET / HTTP/1.1\" 200 1234'); "
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes'); "
        "logging.getLogger('comments').warning('An app warning')",
        check=True,
        **env,
    )
    return result.stderr.splitlines()


@pytest.mark.parametrize("debug", ["1", "0"])
def test_each_log_line_is_printed_once(debug):
    """Django's "django" logger has its own console handler in DEBUG; root must not echo it."""
    lines = log_one_of_each(DEBUG=debug, SECRET_KEY="k" * 50)
    assert [line for line in lines if "Not Found: /nowhere/" in line] == ["Not Found: /nowhere/"]
    assert len([line for line in lines if '"GET / HTTP/1.1" 200 1234' in line]) == 1
    assert lines.count("An app warning") == 1
    assert not [line for line in lines if "Watching" in line]  # INFO, below the default.
    assert len(lines) == 3, lines


def test_log_level_comes_from_the_environment():
    lines = log_one_of_each(DEBUG="1", LOG_LEVEL="info")
    assert lines.count("Watching for file changes") == 1
    assert lines.count("Not Found: /nowhere/") == 1
    lines = log_one_of_each(DEBUG="1", LOG_LEVEL="ERROR")
    # Only runserver's request line, which always shows, as with Django's own defaults.
    assert len(lines) == 1 and '"GET / HTTP/1.1" 200 1234' in lines[0], lines


def test_conversation_settings_come_from_the_environment():
    code = (
        "from django.conf import settings as s; print(s.COMMENTS_THREAD_DEPTH, "
        "s.COMMENTS_PER_PAGE, s.COMMENTS_EDIT_MINUTES, s.COMMENTS_CLOSE_AFTER_DAYS, "
        "s.COMMENTS_MAX_LINKS)"
    )
    defaults = run_with_settings(code, check=True, SECRET_KEY="k" * 50)
    assert defaults.stdout.split() == ["5", "50", "10", "0", "2"]
    chosen = run_with_settings(
        code,
        check=True,
        SECRET_KEY="k" * 50,
        COMMENTS_THREAD_DEPTH="3",
        COMMENTS_PER_PAGE="20",
        COMMENTS_EDIT_MINUTES="15",
        COMMENTS_CLOSE_AFTER_DAYS="30",
        COMMENTS_MAX_LINKS="5",
    )
    assert chosen.stdout.split() == ["3", "20", "15", "30", "5"]


def test_a_setting_that_is_not_a_number_is_a_clear_error():
    result = run_with_settings("", SECRET_KEY="k" * 50, COMMENTS_PER_PAGE="fifty")
    assert result.returncode != 0
    assert "COMMENTS_PER_PAGE must be a whole number" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("COMMENTS_FLOOD_SECONDS", "", "15"),
        ("COMMENTS_FLOOD_SECONDS", "0", "0"),
        ("COMMENTS_MIN_SECONDS", "", "3"),
        ("COMMENTS_MIN_SECONDS", "5", "5"),
        ("COMMENTS_FORM_MAX_AGE", "", "86400"),
        ("COMMENTS_FORM_MAX_AGE", "600", "600"),
        ("COMMENTS_FILTER_RETRAIN_EVERY", "", "25"),
        ("COMMENTS_FILTER_RETRAIN_EVERY", "100", "100"),
        ("COMMENTS_FILTER_MIN_HAM", "", "300"),
        ("COMMENTS_FILTER_MIN_HAM", "50", "50"),
        ("COMMENTS_FILTER_MIN_SPAM", "", "100"),
        ("COMMENTS_FILTER_MIN_SPAM", "20", "20"),
        ("COMMENTS_FILTER_MAX_FALSE_SPAM", "", "0.01"),
        ("COMMENTS_FILTER_MAX_FALSE_SPAM", "0.005", "0.005"),
    ],
)
def test_spam_defence_settings_read_the_environment(name, value, expected):
    """Each spam-defence setting has its documented default and reads its variable."""
    result = run_with_settings(
        f"from django.conf import settings; print(settings.{name})",
        SECRET_KEY="k" * 50,
        **{name: value},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_malformed_false_spam_rate_is_a_clear_error():
    result = run_with_settings(
        "from django.conf import settings",
        SECRET_KEY="k" * 50,
        COMMENTS_FILTER_MAX_FALSE_SPAM="one percent",
    )
    assert result.returncode != 0
    assert "COMMENTS_FILTER_MAX_FALSE_SPAM must be a number" in result.stderr


def test_redis_url_makes_the_cache_redis():
    """Several app servers share the counters only through REDIS_URL's Redis."""
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    shared = run_with_settings(code, SECRET_KEY="k" * 50, REDIS_URL="redis://127.0.0.1:6379/0")
    local = run_with_settings(code, SECRET_KEY="k" * 50, REDIS_URL="")
    assert shared.stdout.strip() == "newsite.cache.RedisCache", shared.stderr
    assert local.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache", local.stderr


def test_the_languages_come_from_the_environment_the_first_the_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.LANGUAGE_CODE, ' '.join(c + '=' + n for c, n in s.LANGUAGES))"
    )
    defaults = run_with_settings(code, check=True, SECRET_KEY="k" * 50)
    assert defaults.stdout.split() == ["en", "en=English", "fr=Français", "ar=العربية"]
    chosen = run_with_settings(code, check=True, SECRET_KEY="k" * 50, LANGUAGES="fr, ar")
    assert chosen.stdout.split() == ["fr", "fr=Français", "ar=العربية"]
