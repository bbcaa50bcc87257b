"""A newsroom's comment history brought in through the write path.

`bring_in` takes the records a reader of `comments.history` yields and writes the comments in
one transaction: a file that fails halfway leaves nothing behind. Each body goes through the
sanitizer a reader's post goes through (`comments.sanitize.sanitize_comment`: imported HTML is
never trusted), each distinct text once, in worker processes for a large file while it is
still being read. The threads keep their shape (a reply whose parent is not in the file, nor
imported before, starts a thread of its own, and one nested deeper than COMMENTS_THREAD_DEPTH
joins the deepest level allowed, as a reader's reply would); statuses, dates and authors are
kept. Every comment carries its `import_key`, so importing the same file again adds nothing
(and sanitizes nothing). The trail records each one as imported, decided by the rule
"import", and each discussion's approved count is kept; the listeners hear of it like any
other change (the thread cache forgets the pages; editors are not alerted to history; the spam
filter learns only from people, so imports teach it nothing unless `teach_filter` asks, and
then from the approved and spam comments brought in).

Which discussion a thread belongs to is the caller's to say (`find_discussed`): the
discussion of the object whose address matches the thread's link, or of the page at it.
"""

import multiprocessing
import os
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from ..conf import settings
from ..history import Skipped, Thread
from ..models import (
    URL_MAX_LENGTH,
    Comment,
    Discussion,
    SpamExample,
    comment_fingerprint,
    discussed_models,
    normalize_email,
    public_objects,
)
from ..sanitize import sanitize_comment
from .decisions import Action, Status, record

IMPORT = "import"
ANONYMOUS = "Anonymous"
BATCH = 1000
# Comments looked up (imported before?) together while the file is read.
CHECK_EVERY = 500
# Distinct bodies sent to a worker at a time, and how many make a pool of workers worth its
# start (about half a second; sanitizing takes about 0.4 ms a body).
SANITIZE_CHUNK = 500
POOL_FROM = 5000
PROGRESS_EVERY = 1000


@dataclass
class ImportReport:
    """What an import read, added and left out, and why."""

    threads: int = 0
    unmatched: list = field(default_factory=list)  # links nothing matched
    read: int = 0
    added: Counter = field(default_factory=Counter)  # by status
    skipped: Counter = field(default_factory=Counter)  # by reason

    @property
    def added_total(self):
        return sum(self.added.values())


def page_path(url):
    """The path of a page's address, with the trailing slash Django's URLs have."""
    path = urlsplit((url or "").strip()).path or "/"
    return path if path.endswith("/") else f"{path}/"


class DiscussionsByLink:
    """`find_discussed` for bring_in: a thread's link names the public object of a
    COMMENTS_MODELS model whose address has the same path (so a changed domain still
    matches), else the page at that absolute address (a new page discussion), else nothing.

    A link whose path is that of an object readers may not see (a draft, a scheduled
    article) names nothing: its comments are not made a public page's. With `objects_only`,
    a link no object matches is left out rather than made a page."""

    def __init__(self, *, objects_only=False):
        self.objects_only = objects_only
        self._objects = None  # path -> public object
        self._hidden = None  # paths of the objects readers may not see

    def __call__(self, thread):
        if self._objects is None:
            self._load()
        path = page_path(thread.link)
        obj = self._objects.get(path)
        if obj is not None:
            return Discussion.objects.of(obj)
        if self.objects_only or path in self._hidden:
            return None
        try:
            return Discussion.objects.of_url(thread.link, thread.title)
        except ValueError:  # not an absolute http(s) address
            return None

    def _load(self):
        self._objects, self._hidden = {}, set()
        for model in discussed_models():
            if not hasattr(model, "get_absolute_url"):
                continue  # no address: no link can name it
            public = public_objects(model)
            for obj in public.iterator():
                self._objects.setdefault(page_path(obj.get_absolute_url()), obj)
            hidden = model._default_manager.exclude(pk__in=public.values("pk"))
            self._hidden.update(page_path(obj.get_absolute_url()) for obj in hidden.iterator())
        self._hidden -= self._objects.keys()


