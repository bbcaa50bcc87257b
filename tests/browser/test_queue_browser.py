"""The moderation queue in a real Chromium (Playwright against the live server): an editor
clearing it with the keyboard (comments/static/comments/queue.js) and with the buttons alone
(no JavaScript), what readers then see, its accessibility, and its Content-Security-Policy.

The browser, its contexts, the admin login and the axe-core audit come from
tests/browser/test_browser.py, so both modules skip (locally) or fail (CI=true) alike without
Chromium.
"""

import re

import pytest
from django.urls import reverse

from comments.models import Comment, ModerationEvent
from tests import factories
from tests.browser import test_browser
from tests.browser.test_browser import (
    EDITOR_PASSWORD,
    assert_no_serious_violations,
    expect,
    log_in_to_admin,
)

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: the data must be committed, and serialized
    # rollback brings back the "Editors" group after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# tests/browser/test_browser.py's fixtures, used here as they are (assigned, so pytest finds
# them in this module): one Chromium per module, fresh contexts, axe-ready contexts, fast logins.
browser = test_browser.browser
new_page = test_browser.new_page
audit_page = test_browser.audit_page
fast_password_hashing = test_browser.fast_password_hashing

KEY = {"approve": "a", "spam": "s", "remove": "r"}
PAST = {"approve": "approved", "spam": "marked as spam", "remove": "removed"}
STATUS = {"approve": "approved", "spam": "spam", "remove": "removed"}
# The editor's five decisions, in queue order; the last is undone.
SEQUENCE = ["approve", "spam", "approve", "remove", "approve"]


def has_class(name):
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def queue_url(live_server):
    return live_server.url + reverse("admin:comments_comment_queue")


def five_pending(article):
    """Five pending comments whose queue order is their list order (spam score descending)."""
    return [
        factories.make_comment(
            article,
            status="pending",
            author_name=f"Reader {name}",
            author_email=f"{name.lower()}@example.com",
            body=f"{name} thinks the accord will hold.",
            spam_score=score,
        )
        for name, score in zip(
            ["Ana", "Bo", "Cy", "Di", "Ed"], [0.9, 0.7, 0.5, 0.3, 0.1], strict=True
        )
    ]


def count_main_frame_navigations(page):
    """A list that grows by one each time the page's main frame navigates (loads a page)."""
    navigations = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    return navigations


def assert_readers_see_exactly(new_page, live_server, article, shown, hidden):
    """A fresh anonymous browser on the article: the `shown` comments, none of the `hidden`."""
    reader = new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    thread = reader.locator("#comments")
    expect(thread).to_be_visible()
    for comment in shown:
        expect(thread.locator(f"#comment-{comment.pk}")).to_contain_text(comment.body_raw)
    for comment in hidden:
        expect(thread.locator(f"#comment-{comment.pk}")).to_have_count(0)
        expect(thread).not_to_contain_text(comment.body_raw)
    expect(thread.locator("li.comment")).to_have_count(len(shown))


