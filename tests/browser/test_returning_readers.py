"""Returning readers in a real Chromium (Playwright against the live server): the reply
notifications from the ticked box to the one-click unsubscribe, with the mail going through
a real SMTP server (aiosmtpd, tests/conftest.py's `smtp_server`); Recommend and Report with
the keyboard alone, with and without comments.js; sorting without JavaScript; and axe-core
on every page these add.

The browser, its contexts, the admin login and the axe-core audit come from
tests/browser/test_browser.py, so these skip (locally) or fail (CI=true) alike without
Chromium.
"""

import re
import time
import urllib.request

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, Recommendation, Report, Subscription
from comments.notify import mail as notify_mail
from comments.notify import subscriptions
from tests import factories
from tests.browser import test_browser
from tests.browser.test_browser import (
    AWAITING,
    EDITOR_PASSWORD,
    assert_no_serious_violations,
    expect,
    log_in_to_admin,
    posted_comment_id,
)

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: the data must be committed, and serialized
    # rollback brings back the "Editors" group after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# tests/browser/test_browser.py's fixtures, used here as they are (assigned, so pytest finds
# them in this module): one Chromium per module, fresh contexts, axe-ready contexts, fast
# logins, and forms posted at once (COMMENTS_MIN_SECONDS = 0).
browser = test_browser.browser
new_page = test_browser.new_page
audit_page = test_browser.audit_page
fast_password_hashing = test_browser.fast_password_hashing
typing_speed = test_browser.typing_speed

SENDER = "comments@meridian.example"
ADA = "ada.reader@example.com"
ADA_NAME = "Ada Reader"
BEN = "ben.secret@example.net"
BEN_NAME = "Ben Replier"
BEN_SITE = "https://ben-replier.example.org/"
THANKS = "Thank you. The editors will look at it."
# Anything that looks like an email address in a message.
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MAIL_WAIT = 10  # seconds: mail goes out after the response, from the live server's thread


@pytest.fixture
def mail_site(settings, smtp_server, live_server):
    """The live server mails through the real SMTP server (the `settings` fixture reaches
    the live server's thread: it runs in this process), its links to the live server."""
    settings.COMMENTS_SITE_URL = live_server.url
    settings.DEFAULT_FROM_EMAIL = f"The Meridian <{SENDER}>"
    return smtp_server


def mail_to(server, address):
    """The messages the SMTP server accepted for `address`, oldest first."""
    return [message for recipients, message in server.received if address in recipients]


def wait_for_mail(server, address, count, timeout=MAIL_WAIT):
    """Wait until `address` has `count` messages; return them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = mail_to(server, address)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    pytest.fail(f"{address} got {len(mail_to(server, address))} message(s), not {count}")


def body_of(message):
    """A message's text (plain text only), its lines ended as in Python ("\n"): SMTP's are
    "\r\n"."""
    assert message.get_content_type() == "text/plain"
    return message.get_content().replace("\r\n", "\n")


def header(message, name):
    """A header's value as a mail client reads it: Django folds a long one onto the next
    line, which Python's parser reads with the fold's space in front."""
    value = message[name]
    return None if value is None else str(value).strip()


def link_in(body, kind):
    """The absolute link of comments.notify's `kind` ("confirm", "unsubscribe", …) in a
    message's text."""
    found = re.search(rf"https?://\S+/notifications/{kind}/[^\s/]+/", body)
    assert found, f"No {kind} link in:\n{body}"
    return found.group(0)


def focused(page):
    """document.activeElement, described for assertions and failure messages."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return el ? {
                tag: el.tagName.toLowerCase(),
                cls: el.getAttribute("class") || "",
                href: el.getAttribute("href"),
                type: el.getAttribute("type"),
                value: el.getAttribute("value"),
                text: el.textContent.trim().slice(0, 80),
            } : null;
        }"""
    )


def tab_to(page, selector, limit=80, key="Tab"):
    """Press Tab (or `key`: "Shift+Tab") until the focused element matches `selector` (the
    keyboard's only way there), or fail saying where focus went."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press(key)
    pytest.fail(f"{key} never reached {selector}; focus is on {focused(page)}")


def press(page, button):
    """Click a button that sends its page's form; fail at once, saying why, unless the
    answer is a 200 (a refused form would otherwise show only as a heading not found)."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    request = response.request
    assert response.status == 200, (
        f"{request.method} {request.url} answered {response.status} "
        f"({page.title()!r}); the request carried Origin: {request.headers.get('origin')}"
    )


