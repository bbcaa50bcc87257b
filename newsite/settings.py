"""Settings for the news site, all from the environment.

One module for every environment: a laptop (`make run` sets DEBUG=1 and uses SQLite),
CI, and PostgreSQL behind several app servers. docs/settings.md lists each variable.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no switch: 1, true, yes and on (any case) mean yes."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    """Read a whole number; blank means the default."""
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


def env_float(name, default):
    """Read a number such as 0.01; blank means the default."""
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from error


def env_json(name, default):
    """Read a JSON value (an object, a list …); blank means the default."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be JSON: {error}.") from error


def env_list(name, default):
    """Read a comma-separated list, ignoring blanks."""
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (or set DEBUG=1 for local development, which uses a fixed development key)."
        )
    SECRET_KEY = "django-insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # sitemap.xml and the Google News sitemap (newsite/urls.py).
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    # The JSON API's docs page (Swagger UI's static files, served from this site).
    "ninja",
    # Work off the request path: Django's task framework (backported) and its queue in the
    # database, run by `manage.py db_worker` (make run starts one; docs/deploy.md).
    "django_tasks",
    "django_tasks_db",
    "articles",
    "comments",
    # The demo site itself: its demo content (manage.py load_demo).
    "newsite",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files are precompressed by WhiteNoise). Django's GZip pads each
    # response randomly against BREACH, which would otherwise read CSRF tokens off sizes.
    "django.middleware.gzip.GZipMiddleware",
    "comments.thread.middleware.ThreadSplicingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the one chosen on /language/ (Django's set_language, a cookie),
    # else the browser's Accept-Language, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsite.middleware.PrivateCacheMiddleware",
    "newsite.middleware.ContentSecurityPolicyMiddleware",
    # Last: serves a discussed page whole from the cache (comments.public.pages), inside the
    # session, CSRF and header middleware, before the URL is even resolved.
    "comments.public.pages.WholePageCacheMiddleware",
]

ROOT_URLCONF = "newsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "newsite.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (or a threaded server) writing to one SQLite file: take the write
    # lock when a transaction starts rather than failing to upgrade it halfway through, and
    # wait for it instead of answering "database is locked". WAL lets readers carry on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
    # Tests use a file too, so requests to the live server really run side by side (an
    # in-memory database is one connection shared by every thread); one per test run, so two
    # runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}

# The cache holds the spam defences' counters (flood control, admin sign-in attempts), so
# every app server must share it: Redis (REDIS_URL) when several processes serve; local
# memory, one process's own, otherwise (`make run`).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "newsite.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "newsite")
if REDIS_URL:
    # A Redis that is down must cost a request a fraction of a second, not a hang.
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}

