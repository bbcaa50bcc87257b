"""manage.py bench_dashboard: times the dashboard's figures (uncached) and the page, lists
the queries of one run, and keeps nothing."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_it_times_the_figures_and_the_page_and_lists_each_query():
    call_command("make_load_data", articles=2, comments=300, stdout=io.StringIO())
    users = User.objects.count()
    out = io.StringIO()
    call_command("bench_dashboard", repeat=2, stdout=out)
    text = out.getvalue()
    assert "300 comments" in text
    assert "2 runs each" in text
    rows = {}
    for name in (
        "figures(), cold",
        "figures(), warm",
        "page, figures counted",
        "page, figures cached",
    ):
        found = re.search(
            rf"^{re.escape(name)} +([\d.]+) ms +([\d.]+) ms +([\d.]+) ms +(\d+)$", text, re.M
        )
        assert found, name
        rows[name] = found.groups()
    queries = int(rows["figures(), warm"][3])
    assert 0 < queries == int(rows["figures(), cold"][3])
    assert int(rows["page, figures cached"][3]) < int(rows["page, figures counted"][3])
    listed = re.findall(r"^ +(\d+) +([\d.]+)  (\S+) +[A-Z]+ ", text, re.M)
    assert [int(number) for number, _, _ in listed] == list(range(1, queries + 1))
    assert all(caller not in {"", "?"} for _, _, caller in listed)
    # Nothing kept: the superuser it signed in as is gone, the comments untouched.
    assert User.objects.count() == users
    assert Comment.objects.count() == 300


def test_explain_needs_postgresql(settings):
    from django.db import connection

    if connection.vendor == "postgresql":
        out = io.StringIO()
        call_command("bench_dashboard", repeat=1, explain=True, stdout=out)
        assert "Buffers" in out.getvalue() or "actual time" in out.getvalue()
    else:
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("bench_dashboard", repeat=1, explain=True, stdout=io.StringIO())
