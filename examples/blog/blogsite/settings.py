"""Settings of the example blog: a small Django project that installs the comments app
(`pip install meridian-comments`) and lets readers discuss two models of its own.

SQLite in this directory (BLOG_DATABASE names another file); DEBUG=1 for a laptop. The
secret key comes from SECRET_KEY; a fixed one is used only with DEBUG on or under pytest.
"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 to use a development key).")
    SECRET_KEY = "insecure-key-for-the-example-blog-in-development-and-tests-only"  # noqa: S105

ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The comments app renders its form with django-crispy-forms' Bootstrap 5 pack.
    "crispy_forms",
    "crispy_bootstrap5",
    "comments",
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Optional: puts the cached thread's bytes into the page without rendering it again
    # (without it, {% comment_thread %} renders the cached thread in place).
    "comments.thread.middleware.ThreadSplicingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "blogsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "blogsite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BLOG_DATABASE") or BASE_DIR / "db.sqlite3",
        # Tests use a file of their own (in the temporary directory), so the live server's
        # thread and the test see the same database through separate connections.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"blog-test-{os.getpid()}.sqlite3")},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# A comment refused by the CSRF check comes back in the form instead of being lost.
CSRF_FAILURE_VIEW = "comments.public.views.csrf_failure"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The comments app. Every COMMENTS_* setting has a default (comments/conf.py); this blog
# says which of its models readers discuss: `public` names the method of the model's default
# manager that returns what readers may see (a draft post, a private event: no thread, no
# comment), `published_at` the date "close after days" counts from.
COMMENTS_MODELS = {
    "blog.Post": {"public": "live", "published_at": "published_at"},
    "blog.LiveEvent": {"public": "public", "published_at": "starts_at"},
}
# The app's own pages (editing one's comment) extend this blog's base template.
COMMENTS_BASE_TEMPLATE = "blog/base.html"
COMMENTS_SITE_NAME = "The Example Blog"
COMMENTS_SITE_URL = os.environ.get("COMMENTS_SITE_URL", "http://127.0.0.1:8000")
