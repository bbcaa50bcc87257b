"""Whole pages in the cache: a discussed object's page, thread and blank form included,
stored once per change and compressed once, for every reader with nothing of their own on it.

The cached thread (comments.thread.cache) left each request the object's query, the page's
template around the thread, the blank form's tokens and, for browsers, GZipMiddleware
compressing the whole page again. A stored page keeps all of it: its constant pieces, plain
and deflated (comments.thread.compress), and where the per-reader values go (the CSRF token,
the form token). comments.public.pages decides who may share a page and fills those in.

A stored page is served only while it still shows what the page would show now. Each thing
that can change it is caught on every request, by what is compared:

- a decision on a comment: the discussion's thread generation (Redis), which the write
  path's registry replaces (forget_threads);
- a change of the object (an edit, an unpublication, a scheduled time not yet come): one
  query asks the model's public manager (COMMENTS_MODELS "public") for the object with the
  `updated_at` the page was made from (COMMENTS_MODELS "updated_at"; a model without one
  is not cached whole), and, in the same query, the discussion with its own `updated_at`
  (its title, set in the admin) and its switch and closing time as they were;
- the Discussion settings: the policy the page was made under, against the pages' copy
  (forgotten when they are saved);
- time: a discussion open when the page was made closes at a known moment (its closing
  time, or "close after days"); the page is not used from then on;
- a deploy: the key holds a digest of the templates, the static files' manifest, this
  app's Python, the COMMENTS_* settings and the versions (site_stamp).

The bytes live in the cache once (under a key of their own, never rewritten) and in each
process's memory for the pages it serves most, up to COMMENTS_PAGE_MEMORY_MB.
"""

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.core.cache import cache
from django.db import connections, models
from django.template.autoreload import get_template_directories
from django.utils.translation import get_language

from ..conf import DEFAULTS, settings
from ..models import (
    POLICY_FOR_PAGES_KEY,
    Discussion,
    Policy,
    discussed_models,
    public_objects,
)
from .cache import COUNTS_GENERATION_KEY, GENERATION_KEY, PAGE_TIMEOUT, pages_policy
from .compress import Piece, gzip_of, plain_of
from .render import catalogs_digest, thread_order

logger = logging.getLogger(__name__)

# The "1": what an entry holds (bump it when that changes, so a deploy never reads the old kind).
ENTRY_KEY = "comments:page:1:{digest}"
BODY_KEY = "comments:page-body:1:{name}"


@dataclass(frozen=True)
class StoredPage:
    """What a page was made from, and where its bytes are (the small half, read first)."""

    body_key: str
    content_type: str
    slots: tuple  # the per-reader values, in order: "csrf", "token"
    discussion_id: int
    generation: str
    discussion_updated: datetime
    discussion_switch: tuple  # (is_open, closes_at): compared too, for bulk updates
    policy: Policy
    closes: float | None  # when the discussion stops taking comments, if it was open
    model: str | None  # the object's model label; None: the page is the discussion's own
    object_pk: str
    object_updated: datetime | None


@dataclass(frozen=True)
class PageBody:
    """The page's constant pieces, plain and deflated; the values go between them."""

    pieces: tuple

    @property
    def size(self):
        return sum(len(p.plain) + len(p.deflated) for p in self.pieces)

    def plain(self, values):
        return plain_of(self.pieces, values)

    def gzip(self, values):
        return gzip_of(self.pieces, values)


def page_key(*, secure, host, path, page, order=None):
    """The key of the page at this address (and comment page, order of its threads:
    ?csort=, the default's when None, and language)."""
    order = thread_order(order)
    identity = f"{site_stamp()}|{secure:d}|{host}|{path}|{page}|{order}|{get_language()}"
    return ENTRY_KEY.format(digest=hashlib.sha256(identity.encode()).hexdigest()[:40])