def assert_trail(comment, editor, expected):
    """The comment's trail, oldest first, as (action, from, to); every event by `editor`."""
    events = list(ModerationEvent.objects.filter(comment=comment).order_by("pk"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == expected, comment
    assert all(e.actor_id == editor.pk and e.reason == "moderation queue" for e in events)


def test_editor_clears_the_queue_with_the_keyboard_and_undoes_the_last(live_server, new_page):
    """Guards: the keyboard path of queue.js: a/s/r decide the current item in the background,
    focus moves to the next undecided item by itself, u undoes the last decision; no reload;
    the database and its trail match, and readers see exactly what was approved."""
    editor = factories.make_editor(password=EDITOR_PASSWORD)
    article = factories.make_article()
    comments = five_pending(article)
    page = new_page()
    log_in_to_admin(page, live_server)
    navigations = count_main_frame_navigations(page)
    page.goto(queue_url(live_server))
    items = page.locator("li.queue-item")
    expect(items).to_have_count(5)
    assert [items.nth(i).get_attribute("data-comment") for i in range(5)] == [
        str(c.pk) for c in comments
    ]
    expect(page.locator(".queue-keys")).to_be_visible()  # the script ran
    expect(items.first).to_have_class(has_class("queue-current"))
    page.evaluate("window.__sameDocument = 'still here'")
    loads = len(navigations)

    for i, (comment, decision) in enumerate(zip(comments, SEQUENCE, strict=True)):
        item = page.locator(f"#queue-{comment.pk}")
        expect(item).to_have_class(has_class("queue-current"))
        if i:  # the first is current on load; the others got focus from the decision before
            expect(item).to_be_focused()
        page.keyboard.press(KEY[decision])
        message = f"The comment by {comment.author_name} was {PAST[decision]}."
        expect(item.locator(".queue-outcome")).to_have_text(message)
        expect(item).to_have_class(has_class(f"queue-decided-{decision}"))
        expect(item).to_have_class(has_class("queue-decided"))
        expect(page.locator("#queue-live")).to_have_text(message)
        if i < 4:
            following = page.locator(f"#queue-{comments[i + 1].pk}")
            expect(following).to_be_focused()
            expect(following).to_have_class(has_class("queue-current"))
            expect(item).not_to_have_class(has_class("queue-current"))
    expect(page.locator("li.queue-item.queue-decided")).to_have_count(5)

    # u: the last decision undone, the item undecided again and current.
    last = comments[-1]
    page.keyboard.press("u")
    undone = page.locator(f"#queue-{last.pk}")
    message = f"The comment by {last.author_name} was put back in the queue."
    expect(undone.locator(".queue-outcome")).to_have_text(message)
    expect(undone).not_to_have_class(has_class("queue-decided"))
    expect(undone).not_to_have_class(has_class("queue-decided-approve"))
    expect(undone).to_be_focused()
    expect(page.locator("#queue-live")).to_have_text(message)
    expect(page.locator("li.queue-item.queue-decided")).to_have_count(4)

    assert page.evaluate("window.__sameDocument") == "still here", "the queue reloaded"
    assert len(navigations) == loads, f"the queue navigated: {navigations[loads:]}"

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in comments] == [
        "approved",
        "spam",
        "approved",
        "removed",
        "pending",
    ]
    for comment, decision in zip(comments[:4], SEQUENCE[:4], strict=True):
        assert_trail(comment, editor, [(decision, "pending", STATUS[decision])])
    assert_trail(
        last, editor, [("approve", "pending", "approved"), ("restore", "approved", "pending")]
    )

    approved = [comments[0], comments[2]]
    assert_readers_see_exactly(
        new_page, live_server, article, shown=approved, hidden=comments[1:2] + comments[3:]
    )

    # Loaded again, the queue holds only the one put back.
    page.reload()
    expect(page.locator("li.queue-item")).to_have_count(1)
    expect(page.locator(f"#queue-{last.pk}")).to_be_visible()


def test_editor_clears_the_queue_without_javascript(live_server, new_page):
    """Guards: the queue without queue.js: each button is a plain form post that reloads the
    queue with a message and without the decided comment, five decisions empty it, and the
    result is the same as with the keyboard."""
    editor = factories.make_editor(password=EDITOR_PASSWORD)
    article = factories.make_article()
    comments = five_pending(article)
    page = new_page(javascript=False)
    log_in_to_admin(page, live_server)
    page.goto(queue_url(live_server))
    expect(page.locator(".queue-keys")).to_be_hidden()  # no keys without the script
    items = page.locator("li.queue-item")
    navigations = count_main_frame_navigations(page)

    for i, (comment, decision) in enumerate(zip(comments, SEQUENCE, strict=True)):
        expect(items).to_have_count(5 - i)
        expect(items.first).to_have_attribute("id", f"queue-{comment.pk}")
        with page.expect_navigation():
            page.locator(f"#queue-{comment.pk} button.queue-{decision}").click()
        expect(page).to_have_url(queue_url(live_server))
        message = f"The comment by {comment.author_name} was {PAST[decision]}."
        expect(page.locator("ul.messagelist li.success")).to_have_text(message)
        expect(page.locator(f"#queue-{comment.pk}")).to_have_count(0)
        assert len(navigations) == i + 1, navigations
    expect(items).to_have_count(0)
    expect(page.locator(".queue-empty")).to_have_text("No comments awaiting moderation.")

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in comments] == [STATUS[d] for d in SEQUENCE]
    for comment, decision in zip(comments, SEQUENCE, strict=True):
        assert_trail(comment, editor, [(decision, "pending", STATUS[decision])])
    approved = [c for c, d in zip(comments, SEQUENCE, strict=True) if d == "approve"]
    hidden = [c for c, d in zip(comments, SEQUENCE, strict=True) if d != "approve"]
    assert_readers_see_exactly(new_page, live_server, article, shown=approved, hidden=hidden)


def test_the_queue_passes_axe(live_server, audit_page):
    """Guards: no serious or critical axe-core violation on the queue, as it loads (a reply
    with its parent, an author with a website, one without an IP) and after a decision (the
    dimmed decided item, its outcome, the focus ring)."""
    factories.make_editor(password=EDITOR_PASSWORD)
    article = factories.make_article()
    parent = factories.make_comment(article, author_name="Ann", body="<em>Quite</em> so.")
    first = factories.make_comment(
        article,
        status="pending",
        parent=parent,
        author_url="https://example.org/linked",
        body="<blockquote>Quite so</blockquote>I disagree.",
        spam_score=0.8,
    )
    factories.make_comment(article, status="pending", ip_address=None, body="No address.")
    factories.make_comment(article, status="pending", body="Plain <strong>remark</strong>.")
    page = audit_page()
    log_in_to_admin(page, live_server)
    page.goto(queue_url(live_server))
    expect(page.locator("li.queue-item")).to_have_count(3)
    expect(page.locator(".queue-keys")).to_be_visible()
    findings = audit(page, "the moderation queue")

    page.keyboard.press("a")
    expect(page.locator(f"#queue-{first.pk}")).to_have_class(has_class("queue-decided"))
    expect(page.locator(f"#queue-{first.pk} .queue-outcome")).to_be_visible()
    test_browser.settle(page)
    findings += audit(page, "the moderation queue after a decision")
    assert not findings, "\n\n".join(findings)


