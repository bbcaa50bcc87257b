"""Fill a database with realistic articles and threaded comments, in bulk, for load tests.

    manage.py make_load_data --articles 100 --comments 1000000

Idempotent: the articles are "load-<n>" (made if missing), each with its Discussion (made
in bulk if missing, with the title, address and publication date Discussion.objects.of()
would give it), and comments are added only until those discussions hold --comments in all,
so running it again adds nothing, and a larger number adds the difference. Comments come in
waves of threads (half start one, the rest answer a comment of the wave before once it was
published, up to four deep), spread over the discussions and over the last months, posted
more by day than by night (settings.TIME_ZONE). Bodies are drawn from a few hundred texts
sanitized once, so a million comments cost minutes, not bleach's hours. At the end each
discussion's approved count is worked out once, as the write path keeps it.

What the write path would have recorded is written with them, in the same transactions, so
the editors' dashboard reads realistic data:

- the spam filter's retrainings: three SpamFilterVersions ("load data"; 100, 45 and 12 days
  before the first run; the two newer ones act, with thresholds, recall and false-spam). Their
  model is a real one, tiny (a constant and a few spam words): every process that posts on
  this database scores with the newest version (comments.spam.filter.current), so it must
  load. Comments posted after the first retraining carry a score (good comments low, spam
  high, each below the thresholds the rule that decided implies);
- each comment's trail: its SUBMIT event (the rule that set its first status, at its
  submission); about 80 % approved at once ("known author"); 12 % held ("new author",
  "links", "spam filter", "hold words", "flood control"), half of them decided by one of the
  load editors (load-editor-1 … 3, staff without a password) minutes to hours later, later
  at night (still pending if that is still to come), the other half a standing backlog
  nobody decides (see HELD); 8 % spam at once ("spam filter", "honeypot", "form token",
  "disallowed words", "blocked"), a few of them rescued by an editor; a few approved
  comments removed by an editor, or held after readers' reports and then decided.

Load comments made before the trail was written (an older database) get one the next time
the command runs, drawn to agree with their status.
"""

import bisect
import json
import math
import random
import sys
import time
import zlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, Discussion, ModerationEvent, SpamFilterVersion
from comments.models.discussion import TITLE_MAX_LENGTH, URL_MAX_LENGTH
from comments.spam.model import KIND as SPAM_MODEL_KIND
from comments.spam.model import Scorer

Status = Comment.Status
Action = ModerationEvent.Action

BATCH = 5000
WORDS = tuple(
    [
        "the",
        "council",
        "vote",
        "harbour",
        "accord",
        "talks",
        "budget",
        "minister",
        "readers",
        "local",
        "schools",
        "transport",
        "report",
        "housing",
        "river",
        "bridge",
        "climate",
        "health",
        "court",
        "election",
        "market",
        "workers",
        "museum",
        "festival",
        "season",
        "coach",
        "league",
        "data",
        "survey",
        "policy",
        "plan",
        "debate",
        "question",
        "answer",
        "evidence",
    ]
)


# Thread roots are posted over the last MINUTES, more by day: the share of a local hour's
# minutes kept (a reply follows what it answers, whenever that was published).
MINUTES = 200_000
HOURLY = (
    0.25, 0.15, 0.1, 0.1, 0.1, 0.2, 0.45, 0.8, 1.0, 1.0, 0.95, 0.9,
    0.95, 0.9, 0.85, 0.85, 0.9, 0.95, 1.0, 1.0, 0.95, 0.8, 0.6, 0.4,
)  # fmt: skip

EDITORS = ("load-editor-1", "load-editor-2", "load-editor-3")
EDITOR, READERS = "editor", "reader reports"  # who takes a later step
FILTER_TRIGGER = "load data"
# The filter's retrainings, oldest first: (days before the first run, acts, hold threshold,
# spam threshold, recall, false spam, AUC, ham examples, spam examples), as
# comments.spam.filter.train would save them.
FILTER_VERSIONS = (
    (100, False, 0.71, 0.94, 0.64, 0.021, 0.93, 240, 60),
    (45, True, 0.61, 0.90, 0.82, 0.006, 0.97, 1_400, 420),
    (12, True, 0.58, 0.88, 0.87, 0.004, 0.98, 3_900, 1_150),
)
# A real model, tiny: scores 0.02 but for a few spam words (comments.spam.model.Scorer).
TINY_MODEL = {
    "kind": SPAM_MODEL_KIND,
    "constant": -4.0,
    "features": {
        f"w:{word}": [3.0, 4.0, 4.0] for word in ("casino", "viagra", "loan", "bitcoin", "winner")
    },
}

