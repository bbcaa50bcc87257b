import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings

from comments.models import ApiToken
from comments.spam import filter as spamfilter

from . import factories
from .processes import REDIS_URL, AppServer


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests don't run collectstatic, so serve static files without the manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def default_moderation_policy(settings):
    """Every test starts from the default policy, whatever the environment says."""
    settings.COMMENTS_HOLD_ALL = False
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    settings.COMMENTS_THREAD_DEPTH = 5
    settings.COMMENTS_PER_PAGE = 50
    settings.COMMENTS_EDIT_MINUTES = 10
    settings.COMMENTS_MAX_LINKS = 2
    settings.COMMENTS_MIN_SECONDS = 3
    settings.COMMENTS_FORM_MAX_AGE = 24 * 60 * 60
    # Off: most tests post several comments within a second from one address (127.0.0.1).
    # tests/public/test_flood.py turns it back on, at the default 15 seconds.
    settings.COMMENTS_FLOOD_SECONDS = 0
    settings.COMMENTS_FILTER_RETRAIN_EVERY = 25
    settings.COMMENTS_FILTER_MIN_HAM = 300
    settings.COMMENTS_FILTER_MIN_SPAM = 100
    settings.COMMENTS_FILTER_MAX_FALSE_SPAM = 0.01
    settings.COMMENTS_ALERT_MINUTES = 10


@pytest.fixture(autouse=True)
def no_spam_filter_in_memory():
    """Each test loads the spam filter its own database holds (a rolled-back test's filter
    may share an id with the next one's)."""
    spamfilter.unload()
    yield
    spamfilter.wait_for_training()
    spamfilter.unload()


@pytest.fixture(autouse=True, scope="session")
def cache_of_the_suites_own():
    """With REDIS_URL set (CI's PostgreSQL run), the suite runs on that Redis as the site
    would, under a key prefix of its own: emptying the cache between tests then deletes the
    suite's keys only, never what else that Redis holds."""
    configured = django_settings.CACHES["default"]
    if configured["BACKEND"] != "newsite.cache.RedisCache":
        yield
        return
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    with override_settings(CACHES={"default": {**configured, "KEY_PREFIX": prefix}}):
        yield
        empty(caches["default"])


def empty(backend):
    """Delete everything the suite put in the cache."""
    if isinstance(backend, LocMemCache):
        backend.clear()
        return
    client = backend._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{backend.key_prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing counted and no thread cached (the cache outlives a
    test), and with none of the whole pages' memos of this process (what is in memory, the
    addresses known to show no thread, the guessed discussions, the SQL built this second)."""
    empty(caches["default"])
    forget_whole_pages_in_memory()
    yield
    empty(caches["default"])
    forget_whole_pages_in_memory()


def forget_whole_pages_in_memory():
    from comments.public import pages as public_pages
    from comments.thread import pages

    pages._memory.clear()
    pages._compiled.clear()
    pages._discussion_of_page.clear()
    public_pages._not_whole.clear()


@pytest.fixture
def article(db):
    return factories.make_article()


@pytest.fixture
def editor(db):
    return factories.make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def api_token(editor):
    """An editor's staff API token (comments.models.ApiToken): (the token, its secret, which
    only this fixture's caller ever sees)."""
    return ApiToken.create(user=editor, name="Newsroom app")


@pytest.fixture(scope="session")
def pseudo_catalog(tmp_path_factory):
    """A LOCALE_PATHS entry holding the pseudo-language (tests/languages/pseudo.py)."""
    from .languages import pseudo

    directory = tmp_path_factory.mktemp("pseudo-locale")
    pseudo.build(directory)
    return directory


@pytest.fixture
def pseudo_language(settings, pseudo_catalog):
    """The site in the pseudo-language: every translated message shows between ⟦ and ⟧.
    A client asks for it with the language cookie (or Accept-Language: qps-ploc)."""
    from django.conf.locale import LANG_INFO
    from django.utils import translation

    from .languages import pseudo

    LANG_INFO[pseudo.CODE] = {
        "bidi": False,
        "code": pseudo.CODE,
        "name": "Pseudo",
        "name_local": pseudo.wrap("Pseudo"),
    }
    settings.LOCALE_PATHS = [pseudo_catalog, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (pseudo.CODE, pseudo.wrap("Pseudo"))]
    with translation.override(pseudo.CODE):
        yield pseudo
    del LANG_INFO[pseudo.CODE]


