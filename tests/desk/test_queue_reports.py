"""Readers' reports on the editors' desk: the moderation queue shows each comment's reports
not yet cleared (how many, each reason, the reader's words escaped, never who reported it),
an editor's approval clears them, the admin's comment page lists every report, the editors
are alerted when reports hold a comment, and the queue's reports cost one query for the
page. The readers' side is tests/public/test_report.py, the write path's
tests/moderation/test_reactions.py."""

from functools import partial

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from comments import moderation
from comments.models import Comment, Report
from tests import factories
from tests.desk.test_queue import (
    QUEUE_MAX_QUERIES,
    decide_url,
    find,
    find_all,
    page,
    queue_items,
    queue_url,
    text,
)

pytestmark = pytest.mark.django_db

Status = Comment.Status
Reason = Report.Reason
REPORTER_IPS = ("198.51.100.201", "198.51.100.202", "198.51.100.203")


@pytest.fixture(autouse=True)
def three_reports_hold(settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 3


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return partial(django_capture_on_commit_callbacks, execute=True)


def key(n):
    return f"{n:032x}"


def reported(comment, *reasons, first=1):
    """Readers first, first+1, … report `comment`, one reason (and words) each."""
    for n, reason in enumerate(reasons, start=first):
        reason, words = reason if isinstance(reason, tuple) else (reason, "")
        moderation.report(
            comment,
            reason=reason,
            text=words,
            reader_key=key(n),
            ip_address=REPORTER_IPS[(n - 1) % len(REPORTER_IPS)] if n <= 3 else f"192.0.2.{n}",
        )
    comment.refresh_from_db()
    return comment


def item_of(response, comment):
    return queue_items(page(response))[comment.pk]


def test_the_queue_shows_how_many_reported_it_and_why(editor_client, article):
    comment = factories.make_comment(article, author_name="Ann", body="Buy pills.")
    reported(comment, Reason.SPAM, (Reason.OTHER, "Copied from another site"), Reason.SPAM)
    assert comment.status == Status.PENDING
    item = item_of(editor_client.get(queue_url()), comment)
    reports = find(item, "div", "queue-reports")
    assert text(find(reports, "p", "queue-reports-title")) == "Reported by 3 readers:"
    lines = [text(li) for li in find_all(reports, "li", "queue-report")]
    assert [line.split(" (")[0] for line in lines] == [
        "Spam",
        "Something else: “Copied from another site”",
        "Spam",
    ]
    assert "takes 6 readers' reports to hold it again" in text(reports)
    why = text(find(item, "p", "queue-reason"))
    assert "reader reports: 3 reports: Spam (2); Something else: Copied from another site" in why


def test_the_queue_never_shows_who_reported(editor_client, article):
    comment = reported(factories.make_comment(article), Reason.SPAM, Reason.ABUSE, Reason.SPAM)
    html = editor_client.get(queue_url()).text
    assert comment.pk in queue_items(page(editor_client.get(queue_url())))
    for n in (1, 2, 3):
        assert key(n) not in html
    for address in REPORTER_IPS:
        assert address not in html


def test_comments_without_reports_show_none(editor_client, article):
    comment = factories.make_comment(article, status=Status.PENDING)
    item = item_of(editor_client.get(queue_url()), comment)
    assert not find_all(item, "div", "queue-reports")


def test_reports_below_the_threshold_show_once_the_comment_is_pending(editor_client, article):
    """A comment reported once and later held by another rule (its poster's edit added a
    link) still shows the report to the editor who decides it."""
    comment = reported(factories.make_comment(article, poster_key=key(50)), Reason.ABUSE)
    moderation.edit_own(comment, comment.body_raw + ' <a href="https://example.com/">x</a>')
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    item = item_of(editor_client.get(queue_url()), comment)
    assert text(find(item, "p", "queue-reports-title")) == "Reported by 1 reader:"


def test_markup_in_a_report_is_escaped_in_the_queue_and_the_admin(editor_client, article):
    words = '<img src=x onerror="alert(1)">'
    comment = reported(
        factories.make_comment(article), (Reason.OTHER, words), Reason.SPAM, Reason.SPAM
    )
    queue_html = editor_client.get(queue_url()).text
    assert "<img src=x" not in queue_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in queue_html
    change_html = editor_client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).text
    assert "<img src=x" not in change_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in change_html


