"""One table of decisions (comments.moderation.DECISIONS): the admin's actions, the change
page's buttons, the moderation queue's buttons and keys, and the spam filter's page all name
a decision as the table does, so renaming one there renames it everywhere."""

import re
from dataclasses import replace

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment
from tests.factories import make_comment

DECISIONS = moderation.DECISIONS
CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def renamed(monkeypatch):
    """Every label in the table changed, to see each screen follow it."""
    table = {
        key: replace(
            decision,
            label=f"{decision.label} (renamed)",
            action_label=f"{decision.action_label} (renamed)",
            queue_label=f"{decision.queue_label}-renamed" if decision.queue_label else "",
        )
        for key, decision in DECISIONS.items()
    }
    monkeypatch.setattr(moderation, "DECISIONS", table)
    return table


def test_each_decision_is_named_once(db):
    keys = [decision.key for decision in DECISIONS.values()]
    assert (
        keys == list(DECISIONS) == ["approve", "spam", "remove", "restore", "feature", "unfeature"]
    )
    shortcuts = [decision.shortcut for decision in DECISIONS.values() if decision.shortcut]
    assert shortcuts == ["a", "s", "r"]
    assert all(callable(decision.decide) for decision in DECISIONS.values())


def test_the_admin_actions_are_the_tables_in_its_order(editor_client, article):
    make_comment(article, status="pending")
    html = editor_client.get(CHANGELIST).content.decode()
    labels = re.findall(r'<option value="([a-z_]+)">([^<]+)</option>', html)
    names = {decision.action_name for decision in DECISIONS.values()}
    decision_actions = [(name, label) for name, label in labels if name in names]
    assert decision_actions == [
        (decision.action_name, decision.action_label.replace("'", "&#x27;"))
        for decision in DECISIONS.values()
    ]


def test_an_admin_action_takes_the_decision_and_says_its_past_tense(editor_client, article):
    pending = make_comment(article, status="pending")
    response = editor_client.post(
        CHANGELIST + "?status=pending",
        {"action": DECISIONS["spam"].action_name, "_selected_action": [pending.pk]},
        follow=True,
    )
    pending.refresh_from_db()
    assert pending.status == Comment.Status.SPAM
    assert DECISIONS["spam"].done % {"count": 1} in response.content.decode()


def test_the_change_page_offers_the_tables_buttons(editor_client, article, renamed):
    pending = make_comment(article, status="pending")
    approved = make_comment(article, status="approved")
    change = "admin:comments_comment_change"
    on_pending = editor_client.get(reverse(change, args=[pending.pk])).content.decode()
    on_approved = editor_client.get(reverse(change, args=[approved.pk])).content.decode()
    buttons = re.compile(r'name="_decision" value="([a-z]+)"[^>]*>([^<]+)</button>')
    label = {key: decision.label.replace("'", "&#x27;") for key, decision in renamed.items()}
    assert buttons.findall(on_pending) == [
        (k, label[k]) for k in ("approve", "spam", "remove", "restore")
    ]
    assert buttons.findall(on_approved) == [
        (k, label[k]) for k in ("approve", "spam", "remove", "restore", "feature")
    ]


def test_the_queue_offers_the_tables_buttons_and_keys(editor_client, article):
    make_comment(article, status="pending")
    html = editor_client.get(reverse("admin:comments_comment_queue")).content.decode()
    forms = re.findall(
        r'data-key="([a-z])">.*?class="button queue-([a-z]+)">([^<]+)</button>', html
    )
    assert forms == [
        (decision.shortcut, decision.key, decision.queue_label)
        for decision in DECISIONS.values()
        if decision.shortcut
    ]
    hint = "".join(
        f"<kbd>{d.shortcut}</kbd> {d.queue_label.lower()}, "
        for d in DECISIONS.values()
        if d.shortcut
    )
    assert hint in html


def test_the_spam_filter_page_names_the_buttons_editors_press(editor_client, renamed):
    html = editor_client.get(reverse("admin:comments_spamfilterversion_changelist")).content
    html = html.decode()
    assert f"each <strong>{renamed['approve'].label}</strong> is an example" in html
    assert f"each <strong>{renamed['spam'].label}</strong> one of spam" in html