def thread_order(page):
    """The top-level comments' ids, as the thread shows them."""
    items = page.locator("#comments > ol.comment-list > li.comment")
    return [int(i.removeprefix("comment-")) for i in items.evaluate_all("l => l.map(e => e.id)")]


# --- Reply notifications ----------------------------------------------------------------------


def test_reply_notification_from_the_box_to_the_one_click_unsubscribe(
    live_server, new_page, mail_site, settings
):
    """Guards the whole double opt-in: Ada ticks "Email me when someone replies to me",
    confirms from the link the SMTP server received, Ben's reply is held (nothing mailed),
    an editor approves it from the queue, and Ada's message (only her address, Ben's name,
    the reply as plain text, its link, RFC 8058 headers) ends the subscription with a mail
    client's one-click POST."""
    settings.COMMENTS_NOTIFY_MINUTES = 0  # so the check after unsubscribing means something
    smtp = mail_site
    factories.make_editor(password=EDITOR_PASSWORD)
    article = factories.make_article()
    article_url = live_server.url + article.get_absolute_url()

    # Ada comments with the box ticked; her comment is held (a new author).
    ada = new_page()
    ada.goto(article_url)
    ada.locator("#id_name").fill(ADA_NAME)
    ada.locator("#id_email").fill(ADA)
    ada.locator("#id_comment").fill("Will the accord survive the winter?")
    replies_box = ada.get_by_label("Email me when someone replies to me")
    expect(replies_box).not_to_be_checked()
    replies_box.check()
    expect(ada.get_by_label("Email me when anyone comments on this article")).not_to_be_checked()
    ada.get_by_role("button", name="Post Comment").click()
    ada_comment_id = posted_comment_id(ada)
    expect(ada.locator(f"#comment-{ada_comment_id}")).to_contain_text(AWAITING)
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.scope, subscription.confirmed_at) == (
        ADA,
        Subscription.Scope.REPLIES,
        None,
    )

    # The confirmation: one message, to Ada alone, through the real mail server.
    [confirmation] = wait_for_mail(smtp, ADA, 1)
    assert [recipients for recipients, _ in smtp.received] == [[ADA]]
    assert header(confirmation, "To") == ADA
    assert confirmation["From"].addresses[0].addr_spec == SENDER
    assert header(confirmation, "Subject").startswith("Please confirm")
    assert header(confirmation, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    confirm_url = link_in(body_of(confirmation), "confirm")
    assert confirm_url.startswith(live_server.url + "/")

    # The link opens a page with one button; opening it confirms nothing.
    ada.goto(confirm_url)
    expect(ada.get_by_role("heading", name="Confirm your subscription")).to_be_visible()
    expect(ada.locator("body")).to_contain_text("replies to your comments")
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    press(ada, ada.get_by_role("button", name="Confirm"))
    expect(ada.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    # Ada's own comment published (an editor's approval tells her nothing: it is hers).
    moderation.approve(Comment.objects.filter(pk=ada_comment_id), by="test")

    # Ben, another browser, replies to Ada's comment: held, so nothing is mailed yet.
    ben = new_page()
    ben.goto(article_url)
    ben.locator(f"#comment-{ada_comment_id}").get_by_role(
        "link", name=f"Reply to {ADA_NAME}"
    ).click()
    expect(ben.locator(".comment-respond .replying-to")).to_contain_text(f"Replying to {ADA_NAME}")
    ben.locator("#id_name").fill(BEN_NAME)
    ben.locator("#id_email").fill(BEN)
    ben.locator("#id_url").fill(BEN_SITE)
    ben.locator("#id_comment").fill(
        "It will, if the tariffs go.\n<em>Both</em> sides know it & say so."
    )
    ben.get_by_role("button", name="Post Comment").click()
    reply_id = posted_comment_id(ben)
    expect(ben.locator(f"#comment-{reply_id}")).to_contain_text(AWAITING)
    reply = Comment.objects.get(pk=reply_id)
    assert (reply.parent_id, reply.status) == (ada_comment_id, Comment.Status.PENDING)
    time.sleep(1)  # what a held reply would wrongly send goes out after the response
    assert len(mail_to(smtp, ADA)) == 1, "A held reply was told"

    # An editor approves Ben's reply from the moderation queue, in a third browser.
    editor = new_page()
    log_in_to_admin(editor, live_server)
    editor.goto(live_server.url + reverse("admin:comments_comment_queue"))
    item = editor.locator(f"#queue-{reply_id}")
    expect(item).to_contain_text("It will, if the tariffs go.")
    item.locator("button.queue-approve").click()
    expect(item.locator(".queue-outcome")).to_have_text(f"The comment by {BEN_NAME} was approved.")
    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED

    # Ada's message: to her alone, Ben's name, the reply as plain text, its link.
    news = wait_for_mail(smtp, ADA, 2)[1]
    assert all(recipients == [ADA] for recipients, _ in smtp.received), smtp.received
    assert len(smtp.received) == 2
    assert header(news, "To") == ADA
    assert news["Cc"] is None and news["Bcc"] is None
    assert news["From"].addresses[0].addr_spec == SENDER
    assert header(news, "Subject") == f"A new reply on “{article.headline}”"
    assert header(news, "Auto-Submitted") == "auto-generated"
    body = body_of(news)
    assert f"{BEN_NAME} replied to you" in body
    assert "   It will, if the tariffs go.\n   Both sides know it & say so." in body
    assert "<em>" not in body and "&amp;" not in body
    reply_link = f"{live_server.url}{reply.get_absolute_url()}"
    assert reply_link.endswith(f"#comment-{reply_id}")
    assert reply_link in body

    # RFC 8058: the one-click headers, and the same link in the text.
    unsubscribe = re.fullmatch(r"<(https?://[^>]+)>", header(news, "List-Unsubscribe"))
    assert unsubscribe, header(news, "List-Unsubscribe")
    unsubscribe_url = unsubscribe.group(1)
    assert unsubscribe_url.startswith(live_server.url + "/")
    assert header(news, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert link_in(body, "unsubscribe") == unsubscribe_url

    # Nobody else's address anywhere in the message: not Ben's, not his website.
    raw = news.as_bytes().decode("utf-8", "replace")
    for text in (raw, body):
        assert BEN not in text and "ben-replier" not in text
    seen = {
        found.lower()
        for name, value in news.items()
        if name.lower() != "message-id"
        for found in ADDRESS.findall(str(value))
    } | {found.lower() for found in ADDRESS.findall(body)}
    assert seen == {ADA, SENDER}, seen

    # The link to the reply shows it to Ada.
    ada.goto(reply_link)
    expect(ada.locator(f"#comment-{reply_id}")).to_contain_text("Both sides know it")

    # A mail client's one-click unsubscribe: a bare POST, no cookie, no CSRF token.
    request = urllib.request.Request(
        unsubscribe_url,
        data=b"List-Unsubscribe=One-Click",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert "Unsubscribed" in response.read().decode()
    assert not Subscription.objects.exists()

    # The link opened in the browser afterwards: nothing left to stop.
    ada.goto(unsubscribe_url)
    expect(ada.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    expect(ada.get_by_text("There is nothing left to stop")).to_be_visible()

    # And another reply approved now mails Ada nothing.
    later = factories.make_comment(
        article, parent=Comment.objects.get(pk=ada_comment_id), status=Comment.Status.PENDING
    )
    moderation.approve(Comment.objects.filter(pk=later.pk), by="test")
    time.sleep(0.5)
    assert len(mail_to(smtp, ADA)) == 2


def test_notification_pages_pass_axe(live_server, audit_page, mail_site):
    """Guards: no serious or critical axe-core violation on the pages a subscriber reaches
    from a message: the confirm page before and after Confirm, the page asking for a link,
    the page of all subscriptions (from the link mailed), the unsubscribe page before and
    after, and a link that does not work."""
    smtp = mail_site
    article = factories.make_article()
    other = factories.make_article()
    discussion = factories.discussion_of(article)
    [replies, everything] = subscriptions.subscribe_to(discussion, ADA, ["replies", "all"])
    subscriptions.subscribe(factories.discussion_of(other), ADA, "replies")
    [confirmation] = wait_for_mail(smtp, ADA, 2)[:1]
    page = audit_page()

    page.goto(link_in(body_of(confirmation), "confirm"))
    expect(page.get_by_role("heading", name="Confirm your subscription")).to_be_visible()
    assert_no_serious_violations(page, "the confirm page")
    press(page, page.get_by_role("button", name="Confirm"))
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    assert_no_serious_violations(page, "the confirm page, confirmed")

    # All of an address's subscriptions: asked for on the site, the link mailed.
    page.get_by_role("link", name="All your subscriptions").click()
    expect(page.get_by_role("heading", name="Your email subscriptions")).to_be_visible()
    assert_no_serious_violations(page, "the page asking for a link to one's subscriptions")
    page.get_by_label("Your email address").fill(ADA)
    press(page, page.get_by_role("button", name="Email me a link"))
    expect(page.get_by_role("status")).to_contain_text("If that address has subscriptions")
    manage = wait_for_mail(smtp, ADA, 3)[2]
    page.goto(link_in(body_of(manage), "manage"))
    expect(page.locator("ul.list-unstyled > li")).to_have_count(3)
    assert_no_serious_violations(page, "the page of all one's subscriptions")
    press(page, page.get_by_role("button", name="End this subscription").first)
    expect(page.get_by_role("status")).to_have_text("Ended 1 subscription.")
    assert_no_serious_violations(page, "the page of all one's subscriptions, one ended")

    page.goto(notify_mail.unsubscribe_url([replies, everything]))
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert_no_serious_violations(page, "the unsubscribe page")
    press(page, page.get_by_role("button", name="Unsubscribe"))
    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    assert_no_serious_violations(page, "the unsubscribe page, unsubscribed")

    cut_short = reverse("comments:notify_confirm", kwargs={"token": "cut-short"})
    response = page.goto(live_server.url + cut_short)
    assert response.status == 400
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_no_serious_violations(page, "a confirm link that does not work")


# --- Recommend and Report with the keyboard ---------------------------------------------------


def three_comments(article):
    """Three approved top-level comments, oldest first, by other readers."""
    return [
        factories.make_comment(article, author_name=name, body=body)
        for name, body in (
            ("Ann", "The accord holds."),
            ("Chidi", "Only on paper."),
            ("Dolores", "Both delegations said as much on Monday."),
        )
    ]


def recommend_link(page, comment):
    return page.locator(f"#comment-{comment.pk} > article .comment-recommend-link")


def test_recommend_and_report_in_place_with_the_keyboard(live_server, new_page):
    """Guards comments.js's Recommend and Report for a keyboard-only reader: Tab reaches
    them, Enter and Space press Recommend (counted in place, aria-pressed), Enter opens the
    report form with focus on its first reason, the arrow keys choose, Enter on Send thanks
    in place with focus on the thanks; Escape closes a form and gives focus back."""
    article = factories.make_article()
    ann, chidi, _dolores = three_comments(article)
    page = new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_load_state("load")
    page.evaluate("window.__marker = 1")
    link = recommend_link(page, chidi)
    expect(link).to_have_attribute("role", "button")  # comments.js made it a toggle
    expect(link).to_have_attribute("aria-pressed", "false")

    tab_to(page, f"#comment-{chidi.pk} > article .comment-recommend-link")
    page.keyboard.press("Enter")
    expect(link).to_have_attribute("aria-pressed", "true")
    expect(link.locator(".comment-recommend-count")).to_have_text(" (1)")
    expect(link).to_have_attribute(
        "aria-label", "Recommend this comment by Chidi, 1 recommendation"
    )
    expect(page.locator("#comments-live")).to_have_text("You recommend this comment.")
    expect(link).to_be_focused()
    assert Recommendation.objects.filter(comment=chidi).count() == 1
    chidi.refresh_from_db()
    assert chidi.recommendation_count == 1

    page.keyboard.press(" ")  # a button's other key: taken back
    expect(link).to_have_attribute("aria-pressed", "false")
    expect(link.locator(".comment-recommend-count")).to_have_text("")
    expect(link).to_have_attribute(
        "aria-label", "Recommend this comment by Chidi, 0 recommendations"
    )
    expect(page.locator("#comments-live")).to_have_text("Your recommendation was taken back.")
    assert not Recommendation.objects.exists()
    chidi.refresh_from_db()
    assert chidi.recommendation_count == 0

    # Report, the next stop of Tab: the form opens under the comment, focus on a reason.
    page.keyboard.press("Tab")
    report_link = page.locator(f"#comment-{chidi.pk} > article .comment-report-link")
    expect(report_link).to_be_focused()
    expect(report_link).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    box = page.locator(f"#report-box-{chidi.pk}")
    expect(box).to_be_visible()
    expect(report_link).to_have_attribute("aria-expanded", "true")
    expect(report_link).to_have_attribute("aria-controls", f"report-box-{chidi.pk}")
    spam = box.get_by_label("Spam")
    expect(spam).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(box.get_by_label("Abusive or hateful")).to_be_focused()
    expect(box.get_by_label("Abusive or hateful")).to_be_checked()
    tab_to(page, f"#report-box-{chidi.pk} button.comment-report-send", limit=4)
    page.keyboard.press("Enter")
    thanks = box.locator(".comment-report-done")
    expect(thanks).to_have_text(THANKS)
    expect(thanks).to_be_focused()
    expect(page.locator("#comments-live")).to_have_text(THANKS)
    report = Report.objects.get()
    assert (report.comment_id, report.reason, report.text) == (chidi.pk, "abuse", "")
    # Close: focus back on the link.
    page.keyboard.press("Tab")
    expect(box.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_have_count(0)
    expect(report_link).to_be_focused()
    expect(report_link).to_have_attribute("aria-expanded", "false")

    # Another comment's Report with Space; Escape closes it and focus goes back.
    ann_report = page.locator(f"#comment-{ann.pk} > article .comment-report-link")
    tab_to(page, f"#comment-{ann.pk} > article .comment-report-link", limit=6, key="Shift+Tab")
    page.keyboard.press(" ")
    expect(page.locator(f"#report-box-{ann.pk}").get_by_label("Spam")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(f"#report-box-{ann.pk}")).to_have_count(0)
    expect(ann_report).to_be_focused()
    assert Report.objects.count() == 1
    assert page.evaluate("window.__marker") == 1, "The page reloaded"


def test_recommend_and_report_without_javascript_with_the_keyboard(live_server, new_page):
    """Guards the pages behind the links: without comments.js, Recommend and Report lead to
    their small pages, whose forms post with the keyboard and lead back to the thread (the
    new count shown) or to the thanks."""
    article = factories.make_article()
    _ann, chidi, _dolores = three_comments(article)
    page = new_page(javascript=False)
    page.goto(live_server.url + article.get_absolute_url())
    link = recommend_link(page, chidi)
    expect(link).not_to_have_attribute("role", "button")
    comment_url = live_server.url + chidi.get_absolute_url()

    # Recommend: the link's page, its button, and back to the comment, counted.
    tab_to(page, f"#comment-{chidi.pk} > article .comment-recommend-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("comments:recommend", args=[chidi.pk]))
    expect(page.get_by_role("heading", name="Recommend a comment")).to_be_visible()
    expect(page.locator(".comment-recommend-count-text")).to_have_text(
        "0 readers recommend this comment."
    )
    tab_to(page, 'button[value="recommend"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(comment_url)
    expect(link.locator(".comment-recommend-count")).to_have_text(" (1)")
    expect(link).to_have_attribute(
        "aria-label", "Recommend this comment by Chidi, 1 recommendation"
    )
    assert Recommendation.objects.filter(comment=chidi).count() == 1

    # Again: the page knows this browser recommends it, and takes it back.
    page.locator("body").focus()
    tab_to(page, f"#comment-{chidi.pk} > article .comment-recommend-link")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You recommend this comment.")).to_be_visible()
    expect(page.locator(".comment-recommend-count-text")).to_have_text(
        "1 reader recommends this comment."
    )
    tab_to(page, 'button[value="withdraw"]')
    expect(page.locator(":focus")).to_have_text("Take back my recommendation")
    page.keyboard.press("Enter")
    expect(page).to_have_url(comment_url)
    expect(link.locator(".comment-recommend-count")).to_have_text("")
    assert not Recommendation.objects.exists()

    # Report: the link's page, a reason chosen with the arrow keys, Send, the thanks.
    page.locator("body").focus()
    tab_to(page, f"#comment-{chidi.pk} > article .comment-report-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("comments:report", args=[chidi.pk]))
    expect(page.get_by_role("heading", name="Report a comment to the editors")).to_be_visible()
    tab_to(page, 'input[type="radio"]')
    expect(page.get_by_label("Spam")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Off topic")).to_be_checked()
    tab_to(page, "button.comment-report-send", limit=4)
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("comments:report_sent", args=[chidi.pk]))
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(THANKS)
    report = Report.objects.get()
    assert (report.comment_id, report.reason) == (chidi.pk, "off_topic")
    page.get_by_role("link", name="Back to the comment").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#comment-{chidi.pk}")).to_be_visible()


def test_reactions_pass_axe(live_server, audit_page):
    """Guards: no serious or critical axe-core violation on the article with Recommend,
    Report and the sort links (one recommended, pressed), with the report form open in
    place and after it was sent, and on the recommend, report and report-sent pages."""
    article = factories.make_article()
    ann, chidi, _dolores = three_comments(article)
    factories.make_comment(article, parent=ann, author_name="Eve", body="<em>Quite</em> so.")
    page = audit_page()
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("nav.comment-sort")).to_be_visible()
    expect(recommend_link(page, chidi)).to_have_attribute("role", "button")
    assert_no_serious_violations(page, "the article with Recommend, Report and sorting")

    recommend_link(page, chidi).click()
    expect(recommend_link(page, chidi)).to_have_attribute("aria-pressed", "true")
    page.locator(f"#comment-{chidi.pk} > article .comment-report-link").click()
    box = page.locator(f"#report-box-{chidi.pk}")
    expect(box.get_by_label("Spam")).to_be_focused()
    test_browser.settle(page)
    assert_no_serious_violations(page, "the report form open in place")
    box.get_by_label("Something else").check()
    box.get_by_role("button", name="Send the report").click()  # no words: an error
    expect(box.locator(".comment-report-errors")).to_be_focused()
    test_browser.settle(page)
    assert_no_serious_violations(page, "the report form in place with an error")
    box.get_by_label("In a few words").fill("Copied from another site")
    box.get_by_role("button", name="Send the report").click()
    expect(box.locator(".comment-report-done")).to_be_focused()
    test_browser.settle(page)
    assert_no_serious_violations(page, "the report thanks in place")

    for name, title in (
        ("recommend", "the recommend page (recommended)"),
        ("report", "the report page"),
        ("report_sent", "the report-sent page"),
    ):
        page.goto(live_server.url + reverse(f"comments:{name}", args=[ann.pk]))
        expect(page.locator("h1")).to_be_visible()
        assert_no_serious_violations(page, title)
    page.goto(live_server.url + reverse("comments:recommend", args=[chidi.pk]))
    expect(page.get_by_role("button", name="Take back my recommendation")).to_be_visible()
    assert_no_serious_violations(page, "the recommend page (recommended)")
    page.goto(live_server.url + reverse("comments:report", args=[ann.pk]))
    # No reason chosen, past the browser's own check (required): the server's errors.
    page.eval_on_selector("form.comment-report-form", "form => { form.noValidate = true; }")
    page.get_by_role("button", name="Send the report").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_no_serious_violations(page, "the report page with an error")


# --- Sorting without JavaScript ---------------------------------------------------------------


def test_sorting_without_javascript(live_server, new_page):
    """Guards the sort links as plain links: Newest puts the newest thread first (its
    replies with it) and marks itself aria-current; Most recommended puts the most
    recommended first; Oldest brings back the default."""
    article = factories.make_article()
    ann, chidi, dolores = three_comments(article)
    factories.make_comment(article, parent=ann, author_name="Eve", body="A reply to Ann.")
    Comment.objects.filter(pk=chidi.pk).update(recommendation_count=4)
    Comment.objects.filter(pk=ann.pk).update(recommendation_count=1)
    article_url = live_server.url + article.get_absolute_url()
    page = new_page(javascript=False)
    page.goto(article_url)
    sort = page.get_by_role("navigation", name="Sort comments")
    assert thread_order(page) == [ann.pk, chidi.pk, dolores.pk]
    expect(sort.get_by_role("link", name="Oldest")).to_have_attribute("aria-current", "true")
    expect(sort.locator("[aria-current]")).to_have_count(1)

    sort.get_by_role("link", name="Newest").click()
    expect(page).to_have_url(f"{article_url}?csort=newest#comments")
    assert thread_order(page) == [dolores.pk, chidi.pk, ann.pk]
    expect(page.locator(f"#comment-{ann.pk} > ol.children > li.comment")).to_contain_text(
        "A reply to Ann."
    )
    expect(sort.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
    expect(sort.locator("[aria-current]")).to_have_count(1)

    sort.get_by_role("link", name="Most recommended").click()
    expect(page).to_have_url(f"{article_url}?csort=best#comments")
    assert thread_order(page) == [chidi.pk, ann.pk, dolores.pk]
    expect(sort.get_by_role("link", name="Most recommended")).to_have_attribute(
        "aria-current", "true"
    )
    expect(sort.locator("[aria-current]")).to_have_count(1)

    sort.get_by_role("link", name="Oldest").click()
    expect(page).to_have_url(f"{article_url}?csort=oldest#comments")
    assert thread_order(page) == [ann.pk, chidi.pk, dolores.pk]
