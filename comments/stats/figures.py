"""The dashboard's numbers: what the desk did over the last 30 days, counted in the database.

`figures(now=None)` answers one plain dict (the `Figures` below; JSON once its dates are ISO
strings), which the dashboard draws (comments.desk.dashboard.views) and the staff API answers
(comments.api.stats); both read it through `cached_figures()`: counted by the task worker
once the kept figures are a minute old, so that no editor waits for the count.

Every number is an aggregate the database works out (grouped by day, hour, week, score bin
or discussion): a constant number of queries whatever the number of comments (9; on
PostgreSQL a 10th statement first gives the waits' query more memory), each reading only its
window (the last 30 days, 5 weeks, 7 days or 24 hours) from the indexes made for them
(`comment_submitted` on comments, with its INCLUDE columns; `trail_submits`,
`trail_pending_moves` and `trail_people` on the trail), without touching the tables' rows on
PostgreSQL. The medians and 90th percentiles of the waits are worked out by PostgreSQL
(`percentile_cont`); SQLite
has no such aggregate, so there they are worked out here from the waits of the window (one
per comment held, in one query).

Days and hours are the current time zone's (settings.TIME_ZONE unless activated otherwise):
the 30 days end today, the 5 weeks (Monday to Sunday) end this week. The database turns a
time into local time by adding the zone's offset (one offset, or a CASE over the window's
changes to and from summer time), which costs far less per row than converting each time by
the zone's name.

What each figure counts:

- per_day: the comments posted each day, by their status now (how they ended).
- backlog: how many comments were pending at the end of each day (today: now), worked back
  from the queue as it is now through each day's moves into the queue (a submission held,
  a hold after readers' reports, a restore) and out of it (a decision, a deletion) in the
  trail; and the first decisions on comments the policy held when they were posted, by the
  decision's day: how many, and the wait from posting to that decision (median, 90th
  percentile). Comments posted up to LOOKBACK before the 30 days count; one that waited
  longer than that for a decision within them does not.
- by_hour: the comments posted in the 30 days by the hour they were posted, and the waits of
  those the policy held (as above), by the same hour.
- deciders: what decided each comment posted in the 5 weeks, by the week it was posted: a
  person if anyone ever changed its status by hand (an editor's decision, a staff reply);
  otherwise the readers' reports if they held it; otherwise the rule that gave it its first
  status (a comment still held counts under the rule that held it: its decision so far).
- spam_scores: the spam filter's scores of the approved and spam comments posted in the 30
  days, in 20 bins of 0.05 (a score of 1.0 in the last), and the hold and spam thresholds of
  the filter in force (the latest version, if it acts; None otherwise).
- filter_versions: the latest 20 trained filters, oldest first, with their cross-validated
  recall and false-spam rate.
- most_discussed: the 10 discussions with the most approved comments posted in the last 24
  hours and 7 days (ties: the older discussion first), with their title and page.

No name, email, IP address or text of any comment is read.
"""

import math
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    Q,
    Value,
    When,
)
from django.db.models.functions import (
    ExtractHour,
    Floor,
    Greatest,
    Least,
    TruncDate,
    TruncHour,
)
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
from django_tasks import task

from ..models import Comment, Discussion, ModerationEvent, SpamFilterVersion
from ..models.trail import ENTERS_PENDING, LEAVES_PENDING
from ..moderation import READER_REPORTS, RULE_LABELS

DAYS = 30
WEEKS = 5
BINS = 20
TOP = 10
FILTER_VERSIONS = 20
# How long before the 30 days a comment may have been posted for its first decision within
# them to count (the waits).
LOOKBACK = timedelta(days=7)
# PostgreSQL's memory for grouping and sorting the waits (its default, 4MB, spills a busy
# month to disk: twice as slow).
WAITS_WORK_MEM = "32MB"
CACHE_SECONDS = 60
# How long counted figures are kept for readers to be answered with while newer ones are
# counted (cached_figures).
KEEP_SECONDS = 24 * 60 * 60
# Figures this old mean the queued counts are not being run (no task worker): count them in
# the request rather than show old ones.
WORKER_GONE_SECONDS = 10 * 60
CACHE_KEY = "comments:dashboard:figures:1"