def test_approving_from_the_queue_clears_the_reports(editor_client, article):
    comment = reported(factories.make_comment(article), Reason.SPAM, Reason.SPAM, Reason.SPAM)
    response = editor_client.post(decide_url(comment, "approve"))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert not Report.objects.filter(comment=comment, cleared_at=None).exists()
    assert moderation.reports_to_hold(comment) == 6
    # Three more readers are not enough now; held again at six, it shows those six only.
    reported(comment, Reason.ABUSE, Reason.ABUSE, Reason.ABUSE, first=4)
    assert comment.status == Status.APPROVED
    reported(comment, Reason.OFF_TOPIC, Reason.OFF_TOPIC, Reason.OFF_TOPIC, first=7)
    assert comment.status == Status.PENDING
    item = item_of(editor_client.get(queue_url()), comment)
    assert text(find(item, "p", "queue-reports-title")) == "Reported by 6 readers:"


def test_the_admin_comment_page_lists_every_report(editor_client, editor, article):
    comment = reported(factories.make_comment(article), Reason.SPAM, Reason.SPAM, Reason.SPAM)
    moderation.approve([comment], by=editor)
    comment.refresh_from_db()
    reported(comment, (Reason.OFF_TOPIC, "About another story"), first=4)
    html = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).text
    assert 'class="comment-reports"' in html
    assert html.count("cleared by an approval on") == 3
    assert "About another story" in html and ">open<" in html
    for address in REPORTER_IPS:
        assert address not in html
    for n in range(1, 5):
        assert key(n) not in html


def test_the_admin_page_of_an_unreported_comment_says_so(editor_client, article):
    comment = factories.make_comment(article)
    html = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).text
    assert "No reader has reported it." in html


def test_a_hold_by_reports_alerts_the_editors(article, committed, settings):
    settings.COMMENTS_SITE_URL = "https://www.meridian.example"
    editor = factories.make_editor("alerted-editor")
    editor.email = "desk@meridian.example"
    User.objects.filter(pk=editor.pk).update(email=editor.email)
    comment = factories.make_comment(article, author_name="Ann")
    with committed():
        reported(comment, Reason.SPAM, Reason.SPAM)
    assert mail.outbox == []  # reports below the threshold are no news
    with committed():
        reported(comment, Reason.ABUSE, first=3)
    assert comment.status == Status.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["desk@meridian.example"]
    assert "reader reports: 3 reports: Spam (2); Abusive or hateful" in message.body
    assert f"#queue-{comment.pk}" in message.body


@pytest.mark.parametrize("count", [3, 20])
def test_the_queues_reports_cost_one_query_for_the_page(
    editor_client, count, django_assert_max_num_queries
):
    """Guards the N+1 of loading each comment's reports in the queue: one prefetch for the
    page, however many comments and reports it shows."""
    for n in range(count):
        article = factories.make_article()
        comment = factories.make_comment(article, body=f"Reported comment {n}.")
        for r in range(3):
            moderation.report(
                comment,
                reason=Reason.OTHER,
                text=f"Reason {n}-{r}",
                reader_key=f"{n:016x}{r:016x}",
                ip_address=f"10.{n}.{r}.1",
            )
    editor_client.get(reverse("admin:index"))  # warm the session
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        response = editor_client.get(queue_url())
    items = queue_items(page(response))
    assert len(items) == count
    for item in items.values():
        assert text(find(item, "p", "queue-reports-title")) == "Reported by 3 readers:"
        assert len(find_all(item, "li", "queue-report")) == 3
