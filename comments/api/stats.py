"""The dashboard's figures for an editor's own tools, with a staff API token: the same
numbers as the admin's dashboard (comments.stats.figures), counted at most once a
minute.

- `GET /stats/`: every figure at once.
- `GET /stats/per-day`, `/stats/backlog`, `/stats/by-hour`, `/stats/deciders`,
  `/stats/spam-scores`, `/stats/filter-versions`, `/stats/most-discussed`: one each.

A token's user needs comments.view_comment (the Editors group has it), as for the queue, and
the same guard applies (comments.api.staff: this site's own pages and tools only, never
cached, no CORS). Only counts, dates, rule names and discussions' titles and addresses: no
commenter's name, email or IP address, and no comment's text.
"""

from datetime import date, datetime

from ninja import Router, Schema

from ..stats import cached_figures
from .staff import REFUSALS, may_view, this_site_only

router = Router(tags=["stats"])
router.add_decorator(this_site_only, mode="view")  # "view": around authentication too


class PerDayOut(Schema):
    """The comments posted each of the last 30 days (oldest first, the last is today, in
    the site's time zone), by their status now."""

    days: list[date]
    approved: list[int]
    pending: list[int]
    spam: list[int]
    removed: list[int]


class BacklogOut(Schema):
    """Each day: the comments pending at its end (today: now), and the first decisions on
    comments held when posted, by the decision's day, with the wait from posting in
    minutes (median and 90th percentile; null on a day without one)."""

    days: list[date]
    pending_at_end: list[int]
    wait_median_minutes: list[float | None]
    wait_p90_minutes: list[float | None]
    decided: list[int]


class ByHourOut(Schema):
    """The comments posted in the 30 days by the hour (0 to 23, the site's time), and the
    waits of those held when posted, by the same hour."""

    hours: list[int]
    posted: list[int]
    wait_median_minutes: list[float | None]
    wait_p90_minutes: list[float | None]


class DecidersOut(Schema):
    """What decided the comments posted each of the last 5 weeks (their Mondays): a
    person, or each rule (by the rule's name in the trail)."""

    weeks: list[date]
    rules: list[str]
    counts: dict[str, list[int]]
    people: list[int]


class SpamScoresOut(Schema):
    """The spam filter's scores of the approved and spam comments of the 30 days, in 20
    bins between the 21 edges, and the thresholds of the filter in force (null: it does
    not act)."""

    edges: list[float]
    approved: list[int]
    spam: list[int]
    hold_threshold: float | None
    spam_threshold: float | None


class FilterVersionOut(Schema):
    """A trained spam filter: its cross-validated recall and false-spam rate."""

    id: int
    created_at: datetime
    recall: float | None
    false_spam: float | None
    acts: bool


class DiscussedOut(Schema):
    discussion_id: int
    title: str
    url: str
    comments: int


class MostDiscussedOut(Schema):
    """The 10 discussions with the most approved comments posted in the last 24 hours and
    the last 7 days."""

    day: list[DiscussedOut]
    week: list[DiscussedOut]


class StatsOut(Schema):
    """Every figure of the dashboard, as of `generated_at`."""

    generated_at: datetime
    per_day: PerDayOut
    backlog: BacklogOut
    by_hour: ByHourOut
    deciders: DecidersOut
    spam_scores: SpamScoresOut
    filter_versions: list[FilterVersionOut]
    most_discussed: MostDiscussedOut


def most_discussed(request, found):
    """The most discussed with absolute addresses (a tool elsewhere follows them)."""
    return {
        span: [{**row, "url": request.build_absolute_uri(row["url"])} for row in rows]
        for span, rows in found["most_discussed"].items()
    }


def answering(schema):
    """Each operation's token and answers: `schema`, or a refusal."""
    return {"auth": may_view, "response": {200: schema, **REFUSALS}}


@router.get("/", **answering(StatsOut), summary="The dashboard's figures, all of them")
def stats(request):
    found = cached_figures()
    return {**found, "most_discussed": most_discussed(request, found)}


@router.get("/per-day", **answering(PerDayOut), summary="Comments per day, by status")
def per_day(request):
    return cached_figures()["per_day"]


@router.get("/backlog", **answering(BacklogOut), summary="The backlog and the waits, per day")
def backlog(request):
    return cached_figures()["backlog"]


@router.get("/by-hour", **answering(ByHourOut), summary="Comments and waits by hour posted")
def by_hour(request):
    return cached_figures()["by_hour"]


@router.get("/deciders", **answering(DecidersOut), summary="What decided, per week")
def deciders(request):
    return cached_figures()["deciders"]


@router.get("/spam-scores", **answering(SpamScoresOut), summary="The spam filter's scores")
def spam_scores(request):
    return cached_figures()["spam_scores"]


@router.get(
    "/filter-versions",
    **answering(list[FilterVersionOut]),
    summary="The spam filter's latest 20 versions",
)
def filter_versions(request):
    return cached_figures()["filter_versions"]


@router.get(
    "/most-discussed", **answering(MostDiscussedOut), summary="The most discussed, day and week"
)
def most_discussed_only(request):
    return most_discussed(request, cached_figures())
