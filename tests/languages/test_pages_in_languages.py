"""The site in each shipped language: its strings, its plural forms (Arabic has six), its
dates, its direction, the form's errors and the emails a reader asked for in it."""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.utils import translation

from comments.models import Subscription
from tests import factories

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def each_request_in_its_own_language():
    translation.deactivate()


def article_with(count, **fields):
    article = factories.make_article(published_at=PUBLISHED, **fields)
    if count:
        factories.make_comments(article, count)
    return article


def get(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


def heading(html):
    return re.search(r'<h2 class="h4 comments-title">(.*?)</h2>', html, re.S)[1]


@pytest.mark.parametrize(
    ("language", "direction", "strings"),
    [
        ("en", "ltr", ["Leave a Reply", "Your email address will not be published.", "Name"]),
        (
            "fr",
            "ltr",
            ["Laisser un commentaire", "Votre adresse e-mail ne sera pas publiée.", "Nom"],
        ),
        ("ar", "rtl", ["اترك ردًّا", "لن يُنشر عنوان بريدك الإلكتروني.", "الاسم"]),
    ],
)
def test_the_article_page_in_each_language(client, language, direction, strings):
    article = article_with(1)
    html = get(client, article.get_absolute_url(), language)
    assert f'<html lang="{language}" dir="{direction}">' in html
    for text in strings:
        assert text in html, text


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 1, "1 comment on"),
        ("en", 2, "2 comments on"),
        ("fr", 1, "1 commentaire sur"),
        ("fr", 2, "2 commentaires sur"),
        ("ar", 1, "تعليق واحد على"),
        ("ar", 2, "تعليقان على"),
        ("ar", 3, "3 تعليقات على"),
        ("ar", 11, "11 تعليقًا على"),
        ("ar", 102, "102 تعليق على"),
    ],
)
def test_the_thread_counts_in_each_languages_plural_forms(client, language, count, expected):
    article = article_with(count)
    assert expected in heading(get(client, article.get_absolute_url(), language))


@pytest.mark.parametrize(
    ("language", "date", "says", "reply"),
    [
        ("en", "15 March 2026", "says:", ">Reply<"),
        ("fr", "15 mars 2026", "a écrit\xa0:", ">Répondre<"),
        ("ar", "15 مارس 2026", "كتب", ">رد<"),
    ],
)
def test_dates_and_the_threads_words_in_each_language(client, language, date, says, reply):
    article = article_with(0)
    factories.make_comment(article, submitted_at=PUBLISHED)
    html = get(client, article.get_absolute_url(), language)
    assert date in html  # the article's date and the comment's, month names localised
    assert says in html and reply in html


@pytest.mark.parametrize(
    ("language", "required"),
    [("fr", "Ce champ est obligatoire."), ("ar", "هذا الحقل مطلوب.")],
)
def test_the_forms_errors_in_the_readers_language_keep_what_was_typed(client, language, required):
    article = article_with(0)
    response = client.post(
        factories.post_url(article),
        {"name": "", "email": "ada@example.com", "comment": "Mon texte", "token": "x"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    html = response.content.decode()
    assert required in html
    assert "Mon texte" in html and "ada@example.com" in html


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("fr", "Merci de confirmer\xa0: alertes par e-mail sur «\xa0{title}\xa0»"),
        ("ar", "يُرجى التأكيد: رسائل بالبريد الإلكتروني بشأن «{title}»"),
    ],
)
def test_a_subscribers_emails_are_in_the_language_they_subscribed_in(
    client, django_capture_on_commit_callbacks, language, subject
):
    article = article_with(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            factories.post_url(article),
            {
                "name": "Ada",
                "email": "ada@example.com",
                "comment": "Bonjour.",
                "notify_replies": "on",
                "token": factories.form_token(article),
            },
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 302
    assert Subscription.objects.get().language == language
    (message,) = mail.outbox
    # One line, its spaces plain (comments.notify.mail.one_line).
    assert message.subject == " ".join(subject.format(title=article.headline).split())


def test_a_notification_is_written_in_the_subscribers_language_whoever_sends_it():
    """The worker sending it, or an editor approving a reply in English: the subscriber's."""
    from comments.notify import mail as notify_mail

    article = article_with(0)
    subscription = Subscription.objects.create(
        discussion=factories.discussion_of(article),
        email="ada@example.com",
        email_normalized="ada@example.com",
        scope=Subscription.Scope.ALL,
        language="ar",
    )
    replies = [factories.make_comment(article), factories.make_comment(article)]
    with translation.override("en"):
        message = notify_mail.news_message(subscription, replies)
    assert message.subject.startswith("تعليقان جديدان على")
    assert "Reader" in message.body  # the repliers' names, as they wrote them
