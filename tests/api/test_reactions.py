"""Readers' reactions through the API (comments.api.reactions): recommending a comment and
taking it back, reporting one, and which comments a poster key recommends; under the HTML
pages' rules (tests/public/test_recommend.py, test_report.py), through the same write path
(tests/moderation/test_reactions.py), with the poster key in place of the session.

Decisions that readers see are made inside `committed()` (django_capture_on_commit_callbacks
with execute=True), which runs the write path's listeners (forget_threads among them) as a
real commit would.
"""

import json
import re
import secrets
from functools import partial

import pytest
from django.test import Client

from comments.api.posting import FOREIGN_ORIGIN
from comments.api.reactions import RecommendationOut, RecommendedOut, ReportOut
from comments.api.schemas import DiscussionOut, ErrorOut
from comments.models import Comment, ModerationEvent, Recommendation, Report
from comments.public.reactions import OWN_COMMENT, REPORT_FLOOD_MESSAGE, THANKS
from tests.factories import discussion_of, make_article, make_comment

pytestmark = pytest.mark.django_db

API = "/api/v1"
LISTED = "https://news.example"
REPORT_ERRORS = "The report was not sent: see the errors of each field."
KEY = secrets.token_hex(16)
OTHER_KEY = secrets.token_hex(16)


@pytest.fixture(autouse=True)
def one_listed_origin(settings):
    settings.COMMENTS_EMBED_ORIGINS = [LISTED]
    settings.COMMENTS_REPORTS_TO_HOLD = 3


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def comment(article):
    return make_comment(article, author_name="Ann", body="Worth reading.")


def headers(key=None, origin=None):
    sent = {}
    if key is not None:
        sent["X-Poster-Key"] = key
    if origin is not None:
        sent["Origin"] = origin
    return sent


def recommendation_url(comment):
    pk = comment if isinstance(comment, int) else comment.pk
    return f"{API}/comments/{pk}/recommendation"


def recommend(comment, key=None, *, origin=None):
    return Client().post(recommendation_url(comment), headers=headers(key, origin))


def unrecommend(comment, key=None, *, origin=None):
    return Client().delete(recommendation_url(comment), headers=headers(key, origin))


def report(comment, body=None, key=None, *, ip="203.0.113.1", origin=None):
    """POST a report of `comment` (`body` a dict as JSON, a str as it is)."""
    pk = comment if isinstance(comment, int) else comment.pk
    body = {"reason": "spam"} if body is None else body
    return Client().post(
        f"{API}/comments/{pk}/reports",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers=headers(key, origin),
        REMOTE_ADDR=ip,
    )


def recommended(discussion_id, key=None):
    return Client().get(f"{API}/discussions/{discussion_id}/recommended", headers=headers(key))


def read(article, sort=None):
    query = f"?sort={sort}" if sort else ""
    response = Client().get(f"{API}/discussions/{discussion_of(article).pk}{query}")
    assert response.status_code == 200
    DiscussionOut.model_validate_json(response.content)
    return response.json()


def count_of(comment):
    return Comment.objects.values_list("recommendation_count", flat=True).get(pk=comment.pk)


def assert_refused(response, status, message, errors=None):
    assert response.status_code == status, (response.status_code, response.content)
    body = ErrorOut.model_validate_json(response.content)
    assert body.message == message
    if errors is not None:
        assert body.errors == errors


# --------------------------------------------------------------------------------------------
# Recommending


def test_a_recommendation_counts_once_and_is_taken_back(comment):
    first = recommend(comment, KEY)
    assert first.status_code == 200
    RecommendationOut.model_validate_json(first.content)
    assert first.json() == {
        "comment": comment.pk,
        "recommended": True,
        "count": 1,
        "poster_key": KEY,
    }
    assert "private" in first["Cache-Control"]
    assert "X-Poster-Key" in first["Vary"]
    again = recommend(comment, KEY)
    assert again.json()["count"] == 1
    assert recommend(comment, OTHER_KEY).json()["count"] == 2
    assert count_of(comment) == 2

    taken_back = unrecommend(comment, KEY)
    assert taken_back.status_code == 200
    assert taken_back.json() == {
        "comment": comment.pk,
        "recommended": False,
        "count": 1,
        "poster_key": KEY,
    }
    assert unrecommend(comment, KEY).json()["count"] == 1  # nothing more to take back
    assert list(Recommendation.objects.values_list("reader_key", flat=True)) == [OTHER_KEY]


