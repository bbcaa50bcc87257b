"""The dashboard's figures (comments.stats.figures) against hand-counted fixtures.

The desk's month is made through the write path (moderation.submit, approve, mark_spam,
remove, hold), each change then moved back to the time the story needs (the write path
stamps the trail with the real time): "now" is frozen by passing `now=` to figures(). The
site is in New York, so a comment at 23:30 local is posted the next day in UTC, and the 30
days cross the change to summer time (8 March 2026)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment, Discussion, ModerationEvent, SpamFilterVersion
from comments.stats import cached_figures, figures
from comments.stats.figures import CACHE_KEY, EDGES, KEEP_SECONDS, RULES, percentile
from tests.factories import discussion_of, make_article, make_comment, make_editor

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# A Wednesday; the 30 days are 17 February to 18 March, the weeks start on Mondays 16 and
# 23 February, 2, 9 and 16 March.
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=NEW_YORK)
KNOWN = {"author_name": "Known Reader", "author_email": "known@example.com"}
LINKS = "See https://a.example, https://b.example and https://c.example."


def local(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def index(month, day):
    """The day's index in the 30 days."""
    return (datetime(2026, month, day) - datetime(2026, 2, 17)).days


@pytest.fixture(autouse=True)
def in_new_york(settings):
    settings.TIME_ZONE = "America/New_York"


_bodies = iter(range(10_000))


def post(article, at, *, body=None, decision=None, **author):
    """A comment posted at `at` through the write path (the policy decides, or `decision`,
    a decision the request reached), its submission moved back to `at`."""
    n = next(_bodies)
    comment = Comment(
        discussion=discussion_of(article),
        author_name=author.get("author_name", f"New reader {n}"),
        author_email=author.get("author_email", f"new{n}@example.com"),
        ip_address="192.0.2.7",
        submitted_at=at,
    )
    comment.set_body(body or f"Comment number {n}.")
    moderation.submit(comment, spam=decision)
    at_time(comment, at)
    return comment


def at_time(comment, at):
    """Move the comment's latest trail event to `at` (a test's fixture, never the site)."""
    latest = ModerationEvent.objects.filter(comment_ref=comment.pk).order_by("-pk").first()
    ModerationEvent.objects.filter(pk=latest.pk).update(created_at=at)


def decide(decision, comment, by, at):
    assert decision([comment], by=by)
    at_time(comment, at)


@pytest.fixture
def desk_month(article):
    """The month at the desk, hand-counted in the tests below (local times):

    - A 18 Mar 09:00, new author: still pending.
    - B 17 Mar 23:30, new author: approved by the editor 18 Mar 01:30 (waited 120 min).
    - C 17 Mar 10:00, 3 links: held; marked spam 10:30 (30 min).
    - D 16 Mar 08:00, honeypot: spam at once.
    - E 16 Mar 12:00, known author: approved at once.
    - G 16 Mar 20:00, known author: approved, held by readers' reports 17 Mar 12:00.
    - F 10 Mar 14:00, new author: removed 11 Mar 14:00 (1440 min).
    - J1, J2, J3 12 Mar 09:00, 09:20, 11:00: approved 09:10, 09:40, 12:00 (10, 20, 60 min).
    - K 13 Mar 10:00: approved 11:00 (60 min), held by reports 14 Mar 09:00, approved again
      10:00 (not a first decision).
    - H 10 Feb 10:00 (before the 30 days): approved 20 Feb 10:00 (14400 min, 10 days).
    - Z 18 Mar 17:00, after "now": pending, counted nowhere.
    - And the known author's first comment, approved in 2025 (made without the trail).
    """
    editor = make_editor()
    make_comment(article, submitted_at=datetime(2025, 12, 1, tzinfo=NEW_YORK), **KNOWN)
    c = {}
    c["A"] = post(article, local(3, 18, 9))
    c["B"] = post(article, local(3, 17, 23, 30))
    decide(moderation.approve, c["B"], editor, local(3, 18, 1, 30))
    c["C"] = post(article, local(3, 17, 10), body=LINKS)
    decide(moderation.mark_spam, c["C"], editor, local(3, 17, 10, 30))
    c["D"] = post(article, local(3, 16, 8), decision=moderation.HONEYPOT)
    c["E"] = post(article, local(3, 16, 12), body="Known, once.", **KNOWN)
    c["G"] = post(article, local(3, 16, 20), body="Known, twice.", **KNOWN)
    decide(moderation.hold, c["G"], moderation.READER_REPORTS, local(3, 17, 12))
    c["F"] = post(article, local(3, 10, 14))
    decide(moderation.remove, c["F"], editor, local(3, 11, 14))
    for name, (posted, decided) in {
        "J1": (local(3, 12, 9), local(3, 12, 9, 10)),
        "J2": (local(3, 12, 9, 20), local(3, 12, 9, 40)),
        "J3": (local(3, 12, 11), local(3, 12, 12)),
    }.items():
        c[name] = post(article, posted)
        decide(moderation.approve, c[name], editor, decided)
    c["K"] = post(article, local(3, 13, 10))
    decide(moderation.approve, c["K"], editor, local(3, 13, 11))
    decide(moderation.hold, c["K"], moderation.READER_REPORTS, local(3, 14, 9))
    decide(moderation.approve, c["K"], editor, local(3, 14, 10))
    c["H"] = post(article, local(2, 10, 10))
    decide(moderation.approve, c["H"], editor, local(2, 20, 10))
    c["Z"] = post(article, NOW + timedelta(hours=2))
    return c