@pytest.fixture
def comment_data(article):
    """A valid POST for the comment form on `article`, sent a minute after the form was shown
    (for another article, replace the token: factories.form_token(other_article))."""
    return {
        "name": "Ada Reader",
        "email": "ada.reader@example.com",
        "url": "https://example.org/ada",
        "comment": "I was at the talks. <em>Nobody</em> expected this.",
        "token": factories.form_token(article),
    }


DEAD_REDIS = {
    "default": {
        "BACKEND": "newsite.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "KEY_PREFIX": "test-dead",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}


@pytest.fixture
def dead_redis():
    """The cache is a Redis that doesn't answer, for this test's body only.

    override_settings, not pytest-django's `settings`: both fire setting_changed, which makes
    Django drop its cache connections (django.core.cache.cache then resolves to the new
    backend), but `settings` would be undone after conftest's cache.clear() teardown had met
    the dead Redis."""
    configured = type(caches["default"])
    with override_settings(CACHES=DEAD_REDIS):
        backend = caches["default"]
        assert type(backend).__name__ == "RedisCache"
        with pytest.raises(redis.exceptions.ConnectionError):
            cache.add("probe", 1)  # the proxy the app uses really reaches the dead Redis
        yield backend
    assert type(caches["default"]) is configured


# The app servers a test started (app_servers), so that redis_prefix can stop them first.
APP_SERVERS = pytest.StashKey[list]()


@pytest.fixture
def app_servers(request, transactional_db, tmp_path):
    """start(env, env, …): one app server (tests/processes.py's AppServer) per env, on top
    of the common one, started together and answering; all stopped after the test, before
    the database is emptied (and before redis_prefix deletes their keys)."""
    started = request.node.stash.setdefault(APP_SERVERS, [])

    def start(*envs):
        servers = [
            AppServer(env, tmp_path / f"server-{len(started) + n}.log")
            for n, env in enumerate(envs)
        ]
        started.extend(servers)
        for server in servers:
            server.wait_until_up()
        return servers

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def redis_prefix(request):
    """(prefix, client): a cache key prefix of this test's own in the real Redis (REDIS_URL
    of tests/processes.py), for app servers to share; its keys deleted afterwards, once the
    test's app servers have stopped (one may write after its last answer), whichever
    fixture the test asked for first. Without a Redis there, the test errors: CI has one on
    both database runs."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    client.ping()
    prefix = f"test-servers-{uuid.uuid4().hex}"
    yield prefix, client
    for server in request.node.stash.get(APP_SERVERS, []):
        server.stop()
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    assert not list(client.scan_iter(match=f"{prefix}:*"))
    client.close()


def pytest_collection_modifyitems(items):
    """Every test that commits to the database (transaction=True, live_server,
    transactional_db) restores what migrations created when it ends (serialized rollback).

    Django empties the tables after such a test; without serialized rollback it then
    re-creates content types and permissions, but not the "Editors" group, and a later
    serialized test, loading the saved copy over them, fails on duplicate content types.
    So which tests pass would depend on their order."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        commits = bool(marker and marker.kwargs.get("transaction")) or bool(
            {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        )
        if commits and "django_db_serialized_rollback" not in item.fixturenames:
            item.fixturenames.append("django_db_serialized_rollback")


class SMTPServer:
    """A real mail server (aiosmtpd) on a free port of 127.0.0.1: start() and stop() it, as
    often as needed, on that port; what it accepted is in `received`, as (envelope
    recipients, parsed message)."""

    def __init__(self):
        from .processes import free_port

        self.port = free_port()
        self.received = []
        self.controller = None

    @property
    def running(self):
        return self.controller is not None

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        # A stopped controller's event loop is closed: each start has a new one.
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None


@pytest.fixture
def smtp_server(settings):
    """An SMTPServer, started, that Django's SMTP backend sends to (no TLS, no login)."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    if server.running:
        server.stop()


@pytest.fixture
def task_worker(settings, transactional_db):
    """Tasks go to the database queue (django-tasks-db) as on the site, not to the tests'
    immediate backend; returns run(): `manage.py db_worker --batch`, which runs every task due
    and returns. The test commits (transactional_db): the worker closes the connection between
    tasks, which would end a test's transaction. What the command sets for a long life (its
    loggers' levels, the process's signal handlers) is put back after each run."""
    import logging
    import signal

    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run():
        loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
        levels = [logger.level for logger in loggers]
        signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
        handlers = [signal.getsignal(number) for number in signals]
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)
            for number, handler in zip(signals, handlers, strict=True):
                signal.signal(number, handler)

    return run