# Tasks (mail to editors and readers, comments.outbox): queued in the database and run by
# `manage.py db_worker` beside the app servers (make run starts one; docs/deploy.md).
# TASKS_BACKEND=immediate runs each task in the process that queues it, at once (no worker;
# a failed mail is then logged, not retried).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_BACKEND", "").strip() == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages readers may read the site in (LANGUAGES=en,fr,ar: codes, the first the
# default), each with a complete translation in comments/locale/ (the app) and locale/ (the
# demo site). Names are each language's own, as a language switch shows them.
_LANGUAGE_NAMES = {"en": "English", "fr": "Français", "ar": "العربية"}
LANGUAGES = [
    (code, _LANGUAGE_NAMES.get(code, code)) for code in env_list("LANGUAGES", default="en,fr,ar")
]
LANGUAGE_CODE = LANGUAGES[0][0]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen on /language/ is kept a year, like the reader's other choices.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The newsroom's own date formats where Django's differ from its house style (English:
# "5 December 2026, 09:02", as a British paper prints it, not Django's "Dec. 5, 2026, 9:02 a.m.").
FORMAT_MODULE_PATH = ["newsite.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Cookies: HttpOnly session, and Secure cookies behind HTTPS (SECURE_COOKIES=1 in production).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES")
# HTTPS in production (docs/deploy.md): redirect plain HTTP, HSTS, and believe the
# proxy's X-Forwarded-Proto only when it is the one that sets it (SECURE_PROXY_SSL_HEADER=1).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers plain HTTP from the load balancer, inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "comments.public.views.csrf_failure"
# Readers' pages load only this site's CSS and its one script (comments.js): no inline
# script, no plugins, no third-party requests, so a comment that got past the sanitizer can't
# act.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
X_FRAME_OPTIONS = "DENY"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The comments app (docs/settings.md): each COMMENTS_* setting has a default of its own in
# comments/conf.py; this site reads every one from the environment.
# What readers discuss: {"app_label.Model": {"public": a manager method giving what readers
# may see, "published_at": the date "close after days" counts from}}, as JSON; the default is
# this site's articles (their published() manager method).
ARTICLES_DISCUSSED = {
    "articles.Article": {
        "public": "published",
        "published_at": "published_at",
        "updated_at": "updated_at",
    }
}
COMMENTS_MODELS = env_json("COMMENTS_MODELS", ARTICLES_DISCUSSED)
# The template the comments app's own pages extend (templates/base.html).
COMMENTS_BASE_TEMPLATE = os.environ.get("COMMENTS_BASE_TEMPLATE", "").strip() or "base.html"
# Moderation policy (docs/moderation.md). Editors can override COMMENTS_HOLD_ALL,
# COMMENTS_FLOOD_SECONDS, COMMENTS_MAX_LINKS and COMMENTS_CLOSE_AFTER_DAYS live on the admin's
# "Discussion settings" page; a value set there wins. Hold every new comment for an editor when on;
# otherwise hold only comments whose name and email have no approved comment yet.
COMMENTS_HOLD_ALL = env_bool("COMMENTS_HOLD_ALL")
# Proxies (comma-separated CIDRs, IPv4 or IPv6) whose X-Forwarded-For is believed when
# working out a commenter's IP (comments.public.network.client_ip). Empty: the header is
# never trusted.
COMMENTS_TRUSTED_PROXIES = env_list("COMMENTS_TRUSTED_PROXIES", "")
# How deep replies nest (1: no replies to replies). A reply to a comment at the deepest level
# joins that comment's own level.
COMMENTS_THREAD_DEPTH = max(1, env_int("COMMENTS_THREAD_DEPTH", 5))
# More links than this (typed as text or in tags) holds a comment, even a known author's.
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
# One comment per client IP and per email every this many seconds (0: off); staff exempt.
COMMENTS_FLOOD_SECONDS = env_int("COMMENTS_FLOOD_SECONDS", 15)
# The comment form's signed token: posted sooner than COMMENTS_MIN_SECONDS after the form
# was shown, the comment is kept as spam (no person types that fast); older than
# COMMENTS_FORM_MAX_AGE seconds (default a day), the form asks for the comment to be sent again.
COMMENTS_MIN_SECONDS = env_int("COMMENTS_MIN_SECONDS", 3)
COMMENTS_FORM_MAX_AGE = env_int("COMMENTS_FORM_MAX_AGE", 24 * 60 * 60)
# The spam filter (docs/spam.md): retrained after this many editors' decisions;
# it sends nothing to spam, and holds nothing, before it has learnt from this many approved
# and spam comments; its thresholds keep the cross-validated share of good comments sent to
# spam at or below COMMENTS_FILTER_MAX_FALSE_SPAM.
COMMENTS_FILTER_RETRAIN_EVERY = max(1, env_int("COMMENTS_FILTER_RETRAIN_EVERY", 25))
COMMENTS_FILTER_MIN_HAM = env_int("COMMENTS_FILTER_MIN_HAM", 300)
COMMENTS_FILTER_MIN_SPAM = env_int("COMMENTS_FILTER_MIN_SPAM", 100)
COMMENTS_FILTER_MAX_FALSE_SPAM = env_float("COMMENTS_FILTER_MAX_FALSE_SPAM", 0.01)
# Top-level threads per comment page (?cpage=N); a page never splits a thread.
COMMENTS_PER_PAGE = max(1, env_int("COMMENTS_PER_PAGE", 50))
# Close comments this many days after what is discussed was published (blank or 0: never).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
# Minutes during which a reader may edit or delete their own comment from the same browser.
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 10)
# Threads' order unless the reader picks one: oldest, newest or best (most recommended).
COMMENTS_THREAD_ORDER = os.environ.get("COMMENTS_THREAD_ORDER", "").strip() or "oldest"
# Distinct readers' reports that put an approved comment back in the queue (0: never).
COMMENTS_REPORTS_TO_HOLD = max(0, env_int("COMMENTS_REPORTS_TO_HOLD", 3))
# Reply notifications: at most one email per discussion per subscriber every this many
# minutes; the days a confirmation link works.
COMMENTS_NOTIFY_MINUTES = max(0, env_int("COMMENTS_NOTIFY_MINUTES", 30))
COMMENTS_NOTIFY_CONFIRM_DAYS = max(1, env_int("COMMENTS_NOTIFY_CONFIRM_DAYS", 7))
# Whole pages each app process keeps in its own memory, in megabytes (0: none).
COMMENTS_PAGE_MEMORY_MB = env_int("COMMENTS_PAGE_MEMORY_MB", 32)
# Other sites (scheme://host[:port], comma-separated) whose pages may embed the comments and
# call the API from a browser (docs/api.md).
COMMENTS_EMBED_ORIGINS = env_list("COMMENTS_EMBED_ORIGINS", "")
# Email (docs/editors.md): SMTP when EMAIL_HOST is set, printed to the console
# otherwise (and always with DEBUG on, so a laptop never mails anyone); EMAIL_BACKEND overrides.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST and not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
# Seconds before an unanswering mail server is given up on (the task worker tries again later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "webmaster@localhost"
# Held comments alert the Editors group by email (comments.desk.alerts): at most one alert every
# this many minutes (0: no alerts), listing what was held since the previous one, with links
# to the queue at COMMENTS_SITE_URL (the site's address as editors reach it).
COMMENTS_ALERT_MINUTES = max(0, env_int("COMMENTS_ALERT_MINUTES", 10))
COMMENTS_SITE_URL = os.environ.get("COMMENTS_SITE_URL", "").strip() or "http://127.0.0.1:8000"
# The site's name in comment feeds' titles and editors' alerts.
COMMENTS_SITE_NAME = os.environ.get("COMMENTS_SITE_NAME", "").strip() or "The Meridian"
# Days a comment's IP address and user agent are kept (`manage.py purge_commenter_ips`).
COMMENTS_IP_RETENTION_DAYS = max(1, env_int("COMMENTS_IP_RETENTION_DAYS", 60))

# One console handler, on the root logger, at LOG_LEVEL. Django's default config also gives
# the "django" logger a console handler of its own (in DEBUG) and lets it propagate to root,
# which printed every django.* line twice: its handlers are emptied here so that each line is
# printed once, by root. Configuring "django" resets its child loggers, so runserver's request
# lines ("django.server") get back Django's own handler and format, at INFO whatever LOG_LEVEL.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").strip().upper() or "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
