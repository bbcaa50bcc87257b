"""The dashboard: the desk at a glance, an admin page for staff who may view comments.

Its figures come from comments.stats.figures (counted once a minute, cached); this
module only draws them (comments.desk.dashboard.svg) and lays them out: each chart in a
<figure> with its caption, its image (an SVG with a title and a description), and the same
numbers as a table under "Table" for screen readers and for reading off exact values. Each
number that counts comments links to the admin's comment list filtered to those comments (by
status, by the day or week they were posted, by the rule that decided them, by their spam
score, by their discussion). Only counts, dates, rule names and discussions' titles are shown:
never a commenter's name, email or address.

CommentAdmin.get_urls (comments.desk.admin.comment) wires it at /admin/comments/comment/dashboard/;
the admin index and the moderation queue link it.
"""

import math
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext, pgettext

from ... import moderation
from ...models import Comment
from ...stats import cached_figures
from ..admin.spam import number, percent
from ..queue import CONTENT_SECURITY_POLICY
from . import svg

Status = Comment.Status
STATUSES = (Status.APPROVED, Status.PENDING, Status.SPAM, Status.REMOVED)
# The admin's colours for each status (comments/static/comments/admin.css), each 3:1 or more
# on the charts' white, and white text on them 4.5:1 or more.
STATUS_COLOURS = {
    Status.APPROVED: "#1f6f3a",
    Status.PENDING: "#8a5a00",
    Status.SPAM: "#a01b1b",
    Status.REMOVED: "#555555",
}
MEDIAN_COLOUR, P90_COLOUR = "#1f4e9a", "#8a2f6b"
POSTED_COLOUR = "#1f4e9a"
PEOPLE_COLOUR = "#1f4e9a"
# The rules' colours, in the order the figures list the rules; the patterns (svg.PATTERNS)
# cycle with them, so neighbours differ in pattern as well as colour.
RULE_COLOURS = (
    "#8a5a00",
    "#a01b1b",
    "#1f6f3a",
    "#6a3d9a",
    "#00676b",
    "#555555",
    "#a3316a",
    "#4d5e00",
    "#7a4419",
    "#2d3d8f",
    "#8e3a00",
    "#2f6352",
    "#7a2a2a",
    "#4a4a7a",
    "#5e4b00",
    "#006080",
)
RECALL_COLOUR, FALSE_SPAM_COLOUR = "#1f6f3a", "#a01b1b"
CHANGELIST = "admin:comments_comment_changelist"
DASH = "\u2013"  # an en dash: no value, or between two
# The charts' widths (their viewBox): the days and the weeks across the page, the others two
# side by side on a wide screen (their text then drawn at about its own size).
WIDE, HALF = 1120, 540


def dashboard_view(request, *, model_admin):
    """The dashboard, for active staff with the view permission on comments (the admin's
    admin_view sends anyone else to the sign-in first)."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("comments.view_comment")):
        raise PermissionDenied
    data = cached_figures()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Moderation dashboard"),
        "opts": model_admin.model._meta,
        # Two charts side by side need the width: no app list beside them (as the comment list).
        "is_nav_sidebar_enabled": False,
        **dashboard_context(data),
    }
    response = TemplateResponse(request, "admin/comments/dashboard.html", context)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def dashboard_context(data):
    """The page's sections (each a heading and its figures) and the most discussed lists,
    from the figures' dict (see comments.stats.figures)."""
    return {
        "generated_at": data["generated_at"],
        "sections": [
            {
                "id": "dash-per-day",
                "heading": gettext("Comments per day"),
                "figures": [per_day_figure(data["per_day"])],
            },
            {
                "id": "dash-backlog",
                "heading": gettext("The backlog and the wait"),
                "figures": [
                    backlog_figure(data["backlog"]),
                    wait_figure(data["backlog"]),
                    posted_by_hour_figure(data["by_hour"]),
                    wait_by_hour_figure(data["by_hour"]),
                ],
            },
            {
                "id": "dash-deciders",
                "heading": gettext("What decided"),
                "figures": [deciders_figure(data["deciders"])],
            },
            {
                "id": "dash-spam-filter",
                "heading": gettext("The spam filter"),
                "figures": [
                    scores_figure(data["spam_scores"], data["per_day"]["days"]),
                    versions_figure(data["filter_versions"]),
                ],
            },
        ],
        "most_discussed": most_discussed(data["most_discussed"], data["generated_at"]),
    }


