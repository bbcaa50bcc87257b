"""The spam filter inside the site: it learns from the editors' decisions in the admin,
retrains in the background, scores every comment posted through the form, acts on the score
only once it has learnt enough, explains itself to editors, and imports labelled history.

Everything is real: the database (a training thread has its own connection, so those tests
commit), the cache, the form, the admin, and models trained on the real TubeSpam collection.
Where a test needs exact thresholds it saves a SpamFilterVersion with a real trained model and
thresholds chosen around the score a comment will get.
"""

import csv
import functools
import html
import json
import os
import random
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import moderation
from comments.editors import ensure_editors_group
from comments.models import Comment, ModerationEvent, SpamExample, SpamFilterVersion
from comments.spam import filter as spamfilter
from comments.spam import model as spam_model
from comments.spam.features import clean_text
from tests import factories
from tests.factories import discussion_of, post_url
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
TUBESPAM = Path(settings.BASE_DIR) / "tests/data/tubespam/TubeSpam_train.csv"
CHANGELIST = "/admin/comments/comment/"
Status = Comment.Status

OBVIOUS_SPAM = "Check out my channel and subscribe!! http://bit.ly/2xYz9 Thanks guys"
ORDINARY = "I really like this article, the harbour talks are so interesting"
# Committed rows, for a training thread's (or another process's) own connection.
COMMITTED = pytest.mark.django_db(transaction=True)


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def editors_group(transactional_db):
    """The Editors group, as `create_editors_group --also-app articles` makes it, for a test
    whose rows commit (a committed test's flush keeps content types and permissions, which
    post_migrate makes again, but not the group the migrations made)."""
    ensure_editors_group(apps, ["articles"])
    return Group.objects.get(name="Editors")


@functools.cache
def tubespam_rows():
    """TubeSpam as it is in the file: (author, text with its U+FEFF, is_spam)."""
    with open(TUBESPAM, encoding="utf-8", newline="") as handle:
        return tuple(
            (row["author"], row["text"], row["label"] == "1") for row in csv.DictReader(handle)
        )


def tubespam_sample(ham, spam, seed=0):
    rows = list(tubespam_rows())
    random.Random(seed).shuffle(rows)
    return [r for r in rows if not r[2]][:ham], [r for r in rows if r[2]][:spam]


@functools.cache
def trained_model():
    """A real model, trained once on 150 good and 150 spam TubeSpam comments."""
    ham, spam = tubespam_sample(150, 150, seed=11)
    return spam_model.train(
        [spam_model.Example(text=text, name=name, is_spam=s) for name, text, s in ham + spam]
    )


def score(text, name="", website=""):
    return spam_model.Scorer(trained_model()).score(text, name, website)


def save_version(*, spam_threshold, hold_threshold, acts=True, trigger="saved by a test"):
    """A trained filter (the real model above) with chosen thresholds, as the newest one."""
    model = trained_model()
    return SpamFilterVersion.objects.create(
        trigger=trigger,
        model=zlib.compress(json.dumps(model).encode()),
        ham_examples=300,
        spam_examples=100,
        acts=acts,
        spam_threshold=spam_threshold,
        hold_threshold=hold_threshold,
        cv_recall=0.873,
        cv_false_spam=0.0033,
        cv_auc=0.991,
        training_seconds=1.5,
        top_features=spam_model.Scorer(model).top_features(15),
    )


def add_examples(ham, spam, seed=0):
    """Editors' decisions on TubeSpam comments, as stored examples."""
    good, bad = tubespam_sample(ham, spam, seed)
    SpamExample.objects.bulk_create(
        SpamExample(text=text, author_name=name, is_spam=is_spam)
        for name, text, is_spam in good + bad
    )