@pytest.mark.parametrize("sent", [None, "", "not-a-key", KEY.upper()])
def test_a_reader_without_a_key_is_given_one(comment, sent):
    answer = recommend(comment, sent).json()
    assert re.fullmatch(r"[0-9a-f]{32}", answer["poster_key"])
    assert answer["poster_key"] != KEY
    assert Recommendation.objects.get().reader_key == answer["poster_key"]


def test_ones_own_comment_cannot_be_recommended(article):
    mine = make_comment(article, poster_key=KEY)
    assert_refused(recommend(mine, KEY), 403, OWN_COMMENT)
    assert count_of(mine) == 0
    assert not Recommendation.objects.exists()
    assert recommend(mine, OTHER_KEY).json()["count"] == 1


def unseen_comments(article):
    """Comments readers can't see, by id: unknown, pending, spam, removed, an unpublished
    article's, and ids no column holds."""
    draft = make_article(status="draft")
    return [
        999999,
        make_comment(article, status="pending").pk,
        make_comment(article, status="spam").pk,
        make_comment(article, status="removed").pk,
        make_comment(draft).pk,
        2**31,
        10**30,
    ]


def test_a_comment_readers_cannot_see_is_404_for_every_reaction(article):
    for pk in unseen_comments(article):
        assert_refused(recommend(pk, KEY), 404, "Not found.")
        assert_refused(unrecommend(pk, KEY), 404, "Not found.")
        assert_refused(report(pk, key=KEY), 404, "Not found.")
    assert not Recommendation.objects.exists()
    assert not Report.objects.exists()


def test_the_read_answer_shows_the_count_once_the_thread_is_forgotten(article, comment, committed):
    """Each comment's "recommendations", on the next read (the cached thread is forgotten
    when the count changes), and the "best" order follows them."""
    later = make_comment(article, author_name="Bo", body="Later, better.")
    before = read(article)
    assert [(c["id"], c["recommendations"]) for c in before["comments"]] == [
        (comment.pk, 0),
        (later.pk, 0),
    ]
    assert [c["id"] for c in read(article, "best")["comments"]] == [comment.pk, later.pk]

    with committed():
        recommend(later, KEY)
        recommend(later, OTHER_KEY)
        recommend(comment, KEY)

    after = read(article)
    assert [(c["id"], c["recommendations"]) for c in after["comments"]] == [
        (comment.pk, 1),
        (later.pk, 2),
    ]
    assert [c["id"] for c in read(article, "best")["comments"]] == [later.pk, comment.pk]

    with committed():
        unrecommend(later, KEY)
        unrecommend(later, OTHER_KEY)
    assert [c["recommendations"] for c in read(article)["comments"]] == [1, 0]


def test_which_comments_a_key_recommends(article, comment):
    other = make_comment(article)
    elsewhere = make_comment(make_article())
    for recommended_one in (other, comment, elsewhere):
        recommend(recommended_one, KEY)
    recommend(other, OTHER_KEY)
    pk = discussion_of(article).pk

    mine = recommended(pk, KEY)
    assert mine.status_code == 200
    RecommendedOut.model_validate_json(mine.content)
    assert mine.json() == {"recommended": sorted([comment.pk, other.pk])}
    assert "private" in mine["Cache-Control"]
    assert "X-Poster-Key" in mine["Vary"]
    assert recommended(pk, OTHER_KEY).json() == {"recommended": [other.pk]}
    for nobody in (None, "", secrets.token_hex(16), "not a key"):
        assert recommended(pk, nobody).json() == {"recommended": []}


