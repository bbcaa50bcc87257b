"""Reporting a comment to the editors (comments.public.reactions, comments.public.forms'
ReportForm): the form without JavaScript, one report per comment per browser and per IP
address, the same thanks whatever became of the report (counted, made before, or the one
that held the comment), flood control, forged and hidden comments, and what the reader typed
kept and escaped. The write path's side is tests/moderation/test_reactions.py, the editors'
tests/desk/test_queue_reports.py."""

import html
import re
from functools import partial

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from comments import moderation
from comments.models import REPORT_TEXT_MAX_LENGTH, Comment, ModerationEvent, Report
from comments.public.reactions import REPORT_FLOOD_MESSAGE, THANKS
from comments.public.session import POSTER_KEY_SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture(autouse=True)
def three_reports_hold(settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 3


@pytest.fixture
def comment(article):
    return factories.make_comment(article, author_name="Ann", body="Words to report.")


def report_url(comment):
    return reverse("comments:report", kwargs={"comment_id": comment.pk})


def sent_url(comment):
    return reverse("comments:report_sent", kwargs={"comment_id": comment.pk})


def send(comment, data=None, *, browser=None, ip="203.0.113.1"):
    """A report of `comment` from `browser` (a new one by default) at `ip`: the response."""
    browser = browser or Client()
    data = {"reason": "spam"} if data is None else data
    return browser.post(report_url(comment), data, REMOTE_ADDR=ip)


def reports_of(comment):
    return Report.objects.filter(comment=comment)


def status_of(comment):
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


# --- The form ---------------------------------------------------------------------------------


def test_the_form_has_each_reason_and_a_text_field_and_makes_no_session(client, comment):
    response = client.get(report_url(comment))
    assert response.status_code == 200
    page = response.text
    for value, label in Report.Reason.choices:
        radio = re.search(
            rf'<input type="radio" name="reason" value="{value}"[^>]*id="([^"]+)"', page
        )
        assert radio, value
        assert f'<label class="form-check-label" for="{radio[1]}">{label}</label>' in page
    assert "<legend" in page and "Why should the editors look at this comment?" in page
    assert f'maxlength="{REPORT_TEXT_MAX_LENGTH}"' in page
    assert f'action="{report_url(comment)}"' in page  # absolute: comments.js moves the form
    assert "csrfmiddlewaretoken" in page
    assert "Words to report." in page
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-store" in response["Cache-Control"]


def test_a_report_is_stored_and_thanked(client, comment):
    response = send(
        comment,
        {"reason": "other", "text": " Not what the article says. "},
        browser=client,
        ip="203.0.113.9",
    )
    assert response.status_code == 302
    assert response["Location"] == sent_url(comment)
    report = reports_of(comment).get()
    assert (report.reason, report.text) == ("other", "Not what the article says.")
    assert report.ip_address == "203.0.113.9"
    assert report.reader_key == client.session[POSTER_KEY_SESSION_KEY]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert THANKS in thanks.text
    assert f'href="{html.escape(comment.get_posted_url())}"' in thanks.text
    assert status_of(comment) == Status.APPROVED


def test_one_report_per_browser_and_per_address(client, comment):
    first = send(comment, browser=client, ip="203.0.113.1")
    again = send(comment, {"reason": "abuse"}, browser=client, ip="203.0.113.2")
    same_address = send(comment, ip="203.0.113.1")
    for response in (first, again, same_address):
        assert response.status_code == 302
        assert response["Location"] == sent_url(comment)
    assert reports_of(comment).count() == 1
    send(comment, ip="203.0.113.3")
    assert reports_of(comment).count() == 2


def test_reaching_the_threshold_holds_it_and_the_answer_is_the_same(comment, committed):
    answers = []
    with committed():
        for n in range(1, 4):
            answers.append(send(comment, ip=f"203.0.113.{n}"))
    assert status_of(comment) == Status.PENDING
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, sent_url(comment))}
    event = ModerationEvent.objects.filter(comment=comment).latest("pk")
    assert (event.action, event.rule) == ("hold", "reader reports")
    assert event.reason == "3 reports: Spam (3)"
    # Held: readers can't see it, so it can't be reported or recommended any more ...
    assert Client().get(report_url(comment)).status_code == 404
    assert send(comment, ip="203.0.113.4").status_code == 404
    # ... but the thanks page is the same for it as for any other: it says nothing.
    thanks = Client().get(sent_url(comment))
    assert thanks.status_code == 200 and THANKS in thanks.text


def test_other_needs_a_few_words_and_what_was_chosen_is_kept(client, comment):
    response = send(comment, {"reason": "other", "text": "   "}, browser=client)
    assert response.status_code == 200
    page = response.text
    assert "Your report was not sent" in page
    assert "Please say what is wrong." in page
    assert re.search(r'value="other"[^>]*checked', page)
    assert 'aria-invalid="true"' in page
    assert page.startswith("<!doctype html>") and "<title>Error: " in page
    assert not Report.objects.exists()


