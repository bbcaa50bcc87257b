"""The moderation dashboard in a real Chromium (Playwright against the live server): a month of
a newsroom's comments, drawn; axe-core finds nothing serious or critical, with its tables
open or closed; the charts are images a screen reader can name; and the screenshot in
docs/dashboard.png comes from here (UPDATE_SCREENSHOTS=1 writes it, as `make screenshots`
would; otherwise the test only checks it renders).

The browser, its contexts, the admin login and the axe-core audit come from
tests/browser/test_browser.py, so both modules skip (locally) or fail (CI=true) alike without
Chromium.
"""

import os
import random
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Discussion, ModerationEvent, SpamFilterVersion
from tests import factories
from tests.browser import test_browser
from tests.browser.test_browser import (
    EDITOR_PASSWORD,
    assert_no_serious_violations,
    expect,
    log_in_to_admin,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

browser = test_browser.browser
new_page = test_browser.new_page
audit_page = test_browser.audit_page
fast_password_hashing = test_browser.fast_password_hashing

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
FIGURES = 8
HEADLINES = [
    "Harbour accord: envoys agree on a timetable",
    "Council votes to close the old library",
    "Tram line extension delayed by two years",
    "Heatwave: what the new water limits mean",
    "Local team reaches the cup final",
    "School meals to be free for every pupil",
    "Budget 2025: the winners and the losers",
    "Opinion: the city needs more night buses",
]
# The rules that send a comment straight to spam, and how often each does.
SPAM_RULES = [("spam filter", 12), ("honeypot", 3), ("links", 2), ("form token", 1)]
Status = Comment.Status


def waiting_minutes(rng, hour):
    """How long a held comment waits for an editor: minutes in the day, the night till the
    morning shift."""
    if 8 <= hour < 19:
        return rng.uniform(4, 70)
    if 19 <= hour < 24:
        return rng.uniform(30, 200)
    return (8 - hour) * 60 + rng.uniform(0, 90)


def a_realistic_month(editor, seed=21):
    """About three hundred comments over the last 30 days on eight articles, as a newsroom
    sees them: most from known authors published at once, new authors' held and decided by
    an editor after a wait (longer at night), spam caught by the rules and the filter, a few
    removed, the last hours' still pending; with their spam scores, their trail, and the
    spam filter retrained along the way. Returns the comments."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    articles = [
        factories.make_article(
            headline=headline, slug=f"story-{n}", published_at=now - timedelta(days=30 - 3 * n)
        )
        for n, headline in enumerate(HEADLINES)
    ]
    discussions = [factories.discussion_of(article) for article in articles]
    hours = list(range(24))
    hour_weights = [1, 1, 0.5, 0.3, 0.3, 0.5, 1, 3, 5, 6, 6, 5, 6, 6, 5, 5, 5, 6, 7, 8, 8, 7, 5, 3]
    comments, plans = [], []
    for ago in range(29, -1, -1):
        day = today - timedelta(days=ago)
        weekend = day.weekday() >= 5
        count = rng.randint(5, 9) + (29 - ago) // 6 - (3 if weekend else 0)
        for _ in range(count):
            hour = rng.choices(hours, hour_weights)[0]
            posted = timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(60))))
            if posted > now:
                posted = now - timedelta(minutes=rng.uniform(1, 50))
            live = [d for d in discussions if d.published_at <= posted] or discussions[:1]
            discussion = rng.choice(live[-4:])
            roll = rng.random()
            if roll < 0.2:
                rule = rng.choices([r for r, _ in SPAM_RULES], [w for _, w in SPAM_RULES])[0]
                plan = ("spam", rule, None, rng.betavariate(9, 1.4))
            elif roll < 0.25:  # held, then found to be spam by an editor
                plan = ("spam", "new author", waiting_minutes(rng, hour), rng.betavariate(4, 3))
            elif roll < 0.6:
                wait = waiting_minutes(rng, hour)
                ending = "removed" if rng.random() < 0.1 else "approved"
                plan = (ending, rng.choice(["new author"] * 6 + ["hold words"]), wait, None)
            else:
                plan = ("approved", "known author", None, None)
            status, rule, wait, score = plan
            if score is None:
                score = rng.betavariate(1.3, 11)
            if wait is not None and posted + timedelta(minutes=wait) > now:
                status, wait = "pending", None  # not decided yet
                plans.append((rule, "pending", None))
            else:
                plans.append((rule, "pending" if wait is not None else status, wait))
            n = len(comments)
            comment = Comment(
                discussion=discussion,
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.com",
                ip_address=f"198.51.100.{n % 250 + 1}",
                status=status,
                submitted_at=posted,
                spam_score=round(min(score, 1.0), 3) if n % 17 else None,
            )
            comment.set_body(f"Comment {n} on the {discussion.title}: a view of my own.")
            comment.derive_fields()
            comments.append(comment)
    comments = Comment.objects.bulk_create(comments)
    Discussion.objects.recount([d.pk for d in discussions])
    events = []
    for comment, (rule, first, wait) in zip(comments, plans, strict=True):
        events.append(
            ModerationEvent(
                comment=comment,
                comment_ref=comment.pk,
                action="submit",
                from_status="",
                to_status=first,
                rule=rule,
                reason=f"{rule}: as the policy says",
                created_at=comment.submitted_at,
            )
        )
        if wait is not None:
            events.append(
                ModerationEvent(
                    comment=comment,
                    comment_ref=comment.pk,
                    action={"approved": "approve", "spam": "spam", "removed": "remove"}[
                        comment.status
                    ],
                    from_status="pending",
                    to_status=comment.status,
                    actor=editor,
                    reason="moderation queue",
                    created_at=comment.submitted_at + timedelta(minutes=wait),
                )
            )
    ModerationEvent.objects.bulk_create(events)
    for n in range(8):  # retrained every few days, better each time
        acts = n >= 2
        SpamFilterVersion.objects.create(
            created_at=now - timedelta(days=29 - 4 * n, hours=3),
            trigger="25 new decisions",
            model=b"",
            ham_examples=120 + 40 * n,
            spam_examples=40 + 15 * n,
            acts=acts,
            hold_threshold=0.5 if acts else None,
            spam_threshold=round(0.93 - 0.01 * n, 2) if acts else None,
            cv_recall=None if n == 0 else round(0.6 + 0.045 * n + rng.uniform(-0.02, 0.02), 3),
            cv_false_spam=None if n == 0 else round(0.03 / n, 4),
        )
    return comments


def dashboard_url(live_server):
    return live_server.url + reverse("admin:comments_comment_dashboard")


def test_the_dashboard_passes_axe_and_renders_its_screenshot(live_server, audit_page, tmp_path):
    """Guards: no serious or critical axe-core violation on the dashboard of a realistic
    month, its tables closed and open; every chart is an image named by its title; the page
    loads no script of its own and no image from elsewhere. Renders the screenshot, and with
    UPDATE_SCREENSHOTS=1 writes it to docs/dashboard.png."""
    editor = factories.make_editor(password=EDITOR_PASSWORD)
    a_realistic_month(editor)
    page = audit_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_to_admin(page, live_server)
    page.goto(dashboard_url(live_server))
    figures = page.locator("figure.dash-figure")
    expect(figures).to_have_count(FIGURES)
    charts = page.get_by_role("img")
    expect(charts).to_have_count(FIGURES)
    expect(page.get_by_role("img", name="Comments per day, by how they ended")).to_be_visible()
    for i in range(FIGURES):
        chart = charts.nth(i)
        assert chart.get_attribute("direction") == "ltr"
        assert (chart.bounding_box() or {}).get("width", 0) > 300
    expect(page.locator("#dash-most-discussed-week li")).not_to_have_count(0)
    assert_no_serious_violations(page, "the dashboard")

    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "d.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 50_000
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    for summary in page.locator("details.dash-table summary").all():
        summary.click()
    expect(page.locator("details.dash-table[open]")).to_have_count(FIGURES)
    expect(page.locator("details.dash-table table").first).to_be_visible()
    assert_no_serious_violations(page, "the dashboard with its tables open")


def test_the_dashboard_right_to_left_keeps_its_charts_left_to_right(live_server, audit_page):
    """Guards: in Arabic (right to left) the page turns, the charts do not (their axes read
    from the left), and axe-core still finds nothing serious or critical."""
    editor = factories.make_editor(password=EDITOR_PASSWORD)
    a_realistic_month(editor, seed=5)
    page = audit_page()
    log_in_to_admin(page, live_server)
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(dashboard_url(live_server))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    chart = page.locator("svg.dash-chart").first
    assert chart.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert_no_serious_violations(page, "the dashboard in Arabic")


def test_someone_signed_out_is_sent_to_sign_in(live_server, new_page):
    """Guards: opening the dashboard signed out lands on the admin's sign-in, which leads
    back to it."""
    page = new_page()
    page.goto(dashboard_url(live_server))
    expect(page).to_have_url(
        f"{live_server.url}{reverse('admin:login')}?next="
        + reverse("admin:comments_comment_dashboard")
    )