def post(article, text, name="Ada Reader", email="ada.reader@example.com", url="", **extra):
    """Post a comment through the real form, as a reader; return it as saved."""
    data = {
        "name": name,
        "email": email,
        "url": url,
        "comment": text,
        "token": factories.form_token(article),
        **extra,
    }
    response = Client().post(post_url(article), data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302, response.content.decode()[:2000]
    return Comment.objects.get(discussion=discussion_of(article), author_email=email, body_raw=text)


def submit_event(comment):
    return comment.events.get(action=ModerationEvent.Action.SUBMIT)


def decide(client, action, comments):
    """An editor's bulk action on the comment list (every status shown)."""
    return client.post(
        f"{CHANGELIST}?status=all",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )


def known_author(article, name="Ada Reader", email="ada.reader@example.com"):
    """Make `name` + `email` a known author: an approved comment on another article."""
    factories.make_comment(
        factories.make_article(), author_name=name, author_email=email, body="Earlier remark."
    )


def staff_user(username, *permissions):
    user = User.objects.create_user(username=username, password="x", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def report(client):
    return client.get(reverse("admin:comments_spamfilterversion_changelist"))


# --------------------------------------------------------------------------------------------
# Decisions become examples


@pytest.mark.django_db
def test_approve_in_the_admin_makes_a_not_spam_example(
    editor_client, article, django_capture_on_commit_callbacks
):
    """An editor's Approve is a "not spam" example holding what the reader typed."""
    comment = factories.make_comment(
        article, status="pending", body="Lovely <b>song</b>", author_url="https://ann.example"
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "approve_comments", [comment])
    example = SpamExample.objects.get()
    assert example.comment == comment
    assert example.is_spam is False
    assert example.source == SpamExample.Source.DECISION
    assert (example.text, example.author_name, example.author_url) == (
        "Lovely <b>song</b>",
        comment.author_name,
        "https://ann.example",
    )


@pytest.mark.django_db
def test_mark_as_spam_in_the_admin_makes_a_spam_example(
    editor_client, article, django_capture_on_commit_callbacks
):
    """Mark as spam is a "spam" example, one per comment decided in bulk."""
    comments = [factories.make_comment(article, status="pending") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "mark_comments_as_spam", comments)
    assert sorted(SpamExample.objects.values_list("comment_id", "is_spam")) == [
        (c.pk, True) for c in comments
    ]


@pytest.mark.django_db
def test_a_later_opposite_decision_flips_the_one_example(
    editor_client, article, django_capture_on_commit_callbacks
):
    """The latest decision wins: approve, then mark as spam, then approve again leaves one
    example per comment, with the latest label and time."""
    comment = factories.make_comment(article, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "approve_comments", [comment])
    first = SpamExample.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "mark_comments_as_spam", [comment])
    flipped = SpamExample.objects.get()
    assert (flipped.comment_id, flipped.is_spam) == (comment.pk, True)
    assert flipped.decided_at >= first.decided_at
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "approve_comments", [comment])
    assert list(SpamExample.objects.values_list("comment_id", "is_spam")) == [(comment.pk, False)]


@pytest.mark.django_db
def test_the_change_page_buttons_teach_too(
    editor_client, article, django_capture_on_commit_callbacks
):
    """The Mark as spam button on a comment's own page is a decision like the bulk action."""
    comment = factories.make_comment(article, status="pending", body="Win a prize")
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    fields = {
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": "",
        "body_raw": comment.body_raw,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, fields | {"_decision": "spam"})
    assert response.status_code == 302
    assert list(SpamExample.objects.values_list("comment_id", "is_spam", "text")) == [
        (comment.pk, True, "Win a prize")
    ]


@pytest.mark.django_db
def test_remove_teaches_nothing(editor_client, article, django_capture_on_commit_callbacks):
    """Remove says nothing about spam (off-topic, rude, …): no example."""
    comment = factories.make_comment(article, status="pending")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decide(editor_client, "remove_comments", [comment])
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED
    assert callbacks  # the listeners were told
    assert not SpamExample.objects.exists()


@pytest.mark.django_db
def test_a_rules_decision_teaches_nothing(
    client, article, comment_data, django_capture_on_commit_callbacks
):
    """Only people teach the filter: the honeypot's spam, a known author's automatic approval
    and a rule's mark_spam add no example."""
    known_author(article)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(post_url(article), comment_data | {"hp": "http://bot.example"})
        client.post(post_url(article), comment_data | {"comment": "A second, different thought."})
        moderation.mark_spam([factories.make_comment(article, status="pending")], by="a rule")
    assert len(callbacks) == 3
    statuses = sorted(
        Comment.objects.filter(discussion=discussion_of(article)).values_list("status", flat=True)
    )
    assert statuses == ["approved", "spam", "spam"]
    assert not SpamExample.objects.exists()


@pytest.mark.django_db
def test_restore_to_pending_forgets_the_example(
    editor_client, article, django_capture_on_commit_callbacks
):
    """Restore (undo) back to the queue: the editor has not decided after all."""
    comment = factories.make_comment(article, status="pending")
    other = factories.make_comment(article, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "approve_comments", [comment, other])
    assert SpamExample.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "restore_comments", [comment])
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert list(SpamExample.objects.values_list("comment_id", flat=True)) == [other.pk]


@pytest.mark.django_db
def test_an_editors_edit_is_not_a_decision(editor, article, django_capture_on_commit_callbacks):
    """Fixing a typo in a comment a rule approved is not an editor's judgement on spam."""
    known_author(article)
    comment = post(article, "A typo-ed remark abut the talks.")
    assert submit_event(comment).rule == "known author"
    comment.body_raw = "A remark about the talks."
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.edit(comment, ["body_raw"], by=editor)
    assert not SpamExample.objects.exists()