def zeros(n):
    return [0] * n


def test_the_windows_are_local_days_and_monday_weeks():
    found = figures(now=NOW)
    days = found["per_day"]["days"]
    assert len(days) == 30
    assert days[0].isoformat() == "2026-02-17"
    assert days[-1].isoformat() == "2026-03-18"
    assert found["backlog"]["days"] == days
    assert [week.isoformat() for week in found["deciders"]["weeks"]] == [
        "2026-02-16",
        "2026-02-23",
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]
    assert found["by_hour"]["hours"] == list(range(24))
    assert found["generated_at"] == NOW


def test_late_in_the_evening_is_still_today_in_the_sites_time_zone():
    """At 21:00 in New York it is already tomorrow in UTC: the last day is New York's."""
    evening = local(3, 18, 21)
    assert figures(now=evening)["per_day"]["days"][-1].isoformat() == "2026-03-18"


def test_a_zone_half_an_hour_off_utc(settings, article):
    """Local days and hours in a zone whose offset is not whole hours (India, +05:30)."""
    settings.TIME_ZONE = "Asia/Kolkata"
    kolkata = ZoneInfo("Asia/Kolkata")
    now = datetime(2026, 3, 18, 12, 0, tzinfo=kolkata)
    for at in (
        datetime(2026, 3, 17, 23, 45, tzinfo=kolkata),
        datetime(2026, 3, 18, 0, 15, tzinfo=kolkata),
    ):
        post(article, at)
    found = figures(now=now)
    assert found["per_day"]["pending"][-2:] == [1, 1]
    assert found["by_hour"]["posted"][23] == found["by_hour"]["posted"][0] == 1
    assert found["backlog"]["pending_at_end"][-3:] == [0, 1, 2]


def test_an_empty_site_is_all_zeros():
    found = figures(now=NOW)
    for status in ("approved", "pending", "spam", "removed"):
        assert found["per_day"][status] == zeros(30)
    assert found["backlog"]["pending_at_end"] == zeros(30)
    assert found["backlog"]["decided"] == zeros(30)
    assert found["backlog"]["wait_median_minutes"] == [None] * 30
    assert found["backlog"]["wait_p90_minutes"] == [None] * 30
    assert found["by_hour"]["posted"] == zeros(24)
    assert found["by_hour"]["wait_median_minutes"] == [None] * 24
    assert found["by_hour"]["wait_p90_minutes"] == [None] * 24
    assert found["deciders"]["rules"] == list(RULES)
    assert found["deciders"]["counts"] == {rule: zeros(5) for rule in RULES}
    assert found["deciders"]["people"] == zeros(5)
    assert found["spam_scores"] == {
        "edges": list(EDGES),
        "approved": zeros(20),
        "spam": zeros(20),
        "hold_threshold": None,
        "spam_threshold": None,
    }
    assert found["filter_versions"] == []
    assert found["most_discussed"] == {"day": [], "week": []}


