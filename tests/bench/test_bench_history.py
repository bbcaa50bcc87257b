"""bench_history writes a generated WordPress export and reads every comment back."""

import io

from django.core.management import call_command


def test_bench_history_reads_back_what_it_wrote():
    out = io.StringIO()
    call_command("bench_history", comments=2500, stdout=out)
    assert "2,500 comments" in out.getvalue()
    assert "2,500 read back" in out.getvalue()