# Comments held at posting (after the 80 % approved at once; the rest is spam at once), and
# the share of them nobody decides: a standing backlog of about 6 % of all comments, as the
# load data always had, so the moderation queue `make bench` measures stays that long (its
# paginator estimates counts from 10,000 rows).
HELD = 0.12
NEVER_DECIDED = 0.5
# The first decision's rule, as comments.moderation.rules names it, with the weights drawn.
HELD_RULES = (("new author", 62), ("links", 12), ("spam filter", 14), ("hold words", 8),
              ("flood control", 4))  # fmt: skip
SPAM_RULES = (("spam filter", 50), ("honeypot", 28), ("form token", 10),
              ("disallowed words", 7), ("blocked", 5))  # fmt: skip
REASONS = {
    "known author": "this name and email were approved before",
    "new author": "no approved comment from this name and email",
    "links": "3 links (more than 2)",
    "hold words": "“offer” in the text",
    "flood control": "the cache did not answer, so the posting rate was unchecked",
    "honeypot": "the field people never see was filled in",
    "form token": "posted sooner than a person could type it",
    "disallowed words": "“casino” in the text",
    "blocked": "the email is blocked",
    READERS: "3 reports: Spam (2); Off-topic",
}
# Where a rule comes in comments.moderation.rules.initial_decision bounds the score of what
# it decided: the filter's spam check comes before the hold rules, its hold check before
# the author rules. (The honeypot, the form token, blocks and disallowed words: anything.)
SCORE_BELOW = {
    "known author": "hold",
    "new author": "hold",
    "links": "spam",
    "hold words": "spam",
    "flood control": "spam",
}
DECISION_ACTION = {
    Status.APPROVED: Action.APPROVE,
    Status.SPAM: Action.SPAM,
    Status.REMOVED: Action.REMOVE,
}


