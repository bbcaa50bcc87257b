"""The moderation dashboard's page (comments/desk/dashboard/views.py, svg.py and
comments/templates/admin/comments/dashboard.html): who may see it, each chart a valid,
labelled SVG, each table alternative holding the figures' numbers, each number's link
opening an admin list of exactly the comments it counts, no commenter's name, email or
address anywhere, and the same number of queries however many comments there are.

The figures themselves are counted by comments.stats.figures (tested in
tests/stats/test_figures.py); here most tests give the page a hand-made figures'
dict, and those about links, personal data and queries use the real ones. The browser's side
(axe-core, the screenshot) is in tests/browser/test_dashboard_browser.py.
"""

import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest
from defusedxml import ElementTree
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.desk.dashboard import svg
from comments.desk.dashboard import views as dashboard_views
from comments.models import Comment, ModerationEvent, SpamFilterVersion
from tests import factories
from tests.conftest import empty
from tests.desk.test_queue import attr, find, find_all, page, text
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

Status = Comment.Status
SVG = "{http://www.w3.org/2000/svg}"
DASH = "\u2013"
STATUSES = ["approved", "pending", "spam", "removed"]
FIGURE_IDS = [
    "dash-figure-per-day",
    "dash-figure-backlog",
    "dash-figure-wait",
    "dash-figure-posted-by-hour",
    "dash-figure-wait-by-hour",
    "dash-figure-deciders",
    "dash-figure-scores",
    "dash-figure-filter-versions",
]


def dashboard_url():
    return reverse("admin:comments_comment_dashboard")


# --- a hand-made figures' dict ------------------------------------------------------------------


