"""The spam filter, inside the site: it learns from the editors' own decisions, scores every
new comment, and explains itself. No commenter's data leaves the server.

- Learning: `learn_from` listens to the write path (attached to comments.moderation's
  registry in comments.apps). An editor's Approve is a "not spam" example, Mark as spam a
  "spam" one (the latest decision on a comment wins; Remove says nothing about spam). After
  COMMENTS_FILTER_RETRAIN_EVERY new decisions the filter is retrained in a background thread
  of the app server that took the decision, started once the decision is committed: the
  editor's click doesn't wait for the few seconds training takes, and no worker or cron job
  is needed. A cache lock keeps two servers from training at once; `manage.py
  train_spam_filter` trains on demand (or from cron, if threads are unwelcome).
- Scoring: `assess(comment)` scores a new comment in the request with the newest trained
  filter, which each process loads once and again when a newer one is saved (the filter lives
  in the database: every app server uses the same one).
- Acting: see `assess`. The filter never approves anything.
"""

import contextlib
import functools
import importlib.util
import json
import logging
import threading
import time
import zlib
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from ..conf import settings
from ..models import Comment, ModerationEvent, SpamExample, SpamFilterVersion
from . import model as spam_model

logger = logging.getLogger(__name__)

RULE = "spam filter"
# The editors' actions that say whether a comment is spam (Remove doesn't; neither does Edit).
TEACHING_ACTIONS = (
    ModerationEvent.Action.APPROVE,
    ModerationEvent.Action.SPAM,
    ModerationEvent.Action.RESTORE,
)
TRAINING_LOCK = "spam-filter:training"
TRAINING_LOCK_SECONDS = 15 * 60
FOLDS = 5  # cross-validation needs this many examples of each label

Status = Comment.Status


# ---------------------------------------------------------------------------------------------
# The filter in this process.

_loaded = None  # (SpamFilterVersion, Scorer)
_loading = threading.Lock()


def current():
    """(version, scorer) of the newest trained filter, or None if none was ever trained.

    One small query per call (the newest version's id); the model itself is loaded only
    when a newer version than the one in memory has been saved, by any server.
    """
    global _loaded
    newest = SpamFilterVersion.objects.order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return None
    loaded = _loaded
    if loaded is None or loaded[0].pk != newest:
        with _loading:
            version = SpamFilterVersion.objects.get(pk=newest)
            loaded = _loaded = (version, spam_model.Scorer(zlib.decompress(version.model)))
    return loaded


def unload():
    """Forget the filter this process loaded: the next score reads the newest version again
    (for tests, whose rolled-back databases may give another filter the same id)."""
    global _loaded
    _loaded = None


@dataclass(frozen=True)
class Verdict:
    """The filter's view of a new comment."""

    score: float | None = None  # None: no filter trained yet
    reasons: list = field(default_factory=list)  # the features that pushed it towards spam
    status: str = ""  # spam, pending (held), or "" (the usual policy decides)
    reason: str = ""


def assess(comment):
    """Score a new comment and say what the filter would do with it.

    At or above the spam threshold: spam. Above the lower hold threshold: held, even from a
    known author. Otherwise nothing: the usual policy applies. Before the filter has learnt
    from COMMENTS_FILTER_MIN_HAM good and COMMENTS_FILTER_MIN_SPAM spam comments it only
    records the score (the moderation queue is ordered by it).
    """
    loaded = current()
    if loaded is None:
        return Verdict()
    version, scorer = loaded
    explanation = scorer.explain(comment.body_raw, comment.author_name, comment.author_url, 3)
    score = explanation["score"]
    reasons = [[description, weight] for description, weight in explanation["spam"]]
    if version.acts and score >= version.spam_threshold:
        return Verdict(score, reasons, Status.SPAM, f"{score:.2f}")
    if version.acts and score >= version.hold_threshold:
        return Verdict(
            score,
            reasons,
            Status.PENDING,
            f"{score:.2f} (held at {version.hold_threshold:.2f} and above)",
        )
    return Verdict(score, reasons)


# ---------------------------------------------------------------------------------------------
# Learning from editors.


def learn_from(change):
    """A moderation listener: each editor's decision on a comment becomes its example."""
    if not isinstance(change.by, AbstractBaseUser):
        return  # rules (and posters) don't teach the filter: only people do
    if change.action not in TEACHING_ACTIONS:
        return  # an editor fixing a typo says nothing about spam
    comments = [comment for comment in change.comments if comment.pk is not None]
    if change.to_status in (Status.APPROVED, Status.SPAM):
        # One example per comment, the latest decision's: two queries however many were decided.
        now = timezone.now()
        SpamExample.objects.filter(comment__in=comments).delete()
        SpamExample.objects.bulk_create(
            SpamExample.of(
                comment,
                is_spam=change.to_status == Status.SPAM,
                source=SpamExample.Source.DECISION,
                decided_at=now,
            )
            for comment in comments
        )
    elif change.to_status == Status.PENDING:
        # Undone back to the queue: the editor has not decided after all.
        SpamExample.objects.filter(comment__in=comments).delete()
    else:
        return
    if can_train() and retraining_due():
        train_in_background(f"after {settings.COMMENTS_FILTER_RETRAIN_EVERY} decisions")