def import_key(source, comment):
    return f"{source}:{comment.thread_key}:{comment.source_id}"[:200]


def bring_in(records, *, source, find_discussed, teach_filter=False, workers=None, progress=None):
    """Import `records` (Thread, ImportedComment and Skipped, as comments.history reads them)
    from the system named `source`; `find_discussed(thread)` gives the Discussion a thread
    belongs to, or None (its comments are skipped). Returns an ImportReport. Raises what the
    reader raises (UnreadableExport) with nothing written.

    The bodies are sanitized while the file is still being read, in `workers` processes (by
    default one per CPU; 0 or 1: in this one) once there are enough of them to be worth it.
    `progress(message)`, if given, is told how far the import has got, every PROGRESS_EVERY
    comments."""
    report = ImportReport()
    discussed, todo, known, unchecked = {}, {}, {}, []
    with transaction.atomic(), _Sanitizer(workers) as sanitizer:
        for item in records:
            if isinstance(item, Thread):
                if item.key not in discussed:
                    report.threads += 1
                    discussed[item.key] = find_discussed(item)
                    if discussed[item.key] is None:
                        report.unmatched.append(item.link)
            elif isinstance(item, Skipped):
                report.skipped[item.reason] += 1
            else:
                report.read += 1
                if progress is not None and report.read % PROGRESS_EVERY == 0:
                    progress(f"Read {report.read:,} comments…")
                if discussed.get(item.thread_key) is None:
                    report.skipped["nothing to discuss at its link"] += 1
                    continue
                key = import_key(source, item)
                if key in todo:
                    report.skipped["the file gives the same comment id twice"] += 1
                    continue
                todo[key] = item
                unchecked.append(key)
                if len(unchecked) >= CHECK_EVERY:
                    _check(unchecked, todo, known, sanitizer)
                    unchecked = []
        _check(unchecked, todo, known, sanitizer)
        report.skipped["imported before"] += len(known)
        todo = {key: item for key, item in todo.items() if key not in known}
        sanitizer.finish()
        created = _write(todo, known, source, discussed, sanitizer, report, progress)
        for status in (Status.APPROVED, Status.PENDING, Status.SPAM, Status.REMOVED):
            group = [comment for comment in created if comment.status == status]
            report.added[status] = len(group)
            record(
                Action.IMPORT,
                group,
                {comment.pk: "" for comment in group},
                status,
                IMPORT,
                f"imported from {source}",
            )
        if teach_filter:
            _teach([c for c in created if c.status in (Status.APPROVED, Status.SPAM)])
    return report


def _check(keys, todo, known, sanitizer):
    """Note which of these comments were imported before (`known`), and send the others'
    bodies to be sanitized: a re-import sanitizes nothing."""
    found = _existing(keys)
    known.update(found)
    for key in keys:
        if key not in found:
            sanitizer.add(todo[key].body)