def test_comments_per_day_by_how_they_ended(desk_month):
    per_day = figures(now=NOW)["per_day"]
    expected = {status: zeros(30) for status in ("approved", "pending", "spam", "removed")}
    expected["pending"][index(3, 18)] = 1  # A (Z is after now)
    expected["approved"][index(3, 17)] = 1  # B, at 23:30 local (03:30 the next day in UTC)
    expected["spam"][index(3, 17)] = 1  # C
    expected["spam"][index(3, 16)] = 1  # D
    expected["approved"][index(3, 16)] = 1  # E
    expected["pending"][index(3, 16)] = 1  # G, held after reports
    expected["removed"][index(3, 10)] = 1  # F
    expected["approved"][index(3, 12)] = 3  # J1, J2, J3
    expected["approved"][index(3, 13)] = 1  # K
    for status, counts in expected.items():
        assert per_day[status] == counts, status


def test_comments_posted_by_local_hour(desk_month):
    posted = figures(now=NOW)["by_hour"]["posted"]
    expected = zeros(24)
    for hour in (9, 23, 10, 8, 12, 20, 14, 9, 9, 11, 10):  # A B C D E G F J1 J2 J3 K
        expected[hour] += 1
    assert posted == expected


def test_the_backlog_at_each_days_end(desk_month):
    pending = figures(now=NOW)["backlog"]["pending_at_end"]
    expected = zeros(30)
    for day in range(index(2, 17), index(2, 20)):
        expected[day] = 1  # H, until 20 Feb
    expected[index(3, 10)] = 1  # F, until 11 Mar
    expected[index(3, 17)] = 2  # B (posted 23:30) and G (held at noon)
    expected[index(3, 18)] = 2  # now: A and G (B decided at 01:30; Z comes later)
    assert pending == expected


def test_the_first_decisions_and_their_waits_by_day(desk_month):
    backlog = figures(now=NOW)["backlog"]
    decided, median, p90 = zeros(30), [None] * 30, [None] * 30
    for (month, day), n, middle, high in [
        ((2, 20), 1, 14400.0, 14400.0),  # H, posted before the 30 days
        ((3, 11), 1, 1440.0, 1440.0),  # F
        ((3, 12), 3, 20.0, 52.0),  # J1-J3: 10, 20, 60; p90 = 20 + 0.8 x 40
        ((3, 13), 1, 60.0, 60.0),  # K (its second approval is no first decision)
        ((3, 17), 1, 30.0, 30.0),  # C
        ((3, 18), 1, 120.0, 120.0),  # B
    ]:
        decided[index(month, day)] = n
        median[index(month, day)], p90[index(month, day)] = middle, high
    assert backlog["decided"] == decided
    assert backlog["wait_median_minutes"] == pytest.approx(median)
    assert backlog["wait_p90_minutes"] == pytest.approx(p90)


def test_the_waits_by_the_hour_comments_were_posted(desk_month):
    by_hour = figures(now=NOW)["by_hour"]
    median, p90 = [None] * 24, [None] * 24
    median[9], p90[9] = 15.0, 19.0  # J1, J2: 10 and 20 minutes
    median[10], p90[10] = 45.0, 57.0  # C and K: 30 and 60
    median[11], p90[11] = 60.0, 60.0  # J3
    median[14], p90[14] = 1440.0, 1440.0  # F
    median[23], p90[23] = 120.0, 120.0  # B, at 23:30
    assert by_hour["wait_median_minutes"] == pytest.approx(median)
    assert by_hour["wait_p90_minutes"] == pytest.approx(p90)


def test_what_decided_each_week(desk_month):
    deciders = figures(now=NOW)["deciders"]
    expected = {rule: zeros(5) for rule in RULES}
    expected["new author"][4] = 1  # A, still held
    expected["honeypot"][4] = 1  # D
    expected["known author"][4] = 1  # E
    expected["reader reports"][4] = 1  # G
    assert deciders["counts"] == expected
    # F, J1-J3, K the week of 9 March; B and C (an editor decided) the week of 16 March. H
    # was posted before the 5 weeks.
    assert deciders["people"] == [0, 0, 0, 5, 2]
    assert deciders["rules"] == list(RULES)


def test_a_rule_the_dashboard_does_not_list_yet_is_counted_all_the_same(article):
    comment = post(
        article, local(3, 18, 8), decision=moderation.Decision("pending", "night shift", "x")
    )
    assert comment.status == "pending"
    deciders = figures(now=NOW)["deciders"]
    assert deciders["rules"] == [*RULES, "night shift"]
    assert deciders["counts"]["night shift"] == [0, 0, 0, 0, 1]