@functools.cache
def can_train():
    """Whether this process can train: scikit-learn is installed (the app's `spam-training`
    extra). App servers without it score with the version another process trained, and say
    so once rather than fail on every decision."""
    if importlib.util.find_spec("sklearn") is None:
        logger.warning(
            "scikit-learn is not installed: this process does not retrain the spam filter "
            "(install meridian-comments[spam-training] where it should)."
        )
        return False
    return True


def retraining_due():
    """Whether COMMENTS_FILTER_RETRAIN_EVERY examples were decided since the last training."""
    latest = SpamFilterVersion.objects.latest_version()
    new = SpamExample.objects.all()
    if latest is not None:
        new = new.filter(decided_at__gt=latest.created_at)
    return new.count() >= settings.COMMENTS_FILTER_RETRAIN_EVERY


_training_thread = None


def train_in_background(trigger):
    """Train in a thread of this process, unless another process is training; return the
    thread (None if another has the lock)."""
    global _training_thread
    try:
        claimed = cache.add(TRAINING_LOCK, 1, timeout=TRAINING_LOCK_SECONDS)
    except Exception:  # the cache is down: train anyway, at worst twice
        claimed = True
    if not claimed:
        return None

    def run():
        try:
            train(trigger)
        except Exception:
            logger.exception("Training the spam filter failed")
        finally:
            with contextlib.suppress(Exception):
                cache.delete(TRAINING_LOCK)
            connections.close_all()

    _training_thread = threading.Thread(target=run, name="spam-filter-training", daemon=True)
    _training_thread.start()
    return _training_thread


def training_thread():
    """The thread this process last started to train in, or None."""
    return _training_thread


def wait_for_training(timeout=120):
    """Wait for this process's background training, if any, to finish."""
    if _training_thread is not None:
        _training_thread.join(timeout)


def train(trigger):
    """Train on every example decided so far and save the new version (every app server
    switches to it at its next comment). Returns it, or None with a single label."""
    started = timezone.now()
    clock = time.perf_counter()
    rows = SpamExample.objects.filter(decided_at__lte=started).values_list(
        "text", "author_name", "author_url", "is_spam"
    )
    examples = [
        spam_model.Example(text=text, name=name, website=url, is_spam=is_spam)
        for text, name, url, is_spam in rows
    ]
    spam = sum(example.is_spam for example in examples)
    ham = len(examples) - spam
    if not ham or not spam:
        return None
    model = spam_model.train(examples)
    evaluation = None
    if min(ham, spam) >= FOLDS:
        evaluation = spam_model.evaluate(
            examples, settings.COMMENTS_FILTER_MAX_FALSE_SPAM, folds=FOLDS
        )
    acts = (
        evaluation is not None
        and ham >= settings.COMMENTS_FILTER_MIN_HAM
        and spam >= settings.COMMENTS_FILTER_MIN_SPAM
    )
    top = spam_model.Scorer(model).top_features(15)
    return SpamFilterVersion.objects.create(
        created_at=started,
        trigger=trigger[:100],
        model=zlib.compress(json.dumps(model).encode()),
        ham_examples=ham,
        spam_examples=spam,
        acts=acts,
        spam_threshold=evaluation.spam_threshold if evaluation else None,
        hold_threshold=evaluation.hold_threshold if evaluation else None,
        cv_recall=evaluation.recall if evaluation else None,
        cv_false_spam=evaluation.false_spam if evaluation else None,
        cv_auc=evaluation.auc if evaluation else None,
        training_seconds=time.perf_counter() - clock,
        top_features=top,
    )


def mistakes():
    """The filter's mistakes, as editors corrected them: comments it sent to spam, and
    comments it held, that an editor then approved."""

    def decided_by_filter(status):
        # One filter() call: the same event must be the filter's submission into `status`.
        return Comment.objects.filter(
            events__action=ModerationEvent.Action.SUBMIT,
            events__rule=RULE,
            events__to_status=status,
        )

    def then_approved(comments):
        approved = {"events__to_status": Status.APPROVED, "events__actor__isnull": False}
        return comments.filter(**approved).distinct().count()

    return {
        "sent_to_spam": then_approved(decided_by_filter(Status.SPAM)),
        "held": then_approved(decided_by_filter(Status.PENDING)),
    }
