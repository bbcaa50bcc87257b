"""manage.py make_load_data: realistic threaded comments in bulk, with the trail, the scores
and the filter the write path would have left, idempotent."""

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Avg
from django.urls import reverse

from articles.models import Article
from bench.management.commands.make_load_data import EDITORS, HELD_RULES, SPAM_RULES
from comments import moderation
from comments.models import Comment, Discussion, ModerationEvent, SpamFilterVersion
from comments.spam import filter as spam_filter

pytestmark = pytest.mark.django_db


def load(articles, comments):
    call_command("make_load_data", articles=articles, comments=comments, stdout=None)


def load_articles():
    return Article.objects.filter(slug__startswith="load-")


def load_discussions():
    return Discussion.objects.filter(
        content_type=ContentType.objects.get_for_model(Article),
        object_id__in=[str(pk) for pk in load_articles().values_list("pk", flat=True)],
    )


def load_comments():
    return Comment.objects.filter(discussion__in=load_discussions())


def test_it_makes_the_articles_and_comments_asked_for():
    load(3, 400)
    assert Article.objects.published().filter(slug__startswith="load-").count() == 3
    assert load_comments().count() == 400


def test_each_article_has_its_discussion_described_and_counted():
    """One discussion per article, with what Discussion.objects.of() would give it, and the
    approved count the write path keeps."""
    load(3, 400)
    assert load_discussions().count() == 3
    for article in load_articles():
        discussion = Discussion.objects.get(
            content_type=ContentType.objects.get_for_model(Article), object_id=str(article.pk)
        )
        assert discussion.title == article.headline
        assert discussion.url == article.get_absolute_url()
        assert discussion.published_at == article.published_at
        assert discussion.is_open
        assert discussion.approved_count == discussion.comments.approved().count() > 0
        updated_at = discussion.updated_at
        assert Discussion.objects.of(article, public_only=True) == discussion
        discussion.refresh_from_db()
        assert discussion.updated_at == updated_at  # nothing was stale


def test_running_it_again_adds_nothing_and_a_larger_number_adds_the_difference():
    load(3, 300)
    first = set(load_comments().values_list("pk", flat=True))
    discussions = set(load_discussions().values_list("pk", flat=True))
    load(3, 300)
    assert set(load_comments().values_list("pk", flat=True)) == first
    assert set(load_discussions().values_list("pk", flat=True)) == discussions
    load(3, 450)
    assert load_comments().count() == 450
    assert load_articles().count() == 3
    assert set(load_discussions().values_list("pk", flat=True)) == discussions
    assert sum(load_discussions().values_list("approved_count", flat=True)) == (
        load_comments().approved().count()
    )


def test_a_larger_number_of_articles_adds_their_discussions():
    load(2, 100)
    load(4, 200)
    assert load_discussions().count() == 4
    assert load_comments().count() == 200


def test_the_comments_are_threads_as_the_site_would_make_them():
    """Replies answer an approved comment of the same discussion, their depth and root
    derived, never earlier than what they answer; bodies sanitized; mostly approved."""
    load(2, 1000)
    replies = load_comments().filter(parent__isnull=False).select_related("parent")
    assert replies.count() > 300
    assert set(replies.values_list("depth", flat=True)) == {1, 2, 3}
    for reply in replies[:200]:
        assert reply.parent.status == Comment.Status.APPROVED
        assert reply.discussion_id == reply.parent.discussion_id
        assert reply.depth == reply.parent.depth + 1
        assert reply.root_id == (reply.parent.root_id or reply.parent_id)
        assert reply.submitted_at >= reply.parent.submitted_at
    assert not load_comments().filter(body_html="").exists()
    approved = load_comments().approved().count()
    assert 800 <= approved < 1000
    assert load_comments().pending().exists()


def test_the_article_page_serves_a_loaded_thread(client):
    load(1, 300)
    article = Article.objects.get(slug="load-1")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'class="comment ' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The trail, the scores and the filter's retrainings, as the write path would have left them.


def load_events():
    return ModerationEvent.objects.filter(comment__in=load_comments())


def test_each_comment_has_the_trail_the_write_path_would_have_written():
    """One SUBMIT event at its posting, with the rule that gave its first status; any later
    step after it, by a load editor or the readers' reports; the last step ends in the
    comment's status, and an editor's decision is the comment's moderated_at and _by."""
    load(2, 1000)
    editors = set(User.objects.filter(username__in=EDITORS).values_list("pk", flat=True))
    assert len(editors) == 3
    trails = {}
    for event in load_events().order_by("created_at", "pk"):
        trails.setdefault(event.comment_id, []).append(event)
    comments = {c.pk: c for c in load_comments()}
    assert trails.keys() == comments.keys()
    held_rules = {rule for rule, _ in HELD_RULES}
    spam_rules = {rule for rule, _ in SPAM_RULES}
    for pk, (submit, *later) in trails.items():
        comment = comments[pk]
        assert submit.action == ModerationEvent.Action.SUBMIT
        assert submit.from_status == "" and submit.actor_id is None
        assert submit.created_at == comment.submitted_at
        assert submit.comment_ref == pk
        first = submit.to_status
        assert (
            submit.rule
            in {
                Comment.Status.APPROVED: {"known author"},
                Comment.Status.PENDING: held_rules,
                Comment.Status.SPAM: spam_rules,
            }[first]
        )
        status = first
        for event in later:
            assert event.action != ModerationEvent.Action.SUBMIT
            assert event.from_status == status and event.created_at >= submit.created_at
            assert (event.actor_id in editors) != (event.rule == "reader reports")
            status = event.to_status
        assert status == comment.status
        by_people = [event for event in later if event.actor_id]
        if by_people:
            assert comment.moderated_by_id == by_people[-1].actor_id
            assert comment.moderated_at == by_people[-1].created_at
        else:
            assert comment.moderated_at is None and comment.moderated_by_id is None

    rules = Counter(event.rule for event in load_events().filter(action="submit"))
    assert rules.most_common(1)[0][0] == "known author"
    assert rules["new author"] > 20 and rules["honeypot"] > 5 and rules["spam filter"] > 5
    people = load_events().filter(actor__isnull=False)
    assert people.count() > 50
    assert set(people.values_list("to_status", flat=True)) == {"approved", "spam", "removed"}
    assert load_events().filter(action="hold", rule="reader reports").exists()