# --- helpers ---------------------------------------------------------------------------------


def count(value):
    return number_format(value)


def cell(text, url=None):
    return {"text": text, "url": url}


def comment_list(**params):
    """The admin's comment list filtered by `params` (its list filters' parameters)."""
    return reverse(CHANGELIST) + "?" + urlencode(params)


def midnight(day):
    """The start of a local day, as the admin's date filter writes it ("2025-03-01
    00:00:00+01:00"): aware, so the list reads it without a naive-datetime warning."""
    return str(timezone.make_aware(datetime.combine(day, time.min)))


def posted_between(start, end):
    return {"submitted_at__gte": midnight(start), "submitted_at__lt": midnight(end)}


def day_name(day):
    # Translators: a day on a chart's axis (Django's date format: 3 Mar).
    return date_format(day, pgettext("a day on a chart", "j M"))


def long_day(day):
    return date_format(day, "DATE_FORMAT")


def week_name(monday):
    return gettext("week of %(day)s") % {"day": day_name(monday)}


def status_label(status):
    return Status(status).label.lower()


def waits_in_unit(waits):
    """The median and 90th-percentile waits of a figure (`wait_median_minutes`,
    `wait_p90_minutes`) in minutes, or in hours when the longest is over three hours:
    (median, p90, axis label, the unit's word for a table's heading)."""
    median, p90 = waits["wait_median_minutes"], waits["wait_p90_minutes"]
    longest = max((v for v in (*median, *p90) if v is not None), default=0)
    if longest <= 180:
        return median, p90, gettext("minutes"), gettext("minutes")
    in_hours = [[None if v is None else v / 60 for v in values] for values in (median, p90)]
    return *in_hours, gettext("hours"), gettext("hours")


def wait_text(value):
    return DASH if value is None else number(value, 1)


def figure(fid, caption, chart, table_caption, columns, rows, wide=False):
    """A figure for the template: its caption, its chart, and its table (a caption, column
    headings, and rows of a heading and cells, each cell its text and an optional link);
    `wide` across the page."""
    return {
        "id": fid,
        "wide": wide,
        "caption": caption,
        "svg": chart,
        "table": {"caption": table_caption, "columns": columns, "rows": rows},
    }


# --- (a) comments per day ----------------------------------------------------------------------


def per_day_figure(per_day):
    days = per_day["days"]
    series = [per_day[status] for status in STATUSES]
    labels = [status_label(status) for status in STATUSES]
    nexts = [*days[1:], days[-1] + timedelta(days=1)] if days else []
    links = [
        [
            comment_list(status=status, **posted_between(day, after)) if value else None
            for day, after, value in zip(days, nexts, per_day[status], strict=True)
        ]
        for status in STATUSES
    ]
    totals = {status: sum(per_day[status]) for status in STATUSES}
    grand = sum(totals.values())
    if grand:
        daily = [sum(values) for values in zip(*series, strict=True)]
        busiest = max(range(len(days)), key=lambda i: (daily[i], i))
        desc = ngettext(
            "%(count)s comment in the last %(days)s days: %(approved)s approved, %(pending)s "
            "pending, %(spam)s spam and %(removed)s removed. The busiest day was %(day)s, "
            "with %(busiest)s.",
            "%(count)s comments in the last %(days)s days: %(approved)s approved, %(pending)s "
            "pending, %(spam)s spam and %(removed)s removed. The busiest day was %(day)s, "
            "with %(busiest)s.",
            grand,
        ) % {
            "count": count(grand),
            "days": len(days),
            "approved": count(totals[Status.APPROVED]),
            "pending": count(totals[Status.PENDING]),
            "spam": count(totals[Status.SPAM]),
            "removed": count(totals[Status.REMOVED]),
            "day": long_day(days[busiest]),
            "busiest": count(daily[busiest]),
        }
    else:
        desc = gettext("No comments in the last %(days)s days.") % {"days": len(days)}
    title = gettext("Comments per day, by how they ended")
    chart = svg.stacked_bars(
        [day_name(day) for day in days],
        series,
        [STATUS_COLOURS[status] for status in STATUSES],
        labels,
        title,
        desc,
        gettext("comments"),
        gettext("day posted"),
        size=WIDE,
        empty=gettext("No comments yet."),
    )
    rows = [
        {
            "heading": long_day(day),
            "cells": [
                cell(count(per_day[status][i]), links[s][i]) for s, status in enumerate(STATUSES)
            ]
            + [cell(count(sum(per_day[status][i] for status in STATUSES)))],
        }
        for i, day in enumerate(days)
    ]
    return figure(
        "dash-figure-per-day",
        gettext(
            "Comments posted each day over the last 30 days, stacked by their status now: "
            "approved, pending, spam, removed. Each number in the table opens those comments "
            "in the list."
        ),
        chart,
        gettext("Comments per day, by status"),
        [gettext("day"), *labels, gettext("total")],
        rows,
        wide=True,
    )