def find(key):
    """(StoredPage, PageBody) if a page is stored under `key` and still shows what readers
    would see now, else None. On a hit, one cache round trip (the entry, the policy and
    the discussion's generation) and one query; the first time a process serves a page, or
    when its bytes are not in the process's memory, one more round trip."""
    guess = _discussion_of_page.get(key)
    generation_key = GENERATION_KEY.format(discussion_id=guess)
    try:
        found = cache.get_many([key, POLICY_FOR_PAGES_KEY, generation_key])
        entry = found.get(key)
        if entry is None or (entry.closes is not None and time.time() >= entry.closes):
            return None
        if pages_policy(found) != entry.policy:
            return None
        body = _memory.get(entry.body_key)
        wanted = [] if body is not None else [entry.body_key]
        if entry.discussion_id != guess:  # new to this process (or the address's object)
            _remember_discussion(key, entry.discussion_id)
            generation_key = GENERATION_KEY.format(discussion_id=entry.discussion_id)
            wanted.append(generation_key)
        if wanted:
            found |= cache.get_many(wanted)
    except Exception:  # Redis unreachable, …: the page is made as if nothing were stored
        return None
    if found.get(generation_key) != entry.generation:
        return None
    if body is None:
        body = found.get(entry.body_key)
        if body is None:
            return None
        _memory.put(entry.body_key, body)
    if not is_current(entry):
        return None
    return entry, body


# Which discussion each page key showed last, so that one round trip fetches its entry and
# its discussion's generation together (a guess: the entry says which it is, and a wrong
# guess costs a second round trip). Bounded: emptied when it reaches MAX_GUESSES.
_discussion_of_page = {}
MAX_GUESSES = 10_000


def _remember_discussion(key, discussion_id):
    if len(_discussion_of_page) >= MAX_GUESSES:
        _discussion_of_page.clear()
    _discussion_of_page[key] = discussion_id


def is_current(entry):
    """Whether the discussion, and the object, are as the page showed them, and readers
    may still see the object: one query (see _first_row)."""

    def query():
        found = _current_query(entry)
        return None if found is None else _sql(found.values_list("pk")[:1])

    return _first_row(entry.body_key, query) is not None


def _sql(queryset):
    """(database alias, SQL, params) of a queryset, as _first_row runs it."""
    return (queryset.db, *queryset.query.sql_with_params())


def _first_row(name, build):
    """The first row of the query `build()` returns as (alias, SQL, params) (None: no row,
    or no query), for a query known by `name`.

    Building a query with the ORM costs more than running it (some 0.7 ms against 0.03
    for is_current's), so its SQL is built at most once a second per name and process,
    then only run: a change to the rows shows at once, and a public manager that compares
    with the clock (a publication that starts or ends at a set time) is at most a second
    late."""
    second = int(time.time())
    found = _compiled.get(name)
    if found is None or found[0] != second:
        query = build()
        if query is None:
            return None
        found = (second, *query)
        if len(_compiled) >= MAX_COMPILED:
            _compiled.clear()
        _compiled[name] = found
    _, alias, sql, params = found
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# The SQL of _first_row's queries, each built at most once a second: (second, alias, sql,
# params) by name. Bounded: emptied when it reaches MAX_COMPILED.
_compiled = {}
MAX_COMPILED = 1000


def _current_query(entry):
    """The discussion as the page showed it, if the object too is as it was and public."""
    is_open, closes_at = entry.discussion_switch
    discussion = Discussion.objects.filter(
        pk=entry.discussion_id,
        updated_at=entry.discussion_updated,
        is_open=is_open,
        closes_at=closes_at,
    )
    if entry.model is None:
        return discussion
    try:
        model = apps.get_model(entry.model)
    except LookupError:
        return None
    field = (discussed_models().get(model) or {}).get("updated_at")
    shown = public_objects(model)
    if not field or shown is None:
        return None
    shown = shown.filter(pk=entry.object_pk, **{field: entry.object_updated})
    return discussion.filter(models.Exists(shown))


def kept_whole(obj):
    """Whether pages of `obj` may be stored whole: a page discussion's own page, or an
    object whose model names its `updated_at` in COMMENTS_MODELS."""
    if isinstance(obj, Discussion):
        return True
    return bool((discussed_models().get(type(obj)) or {}).get("updated_at"))


