"""No English left behind: every page a reader or an editor sees, rendered in the
pseudo-language (tests/languages/pseudo.py), shows no visible text outside the brackets of a
translated message, but for what the test itself wrote (bracketed too) and the brand.

A failure names the text: a string that was never marked for translation, or a message the
catalogs lack (`make catalogs`). The scripts' strings are checked by their catalog
(test_catalogs.py): this test reads what the server sends."""

import re

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from comments import moderation
from comments.desk.alerts import held_item, messages_for
from comments.models import Comment, Discussion, Subscription
from comments.notify import mail as notify_mail
from comments.notify import tokens
from tests import factories

from .pseudo import CODE, untranslated, visible_text, wrap

pytestmark = pytest.mark.django_db

# What the test writes is "data", bracketed like a translation so that it is not mistaken
# for English left behind.
HEADLINE = wrap("Envoys meet")
NAME, OTHER = wrap("Ada"), wrap("Grace")
# The editor's username shows in the admin's frame; usernames allow no brackets.
USERNAME = "editor"
USER_AGENT = "Mozilla/5.0 (test)"  # tests.factories.make_comment's
# Each language's name on the language page is in that language.
DATA = (USERNAME, USER_AGENT, *(name for _code, name in settings.LANGUAGES))


@pytest.fixture
def site(pseudo_language, settings, client):
    """An article with a thread (a reply, two comment pages), in the pseudo-language."""
    settings.COMMENTS_PER_PAGE = 2
    article = factories.make_article(
        headline=HEADLINE,
        standfirst=wrap("Negotiators return"),
        photo_caption=wrap("Delegates arrive"),
        body=wrap("The talks resumed.") + "\n\n" + wrap("Both sides spoke."),
        byline=wrap("Diplomatic staff"),
    )
    first = factories.make_comment(article, author_name=NAME, body=wrap("I was there."))
    factories.make_comment(article, author_name=OTHER, body=wrap("So was I."), parent=first)
    for n in range(3):
        factories.make_comment(article, author_name=wrap(f"Reader {n}"), body=wrap("Yes."))
    client.cookies["django_language"] = CODE
    translation.deactivate()  # each request's language is the client's, as a reader's
    return article


# Django's own admin writes one word it never translates: its search box's icon
# (django/contrib/admin/templates/admin/search_form.html, alt="Search").
DJANGO_UNTRANSLATED = ("Search",)


def assert_translated(html, where, data=DATA):
    left = untranslated(visible_text(html), data)
    assert left == [], f"English left on {where}: {left}"


def page(client, url, status=200, **extra):
    response = client.get(url, **extra)
    assert response.status_code == status, (url, response.status_code)
    assert response["Content-Language"] == CODE
    return response.content.decode()


def test_the_front_page_and_the_article_page(client, site):
    assert_translated(page(client, "/"), "the front page")
    html = page(client, site.get_absolute_url())
    assert HEADLINE in html and NAME in html
    assert_translated(html, "the article page")
    assert_translated(page(client, site.get_absolute_url() + "?cpage=2"), "comment page 2")
    assert_translated(
        page(client, site.get_absolute_url() + "?csort=newest"), "the newest-first order"
    )


def test_the_form_with_errors_and_the_preview(client, site):
    url = factories.post_url(site)
    token = factories.form_token(site)
    errors = client.post(
        url, {"name": "", "email": "not an address", "comment": "", "token": token}
    )
    assert errors.status_code in (200, 400)
    assert_translated(errors.content.decode(), "the form with errors")
    preview = client.post(
        url,
        {
            "name": NAME,
            "email": "ada@example.com",
            "comment": wrap("A preview."),
            "token": token,
            "preview": "1",
        },
    )
    assert_translated(preview.content.decode(), "the preview")


def test_a_readers_own_comment_and_its_edit_page(client, site):
    response = client.post(
        factories.post_url(site),
        {
            "name": NAME,
            "email": "ada@example.com",
            "comment": wrap("My own remark."),
            "token": factories.form_token(site),
        },
    )
    assert response.status_code == 302
    own = Comment.objects.get(body_raw=wrap("My own remark."))
    assert_translated(page(client, response["Location"]), "the page after posting")
    assert_translated(
        page(client, reverse("comments:edit", kwargs={"comment_id": own.pk})), "the edit page"
    )


def test_the_recommend_and_report_pages(client, site):
    comment = Comment.objects.get(author_name=NAME)
    for name in ("recommend", "report", "report_sent"):
        url = reverse(f"comments:{name}", kwargs={"comment_id": comment.pk})
        assert_translated(page(client, url), f"the {name} page")
    refused = client.post(
        reverse("comments:report", kwargs={"comment_id": comment.pk}), {"reason": "other"}
    )
    assert_translated(refused.content.decode(), "the report form with an error")


