"""bench_history writes a generated WordPress export, reads every comment back, and with
--import brings them in, leaving nothing behind."""

import io

from django.core.management import call_command

from comments.models import Comment


def test_bench_history_reads_back_what_it_wrote():
    out = io.StringIO()
    call_command("bench_history", comments=2500, stdout=out)
    assert "2,500 comments" in out.getvalue()
    assert "2,500 read back" in out.getvalue()


def test_bench_history_imports_and_rolls_back(db):
    out = io.StringIO()
    call_command("bench_history", comments=1200, bring_in=True, stdout=out)
    assert "imported 1,200 comments" in out.getvalue()
    assert not Comment.objects.exists()