# --- (b) the backlog and the wait -------------------------------------------------------------


def backlog_figure(backlog):
    days = backlog["days"]
    pending = backlog["pending_at_end"]
    title = gettext("Comments pending at the end of each day")
    if days:
        desc = gettext("%(now)s pending now; the most at a day's end was %(most)s, on %(day)s.") % {
            "now": count(pending[-1]),
            "most": count(max(pending)),
            "day": long_day(days[max(range(len(days)), key=lambda i: (pending[i], i))]),
        }
    else:
        desc = gettext("No days to show.")
    chart = svg.lines(
        [day_name(day) for day in days],
        [pending],
        [STATUS_COLOURS[Status.PENDING]],
        [gettext("pending at the day's end")],
        title,
        desc,
        gettext("comments pending"),
        gettext("day"),
        integer=True,
        size=HALF,
    )
    now = comment_list(status=Status.PENDING)
    rows = [
        {
            "heading": long_day(day),
            "cells": [cell(count(value), now if i == len(days) - 1 and value else None)],
        }
        for i, (day, value) in enumerate(zip(days, pending, strict=True))
    ]
    return figure(
        "dash-figure-backlog",
        gettext(
            "The backlog: how many comments were waiting for a decision at the end of each "
            "day (today: now)."
        ),
        chart,
        gettext("Comments pending at the end of each day"),
        [gettext("day"), gettext("pending")],
        rows,
    )


def wait_figure(backlog):
    days = backlog["days"]
    median, p90, unit, unit_heading = waits_in_unit(backlog)
    decided = sum(backlog["decided"])
    title = gettext("Time from posting to the first decision, per day")
    if decided:
        desc = ngettext(
            "%(count)s held comment was decided in the last %(days)s days. Half of each "
            "day's were decided within the median, nine in ten within the 90th percentile; "
            "days without a decision are gaps.",
            "%(count)s held comments were decided in the last %(days)s days. Half of each "
            "day's were decided within the median, nine in ten within the 90th percentile; "
            "days without a decision are gaps.",
            decided,
        ) % {"count": count(decided), "days": len(days)}
    else:
        desc = gettext("No held comment was decided in the last %(days)s days.") % {
            "days": len(days)
        }
    labels = [gettext("median"), gettext("90th percentile")]
    chart = svg.lines(
        [day_name(day) for day in days],
        [median, p90],
        [MEDIAN_COLOUR, P90_COLOUR],
        labels,
        title,
        desc,
        unit,
        gettext("day decided"),
        empty=gettext("No decisions yet."),
        size=HALF,
    )
    rows = [
        {
            "heading": long_day(day),
            "cells": [
                cell(count(backlog["decided"][i])),
                cell(wait_text(median[i])),
                cell(wait_text(p90[i])),
            ],
        }
        for i, day in enumerate(days)
    ]
    return figure(
        "dash-figure-wait",
        gettext(
            "How long held comments waited for their first decision, by the day it was "
            "taken: the median and the 90th percentile, in %(unit)s."
        )
        % {"unit": unit},
        chart,
        gettext("Time to the first decision, per day (%(unit)s)") % {"unit": unit_heading},
        [gettext("day"), gettext("decided"), *labels],
        rows,
    )