class Command(BaseCommand):
    help = "Bulk-create load-test articles and threaded comments, with their trail (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100)
        parser.add_argument("--comments", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, articles, comments, seed, **options):
        rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        discussions = self._discussions(self._articles(articles))
        self.editors = self._editors()
        self.versions = self._filter_versions()
        self.version_times = [version.created_at for version in self.versions]
        existing = Comment.objects.filter(discussion__in=discussions).count()
        missing = max(0, comments - existing)
        self.stdout.write(
            f"{len(discussions)} load articles and their discussions; {existing} comments "
            f"there, adding {missing}."
        )
        self._add_missing_trails(discussions, rng)
        bodies = self._bodies(rng)
        start, added = time.perf_counter(), 0
        serial = existing
        while added < missing:
            size = min(BATCH, missing - added)
            with transaction.atomic():
                self._wave(discussions, size, serial, bodies, rng)
            added += size
            serial += size
            rate = added / (time.perf_counter() - start)
            sys.stderr.write(f"\r  {added:,}/{missing:,} comments ({rate:,.0f}/s)")
            sys.stderr.flush()
        if missing:
            sys.stderr.write("\n")
        # The approved counts the write path keeps (one UPDATE, reading the thread index).
        Discussion.objects.recount([discussion.pk for discussion in discussions])
        self.stdout.write(self.style.SUCCESS(f"Done: {existing + added} comments."))

    def _articles(self, count):
        now = timezone.now()
        wanted = {f"load-{n}": n for n in range(1, count + 1)}
        have = set(Article.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        Article.objects.bulk_create(
            Article(
                headline=f"Load-test article {n}: the council debates the harbour accord",
                slug=slug,
                standfirst="A generated article for load tests.",
                body="Generated for load tests.\n\nIt has a second paragraph.",
                byline="Load generator",
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=n),
            )
            for slug, n in wanted.items()
            if slug not in have
        )
        return list(Article.objects.filter(slug__in=wanted).order_by("pk"))

    def _discussions(self, load_articles):
        """Each article's Discussion, in the articles' order: made in bulk where missing,
        described as Discussion.objects.of() describes an article (so a page view finds
        nothing stale to update)."""
        article_type = ContentType.objects.get_for_model(Article)
        ids = [str(article.pk) for article in load_articles]
        mine = Discussion.objects.filter(content_type=article_type, object_id__in=ids)
        have = set(mine.values_list("object_id", flat=True))
        Discussion.objects.bulk_create(
            (
                Discussion(
                    content_type=article_type,
                    object_id=str(article.pk),
                    title=str(article)[:TITLE_MAX_LENGTH],
                    url=article.get_absolute_url()[:URL_MAX_LENGTH],
                    published_at=article.published_at,
                )
                for article in load_articles
                if str(article.pk) not in have
            ),
            batch_size=1000,
        )
        by_object = {discussion.object_id: discussion for discussion in mine}
        return [by_object[object_id] for object_id in ids]

    @staticmethod
    def _editors():
        """The load editors who decide held comments: staff, no password to sign in with."""
        users = get_user_model()
        return [
            users.objects.get_or_create(
                username=name, defaults={"is_staff": True, "password": make_password(None)}
            )[0]
            for name in EDITORS
        ]

    @staticmethod
    def _filter_versions():
        """The load filter's retrainings, oldest first: made the first time (the newest one
        then is the newest of all, the one every process scores with)."""
        versions = SpamFilterVersion.objects.filter(trigger=FILTER_TRIGGER).defer("model")
        if not versions.exists():
            now = timezone.now()
            model = zlib.compress(json.dumps(TINY_MODEL).encode())
            for days, acts, hold, spam, recall, false_spam, auc, ham_n, spam_n in FILTER_VERSIONS:
                SpamFilterVersion.objects.create(
                    created_at=now - timedelta(days=days),
                    trigger=FILTER_TRIGGER,
                    model=model,
                    ham_examples=ham_n,
                    spam_examples=spam_n,
                    acts=acts,
                    hold_threshold=hold,
                    spam_threshold=spam,
                    cv_recall=recall,
                    cv_false_spam=false_spam,
                    cv_auc=auc,
                    training_seconds=2.5,
                    top_features=Scorer(TINY_MODEL).top_features(15),  # as train() keeps them
                )
        return list(versions.order_by("created_at", "pk"))

    def _bodies(self, rng):
        """A few hundred comment texts, each sanitized once, as (raw, html)."""
        bodies = []
        for _ in range(300):
            sentences = [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
                for _ in range(rng.randint(1, 4))
            ]
            raw = "\n\n".join(sentences)
            if rng.random() < 0.2:
                raw = raw.replace("council", "<em>council</em>", 1)
            probe = Comment()
            probe.set_body(raw)
            bodies.append((probe.body_raw, probe.body_html))
        return bodies

    def _wave(self, discussions, size, serial, bodies, rng):
        """`size` comments in up to four levels, each level answering the one before, and
        their trail."""
        now = timezone.now()
        shares = (0.5, 0.25, 0.15, 0.10)
        counts = [int(size * share) for share in shares]
        counts[0] += size - sum(counts)
        parents, trail = [], []
        for depth, count in enumerate(counts):
            level = []
            for _ in range(count):
                serial += 1
                parent = rng.choice(parents) if parents else None
                discussion = parent.discussion if parent else rng.choice(discussions)
                raw, html = rng.choice(bodies)
                submitted_at = self._when(parent, now, rng)
                story = self._story(self._plan(rng, submitted_at), submitted_at, now, rng)
                status, score, events, moderated, published_at = story
                comment = Comment(
                    discussion=discussion,
                    parent=parent,
                    author_name=f"Reader {serial % 50_000}",
                    author_email=f"reader{serial}@example.com",
                    status=status,
                    submitted_at=submitted_at,
                    ip_address=f"10.{serial % 256}.{serial // 256 % 256}.{serial // 65536 % 256}",
                    user_agent="Mozilla/5.0 (load generator)",
                    spam_score=score,
                    moderated_at=moderated[0],
                    moderated_by=moderated[1],
                )
                comment.body_raw, comment.body_html = raw, html
                comment._sanitized_from = raw
                comment.derive_fields()
                comment._load_published_at = published_at
                comment._load_events = events
                level.append(comment)
            Comment.objects.bulk_create(level, batch_size=1000)
            trail += self._events(level)
            # Only approved comments are answered, as on the site.
            parents = [c for c in level if c.status == Status.APPROVED] if depth < 3 else []
        ModerationEvent.objects.bulk_create(trail, batch_size=BATCH)

    @staticmethod
    def _events(comments):
        return [
            ModerationEvent(
                comment_id=comment.pk,
                comment_ref=comment.pk,
                action=action,
                from_status=from_status,
                to_status=to_status,
                rule=rule,
                actor=actor,
                reason=reason,
                created_at=at,
            )
            for comment in comments
            for action, from_status, to_status, rule, actor, reason, at in comment._load_events
        ]

    @staticmethod
    def _when(parent, now, rng):
        """A thread's start within the last few months, more by day; a reply some minutes
        after what it answers was published."""
        if parent is None:
            while True:
                when = now - timedelta(minutes=rng.randint(0, MINUTES))
                if rng.random() < HOURLY[timezone.localtime(when).hour]:
                    return when
        return min(now, parent._load_published_at + timedelta(minutes=rng.randint(1, 600)))

    # -----------------------------------------------------------------------------------------
    # A comment's story: its first decision, what came after, its score.

    def _version_at(self, when):
        """The filter version in force at `when` (None before the first retraining)."""
        index = bisect.bisect_right(self.version_times, when)
        return self.versions[index - 1] if index else None

    def _plan(self, rng, submitted_at):
        """(rule, first status, later steps: (action, to status, who)) drawn for a new
        comment, with the rules the filter in force at `submitted_at` allows."""
        version = self._version_at(submitted_at)
        filter_acts = version is not None and version.acts
        roll = rng.random()
        if roll < 0.80:
            later = rng.random()
            if later < 0.006:
                return "known author", Status.APPROVED, ((Action.REMOVE, Status.REMOVED, EDITOR),)
            if later < 0.014:
                decided = Status.REMOVED if rng.random() < 0.7 else Status.APPROVED
                held = (Action.HOLD, Status.PENDING, READERS)
                return "known author", Status.APPROVED, (held, self._decided(decided))
            return "known author", Status.APPROVED, ()
        if roll < 0.80 + HELD:
            rule = self._weighted(HELD_RULES, rng)
            if rule == "spam filter" and not filter_acts:
                rule = "new author"
            if rng.random() < NEVER_DECIDED:
                return rule, Status.PENDING, ()  # the standing backlog
            outcomes = (0.4, 0.9) if rule == "spam filter" else (0.8, 0.9)
            roll = rng.random()
            decided = (
                Status.APPROVED
                if roll < outcomes[0]
                else Status.SPAM
                if roll < outcomes[1]
                else Status.REMOVED
            )
            return rule, Status.PENDING, (self._decided(decided),)
        rule = self._weighted(SPAM_RULES, rng)
        if rule == "spam filter" and not filter_acts:
            rule = "honeypot"
        if rng.random() < 0.03:  # rescued by an editor
            return rule, Status.SPAM, (self._decided(Status.APPROVED),)
        return rule, Status.SPAM, ()

    def _plan_for(self, status, rng, submitted_at):
        """A plan that ends in `status` (for a comment made before trails were written)."""
        for _ in range(50):
            plan = self._plan(rng, submitted_at)
            if (plan[2][-1][1] if plan[2] else plan[1]) == status:
                return plan
        if status == Status.REMOVED:
            return "new author", Status.PENDING, (self._decided(Status.REMOVED),)
        rule = {Status.SPAM: "honeypot", Status.PENDING: "new author"}.get(status, "known author")
        return rule, status, ()

    @staticmethod
    def _decided(status):
        return DECISION_ACTION[status], status, EDITOR

    @staticmethod
    def _weighted(choices, rng):
        roll = rng.random() * sum(weight for _, weight in choices)
        for name, weight in choices:
            roll -= weight
            if roll < 0:
                return name
        return choices[-1][0]

    def _story(self, plan, submitted_at, now, rng, *, ending=None):
        """(status, score, events, (moderated_at, moderated_by), published_at) of a plan
        played from `submitted_at`: each step some time after the one before; a step still
        to come is not taken (the comment waits), unless `ending` (the status it must
        end in) says it was taken by now."""
        rule, status, steps = plan
        version = self._version_at(submitted_at)
        score = self._score(rule, status, steps, version, rng)
        reason = REASONS.get(rule, "")
        if rule == "spam filter":
            reason = f"{score:.2f}"
            if status == Status.PENDING:
                reason += f" (held at {version.hold_threshold:.2f} and above)"
        events = [(Action.SUBMIT, "", status, rule, None, reason, submitted_at)]
        moderated, published_at = (None, None), None
        at = submitted_at
        if status == Status.APPROVED:
            published_at = at
        for action, to_status, who in steps:
            if who == READERS:
                at += timedelta(minutes=rng.lognormvariate(math.log(300), 1.0))
            else:
                at += self._wait(at, rng)
            if at > now:
                if ending is None:
                    break
                at = now
            actor = rng.choice(self.editors) if who == EDITOR else None
            rule_then = "" if actor else who
            events.append((action, status, to_status, rule_then, actor, REASONS.get(who, ""), at))
            status = to_status
            if actor is not None:
                moderated = (at, actor)
            if status == Status.APPROVED and published_at is None:
                published_at = at
        return status, score, events, moderated, published_at

    @staticmethod
    def _wait(since, rng):
        """How long a held comment waits for an editor: some minutes by day; at night, until
        the morning shift (07:00 local) and then some."""
        local = timezone.localtime(since)
        minutes = rng.lognormvariate(math.log(20), 1.0)
        if local.hour >= 22 or local.hour < 7:
            minutes += (7 - local.hour) % 24 * 60 - local.minute
        return timedelta(minutes=min(minutes, 3 * 24 * 60))

    @staticmethod
    def _score(rule, status, steps, version, rng):
        """The filter's score at posting (None before its first retraining): spam high,
        good comments low, within what the deciding rule implies of the thresholds."""
        if version is None:
            return None
        hold, spam = version.hold_threshold, version.spam_threshold
        if rule == "spam filter":
            if status == Status.SPAM:
                return spam + (1 - spam) * rng.betavariate(2, 1.3)
            return hold + (spam - hold) * rng.betavariate(1.3, 1.6)
        final = steps[-1][1] if steps else status
        is_spam = final == Status.SPAM or (status == Status.SPAM and final != Status.APPROVED)
        below = {"hold": hold, "spam": spam}.get(SCORE_BELOW.get(rule)) if version.acts else None
        for _ in range(20):
            score = rng.betavariate(4, 1.8) if is_spam else rng.betavariate(1.2, 10)
            if below is None or score < below:
                return score
        return below * rng.random()

    # -----------------------------------------------------------------------------------------
    # Comments made before the trail was written.

    def _add_missing_trails(self, discussions, rng):
        """Give load comments with no trail one (and a score), drawn to end in their
        status: a database made before this command wrote trails. Nothing if all have one."""
        now = timezone.now()
        untold = (
            Comment.objects.filter(discussion__in=discussions)
            .exclude(Exists(ModerationEvent.objects.filter(comment=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", "status", "submitted_at")
        )
        last, done = 0, 0
        while rows := list(untold.filter(pk__gt=last)[:BATCH]):
            comments = []
            for pk, status, submitted_at in rows:
                plan = self._plan_for(status, rng, submitted_at)
                _, score, events, moderated, _ = self._story(
                    plan, submitted_at, now, rng, ending=status
                )
                comment = Comment(pk=pk, spam_score=score)
                comment.moderated_at, comment.moderated_by = moderated
                comment._load_events = events
                comments.append(comment)
            with transaction.atomic():
                fields = ["spam_score", "moderated_at", "moderated_by"]
                Comment.objects.bulk_update(comments, fields, batch_size=1000)
                ModerationEvent.objects.bulk_create(self._events(comments), batch_size=BATCH)
            last, done = rows[-1][0], done + len(rows)
            sys.stderr.write(f"\r  {done:,} earlier comments given their trail")
            sys.stderr.flush()
        if done:
            sys.stderr.write("\n")