class _Sanitizer:
    """Every body through `comments.sanitize.sanitize_comment`, the sanitizer a reader's post
    goes through, each distinct text once, in chunks. Past POOL_FROM texts, a pool of worker
    processes takes the chunks in order, each worker kept two ahead, while the caller goes on
    reading; fewer are quicker done here than a pool is started. Waiting for a body's HTML,
    this process sanitizes the last chunks itself rather than sit idle. Use as a context
    manager: the pool ends with it."""

    def __init__(self, workers=None):
        self.workers = _cpus() if workers is None else workers
        self.html = {}  # body -> its sanitized HTML (None: not yet)
        self.waiting = []  # distinct bodies not yet in a chunk
        self.chunks = deque()  # chunks neither sent nor sanitized
        self.sent = []  # (chunk, its pending results), in the order sent
        self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def add(self, body):
        if body in self.html:
            return
        self.html[body] = None
        self.waiting.append(body)
        if len(self.waiting) >= SANITIZE_CHUNK:
            self.chunks.append(self.waiting)
            self.waiting = []
            if len(self.html) >= POOL_FROM:
                self._feed()

    def finish(self):
        """No more bodies: the pool goes on with the rest, or, without one, they are all
        sanitized here now."""
        if self.waiting:
            self.chunks.append(self.waiting)
            self.waiting = []
        if self.pool is None:
            while self.chunks:
                self._here(self.chunks.popleft())
        else:
            self._feed()

    def html_of(self, body):
        """The sanitized HTML of a body added (after finish())."""
        while self.html[body] is None:
            self._feed()
            if self.html[body] is not None:
                break
            if self.chunks:  # the workers are busy with earlier chunks: help from the end
                self._here(self.chunks.pop())
            else:
                self.sent[0][1].wait()
        return self.html[body]

    def _feed(self):
        """Take in what the workers have done; keep each of them two chunks ahead."""
        if self.pool is None:
            if self.workers <= 1:
                return
            self.pool = _pool(self.workers)
            if self.pool is None:  # none to be had here: sanitize in this process
                self.workers = 1
                return
        for done in [sent for sent in self.sent if sent[1].ready()]:
            self.sent.remove(done)
            self.html.update(zip(done[0], done[1].get(), strict=True))
        while self.chunks and len(self.sent) < 2 * self.workers:
            chunk = self.chunks.popleft()
            results = self.pool.map_async(sanitize_comment, chunk, chunksize=len(chunk))
            self.sent.append((chunk, results))

    def _here(self, chunk):
        for body in chunk:
            self.html[body] = sanitize_comment(body)


def _pool(workers):
    """A pool of `workers` forked processes, or None where forking is not safe or possible.

    Forked, not spawned: no interpreter to start, and the script that runs the import is not
    run again in each worker (spawn and forkserver import `__main__` afresh, and a script
    without its `if __name__ == "__main__"` guard would run the import again there). Only
    from a process with no other thread, which might hold a lock the copy would wait on for
    ever. The workers only sanitize: they never use the database connection they inherit,
    and leave by os._exit, which closes nothing of it."""
    if not _can_fork():
        return None
    try:
        return multiprocessing.get_context("fork").Pool(workers)
    except OSError:
        return None