Status = Comment.Status
Action = ModerationEvent.Action
STATUSES = (Status.APPROVED, Status.PENDING, Status.SPAM, Status.REMOVED)
# What may decide a comment, in the order the dashboard lists them: the rules a submission
# meets (comments.moderation.rules), in RULE_LABELS' order, and the readers' reports that
# hold a published comment. (The others in RULE_LABELS never decide a status: an import, a
# poster's own deletion, an erasure, the IP purge.)
NOT_DECIDING = {"its poster", "IP retention", "import", "erasure request"}
RULES = tuple(rule for rule in RULE_LABELS if rule not in NOT_DECIDING)
EDGES = tuple(round(i / BINS, 2) for i in range(BINS + 1))
HELD_SUBMISSION = Q(ENTERS_PENDING, action=Action.SUBMIT)


class Figures(TypedDict):
    """What figures() answers (the dashboard's and the staff API's contract)."""

    generated_at: datetime
    per_day: dict
    backlog: dict
    by_hour: dict
    deciders: dict
    spam_scores: dict
    filter_versions: list
    most_discussed: dict


def cached_figures():
    """figures(), as counted at most a minute ago, without making an editor wait for them.

    Counting takes some 320 ms on a million comments (docs/performance.md), so the page does
    not count: the figures stay in the cache for a day, and once they are older than
    CACHE_SECONDS the first reader to see that queues `refresh_figures` (once: a lock in the
    cache) and is answered with them as they are; the task worker counts anew. Only when
    there are none (a new cache, a day without a reader) or they are ten minutes old (no
    task worker is running: the queued count never came) does the request count.
    Per time zone: days and hours are local."""
    zone = timezone.get_current_timezone_name()
    key = f"{CACHE_KEY}:{zone}"
    found = cache.get(key)
    age = None if found is None else timezone.now() - found["generated_at"]
    if age is None or age > timedelta(seconds=WORKER_GONE_SECONDS):
        return _count_and_keep(key)
    if age > timedelta(seconds=CACHE_SECONDS) and cache.add(
        f"{key}:refreshing", True, CACHE_SECONDS
    ):
        refresh_figures.enqueue(zone)
    return found


@task
def refresh_figures(zone_name):
    """Count the figures in the time zone `zone_name` (days and hours are local) and keep
    them for the next readers: queued by cached_figures, run by the task worker."""
    with timezone.override(zoneinfo.ZoneInfo(zone_name)):
        _count_and_keep(f"{CACHE_KEY}:{zone_name}")


def _count_and_keep(key):
    found = figures()
    cache.set(key, found, KEEP_SECONDS)
    cache.delete(f"{key}:refreshing")
    return found


def figures(now=None):
    """The dashboard's figures as of `now` (default: now): see the module's docstring."""
    window = Window(now or timezone.now())
    per_day, posted = per_day_and_hour(window)
    waits_by_day, waits_by_hour = waits(window)
    versions = latest_versions()
    return {
        "generated_at": window.now,
        "per_day": per_day,
        "backlog": {
            "days": list(window.days),
            "pending_at_end": pending_at_end(window),
            **waits_by_day,
        },
        "by_hour": {"hours": list(range(24)), "posted": posted, **waits_by_hour},
        "deciders": deciders(window),
        "spam_scores": spam_scores(window, versions),
        "filter_versions": filter_versions(versions),
        "most_discussed": most_discussed(window.now),
    }


# ---------------------------------------------------------------------------------------------
# The window, in local time.