def store(key, *, content, content_type, values, discussion, generation, policy, was_open, obj):
    """Keep the page `content` (UTF-8 bytes, as sent) under `key`: `values` maps each
    per-reader value as it appears in the page (bytes) to its slot ("csrf", "token");
    `was_open`, whether the page was made with the discussion taking comments.
    Returns (StoredPage, PageBody), or None if the page cannot be kept: its object's model
    names no `updated_at` in COMMENTS_MODELS, or the cache is unreachable."""
    if obj is discussion:
        model, object_pk, object_updated = None, str(discussion.pk), None
    else:
        field = (discussed_models().get(type(obj)) or {}).get("updated_at")
        if not field:
            return None
        model, object_pk = obj._meta.label, str(obj.pk)
        object_updated = getattr(obj, field)
    pieces, slots = _split(content, values)
    body = PageBody(tuple(Piece.of(piece) for piece in pieces))
    entry = StoredPage(
        body_key=BODY_KEY.format(name=secrets.token_hex(12)),
        content_type=content_type,
        slots=tuple(slots),
        discussion_id=discussion.pk,
        generation=generation,
        discussion_updated=discussion.updated_at,
        discussion_switch=(discussion.is_open, discussion.closes_at),
        policy=policy,
        closes=_closes(discussion, policy) if was_open else None,
        model=model,
        object_pk=object_pk,
        object_updated=object_updated,
    )
    try:
        # The bytes outlive the entry that names them, so a found entry finds its bytes.
        cache.set(entry.body_key, body, PAGE_TIMEOUT + 60)
        cache.set(key, entry, PAGE_TIMEOUT)
    except Exception:  # unreachable: the page is served all the same
        return None
    _memory.put(entry.body_key, body)
    return entry, body


# Whole list pages: a page listing the objects of a discussed model with their counts.

LIST_KEY = "comments:list-page:1:{digest}"


@dataclass(frozen=True)
class StoredList:
    """A list page, small enough to be read whole in the round trip that checks it."""

    body: PageBody
    content_type: str
    objects: tuple  # objects_stamp(model) when it was made
    counts_generation: str


def list_key(*, secure, host, path, query):
    identity = f"{site_stamp()}|{secure:d}|{host}|{path}|{query}|{get_language()}"
    return LIST_KEY.format(digest=hashlib.sha256(identity.encode()).hexdigest()[:40])


def list_state(model):
    """(objects_stamp(model), the counts' generation) as a list page is made: read before
    it, so a change while it is made is seen by the next request."""
    try:
        generation = cache.get(COUNTS_GENERATION_KEY)
        if generation is None:
            cache.add(COUNTS_GENERATION_KEY, secrets.token_hex(4), None)
            generation = cache.get(COUNTS_GENERATION_KEY)
    except Exception:  # Redis unreachable: nothing is stored
        generation = None
    return objects_stamp(model), generation


def find_list(key, model):
    """The StoredList under `key` if the public objects of `model` and every count are as
    it showed them, else None: one cache round trip and one query."""
    try:
        found = cache.get_many([key, COUNTS_GENERATION_KEY])
    except Exception:
        return None
    entry = found.get(key)
    if entry is None or entry.counts_generation != found.get(COUNTS_GENERATION_KEY):
        return None
    return entry if entry.objects == objects_stamp(model) else None


def store_list(key, *, content, content_type, state):
    """Keep a list page made in `state` (list_state); None if the cache is unreachable."""
    objects, generation = state
    if generation is None:
        return None
    entry = StoredList(PageBody((Piece.of(content),)), content_type, objects, generation)
    try:
        cache.set(key, entry, PAGE_TIMEOUT)
    except Exception:
        return None
    return entry