def audit(page, where):
    """tests/browser/test_browser.py's axe-core audit, its report kept so that both states
    are audited and reported together."""
    try:
        assert_no_serious_violations(page, where)
    except AssertionError as failure:
        return [str(failure).split("\nassert ")[0]]
    return []


def test_the_keyboard_path_breaks_no_content_security_policy(live_server, new_page):
    """Guards: queue.js works under the queue's own policy (script-src 'self'): moving,
    deciding and undoing log no CSP violation and no script error, while the policy is
    really in force (an inline script injected afterwards is refused, and reported)."""
    editor = factories.make_editor(password=EDITOR_PASSWORD)
    article = factories.make_article()
    comments = five_pending(article)[:3]
    page = new_page()
    violations, errors = [], []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(
        """window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
            window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
        });"""
    )
    log_in_to_admin(page, live_server)
    violations.clear()
    response = page.goto(queue_url(live_server))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy, policy
    expect(page.locator(".queue-keys")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    first, second, third = (page.locator(f"#queue-{c.pk}") for c in comments)
    page.keyboard.press("j")
    expect(second).to_be_focused()
    page.keyboard.press("j")
    expect(third).to_be_focused()
    page.keyboard.press("k")
    expect(second).to_be_focused()
    expect(second).to_have_class(has_class("queue-current"))
    page.keyboard.press("s")
    expect(second).to_have_class(has_class("queue-decided-spam"))
    expect(third).to_be_focused()
    page.keyboard.press("u")
    expect(second).not_to_have_class(has_class("queue-decided"))
    expect(second).to_be_focused()
    page.keyboard.press("r")
    expect(second).to_have_class(has_class("queue-decided-remove"))
    expect(third).to_be_focused()
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(first).to_be_focused()
    page.keyboard.press("a")
    expect(first).to_have_class(has_class("queue-decided-approve"))
    expect(third).to_be_focused()  # the next undecided one, past the decided second

    # The mouse, with the script: the button posts in the background too.
    third.locator("button.queue-spam").click()
    expect(third).to_have_class(has_class("queue-decided-spam"))
    expect(third.locator(".queue-outcome")).to_have_text(
        f"The comment by {comments[2].author_name} was marked as spam."
    )
    assert page.evaluate("window.__sameDocument") is True, "the queue reloaded"

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in comments] == ["approved", "removed", "spam"]
    assert_trail(
        comments[1],
        editor,
        [
            ("spam", "pending", "spam"),
            ("restore", "spam", "pending"),
            ("remove", "pending", "removed"),
        ],
    )
    assert violations == [], violations
    assert page.evaluate("window.__cspViolations") == []
    assert errors == [], errors

    # The control: the policy is in force and a violation would have been heard.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    for _ in range(50):  # the console event may trail the DOM's by a moment
        if violations:
            break
        page.wait_for_timeout(100)
    assert violations, "the injected inline script was refused without a console message"
    assert page.evaluate("window.__inlineRan") is None


def test_undo_pressed_while_a_decision_is_in_flight_loses_nothing(live_server, new_page):
    """Guards: queue.js's undo history when u is pressed while a decision is still on its way
    to the server: that press may be ignored (or wait), but must not throw away an earlier
    decision's undo; three u's after two decisions leave both comments pending again."""
    factories.make_editor(password=EDITOR_PASSWORD)
    article = factories.make_article()
    comments = five_pending(article)[:3]
    page = new_page()
    log_in_to_admin(page, live_server)
    page.goto(queue_url(live_server))
    expect(page.locator(".queue-keys")).to_be_visible()
    first, second = (page.locator(f"#queue-{c.pk}") for c in comments[:2])
    # The second comment's spam decision will be held on its way (a slow network).
    spam_url = re.compile(rf"/queue/{comments[1].pk}/spam/$")
    held = []
    page.route(spam_url, lambda route: held.append(route))

    page.keyboard.press("a")
    expect(first).to_have_class(has_class("queue-decided-approve"))
    expect(second).to_be_focused()

    with page.expect_request(spam_url):
        page.keyboard.press("s")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the spam decision never reached the route that holds it"
    page.keyboard.press("u")  # while the decision is in flight
    held[0].continue_()
    expect(second).to_have_class(has_class("queue-decided-spam"))
    page.unroute(spam_url)

    page.keyboard.press("u")
    expect(second).not_to_have_class(has_class("queue-decided"))
    page.keyboard.press("u")
    expect(first).not_to_have_class(has_class("queue-decided"), timeout=3_000)
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in comments] == ["pending", "pending", "pending"]