class Window:
    """The days and weeks the figures cover, in the current time zone, and local time in SQL."""

    def __init__(self, now):
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localtime(now, self.tz).date()
        self.days = [self.today - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
        self.start = self.midnight(self.days[0])
        monday = self.today - timedelta(days=self.today.weekday())
        self.weeks = [monday - timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]
        self.weeks_start = self.midnight(self.weeks[0])
        self.offsets = offsets(self.tz, self.start, now)

    def midnight(self, day):
        return timezone.make_aware(datetime.combine(day, time.min), self.tz)

    def local(self, expression):
        """A time of the 30 days (a field's name or an expression) as local wall-clock time,
        in SQL: plus the zone's offset at that time (read as UTC by day() and hour(), so the
        database converts nothing by the zone's name)."""
        expression = F(expression) if isinstance(expression, str) else expression
        *changes, (_, last) = self.offsets
        if not changes:
            return expression + Value(last, output_field=DurationField()) if last else expression
        offset = Case(
            *(When(LessThan(expression, until), then=Value(shift)) for until, shift in changes),
            default=Value(last),
            output_field=DurationField(),
        )
        return expression + offset

    def day(self, expression):
        """The local date of a time of the 30 days, in SQL."""
        return TruncDate(self.local(expression), tzinfo=UTC)

    def hour(self, expression):
        """The local hour (0 to 23) of a time of the 30 days, in SQL."""
        return ExtractHour(self.local(expression), tzinfo=UTC)

    def hour_start(self, expression):
        """The local hour a time of the 30 days falls in (its date and hour, as a datetime
        whose "UTC" is local time), in SQL."""
        return TruncHour(self.local(expression), tzinfo=UTC)

    def week(self, expression):
        """The index of the week a time falls in (0 to 4; None before the first), in SQL:
        compared with each week's start, converting nothing."""
        expression = F(expression) if isinstance(expression, str) else expression
        starts = [self.midnight(monday) for monday in self.weeks[1:]]
        return Case(
            When(LessThan(expression, self.weeks_start), then=Value(None)),
            *(When(LessThan(expression, start), then=Value(n)) for n, start in enumerate(starts)),
            default=Value(WEEKS - 1),
            output_field=IntegerField(),
        )

    def day_index(self, day):
        """The index in self.days of a date the database answered (None: outside)."""
        index = (as_date(day) - self.days[0]).days
        return index if 0 <= index < DAYS else None


def offsets(tz, start, end):
    """The zone's UTC offsets from `start` to `end`: [(until, offset), …, (None, offset)],
    each offset in force until the next change (to or from summer time), found by bisection
    between days whose offsets differ."""
    found = []
    step = timedelta(days=1)
    moment, offset = start, start.astimezone(tz).utcoffset()
    while moment < end:
        following = min(moment + step, end)
        after = following.astimezone(tz).utcoffset()
        if after != offset:
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            change = high.replace(microsecond=0)
            found.append((change, offset))
            offset = after
        moment = following
    return [*found, (None, offset)]


def as_date(value):
    """A date the database answered (a date; SQLite's text too, to be sure)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------------------------------
# Comments posted: by day and status, by hour (one query).


def posted_in(window):
    """The comments posted in the 30 days."""
    return Comment.objects.filter(
        submitted_at__gte=window.start, submitted_at__lte=window.now
    ).order_by()


def per_day_and_hour(window):
    """({per_day}, [posted by hour]), from one query grouped by local hour and status (at
    most 30 x 24 x 4 rows; one expression per row, cheaper than a date and an hour)."""
    per_day = {"days": list(window.days), **{status.value: [0] * DAYS for status in STATUSES}}
    posted = [0] * 24
    rows = (
        posted_in(window)
        .values(local_hour=window.hour_start("submitted_at"), state=F("status"))
        .annotate(n=Count("*"))
        .values_list("local_hour", "state", "n")
    )
    for local_hour, state, n in rows:
        index = window.day_index(local_hour.date())
        if index is not None and state in per_day:
            per_day[state][index] += n
        posted[local_hour.hour] += n
    return per_day, posted


# ---------------------------------------------------------------------------------------------
# The backlog and the waits.


def pending_at_end(window):
    """Comments pending at the end of each day (the last: now): the queue as it is, worked
    back day by day through the moves into and out of it the trail records (two queries:
    the queue's count, from its own index; each day's moves)."""
    moves = (
        ModerationEvent.objects.filter(ENTERS_PENDING | LEAVES_PENDING)
        .filter(created_at__gte=window.start)
        .order_by()
        .values(
            day=Case(
                When(GreaterThan(F("created_at"), window.now), then=Value(None)),
                default=window.day("created_at"),
            )
        )
        .annotate(
            entries=Count("created_at", filter=ENTERS_PENDING),
            exits=Count("created_at", filter=LEAVES_PENDING),
        )
        .values_list("day", "entries", "exits")
    )
    net = [0] * DAYS  # entries - exits, each day up to now
    after_now = 0
    for day, entries, exits in moves:
        index = None if day is None else window.day_index(day)
        if index is None:
            after_now += entries - exits
        else:
            net[index] += entries - exits
    pending = Comment.objects.pending().count() - after_now
    at_end = [0] * DAYS
    for index in reversed(range(DAYS)):
        at_end[index] = pending
        pending -= net[index]
    return at_end


def held_comments(window):
    """One row per comment the policy held when it was posted (since LOOKBACK before the 30
    days) and first decided within the 30 days: the local `day` of that first decision, the
    local `hour` it was posted (None if before the 30 days) and the `wait` between, from
    the trail's moves into and out of the queue alone."""
    return (
        ModerationEvent.objects.filter(ENTERS_PENDING | LEAVES_PENDING)
        .filter(created_at__gte=window.start - LOOKBACK, created_at__lte=window.now)
        .order_by()
        .values("comment_ref")
        .annotate(
            submitted=Min("created_at", filter=HELD_SUBMISSION),
            decided=Min("created_at", filter=LEAVES_PENDING),
        )
        .filter(submitted__isnull=False, decided__gte=window.start)
        .annotate(
            day=window.day("decided"),
            hour=Case(
                When(LessThan(F("submitted"), window.start), then=Value(None)),
                default=window.hour("submitted"),
            ),
            wait=ExpressionWrapper(F("decided") - F("submitted"), output_field=DurationField()),
        )
        .values("day", "hour", "wait")
    )


def percentile(ordered, fraction):
    """percentile_cont of a sorted list (None when it is empty), as PostgreSQL computes it."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def minutes(wait):
    """A wait (a timedelta, or None) in minutes, to the hundredth."""
    return None if wait is None else round(wait.total_seconds() / 60, 2)


def waits(window):
    """({decided, wait_median_minutes, wait_p90_minutes} by the decision's day,
    {wait_median_minutes, wait_p90_minutes} by the hour the comments were posted)."""
    decided, day_median, day_p90 = [0] * DAYS, [None] * DAYS, [None] * DAYS
    hour_median, hour_p90 = [None] * 24, [None] * 24
    by_day, by_hour = (
        waits_in_postgresql(window) if connection.vendor == "postgresql" else waits_here(window)
    )
    for day, n, median, p90 in by_day:
        index = window.day_index(day)
        if index is not None:
            decided[index], day_median[index], day_p90[index] = n, median, p90
    for hour, median, p90 in by_hour:
        hour_median[hour], hour_p90[hour] = median, p90
    return (
        {"wait_median_minutes": day_median, "wait_p90_minutes": day_p90, "decided": decided},
        {"wait_median_minutes": hour_median, "wait_p90_minutes": hour_p90},
    )


def waits_in_postgresql(window):
    """([(day, count, median, p90)], [(hour, median, p90)]), grouped both ways by PostgreSQL
    in one query over held_comments() (GROUPING SETS, which the ORM does not write), with
    WAITS_WORK_MEM for it."""
    inner, params = held_comments(window).query.sql_with_params()
    # The ORM's own SQL (its values as parameters) inside a statement of constants.
    sql = (
        "SELECT GROUPING(held.day), held.day, held.hour, COUNT(*),"  # noqa: S608
        " percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY held.wait)"
        f" FROM ({inner}) AS held GROUP BY GROUPING SETS ((held.day), (held.hour))"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Room to group and sort a month of held comments in memory, for this query only.
        cursor.execute(f"SET LOCAL work_mem = '{WAITS_WORK_MEM}'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_day = [
        (day, n, minutes(median), minutes(p90))
        for by_hour, day, _, n, (median, p90) in rows
        if not by_hour and day is not None
    ]
    by_hour = [
        (int(hour), minutes(median), minutes(p90))
        for by_hour, _, hour, _, (median, p90) in rows
        if by_hour and hour is not None
    ]
    return by_day, by_hour


def waits_here(window):
    """The same as waits_in_postgresql(), worked out here from the rows of held_comments()
    (SQLite has no percentile aggregate)."""
    days, hours = {}, {}
    for row in held_comments(window):
        days.setdefault(as_date(row["day"]), []).append(row["wait"])
        if row["hour"] is not None:
            hours.setdefault(row["hour"], []).append(row["wait"])
    by_day = [
        (day, len(found), minutes(percentile(found, 0.5)), minutes(percentile(found, 0.9)))
        for day, found in ((day, sorted(found)) for day, found in days.items())
    ]
    by_hour = [
        (hour, minutes(percentile(found, 0.5)), minutes(percentile(found, 0.9)))
        for hour, found in ((hour, sorted(found)) for hour, found in hours.items())
    ]
    return by_day, by_hour


# ---------------------------------------------------------------------------------------------
# What decided.


def deciders(window):
    """By week of posting: the comments a person decided, and those each rule decided (one
    query over the 5 weeks' submissions, with the comments people and readers' reports
    changed as two sets the database gathers once each)."""
    since = {"created_at__gte": window.weeks_start, "created_at__lte": window.now}
    by_people = (
        ModerationEvent.objects.filter(actor__isnull=False, **since)
        .exclude(from_status=F("to_status"))
        .values("comment_ref")
    )
    held_by_reports = (
        ModerationEvent.objects.filter(ENTERS_PENDING)
        .filter(action=Action.HOLD, **since)
        .values("comment_ref")
    )
    person = Q(comment_ref__in=by_people)
    reports = Q(comment_ref__in=held_by_reports) & ~person
    rows = (
        ModerationEvent.objects.filter(action=Action.SUBMIT, **since)
        .order_by()
        .values(week=window.week("created_at"), submit_rule=F("rule"))
        .annotate(
            n=Count("*"),
            people=Count("comment_ref", filter=person),
            reports=Count("comment_ref", filter=reports),
        )
        .values_list("week", "submit_rule", "n", "people", "reports")
    )
    counts = {rule: [0] * WEEKS for rule in RULES}
    people = [0] * WEEKS
    for week, rule, n, by_person, by_reports in rows:
        if week is None:
            continue
        people[week] += by_person
        counts[READER_REPORTS][week] += by_reports
        if rule:
            counts.setdefault(rule, [0] * WEEKS)[week] += n - by_person - by_reports
    return {
        "weeks": list(window.weeks),
        "rules": list(counts),
        "counts": counts,
        "people": people,
    }


# ---------------------------------------------------------------------------------------------
# The spam filter.


def spam_scores(window, versions):
    """The scores of the approved and spam comments posted in the 30 days, in BINS bins
    (one query), and the thresholds of the filter in force (the latest of `versions`, if
    it acts)."""
    found = {
        "edges": list(EDGES),
        Status.APPROVED.value: [0] * BINS,
        Status.SPAM.value: [0] * BINS,
    }
    rows = (
        posted_in(window)
        .filter(status__in=(Status.APPROVED, Status.SPAM), spam_score__isnull=False)
        .values(
            state=F("status"),
            bin=Least(Greatest(Floor(F("spam_score") * BINS), Value(0.0)), Value(BINS - 1.0)),
        )
        .annotate(n=Count("*"))
        .values_list("state", "bin", "n")
    )
    for state, score_bin, n in rows:
        found[state][int(score_bin)] += n
    in_force = versions[-1] if versions and versions[-1]["acts"] else {}
    found["hold_threshold"] = in_force.get("hold_threshold")
    found["spam_threshold"] = in_force.get("spam_threshold")
    return found


def latest_versions():
    """The latest FILTER_VERSIONS trained filters, oldest first (without their model: one
    query)."""
    rows = SpamFilterVersion.objects.order_by("-pk").values(
        "pk", "created_at", "cv_recall", "cv_false_spam", "acts", "hold_threshold", "spam_threshold"
    )[:FILTER_VERSIONS]
    return list(rows)[::-1]


def filter_versions(versions):
    return [
        {
            "id": row["pk"],
            "created_at": row["created_at"],
            "recall": row["cv_recall"],
            "false_spam": row["cv_false_spam"],
            "acts": row["acts"],
        }
        for row in versions
    ]


# ---------------------------------------------------------------------------------------------
# The most discussed.


def most_discussed(now):
    """The TOP discussions by approved comments posted in the last 24 hours and 7 days."""
    return {
        "day": top_discussions(now - timedelta(hours=24), now),
        "week": top_discussions(now - timedelta(days=7), now),
    }


def top_discussions(since, now):
    """One query: the approved comments of the time counted by discussion, the top TOP with
    their discussion's title and address."""
    rows = (
        Comment.objects.approved()
        .filter(submitted_at__gte=since, submitted_at__lte=now)
        .order_by()
        .values("discussion_id", "discussion__title", "discussion__url", "discussion__content_type")
        .annotate(n=Count("*"))
        .order_by("-n", "discussion_id")
        .values_list(
            "discussion_id", "discussion__title", "discussion__url", "discussion__content_type", "n"
        )[:TOP]
    )
    found = []
    for pk, title, url, content_type_id, n in rows:
        discussion = Discussion(pk=pk, title=title, url=url, content_type_id=content_type_id)
        found.append(
            {
                "discussion_id": pk,
                "title": str(discussion),
                "url": discussion.get_absolute_url(),
                "comments": n,
            }
        )
    return found