def hand_made(now=None):
    """Figures as comments.stats.figures gives them (its contract), with empty days,
    gaps in the waits, rules that decided nothing, and a filter that did not act."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = [today - timedelta(days=29 - i) for i in range(30)]
    zeros = [0] * 30
    approved, pending, spam, removed = list(zeros), list(zeros), list(zeros), list(zeros)
    approved[29], pending[29], spam[29] = 7, 3, 2
    approved[28], removed[28] = 12, 1
    approved[10], spam[10] = 4, 9
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=4 - i) for i in range(5)]
    rules = ["known author", "new author", "links", "spam filter", "honeypot"]
    median = [None] * 30
    p90 = [None] * 30
    median[29], p90[29] = 12.5, 40.0
    median[28], p90[28] = 95.0, 130.0
    by_hour_median = [None] * 24
    by_hour_p90 = [None] * 24
    by_hour_median[9], by_hour_p90[9] = 20.0, 61.0
    by_hour_median[22], by_hour_p90[22] = 150.0, 170.0
    posted = [0] * 24
    posted[9], posted[14], posted[22] = 15, 10, 13
    return {
        "generated_at": now,
        "per_day": {
            "days": days,
            "approved": approved,
            "pending": pending,
            "spam": spam,
            "removed": removed,
        },
        "backlog": {
            "days": days,
            "pending_at_end": [0] * 27 + [2, 5, 3],
            "wait_median_minutes": median,
            "wait_p90_minutes": p90,
            "decided": [0] * 28 + [6, 4],
        },
        "by_hour": {
            "hours": list(range(24)),
            "posted": posted,
            "wait_median_minutes": by_hour_median,
            "wait_p90_minutes": by_hour_p90,
        },
        "deciders": {
            "weeks": weeks,
            "rules": rules,
            "counts": {
                "known author": [0, 3, 0, 10, 6],
                "new author": [0, 1, 0, 2, 4],
                "links": [0, 0, 0, 0, 0],
                "spam filter": [0, 9, 0, 1, 2],
                "honeypot": [0, 0, 0, 0, 0],
            },
            "people": [0, 0, 0, 1, 2],
        },
        "spam_scores": {
            "edges": [round(i * 0.05, 2) for i in range(21)],
            "approved": [5, 8, 6, 3, 1] + [0] * 15,
            "spam": [0] * 15 + [1, 2, 0, 4, 6],
            "hold_threshold": 0.45,
            "spam_threshold": 0.9,
        },
        "filter_versions": [
            {
                "id": 3,
                "created_at": now - timedelta(days=20),
                "recall": None,
                "false_spam": None,
                "acts": False,
            },
            {
                "id": 4,
                "created_at": now - timedelta(days=9),
                "recall": 0.8,
                "false_spam": 0.012,
                "acts": False,
            },
            {
                "id": 5,
                "created_at": now - timedelta(days=2),
                "recall": 0.925,
                "false_spam": 0.004,
                "acts": True,
            },
        ],
        "most_discussed": {
            "day": [
                {
                    "discussion_id": 11,
                    "title": "Harbour <accord> talks",
                    "url": "/news/harbour/",
                    "comments": 9,
                }
            ],
            "week": [
                {
                    "discussion_id": 12,
                    "title": "The budget vote",
                    "url": "/news/budget/",
                    "comments": 31,
                },
                {
                    "discussion_id": 11,
                    "title": "Harbour <accord> talks",
                    "url": "/news/harbour/",
                    "comments": 12,
                },
            ],
        },
    }


def empty_site(now=None):
    """The figures of a site with no comment and no trained filter."""
    figures = hand_made(now)
    for status in STATUSES:
        figures["per_day"][status] = [0] * 30
    figures["backlog"].update(
        pending_at_end=[0] * 30,
        wait_median_minutes=[None] * 30,
        wait_p90_minutes=[None] * 30,
        decided=[0] * 30,
    )
    figures["by_hour"].update(
        posted=[0] * 24, wait_median_minutes=[None] * 24, wait_p90_minutes=[None] * 24
    )
    figures["deciders"]["counts"] = {rule: [0] * 5 for rule in figures["deciders"]["rules"]}
    figures["deciders"]["people"] = [0] * 5
    figures["spam_scores"].update(
        approved=[0] * 20, spam=[0] * 20, hold_threshold=None, spam_threshold=None
    )
    figures["filter_versions"] = []
    figures["most_discussed"] = {"day": [], "week": []}
    return figures


@pytest.fixture
def given_figures(monkeypatch):
    """The page draws the figures this returns (a function setting them)."""
    shown = {}

    def give(figures):
        shown["figures"] = figures
        monkeypatch.setattr(dashboard_views, "cached_figures", lambda: shown["figures"])
        return figures

    return give


# --- reading the page -----------------------------------------------------------------------


def svgs(content):
    """Each <svg>…</svg> of the page, parsed as XML (defusedxml)."""
    found = re.findall(r"<svg [^>]*class=\"dash-chart\".*?</svg>", content, flags=re.S)
    return [ElementTree.fromstring(chunk) for chunk in found]


def table_of(root, figure_id):
    """A figure's table: its caption, column headings, and rows as (heading, [cells]); each
    cell (text, link or None)."""
    figure = next(f for f in find_all(root, "figure") if attr(f, "id") == figure_id)
    table = find(figure, "table")
    caption = text(find(table, "caption"))
    head = [(text(th), attr(th, "scope")) for th in find_all(find(table, "thead"), "th")]
    rows = []
    for tr in find_all(find(table, "tbody"), "tr"):
        heading = find_all(tr, "th")
        cells = []
        for td in find_all(tr, "td"):
            links = find_all(td, "a")
            cells.append((text(td), attr(links[0], "href") if links else None))
        rows.append(
            (
                text(heading[0]) if heading else None,
                attr(heading[0], "scope") if heading else None,
                cells,
            )
        )
    return caption, head, rows


def numbers(rows):
    """The rows' cells as numbers (ints where they are), the dash of no value kept."""

    def value(cell_text):
        if cell_text in {DASH, "yes", "no"}:
            return cell_text
        cleaned = cell_text.replace(",", "").replace("%", "")
        return float(cleaned) if "." in cleaned else int(cleaned)

    return [[value(cell_text) for cell_text, _ in cells] for _, _, cells in rows]


# --- who may see it -----------------------------------------------------------------------------


