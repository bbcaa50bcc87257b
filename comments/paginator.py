"""Counts for the admin's long lists: no exact COUNT(*) over a million rows per page."""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows, the planner's guess is replaced by the exact count, which is cheap.
EXACT_BELOW = 10_000


def planner_estimate(queryset):
    """PostgreSQL's own estimate of how many rows `queryset` holds (EXPLAIN, nothing run),
    or None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def estimated_count(queryset):
    """The planner's guess when it is EXACT_BELOW or more, else the exact count."""
    estimate = planner_estimate(queryset)
    if estimate is not None and estimate >= EXACT_BELOW:
        return estimate
    return queryset.count()


class EstimatedCountPaginator(Paginator):
    """Counts long lists the way PostgreSQL's planner guesses them.

    An exact count reads every matching row: on a million comments that is most of the
    time the admin's comment list takes. Editors need the order of magnitude of "All" and
    the exact size of a short queue, so a guess of EXACT_BELOW rows or more is shown as it
    is, and anything shorter is counted. On SQLite every count is exact.
    """

    @cached_property
    def count(self):
        return estimated_count(self.object_list)