def test_a_recommended_comment_no_longer_published_is_not_listed(article, comment, editor):
    from comments import moderation

    recommend(comment, KEY)
    moderation.remove([comment], by=editor)
    assert recommended(discussion_of(article).pk, KEY).json() == {"recommended": []}


def test_the_recommended_list_of_a_discussion_readers_cannot_see_is_404(article):
    draft = make_article(status="draft")
    for pk in (999999, discussion_of(draft).pk):
        assert_refused(recommended(pk, KEY), 404, "Not found.")


# --------------------------------------------------------------------------------------------
# Reporting


def test_a_report_is_stored_and_thanked_the_same_counted_or_not(comment):
    first = report(comment, {"reason": "other", "text": " Not what it says. "}, KEY)
    assert first.status_code == 202
    ReportOut.model_validate_json(first.content)
    assert first.json() == {"message": THANKS, "poster_key": KEY}
    stored = Report.objects.get()
    assert (stored.reason, stored.text, stored.reader_key) == ("other", "Not what it says.", KEY)
    assert stored.ip_address == "203.0.113.1"

    again = report(comment, {"reason": "abuse"}, KEY, ip="203.0.113.2")  # the same key
    same_address = report(comment, {"reason": "abuse"}, OTHER_KEY)  # the same address
    for answer in (again, same_address):
        assert answer.status_code == 202
        assert answer.json()["message"] == THANKS
    assert again.content == first.content
    assert Report.objects.count() == 1
    assert report(comment, key=OTHER_KEY, ip="203.0.113.3").status_code == 202
    assert Report.objects.count() == 2


def test_a_report_without_a_key_is_given_one(comment):
    answer = report(comment).json()
    assert re.fullmatch(r"[0-9a-f]{32}", answer["poster_key"])
    assert Report.objects.get().reader_key == answer["poster_key"]


def test_ones_own_comment_may_be_reported(article):
    mine = make_comment(article, poster_key=KEY)
    assert report(mine, key=KEY).status_code == 202
    assert Report.objects.filter(comment=mine).count() == 1


BAD_REPORTS = {
    "no-reason": ({"text": "no reason"}, {"reason": ["Please choose a reason."]}),
    "unknown-reason": (
        {"reason": "boring"},
        {"reason": ["Select a valid choice. boring is not one of the available choices."]},
    ),
    "other-without-words": (
        {"reason": "other", "text": "   "},
        {"text": ["Please say what is wrong."]},
    ),
    "too-long": (
        {"reason": "spam", "text": "x" * 201},
        {"text": ["Ensure this value has at most 200 characters (it has 201)."]},
    ),
    "reason-a-number": ({"reason": 1}, {"reason": ["Enter text."]}),
    "text-a-list": ({"reason": "spam", "text": ["a"]}, {"text": ["Enter text."]}),
}


@pytest.mark.parametrize(("body", "errors"), BAD_REPORTS.values(), ids=BAD_REPORTS.keys())
def test_a_bad_report_is_400_with_the_report_forms_messages(comment, body, errors):
    assert_refused(report(comment, body, KEY), 400, REPORT_ERRORS, errors)
    assert not Report.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[]", '"spam"', ""])
def test_a_report_that_is_no_json_object_is_400(comment, body):
    assert_refused(report(comment, body, KEY), 400, "The body must be a JSON object.", {})
    assert not Report.objects.exists()


def test_reports_are_flood_limited_per_address_and_per_key(settings, article):
    settings.COMMENTS_FLOOD_SECONDS = 15
    first, second, third = (make_comment(article) for _ in range(3))
    assert report(first, key=KEY, ip="203.0.113.5").status_code == 202
    assert_refused(report(second, key=OTHER_KEY, ip="203.0.113.5"), 429, REPORT_FLOOD_MESSAGE)
    assert_refused(report(second, key=KEY, ip="203.0.113.6"), 429, REPORT_FLOOD_MESSAGE)
    assert list(Report.objects.values_list("comment", flat=True)) == [first.pk]
    # The same report again is no new report: thanked, not "too soon".
    assert report(first, key=KEY, ip="203.0.113.5").status_code == 202
    # Another reader elsewhere is not slowed down.
    assert report(third, key=secrets.token_hex(16), ip="203.0.113.7").status_code == 202