def hour_name(hour):
    return f"{hour:02d}"


def posted_by_hour_figure(by_hour):
    hours = by_hour["hours"]
    posted = by_hour["posted"]
    title = gettext("Comments posted by hour of the day")
    if sum(posted):
        busiest = max(range(len(hours)), key=lambda i: (posted[i], -i))
        desc = gettext(
            "Over the last 30 days, most comments were posted between %(start)s:00 and "
            "%(end)s:00 (%(count)s)."
        ) % {
            "start": hour_name(hours[busiest]),
            "end": hour_name((hours[busiest] + 1) % 24),
            "count": count(posted[busiest]),
        }
    else:
        desc = gettext("No comments in the last 30 days.")
    label = gettext("posted")
    chart = svg.bars_by_hour(
        [hour_name(hour) for hour in hours],
        [posted],
        [POSTED_COLOUR],
        [label],
        title,
        desc,
        gettext("comments"),
        gettext("hour posted (the site's time)"),
        integer=True,
        empty=gettext("No comments yet."),
        size=HALF,
    )
    rows = [
        {
            "heading": f"{hour_name(hour)}:00{DASH}{hour_name(hour)}:59",
            "cells": [cell(count(value))],
        }
        for hour, value in zip(hours, posted, strict=True)
    ]
    return figure(
        "dash-figure-posted-by-hour",
        gettext(
            "When readers post: comments of the last 30 days by the hour they were posted, "
            "in the site's time zone."
        ),
        chart,
        gettext("Comments posted by hour of the day"),
        [gettext("hour"), label],
        rows,
    )


def wait_by_hour_figure(by_hour):
    hours = by_hour["hours"]
    median, p90, unit, unit_heading = waits_in_unit(by_hour)
    title = gettext("Time to the first decision by hour posted")
    measured = [i for i, value in enumerate(p90) if value is not None]
    if measured:
        slowest = max(measured, key=lambda i: (p90[i], -i))
        desc = gettext(
            "Comments posted between %(start)s:00 and %(end)s:00 waited longest: nine in ten "
            "were decided within %(wait)s %(unit)s."
        ) % {
            "start": hour_name(hours[slowest]),
            "end": hour_name((hours[slowest] + 1) % 24),
            "wait": wait_text(p90[slowest]),
            "unit": unit,
        }
    else:
        desc = gettext("No held comment was decided in the last 30 days.")
    labels = [gettext("median"), gettext("90th percentile")]
    chart = svg.bars_by_hour(
        [hour_name(hour) for hour in hours],
        [median, p90],
        [MEDIAN_COLOUR, P90_COLOUR],
        labels,
        title,
        desc,
        unit,
        gettext("hour posted (the site's time)"),
        empty=gettext("No decisions yet."),
        size=HALF,
    )
    rows = [
        {
            "heading": f"{hour_name(hour)}:00{DASH}{hour_name(hour)}:59",
            "cells": [cell(wait_text(median[i])), cell(wait_text(p90[i]))],
        }
        for i, hour in enumerate(hours)
    ]
    return figure(
        "dash-figure-wait-by-hour",
        gettext(
            "When the desk should be staffed: how long held comments waited for their first "
            "decision, by the hour they were posted (median and 90th percentile, in %(unit)s)."
        )
        % {"unit": unit},
        chart,
        gettext("Time to the first decision by hour posted (%(unit)s)") % {"unit": unit_heading},
        [gettext("hour"), *labels],
        rows,
    )


# --- (c) what decided ----------------------------------------------------------------------------