def test_a_reason_is_required_and_must_be_one_of_the_choices(client, comment):
    page = send(comment, {"text": "no reason"}, browser=client).text
    assert "Please choose a reason." in page
    assert 'value="no reason"' in page  # the text kept
    page = send(comment, {"reason": "boring"}, browser=client).text
    assert "Select a valid choice." in page
    assert not Report.objects.exists()


def test_too_long_a_text_is_refused_and_kept(client, comment):
    long_text = "x" * (REPORT_TEXT_MAX_LENGTH + 1)
    page = send(comment, {"reason": "other", "text": long_text}, browser=client).text
    assert f"at most {REPORT_TEXT_MAX_LENGTH} characters" in page
    assert "Please say what is wrong." not in page  # one error for one mistake
    assert long_text in page
    assert not Report.objects.exists()


def test_markup_in_the_text_is_escaped_when_shown_again(client, comment):
    text = '<script>alert("x")</script>'
    page = send(comment, {"reason": "spam", "text": text + "\x00"}, browser=client).text
    assert "<script>alert" not in page
    assert not Report.objects.exists()


# --- Flood control ------------------------------------------------------------------------------


@pytest.fixture
def flood(settings):
    settings.COMMENTS_FLOOD_SECONDS = 15


def test_one_report_every_flood_seconds_per_address(flood, article, client):
    first, second = factories.make_comment(article), factories.make_comment(article)
    assert send(first, browser=client, ip="203.0.113.5").status_code == 302
    response = send(
        second, {"reason": "other", "text": "Keep these words"}, browser=Client(), ip="203.0.113.5"
    )
    assert response.status_code == 429
    page = response.text
    assert html.escape(REPORT_FLOOD_MESSAGE) in page
    assert 'value="Keep these words"' in page
    assert re.search(r'value="other"[^>]*checked', page)
    assert not reports_of(second).exists()
    # Another reader elsewhere is not slowed down.
    assert send(second, ip="203.0.113.6").status_code == 302


def test_one_report_every_flood_seconds_per_browser(flood, article, client):
    first, second = factories.make_comment(article), factories.make_comment(article)
    send(first, browser=client, ip="203.0.113.5")
    assert send(second, browser=client, ip="203.0.113.7").status_code == 429


def test_a_report_made_before_is_thanked_not_slowed(flood, client, comment):
    """A double click or a reload is answered as the first was: thanks, not "too soon"."""
    assert send(comment, browser=client).status_code == 302
    response = send(comment, browser=client)
    assert response.status_code == 302
    assert response["Location"] == sent_url(comment)


def test_flood_control_off_at_zero(settings, article, client):
    settings.COMMENTS_FLOOD_SECONDS = 0
    comments = [factories.make_comment(article) for _ in range(3)]
    for chosen in comments:
        assert send(chosen, browser=client).status_code == 302
    assert Report.objects.count() == 3


# --- Forged and hidden comments ------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM, Status.REMOVED])
def test_comments_readers_cannot_see_are_not_found(article, status):
    hidden = factories.make_comment(article, status=status)
    assert Client().get(report_url(hidden)).status_code == 404
    assert send(hidden).status_code == 404
    assert not Report.objects.exists()


def test_unknown_comments_and_unpublished_articles_are_not_found():
    draft = factories.make_article(status="draft")
    hidden = factories.make_comment(draft)
    assert Client().get(report_url(hidden)).status_code == 404
    assert send(hidden).status_code == 404
    assert Client().get(sent_url(hidden)).status_code == 404
    missing = reverse("comments:report", kwargs={"comment_id": 999_999})
    assert Client().get(missing).status_code == 404
    assert not Report.objects.exists()


def test_a_report_needs_the_csrf_token(comment):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(report_url(comment), {"reason": "spam"}).status_code == 403
    page = browser.get(report_url(comment)).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = browser.post(report_url(comment), {"reason": "spam", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert reports_of(comment).count() == 1


def test_a_reader_may_report_their_own_comment(client, article):
    mine = factories.make_comment(article, poster_key="b" * 32)
    session = client.session
    session[POSTER_KEY_SESSION_KEY] = mine.poster_key
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    assert send(mine, browser=client).status_code == 302
    assert reports_of(mine).get().reader_key == mine.poster_key


def test_staff_comments_are_reported_but_never_held(article, editor, committed):
    reply = moderation.staff_reply(factories.make_comment(article), "Staff here.", by=editor)
    with committed():
        for n in range(1, 6):
            assert send(reply, ip=f"203.0.113.{n}").status_code == 302
    assert reports_of(reply).count() == 5
    assert status_of(reply) == Status.APPROVED


def test_escaped_names_on_the_report_page(client, article):
    evil = factories.make_comment(article, author_name="<b onclick=x>Bold</b>")
    page = client.get(report_url(evil)).text
    assert "<b onclick" not in page
    assert "&lt;b onclick=x&gt;Bold&lt;/b&gt;" in page