def _can_fork():
    """Whether this process may fork: the platform can, and no other thread runs."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _write(todo, known, source, discussed, sanitizer, report, progress=None):
    """Create the comments of `todo` (import_key -> ImportedComment, none imported before),
    parents before their replies; return them. `known` holds (pk, depth, root_id, parent_id)
    of the comments imported before, by import_key; `sanitizer` has every body's HTML, or
    will have: each batch waits for its own only, so writing starts while the last bodies
    are still being sanitized."""
    # The comments imported before that the file's replies answer, besides those in it again.
    answered = {_parent_key(item, source) for item in todo.values()} - {None}
    known.update(_existing(answered - todo.keys() - known.keys()))
    parents = {}
    for key, item in todo.items():
        parent = _parent_key(item, source)
        # A reply whose parent is in neither the file nor the site starts a thread of its own.
        parents[key] = parent if parent in todo or parent in known else None
    fingerprints = _live_fingerprints(todo.values(), discussed)
    depth_limit = max(1, settings.COMMENTS_THREAD_DEPTH) - 1
    now = timezone.now()
    placed, created = {}, []
    for level in _levels(parents):
        batch = []
        for key in level:
            item = todo[key]
            parent_key = parents[key]
            # None too when its parent was left out as a duplicate: it starts a new thread.
            parent = placed.get(parent_key) or known.get(parent_key)
            comment = _comment(item, key, discussed[item.thread_key], parent, depth_limit, now)
            comment.fingerprint = comment_fingerprint(
                comment.author_email, comment.body_raw, comment.parent_id
            )
            if (comment.discussion_id, comment.fingerprint) in fingerprints:
                report.skipped["the same text by the same author is there already"] += 1
                continue
            fingerprints.add((comment.discussion_id, comment.fingerprint))
            batch.append(comment)
        for start in range(0, len(batch), BATCH):
            chunk = batch[start : start + BATCH]
            for comment in chunk:
                comment.set_body(comment.body_raw, html=sanitizer.html_of(comment.body_raw))
            Comment.objects.bulk_create(chunk)
            if progress is not None:
                done = len(created) + min(start + BATCH, len(batch))
                progress(f"Added {done:,} of {len(todo):,} comments…")
        for comment in batch:
            placed[comment.import_key] = (
                comment.pk,
                comment.depth,
                comment.root_id,
                comment.parent_id,
            )
        created += batch
    return created


def _parent_key(item, source):
    """The import_key of the comment `item` answers, or None at the top level."""
    if not item.parent_id:
        return None
    return f"{source}:{item.thread_key}:{item.parent_id}"[:200]


def _levels(parents):
    """The keys in rounds, each round's parents made in an earlier one (or before this
    import). A chain of replies that answer each other in a circle is cut where it closes:
    the comment it came back to starts the thread."""
    checked = set()
    for start in parents:
        seen, key = set(), start
        while key in parents and key not in checked:
            if key in seen:
                parents[key] = None
                break
            seen.add(key)
            key = parents[key]
        checked |= seen
    rounds = {}
    for start in parents:
        chain, key = [], start
        while key in parents and key not in rounds:
            chain.append(key)
            key = parents[key]
        level = rounds.get(key, -1)  # -1: a thread's start, or a reply to a comment imported before
        for key in reversed(chain):
            level += 1
            rounds[key] = level
    by_level = {}
    for key, level in rounds.items():
        by_level.setdefault(level, []).append(key)
    return [by_level[level] for level in sorted(by_level)]


def _existing(keys):
    found = {}
    key_list = list(keys)
    for start in range(0, len(key_list), 500):
        rows = Comment.objects.filter(import_key__in=key_list[start : start + 500]).values_list(
            "import_key", "pk", "depth", "root_id", "parent_id"
        )
        found.update({key: (pk, depth, root, parent) for key, pk, depth, root, parent in rows})
    return found


def _live_fingerprints(items, discussed):
    """(discussion id, fingerprint) of the live comments already in the matched discussions: the
    duplicate constraint's pairs, checked here so a repeated comment is skipped and reported
    rather than failing the whole import."""
    discussions = {discussed[item.thread_key].pk for item in items}
    return set(
        Comment.objects.live()
        .filter(discussion_id__in=discussions)
        .values_list("discussion_id", "fingerprint")
    )


def _comment(item, key, discussion, parent, depth_limit, now):
    """An unsaved Comment for `item`, answering `parent` ((pk, depth, root_id, parent_id) or
    None), its body not yet sanitized; a reply below the deepest level joins its parent's
    level, as a reader's would."""
    if parent is not None and parent[1] >= depth_limit and parent[3] is not None:
        _, depth, root, grandparent = parent
        parent = (grandparent, depth - 1, root, None)
    comment = Comment(
        discussion=discussion,
        author_name=item.author_name or ANONYMOUS,
        author_email=item.author_email,
        email_normalized=normalize_email(item.author_email),
        author_url=_website(item.author_url),
        ip_address=item.ip_address or None,  # the readers give a valid address or ""
        submitted_at=item.submitted_at,
        status=item.status,
        moderated_at=now,
        import_key=key,
        body_raw=item.body,
    )
    if parent is not None:
        comment.parent_id, comment.depth = parent[0], parent[1] + 1
        comment.root_id = parent[2] or parent[0]
    return comment


def _website(url):
    url = (url or "").strip()
    return url[:URL_MAX_LENGTH] if url.lower().startswith(("http://", "https://")) else ""


def _teach(comments):
    """What the filter learns from these, when asked: approved is not spam, spam is."""
    SpamExample.objects.bulk_create(
        (
            SpamExample.of(
                comment, is_spam=comment.status == Status.SPAM, source=SpamExample.Source.IMPORT
            )
            for comment in comments
        ),
        batch_size=BATCH,
    )