def test_a_page_discussed_by_its_address(client, site):
    url = "https://news.example/story"
    discussion = Discussion.objects.of_url(url, title=wrap("A story"))
    factories.make_comment(discussion, author_name=NAME, body=wrap("On the story."))
    html = page(client, reverse("comments:discussion", kwargs={"discussion_id": discussion.pk}))
    assert_translated(html, "a discussion of a page")


def test_the_notification_pages(client, site):
    discussion = factories.discussion_of(site)
    subscription = Subscription.objects.create(
        discussion=discussion,
        email="ada@example.com",
        email_normalized="ada@example.com",
        scope=Subscription.Scope.REPLIES,
        language=CODE,
    )
    pages = {
        "the request page": reverse("comments:notify_request"),
        "the confirm page": reverse(
            "comments:notify_confirm", args=[tokens.confirm_token([subscription])]
        ),
        "the unsubscribe page": reverse(
            "comments:notify_unsubscribe", args=[tokens.unsubscribe_token([subscription])]
        ),
        "the manage page": reverse(
            "comments:notify_manage", args=[tokens.manage_token("ada@example.com")]
        ),
    }
    for where, url in pages.items():
        assert_translated(page(client, url), where)
    refused = client.get(reverse("comments:notify_confirm", args=["forged"]))
    assert refused.status_code == 400
    assert_translated(refused.content.decode(), "a refused link")


def test_the_language_page_and_the_error_pages(client, site):
    assert_translated(page(client, "/language/?next=/"), "the language page")
    assert_translated(page(client, "/no-such-page/", status=404), "the 404 page")


def feed_texts(xml):
    root = ElementTree.fromstring(xml)
    texts = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in {"title", "subtitle", "description", "summary"} and element.text:
            texts.append(re.sub(r"<[^>]+>", " ", element.text))
    return texts


def test_the_feeds(client, site):
    discussion = factories.discussion_of(site)
    for url in (
        reverse("comments:feed"),
        reverse("comments:discussion_feed", kwargs={"discussion_id": discussion.pk}),
        "/feed/",
    ):
        left = untranslated(feed_texts(page(client, url).encode()), DATA)
        assert left == [], f"English left in the feed {url}: {left}"


def texts_of(message):
    return [message.subject, message.body]


def test_the_emails_to_readers(site, settings):
    settings.COMMENTS_SITE_URL = "https://news.example"
    discussion = factories.discussion_of(site)
    subscriptions = [
        Subscription.objects.create(
            discussion=discussion,
            email="ada@example.com",
            email_normalized="ada@example.com",
            scope=scope,
            language=CODE,
        )
        for scope in (Subscription.Scope.REPLIES, Subscription.Scope.ALL)
    ]
    reply = Comment.objects.get(author_name=OTHER)
    messages = {
        "the confirmation": notify_mail.confirmation_message(subscriptions),
        "the confirmation of one": notify_mail.confirmation_message(subscriptions[:1]),
        "a notification": notify_mail.news_message(subscriptions[0], [reply]),
        "a notification of two": notify_mail.news_message(subscriptions[1], [reply, reply]),
        "the manage link": notify_mail.manage_message(subscriptions),
    }
    for where, message in messages.items():
        left = untranslated(texts_of(message), DATA)
        assert left == [], f"English left in {where}: {left}"


def test_the_editors_alert_in_the_sites_language(site, settings):
    settings.LANGUAGE_CODE = CODE
    held = factories.make_comment(
        site, author_name=NAME, body=wrap("Buy now."), status=Comment.Status.PENDING
    )
    items = [held_item(held, "links", wrap("2 links"))]
    for total in (1, 3):
        (message,) = messages_for(items, total, ["editor@example.com"])
        left = untranslated(texts_of(message), DATA)
        assert left == [], f"English left in the editors' alert: {left}"
    assert not mail.outbox


def test_the_moderation_queue_and_the_admin_additions(client, site, settings):
    # The admin's log keeps what was done in the site's language (its "Recent actions").
    settings.LANGUAGE_CODE = CODE
    editor = factories.make_editor(USERNAME)
    client.force_login(editor)
    factories.make_comment(
        site, author_name=NAME, body=wrap("Held."), status=Comment.Status.PENDING
    )
    spam = factories.make_comment(site, author_name=OTHER, body=wrap("Spam."))
    moderation.mark_spam(Comment.objects.filter(pk=spam.pk), by=editor)
    comment = Comment.objects.get(author_name=NAME, body_raw=wrap("I was there."))
    for where, url in {
        "the queue": reverse("admin:comments_comment_queue"),
        "the comments' list": reverse("admin:comments_comment_changelist"),
        "a comment's page": reverse("admin:comments_comment_change", args=[comment.pk]),
        "the reply form": reverse("admin:comments_comment_reply", args=[comment.pk]),
        "the admin's index": reverse("admin:index"),
        "the dashboard": reverse("admin:comments_comment_dashboard"),
    }.items():
        assert_translated(page(client, url), where, (*DATA, *DJANGO_UNTRANSLATED))
