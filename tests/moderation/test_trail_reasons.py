"""The trail's reason never repeats the rule's name: the rule has a column of its own, and
every screen shows "rule: reason" once (the queue, the comment list, alerts). Migration 0015
strips the name from reasons written before, and puts it back when reversed."""

import importlib

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comments import moderation
from comments.models import Comment, ModerationEvent
from tests.factories import discussion_of, make_comment

REASONS_MIGRATION = importlib.import_module("comments.migrations.0015_reasons_without_the_rule")


def historical_apps():
    return MigrationExecutor(connection).loader.project_state().apps


def test_a_rules_reason_is_recorded_without_its_name(article, settings):
    settings.COMMENTS_MAX_LINKS = 0
    held = Comment(
        discussion=discussion_of(article), author_name="Linker", author_email="linker@example.com"
    )
    held.set_body("https://a.example/ and https://b.example/")
    moderation.submit(held)
    event = held.events.get()
    assert (event.rule, event.reason) == ("links", "2 links (more than 0)")


def test_a_posters_edit_sent_back_says_what_it_added_once(article, settings):
    comment = make_comment(article, status="approved", body="No links here.")
    moderation.edit_own(comment, "Now https://spam.example/ and https://spam.example/2")
    sent_back = comment.events.filter(action="submit").get()
    assert sent_back.reason == "the poster's edit added a link"
    assert not sent_back.reason.startswith(f"{sent_back.rule}:")


def test_the_migration_strips_the_rule_from_old_reasons_and_reverses(article, editor):
    comment = make_comment(article, status="pending")

    def event(action, to_status, reason, **who):
        return ModerationEvent.objects.create(
            comment=comment,
            comment_ref=comment.pk,
            action=action,
            to_status=to_status,
            reason=reason,
            **who,
        )

    old = event(
        "submit",
        "pending",
        "new author: no approved comment from this name and email",
        rule="new author",
    )
    already = event("submit", "pending", "3 links (more than 2)", rule="links")
    by_editor = event("approve", "approved", "checked: fine", actor=editor)

    REASONS_MIGRATION.strip_rule(historical_apps(), None)
    reasons = dict(ModerationEvent.objects.values_list("pk", "reason"))
    assert reasons[old.pk] == "no approved comment from this name and email"
    assert reasons[already.pk] == "3 links (more than 2)"
    assert reasons[by_editor.pk] == "checked: fine"  # a person's reason is left as written

    REASONS_MIGRATION.prefix_rule(historical_apps(), None)
    reasons = dict(ModerationEvent.objects.values_list("pk", "reason"))
    assert reasons[old.pk] == "new author: no approved comment from this name and email"
    assert reasons[already.pk] == "links: 3 links (more than 2)"
    assert reasons[by_editor.pk] == "checked: fine"


def test_every_rule_name_has_a_label_for_editors():
    """Guards: each automatic rule's stored name has its translatable label (RULE_LABELS),
    the English one being the name itself; the rules that name themselves in one place are
    checked by their constants, the policy's own by reading rules.py."""
    import inspect
    import re

    from comments.management.commands import erase_commenter_data
    from comments.moderation import rules
    from comments.spam import filter as spam_filter

    named = {
        moderation.HONEYPOT.rule,
        moderation.TOO_FAST.rule,
        moderation.FLOOD_UNCHECKED.rule,
        moderation.READER_REPORTS,
        moderation.POSTER,
        moderation.IP_RETENTION,
        moderation.IMPORT,
        spam_filter.RULE,
        erase_commenter_data.RULE,
    }
    named |= set(re.findall(r'Decision\(Status\.[A-Z]+, "([^"]+)"', inspect.getsource(rules)))
    assert named <= set(moderation.RULE_LABELS)
    assert all(str(label) == rule for rule, label in moderation.RULE_LABELS.items())
    assert moderation.rule_label("a rule nobody named") == "a rule nobody named"
