"""Readers' recommendations and reports in the write path (comments.moderation.reactions):
one recommendation per comment per browser, undone, never of one's own; one report per
comment per browser and per IP address, and enough distinct readers' reports hold the
comment through `_move` (the trail says "reader reports" and why), an editor's approval
clears them and the next hold then takes twice as many; staff comments are never held; the
purge clears reports' IP addresses with the comments'. The pages readers use are tested in
tests/public/test_recommend.py and test_report.py, the editors' side in
tests/desk/test_queue_reports.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import moderation
from comments.models import Comment, ModerationEvent, Recommendation, Report
from tests import factories

pytestmark = pytest.mark.django_db

Status = Comment.Status
Reported = moderation.Reported
Reason = Report.Reason


def key(n):
    """The n-th reader's browser key (the shape posting.new_poster_key makes)."""
    return f"{n:032x}"


def ip(n):
    return f"198.51.100.{n}"


def report_by(comment, n, reason=Reason.SPAM, text="", address=None):
    """Reader n reports `comment` from their own address (or `address`)."""
    return moderation.report(
        comment, reason=reason, text=text, reader_key=key(n), ip_address=address or ip(n)
    )


def reload(comment):
    comment.refresh_from_db()
    return comment


@pytest.fixture
def comment(article):
    return factories.make_comment(article, poster_key=key(99))


@pytest.fixture(autouse=True)
def three_reports_hold(settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 3


# --- Recommendations ----------------------------------------------------------------------------


def test_one_recommendation_per_browser(comment):
    assert moderation.recommend(comment, key(1)) is True
    assert moderation.recommend(comment, key(1)) is False  # counted already
    assert moderation.recommend(comment, key(2)) is True
    assert reload(comment).recommendation_count == 2
    assert Recommendation.objects.filter(comment=comment).count() == 2


def test_a_recommendation_is_undone(comment):
    moderation.recommend(comment, key(1))
    moderation.recommend(comment, key(2))
    assert moderation.unrecommend(comment, key(1)) is True
    assert moderation.unrecommend(comment, key(1)) is False  # nothing left to undo
    assert reload(comment).recommendation_count == 1
    assert moderation.recommended_by(key(1), [comment]) == set()
    assert moderation.recommended_by(key(2), [comment]) == {comment.pk}


def test_the_poster_cannot_recommend_their_own_comment(comment):
    with pytest.raises(moderation.CannotReact):
        moderation.recommend(comment, key(99))
    assert reload(comment).recommendation_count == 0


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM, Status.REMOVED])
def test_nobody_recommends_or_reports_a_comment_readers_cannot_see(article, status):
    hidden = factories.make_comment(article, status=status)
    with pytest.raises(moderation.CannotReact):
        moderation.recommend(hidden, key(1))
    with pytest.raises(moderation.CannotReact):
        report_by(hidden, 1)
    assert not Recommendation.objects.exists()
    assert not Report.objects.exists()


def test_recommended_by_is_one_query(article, django_assert_num_queries):
    comments = [factories.make_comment(article) for _ in range(5)]
    for chosen in comments[1:4]:
        moderation.recommend(chosen, key(1))
    with django_assert_num_queries(1):
        found = moderation.recommended_by(key(1), comments)
    assert found == {c.pk for c in comments[1:4]}
    assert moderation.recommended_by("", comments) == set()


def test_a_recommendation_is_no_decision_in_the_trail(comment):
    """The trail is the editors' record of decisions: readers' recommendations stay out."""
    moderation.recommend(comment, key(1))
    moderation.unrecommend(comment, key(1))
    assert not ModerationEvent.objects.filter(comment=comment).exists()


# --- Reports ---------------------------------------------------------------------------------


def test_one_report_per_browser_and_per_address(comment):
    assert report_by(comment, 1) == Reported.COUNTED
    assert report_by(comment, 1) == Reported.ALREADY  # the same browser
    # Another browser from the same address: not counted either.
    assert report_by(comment, 2, address=ip(1)) == Reported.ALREADY
    # The same browser from another address (a phone off the wifi): the same reader.
    assert report_by(comment, 1, address=ip(7)) == Reported.ALREADY
    assert Report.objects.filter(comment=comment).count() == 1
    assert reload(comment).status == Status.APPROVED


def test_the_threshold_holds_the_comment_through_the_write_path(comment):
    assert report_by(comment, 1, Reason.SPAM) == Reported.COUNTED
    assert report_by(comment, 2, Reason.OTHER, "  Quotes me out of context.  ") == (
        Reported.COUNTED
    )
    assert reload(comment).status == Status.APPROVED
    assert report_by(comment, 3, Reason.SPAM) == Reported.HELD
    assert reload(comment).status == Status.PENDING
    event = ModerationEvent.objects.filter(comment=comment).latest("pk")
    assert event.action == ModerationEvent.Action.HOLD
    assert (event.from_status, event.to_status) == (Status.APPROVED, Status.PENDING)
    assert event.rule == moderation.READER_REPORTS == "reader reports"
    assert event.actor is None
    assert event.reason == "3 reports: Spam (2); Something else: Quotes me out of context."
    assert Report.objects.get(reader_key=key(2)).text == "Quotes me out of context."