def deciders_figure(deciders):
    weeks = deciders["weeks"]
    nexts = [*weeks[1:], weeks[-1] + timedelta(days=7)] if weeks else []
    # People first, then each rule that decided anything in these weeks, in the figures' order.
    rules = [rule for rule in deciders["rules"] if any(deciders["counts"].get(rule, ()))]
    labels = [gettext("editors"), *(str(moderation.rule_label(rule)) for rule in rules)]
    series = [deciders["people"], *(deciders["counts"][rule] for rule in rules)]
    colours = [PEOPLE_COLOUR, *(RULE_COLOURS[i % len(RULE_COLOURS)] for i in range(len(rules)))]
    totals = [sum(values[i] for values in series) for i in range(len(weeks))]
    title = gettext("What decided each week's comments")
    if sum(totals):
        shares = sorted(
            ((sum(values), label) for values, label in zip(series, labels, strict=True)),
            reverse=True,
        )
        desc = gettext(
            "Over %(weeks)s weeks, %(first)s decided the most comments (%(share)s), then "
            "%(second)s."
        ) % {
            "weeks": len(weeks),
            "first": shares[0][1],
            "share": percent(shares[0][0] / sum(totals), 0),
            "second": shares[1][1] if len(shares) > 1 and shares[1][0] else DASH,
        }
    else:
        desc = gettext("No comments in these weeks.")
    chart = svg.share_bars(
        [week_name(week) for week in weeks],
        series,
        colours,
        labels,
        title,
        desc,
        gettext("share of the week's comments"),
        empty_row=gettext("no comments"),
        percent=lambda share: percent(share, 0),
        size=WIDE,
    )
    rows = []
    for s, (label, values) in enumerate(zip(labels, series, strict=True)):
        rule = rules[s - 1] if s else None
        rows.append(
            {
                "heading": label,
                "cells": [
                    cell(
                        count(value),
                        comment_list(status="all", rule=rule, **posted_between(week, after))
                        if rule and value
                        else None,
                    )
                    for week, after, value in zip(weeks, nexts, values, strict=True)
                ],
            }
        )
    rows.append({"heading": gettext("total"), "cells": [cell(count(total)) for total in totals]})
    return figure(
        "dash-figure-deciders",
        gettext(
            "Who or what decided each comment, as a share of the comments posted each week: "
            "the rule that took it when it was posted, or an editor who decided it later."
        ),
        chart,
        gettext("Comments decided by each rule and by editors, per week"),
        [gettext("decided by"), *(week_name(week) for week in weeks)],
        rows,
        wide=True,
    )


# --- (d) the spam filter ------------------------------------------------------------------------


def scores_figure(scores, days):
    edges = scores["edges"]
    approved, spam = scores["approved"], scores["spam"]
    hold, spam_at = scores["hold_threshold"], scores["spam_threshold"]
    labels = [status_label(Status.APPROVED), status_label(Status.SPAM)]
    title = gettext("Spam scores of approved and of spam comments")
    scored = ngettext(
        "%(approved)s approved and %(spam)s spam comment were scored in the last 30 days.",
        "%(approved)s approved and %(spam)s spam comments were scored in the last 30 days.",
        sum(spam),
    ) % {"approved": count(sum(approved)), "spam": count(sum(spam))}
    if hold is not None and spam_at is not None:
        thresholds = gettext(
            "The filter in force holds a comment scoring %(hold)s or more and sends one "
            "scoring %(spam)s or more to spam."
        ) % {"hold": number(hold, 2), "spam": number(spam_at, 2)}
    else:
        thresholds = gettext("No filter in force acts yet: it only records scores.")
    since = {"submitted_at__gte": midnight(days[0])} if days else {}
    links = []
    for status, counts in ((Status.APPROVED, approved), (Status.SPAM, spam)):
        row = []
        for i, value in enumerate(counts):
            last = i == len(counts) - 1
            bounds = {
                "spam_score__gte": repr(edges[i]),
                ("spam_score__lte" if last else "spam_score__lt"): repr(edges[i + 1]),
            }
            row.append(comment_list(status=status, **bounds, **since) if value else None)
        links.append(row)
    chart = svg.histograms(
        edges,
        approved,
        spam,
        [STATUS_COLOURS[Status.APPROVED], STATUS_COLOURS[Status.SPAM]],
        labels,
        title,
        f"{scored} {thresholds}",
        gettext("comments"),
        gettext("spam score (0: surely not spam, 1: surely spam)"),
        hold_threshold=hold,
        spam_threshold=spam_at,
        threshold_labels=(
            pgettext("the spam filter's threshold", "hold"),
            pgettext("the spam filter's threshold", "spam"),
        ),
        empty=gettext("No scored comments yet."),
        size=HALF,
    )
    rows = [
        {
            "heading": f"{number(edges[i], 2)}{DASH}{number(edges[i + 1], 2)}",
            "cells": [cell(count(approved[i]), links[0][i]), cell(count(spam[i]), links[1][i])],
        }
        for i in range(len(approved))
    ]
    return figure(
        "dash-figure-scores",
        gettext(
            "How the spam filter scored the comments of the last 30 days that are now approved "
            "and those now spam, with the thresholds of the filter in force: comments scoring "
            "past “hold” are held for you, past “spam” sent to spam."
        ),
        chart,
        gettext("Comments by spam score (%(thresholds)s)") % {"thresholds": thresholds},
        [gettext("score"), *labels],
        rows,
    )