def test_editors_see_the_dashboard_linked_from_the_index_and_the_queue(
    editor_client, given_figures
):
    """Guards: an editor (staff, the Editors group) gets the page, with its title, every
    figure, and the most discussed; the admin index and the queue link it."""
    given_figures(hand_made())
    response = editor_client.get(dashboard_url())
    root = page(response)
    assert text(find(root, "h1")) == "Moderation dashboard"
    figures = find_all(root, "figure", "dash-figure")
    assert [attr(f, "id") for f in figures] == FIGURE_IDS
    for figure in figures:
        assert text(find(figure, "figcaption"))
        assert find(figure, "details") and text(find(figure, "summary")) == "Table"
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert f'href="{dashboard_url()}"' in index
    queue = editor_client.get(reverse("admin:comments_comment_queue")).content.decode()
    assert f'href="{dashboard_url()}"' in queue
    assert "<script" not in response.content.decode().split('id="content-main"')[1]


def test_readers_are_sent_to_sign_in(client, given_figures):
    """Guards: anyone not staff (signed out, or a signed-in reader) is sent to the admin's
    sign-in, as for every admin page."""
    given_figures(hand_made())
    response = client.get(dashboard_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    reader = User.objects.create_user(username="reader", password="x")
    client.force_login(reader)
    response = client.get(dashboard_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_view_permission_are_refused(client, given_figures):
    """Guards: staff who may not view comments get 403; given the permission, 200."""
    given_figures(hand_made())
    intern = User.objects.create_user(username="intern", password="x", is_staff=True)
    client.force_login(intern)
    assert client.get(dashboard_url()).status_code == 403
    intern.user_permissions.add(Permission.objects.get(codename="view_comment"))
    intern = User.objects.get(pk=intern.pk)  # no cached permissions
    client.force_login(intern)
    assert client.get(dashboard_url()).status_code == 200


# --- the charts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("figures", [hand_made, empty_site], ids=["hand made", "empty site"])
def test_each_chart_is_a_valid_labelled_svg(editor_client, given_figures, figures):
    """Guards: every chart parses as XML; it is an image named by its <title> and described
    by its <desc> (aria-labelledby), scales (viewBox, width 100%), stays left to right, has
    its axes named, its ticks written, and a legend; no script, no style attribute, no
    external reference."""
    given_figures(figures())
    content = editor_client.get(dashboard_url()).content.decode()
    charts = svgs(content)
    assert len(charts) == len(FIGURE_IDS)
    ids = set()
    for chart in charts:
        assert chart.tag == f"{SVG}svg"
        assert chart.get("role") == "img"
        assert chart.get("direction") == "ltr"
        assert chart.get("width") == "100%"
        assert re.fullmatch(r"0 0 \d+ \d+(\.\d)?", chart.get("viewBox"))
        title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
        assert title is not None and title.text.strip()
        assert desc is not None and desc.text.strip()
        assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.get("id") not in ids
        ids.add(title.get("id"))
        texts = ["".join(t.itertext()).strip() for t in chart.iter(f"{SVG}text")]
        axis_labels = [
            "".join(t.itertext()).strip()
            for t in chart.iter(f"{SVG}text")
            if "dash-axis-label" in (t.get("class") or "")
        ]
        assert axis_labels and all(axis_labels), title.text
        assert any(re.fullmatch(r"[\d.,]+\s?%?", t) for t in texts), title.text  # ticks
        legend = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "dash-legend"]
        assert legend and list(legend[0].iter(f"{SVG}text")), title.text
        for element in chart.iter():
            assert element.tag not in {f"{SVG}script", f"{SVG}foreignObject", f"{SVG}image"}
            assert "style" not in element.attrib
            assert not any(name.startswith("on") for name in element.attrib)
            assert element.tag != f"{SVG}a" and "href" not in element.attrib
    # Each chart's patterns are its own: no id is defined twice on the page.
    defined = re.findall(r'\bid="([^"]+)"', content)
    assert len(defined) == len(set(defined))


def test_the_charts_draw_the_numbers(editor_client, given_figures):
    """Guards: what the charts draw: a bar piece per nonzero count, each with its tooltip, the
    gaps of the waits, the thresholds named "hold" and "spam", and the empty notes on an empty
    site."""
    figures = given_figures(hand_made())
    charts = dict(
        zip(FIGURE_IDS, svgs(editor_client.get(dashboard_url()).content.decode()), strict=True)
    )
    per_day = charts["dash-figure-per-day"]
    pieces = [r for r in per_day.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    nonzero = sum(1 for status in STATUSES for v in figures["per_day"][status] if v)
    assert len(pieces) == nonzero
    tips = ["".join(r.find(f"{SVG}title").itertext()) for r in pieces]
    assert "spam, " + f"{figures['per_day']['days'][10]:%-d %b}" + ", 9" in tips
    assert not list(per_day.iter(f"{SVG}a"))  # no link inside an image: the table has them
    # The wait: two days measured, one path joining them, gaps elsewhere.
    wait = charts["dash-figure-wait"]
    paths = [
        p
        for p in wait.iter(f"{SVG}path")
        if p.get("fill") == "none" and p.get("d", "").count("L") == 1
    ]
    assert len(paths) == 2  # median and 90th percentile, each from the day before to today
    thresholds = [
        "".join(t.itertext())
        for g in charts["dash-figure-scores"].iter(f"{SVG}g")
        if g.get("class") == "dash-threshold"
        for t in g.iter(f"{SVG}text")
    ]
    assert thresholds == ["hold 0.45", "spam 0.90"]

    given_figures(empty_site())
    content = editor_client.get(dashboard_url()).content.decode()
    notes = [
        "".join(t.itertext())
        for c in svgs(content)
        for t in c.iter(f"{SVG}text")
        if t.get("class") == "dash-empty"
    ]
    assert "No comments yet." in notes and "Not trained yet." in notes
    assert "No filter in force acts yet" in content


def test_labels_are_escaped_in_the_charts(editor_client, given_figures):
    """Guards: a discussion's title or any label with markup is text, in the charts and the
    lists alike (format_html everywhere)."""
    figures = hand_made()
    given_figures(figures)
    content = editor_client.get(dashboard_url()).content.decode()
    assert "Harbour &lt;accord&gt; talks" in content
    assert "<accord>" not in content
    chart = svg.stacked_bars(
        ["<b>day</b>"], [[1]], ["#1f6f3a"], ['"><script>'], "<t>", "<d>", "<y>", "<x>"
    )
    parsed = ElementTree.fromstring(str(chart))
    assert parsed.find(f"{SVG}title").text == "<t>"
    assert "<script>" not in str(chart)


# --- the tables ---------------------------------------------------------------------------------


def test_each_table_holds_the_figures_numbers(editor_client, given_figures):
    """Guards: each table alternative has a caption, column headings (scope col) and row
    headings (scope row), and exactly the figures' numbers."""
    figures = given_figures(hand_made())
    root = page(editor_client.get(dashboard_url()))
    per_day = figures["per_day"]

    caption, head, rows = table_of(root, "dash-figure-per-day")
    assert caption == "Comments per day, by status"
    assert head == [(h, "col") for h in ["day", *STATUSES, "total"]]
    assert [r[1] for r in rows] == ["row"] * 30
    assert [r[0] for r in rows][-1] == f"{per_day['days'][-1]:%-d %B %Y}"
    expected = [
        [per_day[s][i] for s in STATUSES] + [sum(per_day[s][i] for s in STATUSES)]
        for i in range(30)
    ]
    assert numbers(rows) == expected

    _, head, rows = table_of(root, "dash-figure-backlog")
    assert numbers(rows) == [[v] for v in figures["backlog"]["pending_at_end"]]

    _, head, rows = table_of(root, "dash-figure-wait")  # in minutes: the longest is 130
    assert [h for h, _ in head] == ["day", "decided", "median", "90th percentile"]
    backlog = figures["backlog"]
    assert numbers(rows) == [
        [
            backlog["decided"][i],
            DASH
            if backlog["wait_median_minutes"][i] is None
            else backlog["wait_median_minutes"][i],
            DASH if backlog["wait_p90_minutes"][i] is None else backlog["wait_p90_minutes"][i],
        ]
        for i in range(30)
    ]

    _, head, rows = table_of(root, "dash-figure-posted-by-hour")
    assert [r[0] for r in rows][9] == f"09:00{DASH}09:59"
    assert numbers(rows) == [[v] for v in figures["by_hour"]["posted"]]

    _, head, rows = table_of(root, "dash-figure-wait-by-hour")
    by_hour = figures["by_hour"]
    assert numbers(rows) == [
        [
            DASH if m is None else m,
            DASH if p is None else p,
        ]
        for m, p in zip(by_hour["wait_median_minutes"], by_hour["wait_p90_minutes"], strict=True)
    ]

    _, head, rows = table_of(root, "dash-figure-deciders")
    deciders = figures["deciders"]
    # Editors, then each rule that decided anything, in the figures' order; then the totals.
    assert [r[0] for r in rows] == ["editors", "known author", "new author", "spam filter", "total"]
    assert numbers(rows) == [
        deciders["people"],
        deciders["counts"]["known author"],
        deciders["counts"]["new author"],
        deciders["counts"]["spam filter"],
        [0, 13, 0, 14, 14],
    ]
    assert len(head) == 6 and head[1][0] == f"week of {deciders['weeks'][0]:%-d %b}"

    _, head, rows = table_of(root, "dash-figure-scores")
    scores = figures["spam_scores"]
    assert rows[0][0] == f"0.00{DASH}0.05" and rows[-1][0] == f"0.95{DASH}1.00"
    assert numbers(rows) == [
        list(pair) for pair in zip(scores["approved"], scores["spam"], strict=True)
    ]

    _, head, rows = table_of(root, "dash-figure-filter-versions")
    assert numbers(rows) == [[DASH, DASH, "no"], [80.0, 1.2, "no"], [92.5, 0.4, "yes"]]

    for period, entries in figures["most_discussed"].items():
        block = next(
            d
            for d in find_all(root, "div", "dash-list")
            if attr(d, "id") == f"dash-most-discussed-{period}"
        )
        items = find_all(block, "li")
        assert [text(find_all(li, "a")[0]) for li in items] == [e["title"] for e in entries]
        assert [attr(find_all(li, "a")[0], "href") for li in items] == [e["url"] for e in entries]
        assert [text(find(li, "a", "dash-count")) for li in items] == [
            f"{e['comments']} approved comments" for e in entries
        ]


def test_long_waits_are_shown_in_hours(editor_client, given_figures):
    """Guards: waits over three hours are drawn and tabled in hours, said in the caption."""
    figures = hand_made()
    figures["backlog"]["wait_p90_minutes"][29] = 600.0
    given_figures(figures)
    root = page(editor_client.get(dashboard_url()))
    caption, _, rows = table_of(root, "dash-figure-wait")
    assert caption == "Time to the first decision, per day (hours)"
    assert numbers(rows)[29] == [4, 0.2, 10.0]


# --- the links ----------------------------------------------------------------------------------


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
        hours=hour, minutes=minute
    )


@pytest.fixture
def month_of_comments(settings):
    """Comments over the last month in Paris (local days are not UTC's), with every status,
    spam scores, held ones decided by an editor, and the trail the write path would leave."""
    settings.TIME_ZONE = "Europe/Paris"
    timezone.activate("Europe/Paris")
    editor = User.objects.get(username="editor")
    now = timezone.now()
    today = timezone.localdate(now)
    budget = factories.make_article(headline="The budget vote")
    harbour = factories.make_article(headline="Harbour talks")
    plan = [
        # days ago, hour, article, status, score, rule, decided after (minutes) or None
        (0, 0, budget, "approved", 0.02, "known author", None),
        (0, 1, budget, "pending", 0.5, "new author", None),
        (0, 23, harbour, "spam", 0.97, "spam filter", None),
        (1, 0, budget, "approved", 0.1, "new author", 30),
        (1, 12, harbour, "removed", 0.3, "known author", 90),
        (1, 23, harbour, "approved", 0.06, "known author", None),
        (3, 9, budget, "spam", 0.92, "links", 200),
        (3, 9, budget, "approved", 0.05, "known author", None),
        (9, 22, harbour, "spam", 0.99, "spam filter", None),
        (20, 8, harbour, "approved", None, "known author", None),
    ]
    made = []
    for n, (ago, hour, article, status, score, rule, decided) in enumerate(plan):
        # Today's are in the last minutes (never in the future); the others at the edges of
        # Paris's days (midnight and 23:10), which are not UTC's.
        posted = (
            at(today - timedelta(days=ago), hour, 10) if ago else now - timedelta(minutes=5 + n)
        )
        comment = factories.make_comment(
            article,
            status=status,
            spam_score=score,
            author_name=f"Zelda Commenter{n}",
            author_email=f"zelda{n}@private.example",
            ip_address=f"198.51.100.{n + 1}",
            submitted_at=posted,
        )
        first = "pending" if decided else status
        ModerationEvent.objects.create(
            comment=comment,
            comment_ref=comment.pk,
            action="submit",
            from_status="",
            to_status=first,
            rule=rule,
            reason=f"{rule} said so",
            created_at=posted,
        )
        if decided:
            ModerationEvent.objects.create(
                comment=comment,
                comment_ref=comment.pk,
                action={"approved": "approve", "spam": "spam", "removed": "remove"}[status],
                from_status="pending",
                to_status=status,
                actor=editor,
                rule="",
                reason="moderation queue",
                created_at=posted + timedelta(minutes=decided),
            )
        made.append(comment)
    SpamFilterVersion.objects.create(
        trigger="test",
        model=b"",
        ham_examples=300,
        spam_examples=100,
        acts=True,
        hold_threshold=0.45,
        spam_threshold=0.9,
        cv_recall=0.9,
        cv_false_spam=0.005,
        created_at=timezone.now() - timedelta(days=2),
    )
    yield made
    timezone.deactivate()


def test_an_empty_site_with_the_real_figures(editor_client):
    """Guards: with no comment and no trained filter, the real figures draw every chart,
    each table and both lists empty, and nothing links anywhere."""
    content = editor_client.get(dashboard_url()).content.decode()
    assert len(svgs(content)) == len(FIGURE_IDS)
    root = page(editor_client.get(dashboard_url()))
    assert counted_links(root) == []
    assert content.count("No approved comments in this period.") == 2
    assert "No comments yet." in content and "Not trained yet." in content


def counted_links(root):
    """Every (number, link) of the page's tables and lists that counts comments."""
    found = []
    for figure in find_all(root, "figure", "dash-figure"):
        for td in find_all(figure, "td"):
            for a in find_all(td, "a"):
                found.append((int(text(a).replace(",", "")), attr(a, "href")))
    for a in find_all(root, "a", "dash-count"):
        found.append((int(text(a).split()[0].replace(",", "")), attr(a, "href")))
    return found


def listed(client, url):
    """The pks the admin's comment list shows at `url` (an admin list that refuses a lookup
    redirects with ?e=1: that fails here)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    changelist = response.context_data["cl"]
    assert changelist.result_count == len(changelist.result_list)
    return {comment.pk for comment in changelist.result_list}


def test_every_number_links_to_the_comments_it_counts(editor, editor_client, month_of_comments):
    """Guards: with the real figures, every linked number in the tables and lists opens the
    admin's comment list showing exactly that many comments: by status and local day, by
    rule and week, by spam score, by discussion; none of the links is refused by the admin."""
    root = page(editor_client.get(dashboard_url()))
    links = counted_links(root)
    assert len(links) >= 10
    for number, url in links:
        assert urlsplit(url).path == reverse("admin:comments_comment_changelist")
        params = dict(parse_qsl(urlsplit(url).query))
        assert params, url
        assert len(listed(editor_client, url)) == number, (url, number)
    # The day's approved ones (Paris's today, since midnight there) are the two expected.
    today = [
        url
        for number, url in links
        if "status=approved" in url and midnight_today() in url and "__lt" in url
    ]
    assert today, links


def midnight_today():
    return quote_plus(dashboard_views.midnight(timezone.localdate()))


def test_no_commenters_data_on_the_page(editor_client, month_of_comments):
    """Guards: the dashboard shows counts, dates, rules and titles: no commenter's name,
    email or IP address, in the text or in any attribute."""
    content = editor_client.get(dashboard_url()).content.decode()
    for comment in month_of_comments:
        for value in (comment.author_name, comment.author_email, comment.ip_address):
            assert value not in content
        assert comment.email_normalized not in content
    assert "Commenter" not in visible_text(content)
    assert "private.example" not in content and "198.51.100." not in content


def queries_for(client):
    empty(caches["default"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboard_url())
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_comments(editor_client, article):
    """Guards: the page's queries (the figures counted afresh: the cache emptied) are as
    many for 3 comments as for 60 over more days, discussions and statuses."""
    factories.make_comments(article, 3)
    few = queries_for(editor_client)
    now = timezone.now()
    for n in range(19):
        other = factories.make_article()
        for i, status in enumerate(STATUSES[:3]):
            factories.make_comment(
                other,
                status=status,
                spam_score=(n * 3 + i) / 60,
                submitted_at=now - timedelta(days=n, hours=i),
            )
    many = queries_for(editor_client)
    assert few == many, (few, many)


# --- the drawing's parts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "integer", "top", "step"),
    [
        (0, True, 1, 1),
        (1, True, 1, 1),
        (7, True, 8, 2),
        (13, True, 15, 5),
        (97, True, 100, 20),
        (1234, True, 1500, 500),
        (0.93, False, 1.0, 0.2),
        (0.004, False, 0.004, 0.001),
        (130.0, False, 150, 50),
    ],
)
def test_scales_are_nice(maximum, integer, top, step):
    """Guards: an axis's top is the first multiple of its step at or above the maximum, the
    step 1, 2 or 5 times a power of 10 (at least 1 for counts)."""
    got_top, got_step, ticks = svg.nice_scale(maximum, integer=integer)
    assert got_top == pytest.approx(top) and got_step == pytest.approx(step)
    assert ticks[0] == 0 and ticks[-1] == pytest.approx(top)
    mantissa = got_step / 10 ** __import__("math").floor(__import__("math").log10(got_step))
    assert round(mantissa, 6) in {1, 2, 5}


def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_colour_stands_out_on_the_charts_white():
    """Guards: each series colour has 3:1 against the white the charts sit on (WCAG's
    graphical objects), and 4.5:1 under the white percentages written on it; the axes too."""
    colours = {
        *dashboard_views.STATUS_COLOURS.values(),
        *dashboard_views.RULE_COLOURS,
        dashboard_views.MEDIAN_COLOUR,
        dashboard_views.P90_COLOUR,
        dashboard_views.PEOPLE_COLOUR,
        dashboard_views.RECALL_COLOUR,
        dashboard_views.FALSE_SPAM_COLOUR,
        svg.AXIS,
    }
    for colour in colours:
        assert contrast(colour, "#ffffff") >= 4.5, colour


def test_lines_break_at_missing_values():
    """Guards: None is a gap: two runs of values draw two paths, and a lone value a marker."""
    chart = ElementTree.fromstring(
        str(
            svg.lines(
                ["a", "b", "c", "d", "e", "f"],
                [[1, 2, None, 3, 4, None]],
                ["#1f4e9a"],
                ["median"],
                "t",
                "d",
                "y",
                "x",
            )
        )
    )
    series = next(g for g in chart.iter(f"{SVG}g") if g.get("class") == "dash-series")
    assert len([p for p in series if p.tag == f"{SVG}path"]) == 2
    assert len([g for g in series if g.tag == f"{SVG}g"]) == 4  # a marker per value


def test_a_date_is_never_naive_in_a_link():
    """Guards: the date filter's bounds carry their offset (a naive one warns, and the tests
    turn warnings into errors)."""
    assert re.fullmatch(
        r"2025-03-30 00:00:00[+-]\d\d:\d\d", dashboard_views.midnight(date(2025, 3, 30))
    )