def test_a_held_comment_can_be_reported_no_more(comment):
    for n in (1, 2, 3):
        report_by(comment, n)
    with pytest.raises(moderation.CannotReact):
        report_by(reload(comment), 4)


def test_the_held_comment_leaves_the_public_thread(
    client, article, comment, django_capture_on_commit_callbacks
):
    other = factories.make_comment(article, body="Still here.")
    assert f'id="comment-{comment.pk}"' in client.get(article.get_absolute_url()).text
    with django_capture_on_commit_callbacks(execute=True):  # the listeners, as on a commit
        for n in (1, 2, 3):
            report_by(comment, n)
    page = client.get(article.get_absolute_url()).text
    assert f'id="comment-{comment.pk}"' not in page
    assert f'id="comment-{other.pk}"' in page


def test_approval_clears_the_reports_and_doubles_the_threshold(comment, editor):
    for n in (1, 2, 3):
        report_by(comment, n)
    assert moderation.approve([comment], by=editor)
    assert not Report.objects.filter(comment=comment, cleared_at=None).exists()
    assert Report.objects.filter(comment=comment).count() == 3
    assert moderation.reports_to_hold(reload(comment)) == 6
    # The readers who reported it have had their say: their reports don't count again.
    assert report_by(comment, 1) == Reported.ALREADY
    # Five new readers are not enough; the sixth holds it again.
    for n in range(4, 9):
        assert report_by(comment, n) == Reported.COUNTED
        assert reload(comment).status == Status.APPROVED
    assert report_by(comment, 9) == Reported.HELD
    held = ModerationEvent.objects.filter(comment=comment, action="hold").latest("pk")
    assert held.reason.startswith("6 reports: Spam (6)")


def test_an_address_of_a_cleared_report_counts_again_from_a_new_browser(comment, editor):
    """The address rule is about what still counts: after an approval, a new browser behind
    an address that reported before is a new reader."""
    report_by(comment, 1)
    moderation.approve([comment], by=editor)  # approved already: clears nothing, moves nothing
    assert report_by(comment, 2, address=ip(1)) == Reported.ALREADY
    moderation.remove([comment], by=editor)
    moderation.approve([comment], by=editor)
    assert report_by(comment, 2, address=ip(1)) == Reported.COUNTED


def test_staff_comments_are_never_held_by_reports(article, editor):
    parent = factories.make_comment(article)
    reply = moderation.staff_reply(parent, "The editors' answer.", by=editor)
    for n in range(1, 8):
        assert report_by(reply, n) == Reported.COUNTED
    assert reload(reply).status == Status.APPROVED
    assert Report.objects.filter(comment=reply).count() == 7


def test_zero_turns_holding_by_reports_off(comment, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 0
    for n in range(1, 11):
        assert report_by(comment, n) == Reported.COUNTED
    assert reload(comment).status == Status.APPROVED
    assert not ModerationEvent.objects.filter(comment=comment, action="hold").exists()


def test_a_lower_threshold_holds_sooner(comment, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 1
    assert report_by(comment, 1) == Reported.HELD


def test_a_reader_may_report_their_own_comment(comment):
    assert report_by(comment, 99) == Reported.COUNTED


# --- Privacy --------------------------------------------------------------------------------


def test_the_purge_clears_old_reports_addresses(article, comment):
    report_by(comment, 1)
    report_by(comment, 2)
    old = timezone.now() - timedelta(days=90)
    Report.objects.filter(reader_key=key(1)).update(created_at=old)
    moderation.purge_ips(timezone.now() - timedelta(days=60), batch_size=1)
    addresses = dict(Report.objects.values_list("reader_key", "ip_address"))
    assert addresses == {key(1): None, key(2): ip(2)}
    # What the report says stays for the editors.
    assert Report.objects.get(reader_key=key(1)).reason == Reason.SPAM


def test_a_report_reads_the_comments_status_now_not_the_objects(comment):
    """Guards the row lock in report(): a comment held (or removed) after the reader's copy
    was loaded takes no report, whatever that copy says."""
    stale = Comment.objects.get(pk=comment.pk)
    moderation.remove([comment], by="a test")
    assert stale.status == Status.APPROVED
    with pytest.raises(moderation.CannotReact):
        report_by(stale, 1)
    assert not Report.objects.exists()
