"""A newsroom's comment history brought in through the write path.

`bring_in` takes the records a reader of `comments.history` yields and writes the comments in
one transaction: a file that fails halfway leaves nothing behind. Each body goes through the
sanitizer as a reader's post does (`Comment.set_body`: imported HTML is never trusted); the
threads keep their shape (a reply whose parent is not in the file, nor imported before, starts
a thread of its own, and one nested deeper than COMMENTS_THREAD_DEPTH joins the deepest level
allowed, as a reader's reply would); statuses, dates and authors are kept. Every comment
carries its `import_key`, so importing the same file again adds nothing. The trail records
each one as imported, decided by the rule "import"; the listeners hear of it like any other
change (the thread cache forgets the pages; editors are not alerted to history; the spam filter
learns only from people, so imports teach it nothing unless `teach_filter` asks, and then from
the approved and spam comments brought in).

Which page a thread belongs to is the caller's to say (`find_discussed`): today, an article
whose address matches the thread's link.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..conf import settings
from ..history import Skipped, Thread
from ..models import (
    URL_MAX_LENGTH,
    Comment,
    SpamExample,
    comment_fingerprint,
    normalize_email,
)
from .decisions import Action, Status, record

IMPORT = "import"
ANONYMOUS = "Anonymous"
BATCH = 1000


@dataclass
class ImportReport:
    """What an import read, added and left out, and why."""

    threads: int = 0
    unmatched: list = field(default_factory=list)  # links no page of this site matched
    read: int = 0
    added: Counter = field(default_factory=Counter)  # by status
    skipped: Counter = field(default_factory=Counter)  # by reason

    @property
    def added_total(self):
        return sum(self.added.values())


def import_key(source, comment):
    return f"{source}:{comment.thread_key}:{comment.source_id}"[:200]


def bring_in(records, *, source, find_discussed, teach_filter=False):
    """Import `records` (Thread, ImportedComment and Skipped, as comments.history reads them)
    from the system named `source`; `find_discussed(thread)` gives the article a thread
    belongs to, or None (its comments are skipped). Returns an ImportReport. Raises what the
    reader raises (UnreadableExport) with nothing written."""
    report = ImportReport()
    discussed, comments = {}, []
    with transaction.atomic():
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
                if discussed.get(item.thread_key) is None:
                    report.skipped["no page of this site at its link"] += 1
                else:
                    comments.append(item)
        created = _write(comments, source, discussed, report)
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


def _write(imported, source, discussed, report):
    """Create the comments, parents before their replies; return them."""
    todo = {}
    for item in imported:
        key = import_key(source, item)
        if key in todo:
            report.skipped["the file gives the same comment id twice"] += 1
        todo.setdefault(key, item)
    # import_key -> (pk, depth, root_id, parent_id) of the comments imported before: those in
    # the file again, and those the file's replies answer.
    answered = {_parent_key(item, source) for item in todo.values()} - {None}
    known = _existing(todo.keys() | answered)
    report.skipped["imported before"] += len(todo.keys() & known.keys())
    todo = {key: item for key, item in todo.items() if key not in known}
    parents = {}
    for key, item in todo.items():
        parent = _parent_key(item, source)
        # A reply whose parent is in neither the file nor the site starts a thread of its own.
        parents[key] = parent if parent in todo or parent in known else None
    fingerprints = _live_fingerprints(todo.values(), discussed)
    depth_limit = max(1, settings.COMMENTS_THREAD_DEPTH) - 1
    placed, created = {}, []
    for level in _levels(parents):
        batch = []
        for key in level:
            item = todo[key]
            parent_key = parents[key]
            # None too when its parent was left out as a duplicate: it starts a new thread.
            parent = placed.get(parent_key) or known.get(parent_key)
            comment = _comment(item, key, discussed[item.thread_key], parent, depth_limit)
            if (comment.article_id, comment.fingerprint) in fingerprints:
                report.skipped["the same text by the same author is there already"] += 1
                continue
            fingerprints.add((comment.article_id, comment.fingerprint))
            batch.append(comment)
        Comment.objects.bulk_create(batch, batch_size=BATCH)
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
    """(article id, fingerprint) of the live comments already on the matched articles: the
    duplicate constraint's pairs, checked here so a repeated comment is skipped and reported
    rather than failing the whole import."""
    articles = {discussed[item.thread_key].pk for item in items}
    return set(
        Comment.objects.live()
        .filter(article_id__in=articles)
        .values_list("article_id", "fingerprint")
    )


def _comment(item, key, article, parent, depth_limit):
    """An unsaved Comment for `item`, answering `parent` ((pk, depth, root_id, parent_id) or
    None); a reply below the deepest level joins its parent's level, as a reader's would."""
    if parent is not None and parent[1] >= depth_limit and parent[3] is not None:
        _, depth, root, grandparent = parent
        parent = (grandparent, depth - 1, root, None)
    comment = Comment(
        article=article,
        author_name=item.author_name or ANONYMOUS,
        author_email=item.author_email,
        author_url=_website(item.author_url),
        ip_address=item.ip_address or None,  # the readers give a valid address or ""
        submitted_at=item.submitted_at,
        status=item.status,
        moderated_at=timezone.now(),
        import_key=key,
    )
    if parent is not None:
        comment.parent_id, comment.depth = parent[0], parent[1] + 1
        comment.root_id = parent[2] or parent[0]
    comment.set_body(item.body)  # sanitized like a reader's post: imported HTML is not trusted
    comment.email_normalized = normalize_email(comment.author_email)
    comment.fingerprint = comment_fingerprint(
        comment.author_email, comment.body_raw, comment.parent_id
    )
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