def spam_filter(**fields):
    return SpamFilterVersion.objects.create(
        trigger="test", model=b"", ham_examples=300, spam_examples=100, **fields
    )


def test_the_spam_scores_in_twenty_bins(article):
    for status, score in [
        ("approved", 0.0),
        ("approved", 0.049),
        ("approved", 0.05),
        ("approved", 0.97),
        ("approved", 1.0),
        ("spam", 0.15),
        ("spam", 0.999),
        ("spam", 1.0),
        ("pending", 0.5),  # neither approved nor spam
        ("removed", 0.5),
        ("approved", None),  # not scored
    ]:
        make_comment(article, status=status, spam_score=score, submitted_at=local(3, 18, 9))
    make_comment(article, status="spam", spam_score=0.5, submitted_at=local(2, 16, 23))  # before
    scores = figures(now=NOW)["spam_scores"]
    assert scores["edges"] == [round(0.05 * i, 2) for i in range(21)]
    approved, spam = zeros(20), zeros(20)
    approved[0], approved[1], approved[19] = 2, 1, 2
    spam[3], spam[19] = 1, 2
    assert scores["approved"] == approved
    assert scores["spam"] == spam


def test_the_thresholds_are_the_filter_in_forces(db):
    spam_filter(acts=True, hold_threshold=0.5, spam_threshold=0.9)
    scores = figures(now=NOW)["spam_scores"]
    assert (scores["hold_threshold"], scores["spam_threshold"]) == (0.5, 0.9)
    spam_filter(acts=False)  # too few examples: it only orders the queue
    scores = figures(now=NOW)["spam_scores"]
    assert (scores["hold_threshold"], scores["spam_threshold"]) == (None, None)
    spam_filter(acts=True, hold_threshold=0.4, spam_threshold=0.8)
    scores = figures(now=NOW)["spam_scores"]
    assert (scores["hold_threshold"], scores["spam_threshold"]) == (0.4, 0.8)


def test_the_latest_twenty_filters_oldest_first(db):
    versions = [
        spam_filter(
            acts=n % 2 == 0,
            cv_recall=n / 100,
            cv_false_spam=None if n == 24 else n / 1000,
            created_at=local(1, 1, 0) + timedelta(days=n),
        )
        for n in range(25)
    ]
    found = figures(now=NOW)["filter_versions"]
    assert [row["id"] for row in found] == [version.pk for version in versions[5:]]
    assert found[0] == {
        "id": versions[5].pk,
        "created_at": local(1, 6, 0),
        "recall": 0.05,
        "false_spam": 0.005,
        "acts": False,
    }
    assert found[-1]["false_spam"] is None


def test_the_most_discussed_of_the_day_and_the_week(db):
    first, second, third = make_article(), make_article(), make_article()
    page = Discussion.objects.of_url("https://other.example/explainer", title="An explainer")
    for target in (first, second, third):
        discussion_of(target)  # made in this order: ids in this order
    for target, count, hours_ago in [
        (second, 3, 2),
        (first, 3, 23),  # as many as the second: the older discussion first
        (third, 1, 1),
        (third, 4, 72),  # this week, not today
        (page, 2, 100),
        (first, 5, 24 * 7 + 1),  # more than a week ago
    ]:
        for _ in range(count):
            make_comment(target, submitted_at=NOW - timedelta(hours=hours_ago))
    make_comment(second, status="pending", submitted_at=NOW - timedelta(hours=1))
    make_comment(page, status="removed", submitted_at=NOW - timedelta(hours=1))
    make_comment(page, submitted_at=NOW + timedelta(hours=1))  # after now
    found = figures(now=NOW)["most_discussed"]

    def row(target, n):
        discussion = discussion_of(target)
        return {
            "discussion_id": discussion.pk,
            "title": discussion.title,
            "url": discussion.get_absolute_url(),
            "comments": n,
        }

    assert found["day"] == [row(first, 3), row(second, 3), row(third, 1)]
    assert found["week"] == [row(third, 5), row(first, 3), row(second, 3), row(page, 2)]
    assert found["week"][0]["url"] == third.get_absolute_url()
    assert found["week"][-1]["url"] == reverse(
        "comments:discussion", kwargs={"discussion_id": page.pk}
    )


