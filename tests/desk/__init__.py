"""Tests of comments.desk: the editors' desk (admin, queue, alerts, paginator)."""
