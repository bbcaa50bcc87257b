"""The honeypot: a field people never see. A bot that fills it is stored as spam, silently."""

import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import post_url
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


def test_the_honeypot_is_out_of_sight_out_of_reach_and_not_autofilled(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    wrapper = re.search(r'<div class="comment-hp" aria-hidden="true">.*?</div>', html, re.S)
    assert wrapper
    field = re.search(r"<input[^>]*name=\"hp\"[^>]*>", wrapper[0])[0]
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field
    assert 'value=""' in field
    assert html.count('name="hp"') == 1  # crispy does not render it a second time


def test_a_filled_honeypot_is_spam_but_the_bot_sees_the_usual_note(client, article, comment_data):
    response = client.post(post_url(article), comment_data | {"hp": "http://bot.example"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.SPAM
    event = comment.events.get()
    assert (event.rule, event.to_status) == ("honeypot", "spam")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Your comment is awaiting moderation." in page
    assert "comment-spam" not in page and "spam" not in visible_text(page).lower()
    assert "Nobody" not in Client().get(article.get_absolute_url()).content.decode()


def test_an_empty_honeypot_changes_nothing(client, article, comment_data):
    client.post(post_url(article), comment_data | {"hp": ""})
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_huge_honeypot_value_is_still_just_spam(client, article, comment_data):
    response = client.post(post_url(article), comment_data | {"hp": "x" * 50_000})
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.SPAM