def test_at_most_ten_discussions_ties_by_id(db):
    articles = [make_article() for _ in range(12)]
    for n, target in enumerate(articles):
        make_comment(target, submitted_at=NOW - timedelta(hours=1))
        if n in (5, 11):
            make_comment(target, submitted_at=NOW - timedelta(hours=2))
    ids = [discussion_of(target).pk for target in articles]
    found = figures(now=NOW)["most_discussed"]["day"]
    assert [row["discussion_id"] for row in found] == [ids[5], ids[11], *ids[:5], *ids[6:9]]


def make_busy_desk(article, editor, n):
    """`n` comments over the month, each decided or not, in every way the figures count."""
    make_comment(article, submitted_at=datetime(2025, 12, 1, tzinfo=NEW_YORK), **KNOWN)
    for i in range(n):
        at = NOW - timedelta(days=i % 34, hours=i % 7)
        if i % 5 == 0:
            post(article, at, decision=moderation.HONEYPOT)
        elif i % 5 == 1:
            post(article, at, body=f"Known {i}.", **KNOWN)
        else:
            comment = post(article, at)
            if i % 5 == 2:
                decide(moderation.approve, comment, editor, at + timedelta(minutes=i))
            elif i % 5 == 3:
                decide(moderation.remove, comment, editor, at + timedelta(minutes=i))


def queries_for(article, editor, n):
    make_busy_desk(article, editor, n)
    with CaptureQueriesContext(connection) as queries:
        found = figures(now=NOW)
    assert sum(found["per_day"]["approved"]) > 0
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_comments(article):
    """Guards the dashboard's cost: its figures are aggregates the database counts, so 50
    comments (or a million) cost the same queries as 5, never one per comment, day or
    discussion, and no more than 12 (11 on PostgreSQL, 10 on SQLite)."""
    editor = make_editor()
    few = queries_for(article, editor, 5)
    many = queries_for(make_article(), editor, 50)
    assert few == many
    assert many <= 12


def test_the_figures_are_kept_a_minute(article):
    make_comment(article)
    first = cached_figures()
    make_comment(article)
    with CaptureQueriesContext(connection) as queries:
        again = cached_figures()
    assert len(queries) == 0
    assert again == first
    assert sum(again["per_day"]["approved"]) == 1


def test_percentile_interpolates_as_postgresql_does():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([10, 20, 60], 0.5) == 20
    assert percentile([10, 20, 60], 0.9) == pytest.approx(52)
    assert percentile([1, 2, 3, 4], 0.5) == 2.5


def test_no_personal_data_in_the_figures(desk_month):
    text = repr(figures(now=NOW))
    for personal in ("@example.com", "192.0.2.", "Known Reader", "New reader", "Comment number"):
        assert personal not in text


def test_older_figures_are_answered_at_once_and_counted_anew_off_the_request(article):
    """Counting takes some 320 ms on a million comments: once the kept figures are a minute
    old, the next reader gets them as they are and one task counts anew (the tests' task
    backend runs it at once; in production the worker does)."""
    make_comment(article)
    first = cached_figures()
    make_comment(article)
    key = f"{CACHE_KEY}:{timezone.get_current_timezone_name()}"
    aged = {**first, "generated_at": first["generated_at"] - timedelta(seconds=61)}
    cache.set(key, aged, KEEP_SECONDS)

    answered = cached_figures()

    assert answered == aged, "the reader is not kept waiting for the count"
    counted = cache.get(key)
    assert sum(counted["per_day"]["approved"]) == 2, "the task counted anew"
    assert counted["generated_at"] > aged["generated_at"]
    # One count per minute however many readers come meanwhile: the next one is the newer.
    assert cached_figures() == counted


def test_with_no_figures_kept_the_request_counts_them(article):
    make_comment(article)
    cache.clear()
    assert sum(cached_figures()["per_day"]["approved"]) == 1


def test_figures_ten_minutes_old_are_counted_in_the_request(article):
    """No task worker ran the queued count (`make serve` without `make worker`): rather than
    show old figures for a day, the request counts them."""
    make_comment(article)
    first = cached_figures()
    make_comment(article)
    key = f"{CACHE_KEY}:{timezone.get_current_timezone_name()}"
    old = {**first, "generated_at": first["generated_at"] - timedelta(minutes=11)}
    cache.set(key, old, KEEP_SECONDS)
    cache.add(f"{key}:refreshing", True, 60)  # a count was queued, and never ran
    assert sum(cached_figures()["per_day"]["approved"]) == 2