def test_reaching_the_threshold_holds_the_comment_and_the_answer_is_the_same(
    article, comment, committed
):
    """The third distinct reader's report sends the comment back to the queue through the
    write path (the rule "reader reports"); the thread no longer shows it, and nobody's
    answer says so."""
    assert comment.pk in [c["id"] for c in read(article)["comments"]]
    answers = []
    with committed():
        for n in range(3):
            answers.append(report(comment, key=secrets.token_hex(16), ip=f"203.0.113.{n + 1}"))
    assert {(a.status_code, a.json()["message"]) for a in answers} == {(202, THANKS)}
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    event = ModerationEvent.objects.filter(comment=comment).latest("pk")
    assert (event.action, event.rule, event.reason) == (
        "hold",
        "reader reports",
        "3 reports: Spam (3)",
    )
    assert comment.pk not in [c["id"] for c in read(article)["comments"]]
    assert_refused(report(comment, key=KEY, ip="203.0.113.9"), 404, "Not found.")
    assert_refused(recommend(comment, KEY), 404, "Not found.")


# --------------------------------------------------------------------------------------------
# Origins and CORS; cookies


def test_reactions_from_an_unlisted_origin_are_refused_and_store_nothing(comment):
    for origin in ("https://evil.example", "null"):
        for response in (
            recommend(comment, KEY, origin=origin),
            unrecommend(comment, KEY, origin=origin),
            report(comment, key=KEY, origin=origin),
            report(comment, "{not json", KEY, origin=origin),
        ):
            assert_refused(response, 403, FOREIGN_ORIGIN)
            assert "Access-Control-Allow-Origin" not in response
    assert not Recommendation.objects.exists()
    assert not Report.objects.exists()


def test_reactions_from_a_listed_origin_carry_its_cors_headers(comment):
    answers = [
        recommend(comment, KEY, origin=LISTED),
        unrecommend(comment, KEY, origin=LISTED),
        report(comment, key=KEY, origin=LISTED),
        report(comment, {"reason": "x"}, KEY, origin=LISTED),
        recommend(999999, KEY, origin=LISTED),
        Client().get(
            f"{API}/discussions/{comment.discussion_id}/recommended",
            headers=headers(KEY, LISTED),
        ),
    ]
    assert [a.status_code for a in answers] == [200, 200, 202, 400, 404, 200]
    for response in answers:
        assert response["Access-Control-Allow-Origin"] == LISTED
        assert "X-Poster-Key" in response["Access-Control-Allow-Headers"]
        assert "Origin" in response["Vary"]


def test_the_sites_own_pages_need_no_listing(comment):
    response = recommend(comment, KEY, origin="http://testserver")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/comments/{comment}/recommendation",
        "/comments/{comment}/reports",
        "/discussions/{discussion}/recommended",
    ],
)
def test_preflights_answer_a_listed_origin_only(comment, path):
    url = API + path.format(comment=comment.pk, discussion=comment.discussion_id)
    allowed = Client().options(url, HTTP_ORIGIN=LISTED)
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == LISTED
    assert "DELETE" in allowed["Access-Control-Allow-Methods"]
    assert "X-Poster-Key" in allowed["Access-Control-Allow-Headers"]
    other = Client().options(url, HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 204
    assert "Access-Control-Allow-Origin" not in other


def test_no_reaction_sets_a_cookie_or_reads_a_session(comment, editor_client):
    """An editor's session is not asked: the reader is the key, and no cookie is set."""
    response = editor_client.post(recommendation_url(comment))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert Recommendation.objects.get().reader_key == response.json()["poster_key"]
    assert not Client().post(recommendation_url(comment), headers=headers(KEY)).cookies
    assert not report(comment, key=KEY).cookies
