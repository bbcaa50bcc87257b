"""Rendering safe by default (comments.thread.render): every value a reader controls is escaped
wherever a comment is shown (the thread, the Editors' picks, the preview of an unposted
comment), because the markup is built by templates that escape whatever is not a SafeString;
the sanitized body is the one value let through as markup. And one date helper for all.

Each page test reads what a browser gets, so each fails if the escaping goes (from the
templates of render.py, or from html.escape itself).
"""

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe

from comments.thread.render import (
    LocalDates,
    ThreadComment,
    author_name_html,
    html,
    html_join,
    html_template,
)
from tests import factories
from tests.factories import post_url

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(\"x\")</script> & 'Ada'"
HOSTILE_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Ada&#x27;"
# Valid enough to be linked (http), hostile enough to leave the attribute if not escaped.
HOSTILE_URL = 'https://example.org/?a=1&b="><script>alert(2)</script>'
HOSTILE_URL_ESCAPED = (
    "https://example.org/?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
)


def page(client, article, query=""):
    return client.get(article.get_absolute_url() + query).content.decode()


def thread_of(html_page):
    return html_page[html_page.index('<ol class="comment-list') :]


def picks_of(html_page):
    return re.search(r'<section class="editors-picks.*?</section>', html_page, re.S)[0]


def assert_no_injected_markup(fragment):
    """No <script> the reader typed, and no attribute left early by their quote."""
    assert "<script" not in fragment
    assert '"x"' not in fragment and "'Ada'" not in fragment and 'b="' not in fragment


# --------------------------------------------------------------------------------------------
# The thread, the picks, the preview


def test_the_author_name_and_website_are_escaped_in_the_thread(client, article):
    """Guards: the name (text, and the Reply link's aria-label) and the website (an
    attribute) reach the thread escaped, quotes included."""
    comment = factories.make_comment(article, author_name=HOSTILE, author_url=HOSTILE_URL)
    thread = thread_of(page(client, article))
    assert_no_injected_markup(thread)
    assert f"<bdi>{HOSTILE_ESCAPED}</bdi>" in thread
    assert f'<a href="{HOSTILE_URL_ESCAPED}" rel="external nofollow ugc" class="url">' in thread
    assert f'href="?replytocom={comment.pk}#respond" aria-label="Reply to {HOSTILE_ESCAPED}"' in (
        thread
    )


def test_the_parent_name_in_reply_to_is_escaped(client, article):
    """Guards: "(in reply to …)" names the parent escaped, as the parent's own name is."""
    parent = factories.make_comment(article, author_name=HOSTILE)
    factories.make_comment(article, parent=parent, author_name="Ben")
    thread = thread_of(page(client, article))
    assert_no_injected_markup(thread)
    assert f"(in reply to <bdi>{HOSTILE_ESCAPED}</bdi>)" in thread


def test_the_staff_preview_escapes_the_status_it_shows(editor_client, article, monkeypatch):
    """Guards: the "<status>: shown to staff only." notice escapes the status it is given
    (a label is ours today; it is a value all the same)."""
    monkeypatch.setattr(ThreadComment, "get_status_display", lambda self: HOSTILE)
    hidden = factories.make_comment(article, status="pending", author_name=HOSTILE)
    thread = thread_of(page(editor_client, article, f"?moderate={hidden.pk}"))
    assert_no_injected_markup(thread)
    assert f"{HOSTILE_ESCAPED}: shown to staff only." in thread
    assert f"<bdi>{HOSTILE_ESCAPED}</bdi>" in thread


def test_a_pick_escapes_its_author_and_keeps_its_sanitized_body(client, article):
    """Guards: the Editors' picks show the name escaped (by the thread's own helper) and the
    body as the sanitized markup it is."""
    factories.make_comment(
        article, author_name=HOSTILE, body="Look <em>here</em>", featured_at=timezone.now()
    )
    picks = picks_of(page(client, article))
    assert_no_injected_markup(picks)
    assert f'<b class="text-body"><bdi>{HOSTILE_ESCAPED}</bdi></b>' in picks
    assert "<em>here</em>" in picks


def test_the_preview_escapes_the_name_as_the_thread_does(client, article, comment_data):
    """Guards: the preview of an unposted comment shows the name escaped, in the markup the
    thread's helper makes, and the text sanitized (markup kept, script gone)."""
    data = comment_data | {
        "name": HOSTILE,
        "comment": "Look <em>here</em><script>x()</script>",
        "preview": "1",
    }
    response = client.post(post_url(article), data)
    assert response.status_code == 200
    html_page = response.content.decode()
    preview = html_page[html_page.index('id="comment-preview"') :].split("</div>\n    </div>")[0]
    assert_no_injected_markup(preview)
    assert str(author_name_html(SimpleNamespace(author_name=HOSTILE))) in preview
    assert f"<bdi>{HOSTILE_ESCAPED}</bdi>" in preview
    assert "<p>Look <em>here</em></p>" in preview


# --------------------------------------------------------------------------------------------
# The templates


def test_a_template_escapes_text_and_lets_safe_strings_through():
    """Guards: a plain str is escaped (quotes too, as html.escape does), a SafeString goes in
    as it is, a plain int as its digits; the result is a SafeString."""
    link = html_template('<a href="{}" title="{}">{}</a> #{}')
    made = link("/x?a=1&b=2", "<script>alert('t')</script>", mark_safe("<b>bold</b>"), 7)
    assert made == (
        '<a href="/x?a=1&amp;b=2" title="&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;">'
        "<b>bold</b></a> #7"
    )
    assert type(made) is SafeString
    assert html("<p>{}</p>", made) == f"<p>{made}</p>"  # built markup nests unchanged


def test_anything_but_an_exact_safe_string_is_escaped():
    """Guards: only SafeString (and plain int) skip escaping: a str subclass, a lazy
    translation, a bool or None are text."""

    class Sneaky(str):
        pass

    lazy_text = lazy(lambda: "<i>lazy</i>", str)()
    made = html("{}|{}|{}|{}", Sneaky("<i>sub</i>"), lazy_text, True, None)
    assert made == "&lt;i&gt;sub&lt;/i&gt;|&lt;i&gt;lazy&lt;/i&gt;|True|None"


def test_a_template_keeps_its_own_markup_exactly():
    """Guards: the template's own text (quotes, a backslash, a newline, a "%s") comes out as
    written, with no value or with several; a wrong number of values is an error."""
    assert html_template("<br>")() == "<br>"
    assert html_template("")() == ""
    odd = html_template("a'b\"c\\d\n{}e%s{}")
    assert odd("1", 2) == "a'b\"c\\d\n1e%s2"
    with pytest.raises(TypeError):
        odd("only one")


def test_join_escapes_parts_that_are_not_markup():
    """Guards: joining keeps markup parts as they are and escapes the rest."""
    assert html_join([mark_safe("<li>a</li>"), "<li>b</li>"], "\n") == (
        "<li>a</li>\n&lt;li&gt;b&lt;/li&gt;"
    )
    assert type(html_join([])) is SafeString


# --------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("zone", "utc", "shown", "day", "iso"),
    [
        # +05:30: the local day and minutes differ from UTC's.
        (
            "Asia/Kolkata",
            datetime(2026, 12, 31, 20, 48, 7, 654321, tzinfo=UTC),
            "1 January 2027 at 02:18",
            "1 January 2027",
            "2027-01-01T02:18:07+05:30",
        ),
        # Summer time.
        (
            "Europe/Paris",
            datetime(2026, 7, 4, 19, 18, 59, tzinfo=UTC),
            "4 July 2026 at 21:18",
            "4 July 2026",
            "2026-07-04T21:18:59+02:00",
        ),
        # Behind UTC: the day before.
        (
            "America/St_Johns",
            datetime(2026, 12, 5, 0, 48, tzinfo=UTC),
            "4 December 2026 at 21:18",
            "4 December 2026",
            "2026-12-04T21:18:00-03:30",
        ),
    ],
)
def test_the_date_helper_shows_local_time_and_gives_the_iso_attribute(zone, utc, shown, day, iso):
    """Guards: the thread's form ("4 December 2026 at 21:18"), the picks' ("4 December
    2026") and <time datetime>'s value (to the second, with its offset) are all in the
    current time zone."""
    with timezone.override(zone):
        dates = LocalDates()
        assert dates(utc) == (shown, iso)
        assert dates(utc, with_time=False) == (day, iso)


def test_the_thread_and_the_picks_show_dates_in_the_sites_time_zone(client, article, settings):
    """Guards: the thread's <time> and the pick's date come from the one helper, in the
    current time zone."""
    settings.TIME_ZONE = "Asia/Kolkata"
    when = datetime(2026, 12, 31, 20, 48, 7, tzinfo=UTC)
    factories.make_comment(article, submitted_at=when, featured_at=timezone.now())
    html_page = page(client, article)
    thread = thread_of(html_page)
    assert '<time datetime="2027-01-01T02:18:07+05:30">1 January 2027 at 02:18</time>' in thread
    assert "1 January 2027 · in the thread</a>" in picks_of(html_page)