def objects_stamp(model):
    """What a list of the objects of `model` shows, in one query: how many there are and
    the latest `updated_at` among them all (a publication, an edit, an unpublication or a
    deletion saved moves one or the other at once), and how many readers may see now (a
    scheduled publication whose time comes; see _first_row for the second it may take)."""

    def query():
        field = (discussed_models().get(model) or {}).get("updated_at")
        shown = public_objects(model)
        if not field or shown is None:
            return None
        alias, sql, params = _sql(shown.order_by().values_list("pk"))
        quote = connections[alias].ops.quote_name
        column, table = quote(model._meta.get_field(field).column), quote(model._meta.db_table)
        # The ORM's SQL and quoted names: no input.
        counted = f"(SELECT COUNT(*) FROM ({sql}) shown)"  # noqa: S608
        outer = f"SELECT COUNT(*), MAX({column}), {counted} FROM {table}"  # noqa: S608
        return alias, outer, params

    return tuple(_first_row(f"objects:{model._meta.label}", query) or ())


def _split(content, values):
    """The constant pieces of `content` around each occurrence of the values, and the
    slot of each occurrence."""
    if not values:
        return [content], []
    pattern = re.compile(b"|".join(re.escape(value) for value in values))
    pieces, slots, start = [], [], 0
    for match in pattern.finditer(content):
        pieces.append(content[start : match.start()])
        slots.append(values[match.group()])
        start = match.end()
    pieces.append(content[start:])
    return pieces, slots


def _closes(discussion, policy):
    """When a discussion the page showed open stops taking comments (a timestamp, perhaps
    past already: it closed while the page was made), or None. A page made closed stays
    right until an edit or the settings reopen it, which other checks catch."""
    moments = [discussion.closes_at] if discussion.closes_at else []
    if policy.close_after_days:
        moments.append(discussion.published_at + timedelta(days=policy.close_after_days))
    return min(moments).timestamp() if moments else None


@lru_cache(maxsize=1)
def _deploy_digest():
    """A digest of what this deploy renders pages with: every project and app template
    (Django's own are named by its version), the static files' manifest (hashed names),
    this app's Python (comments.thread.render writes each comment) and the versions of
    Django and the form library. Read once per process. A project's own Python is not in
    it: a deploy that changes what its views put on a discussed page is seen within
    PAGE_TIMEOUT, or at once with the cache flushed (docs/deploy.md)."""
    digest = hashlib.sha256()
    for name in ("django", "django-crispy-forms", "crispy-bootstrap5"):
        with suppress(PackageNotFoundError):
            digest.update(f"{name} {version(name)}".encode())
    app = Path(__file__).resolve().parent.parent
    sources = [(app, sorted(app.rglob("*.py")))]
    for directory in sorted(get_template_directories()):
        sources.append((Path(directory), sorted(Path(directory).rglob("*"))))
    for root, paths in sources:
        for path in paths:
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or ".", "staticfiles.json")
    if settings.STATIC_ROOT and manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _settings_digest():
    values = [getattr(settings, name) for name in sorted(DEFAULTS)]
    values += [settings.TIME_ZONE, settings.USE_TZ, settings.STATIC_URL]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:16]


def site_stamp():
    """What every stored page's key starts with: the deploy, its translations and the
    settings."""
    return f"{_deploy_digest()}{catalogs_digest()}{_settings_digest()}"


def forget_stamp():
    """Read the templates and settings again (tests that change them call this through
    Django's setting_changed; comments.apps connects it)."""
    _deploy_digest.cache_clear()
    _settings_digest.cache_clear()
    catalogs_digest.cache_clear()


class _Bodies:
    """The page bodies this process served last, up to COMMENTS_PAGE_MEMORY_MB: a page's
    bytes read from the cache (about 1 MB for a 1,000-comment page, plain and deflated)
    cost more than all the rest of serving it. Keys are never reused, so nothing kept here
    is ever stale; the least recently used go first."""

    def __init__(self):
        self._bodies = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key, body):
        limit = settings.COMMENTS_PAGE_MEMORY_MB * 1024 * 1024
        size = body.size
        if size > limit:
            return
        with self._lock:
            if key in self._bodies:
                return
            self._bodies[key] = body
            self._size += size
            while self._size > limit:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= dropped.size

    @property
    def size(self):
        return self._size

    def clear(self):
        with self._lock:
            self._bodies.clear()
            self._size = 0


_memory = _Bodies()