def test_replies_answer_a_comment_once_it_was_published():
    load(2, 1000)
    for reply in load_comments().filter(parent__isnull=False).select_related("parent")[:300]:
        published = (
            reply.parent.events.filter(to_status=Comment.Status.APPROVED)
            .order_by("created_at")
            .first()
        )
        assert reply.submitted_at >= published.created_at


def test_the_filter_retrainings_and_the_scores():
    """Three versions, the newest acting, with a model the filter loads and scores with;
    comments posted after the first retraining are scored, good ones low and spam high,
    each below the thresholds its deciding rule implies."""
    load(2, 1500)
    versions = list(SpamFilterVersion.objects.order_by("created_at"))
    assert [v.acts for v in versions] == [False, True, True]
    assert all(v.cv_recall and v.cv_false_spam and v.hold_threshold < v.spam_threshold
               for v in versions)  # fmt: skip
    version, scorer = spam_filter.current()
    assert version == versions[-1]
    assert scorer.score("The council debates the harbour accord.") < version.hold_threshold
    assert scorer.score("Casino! Win a loan, winner!") > 0.5

    first = versions[0].created_at
    assert not load_comments().filter(submitted_at__lt=first, spam_score__isnull=False).exists()
    scored = load_comments().filter(submitted_at__gte=first)
    assert scored.count() > 500
    assert not scored.filter(spam_score__isnull=True).exists()
    approved = scored.approved().aggregate(mean=Avg("spam_score"))["mean"]
    spam = scored.filter(status="spam").aggregate(mean=Avg("spam_score"))["mean"]
    assert approved < 0.2 < 0.6 < spam
    submits = ModerationEvent.objects.filter(action="submit", comment__in=scored)
    for event in submits.select_related("comment"):
        in_force = [v for v in versions if v.created_at <= event.created_at][-1]
        score = event.comment.spam_score
        if event.rule == "known author" and in_force.acts:
            assert score < in_force.hold_threshold
        if event.rule == "spam filter":
            assert in_force.acts
            threshold = in_force.spam_threshold if event.to_status == "spam" else (
                in_force.hold_threshold
            )  # fmt: skip
            assert score >= threshold


def test_a_comment_posted_on_the_load_database_is_scored_by_its_filter():
    """Every process scores new comments with the newest version: the load filter's model
    must load (a real model, tiny), and posting works as on any site."""
    load(1, 100)
    discussion = load_discussions().get()
    comment = Comment(discussion=discussion, author_name="Ann", author_email="ann@example.com")
    comment.set_body("The council debates the harbour accord, again.")
    moderation.submit(comment)
    comment.refresh_from_db()
    assert 0 < comment.spam_score < 0.1
    assert comment.events.get().rule == "new author"


def test_the_spam_filter_page_shows_the_load_filter(admin_client):
    load(1, 100)
    response = admin_client.get(reverse("admin:comments_spamfilterversion_changelist"))
    assert response.status_code == 200
    assert "casino" in response.content.decode()


def test_running_it_again_writes_no_second_trail_nor_filter():
    load(2, 300)
    events = set(ModerationEvent.objects.values_list("pk", flat=True))
    versions = set(SpamFilterVersion.objects.values_list("pk", flat=True))
    load(2, 300)
    assert set(ModerationEvent.objects.values_list("pk", flat=True)) == events
    assert set(SpamFilterVersion.objects.values_list("pk", flat=True)) == versions
    assert User.objects.filter(username__in=EDITORS).count() == 3
    load(2, 400)
    assert set(SpamFilterVersion.objects.values_list("pk", flat=True)) == versions
    assert load_comments().count() == 400
    assert not load_comments().exclude(events__action="submit").exists()


def test_comments_made_before_trails_were_written_are_given_one():
    """A database loaded by the older command (comments, no trail, no score): the next run
    writes each comment a trail ending in its status, and its score."""
    load(2, 600)
    untold = list(load_comments().order_by("pk")[:400])
    ModerationEvent.objects.filter(comment__in=untold).delete()
    Comment.objects.filter(pk__in=[c.pk for c in untold]).update(
        spam_score=None, moderated_at=None, moderated_by=None
    )
    statuses = dict(load_comments().values_list("pk", "status"))
    load(2, 600)
    assert dict(load_comments().values_list("pk", "status")) == statuses
    for comment in Comment.objects.filter(pk__in=[c.pk for c in untold]):
        trail = list(comment.events.order_by("created_at", "pk"))
        assert trail[0].action == "submit" and trail[0].created_at == comment.submitted_at
        assert trail[-1].to_status == comment.status
        later = SpamFilterVersion.objects.filter(created_at__lte=comment.submitted_at).exists()
        assert (comment.spam_score is not None) == later
    assert ModerationEvent.objects.filter(action="submit").count() == 600