@pytest.mark.django_db
def test_examples_keep_what_readers_typed_never_their_email_or_ip(
    editor_client, article, django_capture_on_commit_callbacks
):
    """The email and IP address never enter an example: the model has no field for them, and
    an example's values are the name, the website and the text as typed."""
    fields = {field.name for field in SpamExample._meta.get_fields()}
    assert fields == {
        "id",
        "comment",
        "is_spam",
        "author_name",
        "author_url",
        "text",
        "source",
        "decided_at",
    }
    comment = factories.make_comment(
        article,
        status="pending",
        author_email="secret.person@private.example",
        ip_address="198.51.100.77",
        body="Plain words about the harbour.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, "approve_comments", [comment])
    values = SpamExample.objects.values().get()
    assert values["text"] == "Plain words about the harbour."
    stored = " ".join(str(value) for value in values.values())
    assert "secret.person" not in stored
    assert "198.51.100.77" not in stored


# --------------------------------------------------------------------------------------------
# Training: on schedule, on demand


@COMMITTED
def test_retrains_in_the_background_after_retrain_every_decisions(
    editors_group, editor_client, settings
):
    """After COMMENTS_FILTER_RETRAIN_EVERY decisions in the admin, a new filter is trained in
    a background thread; one decision fewer trains nothing."""
    settings.COMMENTS_FILTER_RETRAIN_EVERY = 10
    article = factories.make_article()
    ham, spam = tubespam_sample(5, 5, seed=2)
    comments = {
        is_spam: [
            factories.make_comment(article, status="pending", author_name=name, body=text)
            for name, text, is_spam in rows
        ]
        for is_spam, rows in ((False, ham), (True, spam))
    }
    decide(editor_client, "approve_comments", comments[False][:4])
    decide(editor_client, "mark_comments_as_spam", comments[True])
    spamfilter.wait_for_training()
    assert SpamExample.objects.count() == 9
    assert not spamfilter.retraining_due()
    assert not SpamFilterVersion.objects.exists()

    decide(editor_client, "approve_comments", comments[False][4:])
    spamfilter.wait_for_training()
    version = SpamFilterVersion.objects.get()
    assert version.trigger == "after 10 decisions"
    assert (version.ham_examples, version.spam_examples) == (5, 5)
    assert version.acts is False  # far below COMMENTS_FILTER_MIN_HAM / _MIN_SPAM
    assert not spamfilter.retraining_due()
    assert spamfilter.current()[0] == version
    assert not cache.get(spamfilter.TRAINING_LOCK)  # the lock was given back


@pytest.mark.django_db
def test_the_command_trains_on_demand(capsys):
    """manage.py train_spam_filter trains on every example now and says what it learnt."""
    add_examples(30, 20)
    call_command("train_spam_filter")
    version = SpamFilterVersion.objects.get()
    assert (version.ham_examples, version.spam_examples) == (30, 20)
    assert version.trigger == "manage.py train_spam_filter"
    assert version.acts is False
    assert version.cv_auc is not None
    assert version.hold_threshold <= version.spam_threshold
    out = capsys.readouterr().out
    assert f"Trained {version} on 30 good and 20 spam comments" in out
    assert "Fewer examples than COMMENTS_FILTER_MIN_HAM" in out


@pytest.mark.django_db
def test_the_command_refuses_with_a_single_label():
    """Only good comments so far: nothing to learn from, said plainly, nothing saved."""
    add_examples(8, 0)
    with pytest.raises(CommandError, match="Nothing to learn from yet"):
        call_command("train_spam_filter")
    assert not SpamFilterVersion.objects.exists()


@pytest.mark.django_db
def test_training_on_a_few_examples_with_no_word_in_common_does_not_crash():
    """Two good and two spam examples, no word shared: train() saves a (non-acting) filter
    or declines, but never raises."""
    for text, is_spam in [
        ("lovely melody", False),
        ("great voice", False),
        ("subscribe to my channel", True),
        ("free gift cards now", True),
    ]:
        SpamExample.objects.create(text=text, is_spam=is_spam)
    version = spamfilter.train("first decisions")
    assert version is None or version.acts is False


@COMMITTED
def test_train_now_trains_in_the_background(editors_group, editor_client):
    """The Spam filter page's Train now button starts a training and says so."""
    add_examples(12, 8)
    response = editor_client.post(reverse("admin:comments_spamfilterversion_train"), follow=True)
    assert "Training started" in response.content.decode()
    spamfilter.wait_for_training()
    version = SpamFilterVersion.objects.get()
    assert version.trigger == "trained from the admin by an editor"
    assert (version.ham_examples, version.spam_examples) == (12, 8)


@pytest.mark.django_db
def test_train_now_while_another_server_trains_only_warns(editor_client):
    """With the training lock taken (another app server is training) the button starts
    nothing and says the filter is being trained already."""
    add_examples(12, 8)
    cache.add(spamfilter.TRAINING_LOCK, 1)
    before = spamfilter.training_thread()
    response = editor_client.post(reverse("admin:comments_spamfilterversion_train"), follow=True)
    assert "The filter is being trained already." in response.content.decode()
    assert spamfilter.training_thread() is before
    assert not SpamFilterVersion.objects.exists()


@pytest.mark.django_db
def test_train_now_needs_the_right_to_moderate_and_a_post(client, editor_client):
    """Train now needs comments.change_comment (a staff user who may only read the report
    gets 403 and no button) and a POST (a GET is refused)."""
    train = reverse("admin:comments_spamfilterversion_train")
    assert editor_client.get(train).status_code == 403
    assert 'action="' + train in report(editor_client).content.decode()

    reader = Client()
    reader.force_login(staff_user("auditor", "view_spamfilterversion"))
    page = report(reader)
    assert page.status_code == 200
    assert "Train now" not in page.content.decode()
    assert reader.post(train).status_code == 403
    assert spamfilter.training_thread() is None or not spamfilter.training_thread().is_alive()
    assert not SpamFilterVersion.objects.exists()


# --------------------------------------------------------------------------------------------
# Every process scores with the newest filter


@pytest.mark.django_db
def test_current_loads_a_version_once_and_again_when_a_newer_one_is_saved():
    """current(): None before any training; the newest version, loaded once (the same
    scorer on each call); a newer version saved, the next call switches to it."""
    assert spamfilter.current() is None
    first = save_version(spam_threshold=0.9, hold_threshold=0.7)
    loaded = spamfilter.current()
    assert loaded[0] == first
    assert spamfilter.current() is loaded
    newer = save_version(spam_threshold=0.95, hold_threshold=0.8)
    version, scorer = spamfilter.current()
    assert version == newer
    assert scorer is not loaded[1]


PROCESS = """
import sys
import django

django.setup()
from comments.spam import filter as spamfilter

text = sys.argv[1]
version, scorer = spamfilter.current()
print(version.pk, version.trigger, round(scorer.score(text), 6), flush=True)
sys.stdin.readline()  # the test saves a newer version meanwhile
again = spamfilter.current()
print(again[0].pk, again[0].trigger, round(again[1].score(text), 6), flush=True)
print(spamfilter.current() is again, flush=True)  # loaded once, not on every call
"""


@COMMITTED
def test_another_process_switches_to_a_newer_version():
    """An app server (another process) scoring with one filter loads the newer one that
    another server saved, at its next call, without a restart."""
    first = save_version(spam_threshold=0.9, hold_threshold=0.7, trigger="first")
    model = trained_model()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsite.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "DATABASE_URL": database_url(),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", PROCESS, OBVIOUS_SPAM],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        line = process.stdout.readline().split()
        assert line, process.stderr.read()
        assert line[:2] == [str(first.pk), "first"]
        assert float(line[2]) == pytest.approx(score(OBVIOUS_SPAM), abs=1e-5)

        # A newer filter, saved by "another server": this one leans hard towards spam.
        newer = SpamFilterVersion.objects.create(
            trigger="second",
            model=zlib.compress(json.dumps(model | {"constant": model["constant"] + 4}).encode()),
            ham_examples=1,
            spam_examples=1,
        )
        process.stdin.write("go\n")
        process.stdin.flush()
        line = process.stdout.readline().split()
        assert line, process.stderr.read()
        assert line[:2] == [str(newer.pk), "second"]
        assert float(line[2]) > score(OBVIOUS_SPAM)
        assert process.stdout.readline().strip() == "True"
        assert process.wait(30) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()


# --------------------------------------------------------------------------------------------
# Scores drive statuses


@pytest.mark.django_db
def test_obvious_spam_posted_through_the_form_goes_to_spam_with_its_score(article):
    """At or above the spam threshold: spam, rule "spam filter", the score in the reason and
    on the comment, with the features that weighed towards spam."""
    expected = score(OBVIOUS_SPAM, "Ada Reader")
    save_version(spam_threshold=expected - 0.05, hold_threshold=expected - 0.2)
    comment = post(article, OBVIOUS_SPAM)
    assert comment.status == Status.SPAM
    event = submit_event(comment)
    assert event.rule == "spam filter"
    assert event.reason == f"{expected:.2f}"
    assert comment.spam_score == pytest.approx(expected)
    assert comment.spam_reasons
    assert all(weight > 0 for _, weight in comment.spam_reasons)


@pytest.mark.django_db
def test_a_mid_score_holds_even_a_known_author(article):
    """Between the hold and the spam thresholds a known author's comment is held for an
    editor (not approved, not spam), and the reason says where the hold starts."""
    known_author(article)
    expected = score(ORDINARY, "Ada Reader")
    save_version(spam_threshold=expected + 0.02, hold_threshold=expected - 0.02)
    comment = post(article, ORDINARY)
    assert comment.status == Status.PENDING
    event = submit_event(comment)
    assert event.rule == "spam filter"
    assert event.reason == (f"{expected:.2f} (held at {expected - 0.02:.2f} and above)")


@pytest.mark.django_db
def test_below_the_hold_threshold_a_known_author_is_approved(article):
    """Below the hold threshold the usual policy decides: a known author is approved."""
    known_author(article)
    expected = score(ORDINARY, "Ada Reader")
    save_version(spam_threshold=expected + 0.2, hold_threshold=expected + 0.1)
    comment = post(article, ORDINARY)
    assert comment.status == Status.APPROVED
    assert submit_event(comment).rule == "known author"
    assert comment.spam_score == pytest.approx(expected)


@pytest.mark.django_db
def test_the_filter_never_approves_a_new_author(article):
    """However good the score, a new author still waits for an editor ("new author"): a
    low score never approves anything."""
    save_version(spam_threshold=0.999, hold_threshold=0.998)
    for n, text in enumerate([ORDINARY, "I love this song"]):
        expected = score(text, "Ada Reader")
        assert expected < 0.5
        comment = post(article, text, email=f"new{n}@example.com")
        assert comment.status == Status.PENDING
        assert submit_event(comment).rule == "new author"
        assert comment.spam_score == pytest.approx(expected)


@pytest.mark.django_db
def test_the_filter_comes_after_the_word_lists_and_its_hold_after_links(article, settings):
    """The order of the rules: a disallowed word names itself before the filter's spam;
    more links than allowed hold before the filter's hold."""
    from comments.models import DiscussionSettings

    spam_score = score(OBVIOUS_SPAM, "Ada Reader")
    save_version(spam_threshold=spam_score - 0.05, hold_threshold=0.0)
    row = DiscussionSettings.load()
    row.disallowed_words = "bit.ly"
    row.save()
    assert submit_event(post(article, OBVIOUS_SPAM)).rule == "disallowed words"

    linked = "Sources: http://a.example/1 http://b.example/2 http://c.example/3 for the talks"
    assert score(linked, "Ada Reader") < spam_score - 0.05  # not the filter's spam
    comment = post(article, linked, email="links@example.com")
    assert comment.status == Status.PENDING
    assert submit_event(comment).rule == "links"


@pytest.mark.django_db
def test_before_any_training_nothing_is_scored(article, editor_client):
    """No filter yet: no score is stored and the comment page says it was not scored."""
    comment = post(article, OBVIOUS_SPAM)
    assert comment.spam_score is None
    assert comment.spam_reasons == []
    assert submit_event(comment).rule == "new author"
    page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert "Not scored" in page.content.decode()


# --------------------------------------------------------------------------------------------
# The minimum-examples guard and the queue


@pytest.mark.django_db
def test_below_the_minimum_examples_the_filter_only_records_scores(article):
    """Trained on fewer than COMMENTS_FILTER_MIN_HAM / _MIN_SPAM examples the filter acts on
    nothing: an obvious spam from a new author waits as usual, from a known author it is
    even approved; but its score is recorded, high."""
    add_examples(60, 40, seed=4)
    version = spamfilter.train("test")
    assert version.acts is False
    assert version.spam_threshold is not None  # cross-validated, yet not acting

    new = post(article, OBVIOUS_SPAM)
    assert new.status == Status.PENDING
    assert submit_event(new).rule == "new author"
    assert new.spam_score >= version.spam_threshold

    known_author(article, name="Kim", email="kim@example.com")
    trusted = post(article, OBVIOUS_SPAM, name="Kim", email="kim@example.com")
    assert trusted.status == Status.APPROVED
    assert trusted.spam_score >= version.spam_threshold
    assert not Comment.objects.filter(status=Status.SPAM).exists()


@pytest.mark.django_db
def test_the_minimum_examples_are_enough_to_act(settings):
    """Exactly COMMENTS_FILTER_MIN_HAM good and _MIN_SPAM spam examples: the filter acts;
    one spam example fewer than the minimum, it does not."""
    settings.COMMENTS_FILTER_MIN_HAM = 60
    settings.COMMENTS_FILTER_MIN_SPAM = 40
    add_examples(60, 40, seed=4)
    assert spamfilter.train("enough").acts is True
    settings.COMMENTS_FILTER_MIN_SPAM = 41
    assert spamfilter.train("one short").acts is False


@pytest.mark.django_db
def test_the_pending_queue_lists_higher_scores_first(editor_client, article):
    """The moderation queue puts the likeliest spam first (unscored last); the list of every
    status stays newest first."""
    for body, value in [("Low one", 0.1), ("Top one", 0.97), ("Unscored one", None)]:
        factories.make_comment(article, status="pending", body=body, spam_score=value)
    factories.make_comment(article, status="pending", body="Middle one", spam_score=0.6)
    page = editor_client.get(CHANGELIST).content.decode()
    order = sorted(
        ["Low one", "Top one", "Unscored one", "Middle one"], key=lambda text: page.index(text)
    )
    assert order == ["Top one", "Middle one", "Low one", "Unscored one"]
    assert "spam score 0.97" in page
    everything = editor_client.get(f"{CHANGELIST}?status=all").content.decode()
    assert everything.index("Middle one") < everything.index("Top one")  # newest first


# --------------------------------------------------------------------------------------------
# Mistakes, as editors corrected them


@pytest.mark.django_db
def test_a_filter_spam_an_editor_approves_counts_as_a_mistake(editor_client, article):
    """A comment the filter sent to spam that an editor approves counts in "sent to spam"
    and shows on the Spam filter page; one the editor leaves in spam is no mistake."""
    spam_score = score(OBVIOUS_SPAM, "Ada Reader")
    save_version(spam_threshold=spam_score - 0.05, hold_threshold=spam_score - 0.2)
    wrong = post(article, OBVIOUS_SPAM)
    right = post(article, OBVIOUS_SPAM, email="bot@example.com")
    assert wrong.status == right.status == Status.SPAM
    decide(editor_client, "approve_comments", [wrong])
    assert spamfilter.mistakes() == {"sent_to_spam": 1, "held": 0}
    page = report(editor_client).content.decode()
    assert "<strong>1</strong> sent to spam and <strong>0</strong> held" in page


@pytest.mark.django_db
def test_a_filter_hold_an_editor_approves_counts_as_held(editor_client, article):
    """A comment the filter held that an editor approves counts in "held"; a new author's
    comment held by the usual policy, approved, is not the filter's mistake."""
    known_author(article)
    expected = score(ORDINARY, "Ada Reader")
    save_version(spam_threshold=expected + 0.02, hold_threshold=expected - 0.02)
    held = post(article, ORDINARY)
    newcomer_text = "I love this song"
    assert score(newcomer_text, "Bo") < expected - 0.1  # below the hold threshold
    newcomer = post(article, newcomer_text, name="Bo", email="bo@example.com")
    assert submit_event(held).rule == "spam filter"
    assert submit_event(newcomer).rule == "new author"
    decide(editor_client, "approve_comments", [held, newcomer])
    assert spamfilter.mistakes() == {"sent_to_spam": 0, "held": 1}
    page = report(editor_client).content.decode()
    assert "<strong>0</strong> sent to spam and <strong>1</strong> held" in page


@pytest.mark.django_db
def test_a_filter_spam_restored_then_approved_is_one_mistake(editor_client, article):
    """Restore then Approve (the editor's undo, then the decision) is still one mistake:
    the filter sent it to spam; it never held it."""
    spam_score = score(OBVIOUS_SPAM, "Ada Reader")
    save_version(spam_threshold=spam_score - 0.05, hold_threshold=spam_score - 0.2)
    comment = post(article, OBVIOUS_SPAM)
    decide(editor_client, "restore_comments", [comment])
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    decide(editor_client, "approve_comments", [comment])
    assert spamfilter.mistakes() == {"sent_to_spam": 1, "held": 0}


# --------------------------------------------------------------------------------------------
# Importing labelled history


def write(tmp_path, content, name="history.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


@pytest.mark.django_db
def test_tubespam_imports_as_it_is_and_the_filter_acts(capsys, article):
    """The TubeSpam file reads as it is: all 1,407 rows, entities decoded and its invisible
    U+FEFF stripped from every stored text; trained on it the filter acts, within the
    false-spam limit, and an obvious spam posted through the form goes to spam."""
    call_command("train_spam_filter", "--from-csv", str(TUBESPAM))
    out = capsys.readouterr().out
    assert "Read 1407 labelled comments (723 spam, 684 not spam)" in out
    texts = list(SpamExample.objects.values_list("text", flat=True))
    distinct = {(clean_text(text), is_spam) for _, text, is_spam in tubespam_rows()}
    assert len(texts) == len(distinct)
    assert not any("\ufeff" in text for text in texts)
    assert not any("&#39;" in text for text in texts)
    assert set(SpamExample.objects.values_list("source", flat=True)) == {"import"}
    assert SpamExample.objects.filter(author_name="Guren - MKII").exists()

    version = SpamFilterVersion.objects.get()
    assert version.trigger.startswith(f"imported {len(texts)} from ")
    assert version.acts is True
    assert version.cv_false_spam <= settings.COMMENTS_FILTER_MAX_FALSE_SPAM
    assert version.hold_threshold <= version.spam_threshold
    assert version.cv_recall > 0.8

    comment = post(article, OBVIOUS_SPAM)
    assert comment.status == Status.SPAM
    assert submit_event(comment).rule == "spam filter"


MALFORMED = {
    "no label column": ("text,author\nhello there,Ann\n", "a text column and a label column"),
    "a bad label": ("text,label\nfine words,0\nhmm,maybe\n", "Line 3: the label “maybe”"),
    "an empty text": ("text,label\nfine,0\nbuy now,1\n<b></b>\ufeff,1\n", "Line 4: the text is"),
    "not UTF-8": ("text,label\nfine,0\ncafé crème,1\n".encode("latin-1"), "not UTF-8"),
    "more fields": ("text,label\nfine,0\nbuy, now,1\n", "Line 3 has more fields than the"),
    "no rows": ("text,label\n", "The file has no rows."),
    "no header at all": ("", "found: no header"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_is_refused_whole(tmp_path, content, problem):
    """A malformed file is refused with the line and the problem, and nothing of it (not
    even its good rows before the bad one) is imported or trained on."""
    add_examples(1, 1)
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as refused:
        call_command("train_spam_filter", "--from-csv", path)
    assert problem in str(refused.value)
    assert str(refused.value).endswith("Nothing was imported.")
    assert SpamExample.objects.count() == 2
    assert not SpamFilterVersion.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    """A file that isn't there: CommandError saying so, nothing imported."""
    with pytest.raises(CommandError, match="No such file or directory"):
        call_command("train_spam_filter", "--from-csv", str(tmp_path / "nowhere.csv"))
    assert not SpamExample.objects.exists()


SMALL_FILE = "text,label\n" + "".join(
    f"{text},{label}\n"
    for text, label in [
        ("nice song", "0"),
        ("love this video", "ham"),
        ("this is my favourite band", "no"),
        ("great voice", "false"),
        ("who is watching in 2015", "0"),
        ("the drummer is amazing", "Not Spam"),
        ("subscribe to my channel", "1"),
        ("check out my page http://bit.ly/a", "spam"),
        ("free gift cards at www.gift.example.com", "yes"),
        ("make money online now", "true"),
        ("please subscribe to me", "1"),
        ("visit my channel for free stuff", "SPAM"),
    ]
)


@pytest.mark.django_db
def test_importing_the_same_file_twice_adds_nothing(tmp_path, capsys):
    """Every label spelling reads; a second import of the same file adds no example."""
    path = write(tmp_path, SMALL_FILE)
    call_command("train_spam_filter", "--from-csv", path)
    assert "Read 12 labelled comments (6 spam, 6 not spam): 12 new" in capsys.readouterr().out
    assert SpamExample.objects.filter(is_spam=True).count() == 6
    call_command("train_spam_filter", "--from-csv", path)
    assert "0 new, 12 repeated or imported before" in capsys.readouterr().out
    assert SpamExample.objects.count() == 12
    assert SpamFilterVersion.objects.count() == 2


@pytest.mark.django_db
def test_custom_column_names(tmp_path):
    """Columns named otherwise are given with --text-column, --label-column, --name-column;
    without them the file is refused, and a column that isn't there is named."""
    content = "id,said,verdict,who\n" + "".join(
        f"{n},{text},{label},{who}\n"
        for n, (text, label, who) in enumerate(
            [
                ("nice song", "0", "Ann"),
                ("nice voice", "0", "Bo"),
                ("subscribe to my channel", "1", "Promo99"),
                ("subscribe for free gift cards", "1", "Promo98"),
            ]
        )
    )
    path = write(tmp_path, content)
    with pytest.raises(CommandError, match="a text column and a label column"):
        call_command("train_spam_filter", "--from-csv", path)
    with pytest.raises(CommandError, match="no column “body”"):
        call_command("train_spam_filter", "--from-csv", path, "--text-column", "body")
    assert not SpamExample.objects.exists()
    call_command(
        "train_spam_filter",
        "--from-csv",
        path,
        "--text-column",
        "said",
        "--label-column",
        "Verdict",
        "--name-column",
        "who",
    )
    assert sorted(SpamExample.objects.values_list("text", "is_spam", "author_name")) == [
        ("nice song", False, "Ann"),
        ("nice voice", False, "Bo"),
        ("subscribe for free gift cards", True, "Promo98"),
        ("subscribe to my channel", True, "Promo99"),
    ]


# --------------------------------------------------------------------------------------------
# Explanations for editors, and who may read them


@pytest.mark.django_db
def test_the_comment_page_shows_the_score_and_why(editor_client, article):
    """The comment's admin page shows its score and the features that weighed towards spam."""
    spam_score = score(OBVIOUS_SPAM, "Ada Reader")
    save_version(spam_threshold=0.999, hold_threshold=0.998)
    comment = post(article, OBVIOUS_SPAM)
    page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    text = html.unescape(page.content.decode())
    assert f"Score <strong>{spam_score:.2f}</strong>" in text
    assert "What weighed most towards spam:" in text
    assert comment.spam_reasons
    for description, weight in comment.spam_reasons:
        assert f"{description} (+{weight})" in re.sub(r"<[^>]+>", "", text)


@pytest.mark.django_db
def test_the_spam_filter_page_reports_what_it_knows(editor_client):
    """The Spam filter page: examples seen, when it was last trained and why, how it does
    (spam caught, good sent to spam), its thresholds and what weighs most."""
    add_examples(7, 5)
    version = save_version(spam_threshold=0.6234, hold_threshold=0.5461, trigger="nightly")
    response = report(editor_client)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert '<strong class="examples-ham">7</strong>' in page
    assert '<strong class="examples-spam">5</strong>' in page
    assert "Last trained" in page and "(nightly)" in page
    assert "catches <strong>87.3%</strong> of spam" in page
    assert "sends <strong>0.33%</strong> of good comments to spam" in page
    assert "the limit is 1%" in page
    assert "scoring 0.62 or more goes to spam" in page
    assert "scoring 0.55 or more is held" in page
    assert "0.62 / 0.55" in page  # the trainings' list
    top = version.top_features
    assert top["spam"] and top["not spam"]
    for description, weight in top["spam"][:5] + top["not spam"][:5]:
        assert f"<td>{description}</td><td>{weight}</td>" in page


@pytest.mark.django_db
def test_the_spam_filter_page_before_training_and_while_only_recording(editor_client):
    """Untrained, the page says so; trained below the minimum, it says it only records
    scores and sends nothing to spam."""
    assert "Not trained yet" in report(editor_client).content.decode()
    save_version(spam_threshold=0.7, hold_threshold=0.6, acts=False)
    page = report(editor_client).content.decode()
    assert "only <strong>records scores</strong>" in page
    assert "goes to spam." not in page


@pytest.mark.django_db
def test_staff_outside_editors_may_not_read_the_filter(client):
    """A staff user without the Editors' view permissions gets 403 on the Spam filter page
    and on the examples; an Editor may read both but change neither."""
    client.force_login(staff_user("outsider"))
    assert report(client).status_code == 403
    assert client.get(reverse("admin:comments_spamexample_changelist")).status_code == 403
    assert client.post(reverse("admin:comments_spamfilterversion_train")).status_code == 403

    editor = factories.make_editor()
    assert editor.has_perm("comments.view_spamfilterversion")
    assert editor.has_perm("comments.view_spamexample")
    assert not editor.has_perm("comments.change_spamexample")
    client.force_login(editor)
    assert report(client).status_code == 200
    assert client.get(reverse("admin:comments_spamexample_changelist")).status_code == 200


# --------------------------------------------------------------------------------------------
# The acceptance: editors decide 400 comments, the filter learns, readers post


@COMMITTED
def test_after_editors_decide_400_comments_the_form_sends_obvious_spam_to_spam(
    editors_group, editor_client
):
    """400 TubeSpam comments (300 good, 100 spam) pending on an article; an editor decides
    them in the admin in bulk, the filter retrains in the background after each batch, and
    acts once it has learnt enough. Then, through the real form, an obvious spam goes to spam
    (rule "spam filter") and an ordinary comment from a new author waits as usual."""
    article = factories.make_article()
    ham, spam = tubespam_sample(300, 100, seed=8)
    comments = {False: [], True: []}
    for index, (name, text, is_spam) in enumerate(ham + spam):
        comment = Comment(
            discussion=discussion_of(article),
            author_name=name,
            author_email=f"viewer{index}@example.com",
            status=Status.PENDING,
            ip_address="192.0.2.10",
        )
        comment.set_body(text)
        comment.derive_fields()
        comments[is_spam].append(comment)
    Comment.objects.bulk_create(comments[False] + comments[True])
    assert Comment.objects.pending().count() == 400

    batches = [
        ("approve_comments", comments[False][:150]),
        ("mark_comments_as_spam", comments[True][:50]),
        ("approve_comments", comments[False][150:]),
        ("mark_comments_as_spam", comments[True][50:]),
    ]
    for action, batch in batches:
        response = decide(editor_client, action, batch)
        assert response.status_code == 302
        spamfilter.wait_for_training()
    assert not Comment.objects.pending().exists()
    assert SpamExample.objects.count() == 400

    trainings = SpamFilterVersion.objects.order_by("pk")
    assert [(v.ham_examples, v.spam_examples, v.acts) for v in trainings] == [
        (150, 50, False),
        (300, 50, False),
        (300, 100, True),
    ]
    version = trainings.last()
    assert version.cv_false_spam <= settings.COMMENTS_FILTER_MAX_FALSE_SPAM
    assert version.hold_threshold <= version.spam_threshold

    reader = Client()
    data = {"name": "Promo Tube", "email": "promo@example.com", "url": ""}
    data |= {"comment": OBVIOUS_SPAM, "token": factories.form_token(article)}
    assert reader.post(post_url(article), data).status_code == 302
    spam_comment = Comment.objects.get(author_email="promo@example.com")
    assert spam_comment.status == Status.SPAM
    event = submit_event(spam_comment)
    assert event.rule == "spam filter"
    assert event.reason == f"{spam_comment.spam_score:.2f}"
    assert spam_comment.spam_score >= version.spam_threshold

    data = {"name": "Ada Reader", "email": "ada.reader@example.com", "url": ""}
    data |= {"comment": ORDINARY, "token": factories.form_token(article)}
    assert Client().post(post_url(article), data).status_code == 302
    ordinary = Comment.objects.get(author_email="ada.reader@example.com")
    assert ordinary.status == Status.PENDING
    assert submit_event(ordinary).rule == "new author", ordinary.spam_score
    assert ordinary.spam_score < version.hold_threshold


@pytest.mark.parametrize("count", [5, 60])
def test_learning_from_a_bulk_decision_costs_the_same_queries_however_many(
    article, editor, count, settings
):
    """Guards a query (or two) per comment in learn_from when an editor approves a whole
    page of the queue at once: the examples are replaced in bulk."""
    settings.COMMENTS_FILTER_RETRAIN_EVERY = 10_000  # no training in this test
    comments = [factories.make_comment(article, status="pending") for _ in range(count)]
    change = moderation.Change(
        moderation.Action.APPROVE,
        tuple(comments),
        {c.pk: "pending" for c in comments},
        "approved",
        editor,
    )
    with CaptureQueriesContext(connection) as queries:
        spamfilter.learn_from(change)
    assert len(queries) <= 4, [q["sql"] for q in queries]
    assert SpamExample.objects.filter(is_spam=False).count() == count
    spamfilter.learn_from(change)  # deciding again replaces, never duplicates
    assert SpamExample.objects.count() == count