def versions_figure(versions):
    labels = [gettext("spam caught (recall)"), gettext("good comments sent to spam")]
    recall = [v["recall"] for v in versions]
    false_spam = [v["false_spam"] for v in versions]
    title = gettext("The spam filter at each retraining")
    latest = next((v for v in reversed(versions) if v["recall"] is not None), None)
    if latest:
        desc = gettext(
            "%(count)s retrainings shown. The latest measured, on %(day)s, catches "
            "%(recall)s of spam and sends %(false_spam)s of good comments to spam."
        ) % {
            "count": count(len(versions)),
            "day": long_day(timezone.localtime(latest["created_at"]).date()),
            "recall": percent(latest["recall"], 1),
            "false_spam": percent(latest["false_spam"] or 0, 1),
        }
    else:
        desc = gettext("The spam filter has not been measured yet.")

    def share(value, step):
        decimals = max(0, -math.floor(math.log10(step * 100))) if step * 100 < 1 else 0
        return percent(value, decimals)

    chart = svg.points(
        [day_name(timezone.localtime(v["created_at"]).date()) for v in versions],
        [recall, false_spam],
        [RECALL_COLOUR, FALSE_SPAM_COLOUR],
        labels,
        title,
        desc,
        [gettext("recall"), gettext("false spam")],
        gettext("retraining"),
        hollow=[not v["acts"] for v in versions],
        hollow_label=gettext("hollow: a filter that only records scores"),
        fmt=share,
        empty=gettext("Not trained yet."),
        size=HALF,
    )
    rows = [
        {
            "heading": date_format(timezone.localtime(v["created_at"]), "DATETIME_FORMAT"),
            "cells": [
                cell(DASH if v["recall"] is None else percent(v["recall"], 1)),
                cell(DASH if v["false_spam"] is None else percent(v["false_spam"], 1)),
                cell(gettext("yes") if v["acts"] else gettext("no")),
            ],
        }
        for v in versions
    ]
    return figure(
        "dash-figure-filter-versions",
        gettext(
            "How well each retraining of the spam filter did on the site's own decisions, "
            "cross-validated: the share of spam it catches, and the share of good comments it "
            "would send to spam."
        ),
        chart,
        gettext("The spam filter's retrainings, oldest first"),
        [gettext("retrained"), *labels, gettext("acts")],
        rows,
    )


# --- (e) the most discussed ------------------------------------------------------------------


def most_discussed(lists, generated_at):
    """The most discussed of the last 24 hours and of the last 7 days: each discussion's
    title, linked to its page, and its count of approved comments, linked to them in the list."""
    periods = (
        ("day", gettext("The last 24 hours"), timedelta(hours=24)),
        ("week", gettext("The last 7 days"), timedelta(days=7)),
    )
    return [
        {
            "key": key,
            "heading": heading,
            "entries": [
                {
                    "title": entry["title"],
                    "url": entry["url"],
                    "comments": ngettext(
                        "%(count)s approved comment",
                        "%(count)s approved comments",
                        entry["comments"],
                    )
                    % {"count": count(entry["comments"])},
                    "list_url": comment_list(
                        status=Status.APPROVED,
                        discussion__id__exact=entry["discussion_id"],
                        submitted_at__gte=str(timezone.localtime(generated_at - span)),
                    ),
                }
                for entry in lists[key]
            ],
        }
        for key, heading, span in periods
    ]
