"""Counts for long lists: no exact COUNT(*) over a million rows where an estimate will do."""

import json

from django.db import connections

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
