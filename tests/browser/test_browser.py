"""End-to-end checks in a real Chromium, driven by Playwright against Django's live server.

They cover what only a browser shows: the comment form as crispy renders it, the redirect to
the new comment's anchor, the session that lets a reader see their own pending comment, the
admin's moderation action, and that a reader's markup never runs as script.

Chromium comes from Debian (`apt-get install -y chromium`); Playwright's own browser download
is not used. Without Chromium (or the playwright package) these tests are skipped locally and
fail under CI (CI=true), so a CI image that lost its browser can't pass silently.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connections

from comments import moderation
from comments.models import Comment
from tests import factories

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - exercised only on machines without playwright
    expect = sync_playwright = None

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - exercised only on machines without the dev extras
    Axe = None

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so the data must be committed. Serialized
    # rollback restores what migrations created (the "Editors" group) after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
EDITOR_PASSWORD = "correct horse battery staple"  # make_editor's default
AWAITING = "Your comment is awaiting moderation."
# Chromium's type="email" accepts a dotless domain; Django's EmailValidator does not.
EMAIL_THE_SERVER_REFUSES = "kay@example"
EMAIL_ERROR = "Enter a valid email address."
# axe-core impacts that fail the audit; "minor" and "moderate" findings are not gated on.
BLOCKING_IMPACTS = {"serious", "critical"}


def _missing_browser_reason():
    if sync_playwright is None:
        return "The playwright Python package is not installed; run `make install`."
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM}; apt-get install -y chromium"
    return None


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One headless Chromium for the whole module, closed at teardown."""
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)

    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    # refuse ORM calls (SynchronousOnlyOperation) from the test body and from pytest-django's
    # database teardown. Nothing here is actually concurrent, so allow them for this module.
    #
    # That running loop also gives this thread a second set of connection objects (Django
    # keeps them in a thread-critical asgiref Local, which is context-local under a loop). The
    # database state that serialized rollback restores is held on the first set, so carry it
    # over, or every test after the first would start without the "Editors" group.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            expect.set_options(timeout=TIMEOUT_MS)
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh browser context: a separate visitor with their own cookies."""
    contexts = []

    def open_page(*, javascript=True):
        context = browser.new_context(java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def audit_page(browser, live_server):
    """Open a page for an axe-core audit, and check afterwards that it stayed on this site.

    Readers' pages forbid every script (Content-Security-Policy: default-src 'none'), so
    these contexts alone bypass the policy for axe's injected script; the other tests'
    contexts keep it. axe-core comes bundled in axe-playwright-python and is injected with
    evaluate(): every request the audited pages make must go to the live server, never to a
    CDN.
    """
    if Axe is None:
        reason = "axe-playwright-python is not installed; run `make install`."
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"Accessibility tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    contexts, requested = [], []

    def open_page():
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("request", lambda request: requested.append(request.url))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    off_site = [url for url in requested if not url.startswith(f"{live_server.url}/")]
    assert not off_site, f"The audited pages requested something off this site: {off_site}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The editor logs in through the real login form; skip a second of PBKDF2 each way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def typing_speed(settings):
    """Playwright fills a form in milliseconds, faster than COMMENTS_MIN_SECONDS lets a person
    post (it would be kept as spam); test_a_reader_who_takes_a_few_seconds_is_not_spam and
    tests/public/test_form_token.py keep the default's behaviour covered."""
    settings.COMMENTS_MIN_SECONDS = 0


@pytest.fixture
def published_article(transactional_db):
    return factories.make_article()


def post_comment(page, *, name, email, comment, url=""):
    """Fill the "Leave a Reply" form the way a reader does and submit it."""
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    if url:
        page.locator("#id_url").fill(url)
    page.locator("#id_comment").fill(comment)
    page.get_by_role("button", name="Post Comment").click()


def log_in_to_admin(page, live_server, password=EDITOR_PASSWORD):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("editor")


def focused(page):
    """What document.activeElement is, for assertions and failure messages."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el ? el.tagName.toLowerCase() : null,
                id: el ? el.id : null,
                href: el ? el.getAttribute("href") : null,
                text: el ? el.textContent.trim().slice(0, 80) : null,
                inSummary: !!(el && el.closest("#respond.error-summary")),
            };
        }"""
    )


def assert_no_serious_violations(page, where):
    """Run axe-core on the page; fail on any serious or critical violation, listing each."""
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = [
        f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n    targets: "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        + (f" (+{len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else "")
        for v in blocking
    ]
    assert not blocking, f"axe-core on {where} ({page.url}):\n" + "\n".join(report)


def posted_comment_id(page):
    """After a successful post the reader lands on the new comment's anchor."""
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    return int(re.search(r"#comment-(\d+)$", page.url).group(1))


def test_reader_posts_editor_approves_other_reader_sees_it(
    live_server, published_article, new_page
):
    factories.make_editor(password=EDITOR_PASSWORD)
    article_url = live_server.url + published_article.get_absolute_url()
    email = "ada.reader@example.com"
    text = "I was at the talks in Veldra. Nobody there expected a deal this week."

    # Reader A posts; the comment is held, but A sees it with the moderation note.
    reader = new_page()
    reader.goto(article_url)
    post_comment(
        reader, name="Ada Reader", email=email, url="https://example.org/ada", comment=text
    )
    comment_id = posted_comment_id(reader)
    assert reader.url.startswith(article_url)
    own = reader.locator(f"#comment-{comment_id}")
    expect(own).to_be_visible()
    expect(own).to_contain_text(text)
    expect(own).to_contain_text(AWAITING)
    expect(own.get_by_role("link", name="Ada Reader")).to_have_attribute(
        "href", "https://example.org/ada"
    )
    assert Comment.objects.get(pk=comment_id).status == Comment.Status.PENDING

    # Reader B, another browser, does not see a pending comment.
    other = new_page()
    other.goto(article_url)
    expect(other.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(other.locator("#comments")).not_to_contain_text(text)
    expect(other.locator(f"#comment-{comment_id}")).to_have_count(0)

    # The editor (staff, in Editors, not a superuser) approves it from the admin.
    editor = new_page()
    editor.goto(live_server.url + "/admin/")
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill(EDITOR_PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    expect(editor.locator("#user-tools")).to_contain_text("editor")
    editor.goto(live_server.url + "/admin/comments/comment/")
    row_checkbox = editor.locator(f'input[name="_selected_action"][value="{comment_id}"]')
    row_checkbox.check()
    editor.locator('select[name="action"]').select_option("approve_comments")
    editor.get_by_role("button", name="Go").click()
    expect(editor.locator("ul.messagelist")).to_contain_text("1 comment was approved.")
    assert Comment.objects.get(pk=comment_id).status == Comment.Status.APPROVED

    # Reader B reloads and now sees the comment, without the moderation note.
    other.reload()
    published = other.locator(f"#comment-{comment_id}")
    expect(published).to_be_visible()
    expect(published).to_contain_text(text)
    expect(other.locator("#comments")).not_to_contain_text(AWAITING)
    # The email address is never published, not even in the markup.
    assert email not in other.content()

    # Reader A's note is gone too: the comment is no longer pending.
    reader.reload()
    expect(reader.locator(f"#comment-{comment_id}")).not_to_contain_text(AWAITING)


def test_a_reader_who_takes_a_few_seconds_is_not_spam(
    live_server, published_article, new_page, settings
):
    """The signed form token at its default: a comment sent 3 s after the page loaded is an
    ordinary new author's comment (pending), one sent at once is kept as spam. The poster
    sees the same note either way."""
    settings.COMMENTS_MIN_SECONDS = 3
    page = new_page()
    for name, wait in (("Quick Bot", 0), ("Thoughtful Reader", 3.2)):
        page.goto(live_server.url + published_article.get_absolute_url())
        page.wait_for_timeout(wait * 1000)
        post_comment(page, name=name, email=f"{wait}@example.com", comment=f"Sent by {name}.")
        comment = Comment.objects.get(pk=posted_comment_id(page))
        expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("awaiting moderation")
        assert comment.status == ("spam" if wait == 0 else "pending"), name


def test_invalid_email_is_reported_and_typed_values_are_kept(
    live_server, published_article, new_page
):
    page = new_page()
    page.goto(live_server.url + published_article.get_absolute_url())
    # Bypass the browser's own checks (type="email", required) to reach the server's.
    page.eval_on_selector("#commentform", "form => { form.noValidate = true; }")
    name = "Ada Reader"
    text = "A comment worth keeping\nover two lines."
    post_comment(page, name=name, email="not-an-email", comment=text)

    expect(page.locator("#div_id_email")).to_contain_text("Enter a valid email address.")
    expect(page.locator("#id_email")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_name")).to_have_value(name)
    expect(page.locator("#id_comment")).to_have_value(text)
    expect(page.locator("#id_email")).to_have_value("not-an-email")
    # Only the email is wrong.
    expect(page.locator("#id_name")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_comment")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    assert not Comment.objects.exists()


def test_markup_in_a_comment_never_runs(live_server, published_article, new_page):
    article_url = live_server.url + published_article.get_absolute_url()
    markup = (
        "<script>window.__pwned = 1</script>"
        '<img src=x onerror="window.__pwned=2">'
        "<strong>bold</strong>"
    )

    reader = new_page()
    reader.goto(article_url)
    post_comment(reader, name="Mallory", email="mallory@example.com", comment=markup)
    comment_id = posted_comment_id(reader)
    # The author's own view of the pending comment is sanitized too.
    expect(reader.locator(f"#comment-{comment_id}")).to_contain_text(AWAITING)
    reader.wait_for_load_state("load")
    assert reader.evaluate("window.__pwned") is None

    moderation.approve(Comment.objects.filter(pk=comment_id), by="test")

    other = new_page()
    other.goto(article_url)
    comments = other.locator("#comments")
    expect(comments.locator(f"#comment-{comment_id} strong")).to_have_text("bold")
    expect(comments.locator(f"#comment-{comment_id} strong")).to_be_visible()
    other.wait_for_load_state("load")
    assert other.evaluate("window.__pwned") is None
    expect(comments.locator("script")).to_have_count(0)
    expect(comments.locator("img")).to_have_count(0)
    expect(comments.locator("[onerror]")).to_have_count(0)


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_keyboard_only_reader_lands_on_the_error_summary(
    live_server, published_article, new_page, javascript
):
    """Without JavaScript the form posts to #respond and the browser focuses the summary
    there; with it the post happens in place and the script focuses the summary."""
    page = new_page(javascript=javascript)
    page.goto(live_server.url + published_article.get_absolute_url())
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    name = "Kay Keyboard"
    text = "Typed without a mouse.\nSecond line."

    # Tab from the top of the page to the first field, then through the form in order.
    for _ in range(40):
        if focused(page)["id"] == "id_name":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never reached the Name field; focus is on {focused(page)}")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_email"
    page.keyboard.type(EMAIL_THE_SERVER_REFUSES)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_url"  # Website is optional: leave it blank.
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_comment"
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_remember"  # "Save my name…": leave it unticked.
    for box in ("id_notify_replies", "id_notify_all"):  # the email boxes: unticked too
        page.keyboard.press("Tab")
        assert focused(page)["id"] == box
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Post Comment"
    page.keyboard.press("Enter")

    # The browser accepted the address; the server refused it and sent the form back.
    if javascript:
        expect(page).to_have_url(live_server.url + published_article.get_absolute_url())
        expect(page.locator("#comments-live")).to_contain_text("Your comment was not posted.")
    else:
        expect(page).to_have_url(re.compile(r"#respond$"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("#respond")
    expect(summary).to_have_class(re.compile(r"\berror-summary\b"))
    expect(summary).to_have_attribute("tabindex", "-1")
    expect(summary).to_have_attribute("aria-labelledby", "error-summary-title")
    expect(summary.locator("#error-summary-title")).to_be_visible()
    error_links = summary.locator("ul li a")
    expect(error_links).to_have_count(1)  # Only the email is wrong.
    expect(error_links.first).to_have_attribute("href", "#id_email")
    expect(error_links.first).to_contain_text(EMAIL_ERROR)
    assert page.locator("#commentform").get_attribute("action").endswith("#respond")

    # Landing on #respond focused the summary itself, so a screen reader announces it first.
    expect(summary).to_be_focused()
    assert focused(page)["inSummary"], focused(page)

    # Tab leads to the first error, and Enter on it to the field to fix.
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#id_email", focused(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#id_email$"))
    expect(page.locator("#id_email")).to_be_focused()

    # Nothing the reader typed is lost, and the field says what is wrong with it.
    expect(page.locator("#id_name")).to_have_value(name)
    expect(page.locator("#id_comment")).to_have_value(text)
    expect(page.locator("#id_email")).to_have_value(EMAIL_THE_SERVER_REFUSES)
    email = page.locator("#id_email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", "id_email_error email-notes")
    described_by = email.get_attribute("aria-describedby").split()
    descriptions = {
        id_: page.evaluate("id => document.getElementById(id)?.textContent ?? null", id_)
        for id_ in described_by
    }
    assert any(
        EMAIL_ERROR in (description or "")
        for id_, description in descriptions.items()
        if id_ != "email-notes"
    ), f"aria-describedby names no element holding the error: {descriptions}"
    assert not Comment.objects.exists()


def test_readers_pages_pass_axe(live_server, published_article, audit_page):
    for body in ("First!", "<em>Quite</em> right.", "<blockquote>Quoted</blockquote>Agreed."):
        factories.make_comment(published_article, body=body)
    factories.make_comment(
        published_article, author_url="https://example.org/linked", body="With a website."
    )
    page = audit_page()
    page.goto(live_server.url + published_article.get_absolute_url())
    expect(page.locator("#comments li.comment")).to_have_count(4)
    assert_no_serious_violations(page, "an article with approved comments")

    # The same page sent back with a server-side error (the browser accepts this address).
    post_comment(
        page, name="Kay Reader", email=EMAIL_THE_SERVER_REFUSES, comment="Is this accessible?"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#div_id_email")).to_contain_text(EMAIL_ERROR)
    assert_no_serious_violations(page, "the article page with a comment form error")


def test_admin_comment_list_passes_axe(live_server, published_article, audit_page):
    factories.make_editor(password=EDITOR_PASSWORD)
    factories.make_comment(published_article, body="Approved <em>already</em>.")
    factories.make_comment(published_article, body="Also approved.")
    factories.make_comment(
        published_article, body="Waiting for an editor.", status=Comment.Status.PENDING
    )
    factories.make_comment(
        published_article, body="Waiting as well.", status=Comment.Status.PENDING
    )
    page = audit_page()
    log_in_to_admin(page, live_server)

    changelist = live_server.url + "/admin/comments/comment/"
    page.goto(changelist)  # Opens on the moderation queue.
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    assert_no_serious_violations(page, "the admin moderation queue")

    page.goto(changelist + "?status=all")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    assert_no_serious_violations(page, "the admin list of all comments")


# --- Replies, preview, small screens ----------------------------------------------------------

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
REPLY_NAME = "Ben Reader"
REPLY_EMAIL = "ben.reader@example.com"
# What the preview must show sanitized: the emphasis rendered, the script gone entirely.
REPLY_TEXT = "I <em>really</em> doubt it.<script>window.__pwned = 1</script>"


@pytest.fixture
def sized_page(browser):
    """Open a page in a fresh context with the given viewport width (JavaScript on)."""
    contexts = []

    def open_page(width, height=800):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def make_deep_thread(article, levels=5, last_body="The deepest reply."):
    """A top-level comment and `levels` replies, each answering the one before."""
    top = factories.make_comment(article, author_name="Top Reader", body="Starting the thread.")
    comment = top
    for depth in range(1, levels + 1):
        comment = factories.make_comment(
            article,
            parent=comment,
            author_name=f"Level {depth}",
            body=last_body if depth == levels else f"A reply at depth {depth}.",
        )
    return top, comment


def settle(page):
    """Move the mouse off whatever was clicked and let CSS transitions end, so axe-core
    measures the colours the reader ends up seeing, not a button halfway into its hover."""
    page.mouse.move(0, 0)
    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")


def fill_reply(page, *, name=REPLY_NAME, email=REPLY_EMAIL, comment=REPLY_TEXT):
    page.locator("#id_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_comment").fill(comment)


def assert_preview_shows_reply(page):
    preview = page.locator("#comment-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Preview: not posted yet")
    expect(preview).to_contain_text(REPLY_NAME)
    expect(preview.locator(".comment-content em")).to_have_text("really")
    expect(preview.locator("script")).to_have_count(0)
    expect(preview).not_to_contain_text("__pwned")
    # What was typed stays in the form, raw, to be posted or changed.
    expect(page.locator("#id_comment")).to_have_value(REPLY_TEXT)
    expect(page.locator("#id_name")).to_have_value(REPLY_NAME)
    expect(page.locator("#id_email")).to_have_value(REPLY_EMAIL)


def assert_reply_nested_under(page, parent, reply_id):
    reply = page.locator(f"#comment-{parent.pk} > ol.children > li#comment-{reply_id}")
    expect(reply).to_be_visible()
    expect(reply).to_contain_text(AWAITING)
    expect(reply.locator(".comment-content em")).to_have_text("really")
    expect(reply.locator(".fn")).to_have_text(REPLY_NAME)
    # Both boxes read in one go: the page may still be scrolling to the new comment.
    reply_box, parent_box = page.evaluate(
        """([reply, parent]) => [reply, parent].map(selector => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return {x: box.x, y: box.y};
        })""",
        [
            f"#comment-{parent.pk} > ol.children > li#comment-{reply_id} .comment-body",
            f"#comment-{parent.pk} > .comment-body",
        ],
    )
    assert reply_box["x"] > parent_box["x"], (reply_box, parent_box)
    assert reply_box["y"] > parent_box["y"], (reply_box, parent_box)
    saved = Comment.objects.get(pk=reply_id)
    assert saved.parent_id == parent.pk
    assert saved.root_id == parent.pk
    assert saved.depth == 1
    assert saved.status == Comment.Status.PENDING
    assert saved.body_raw == REPLY_TEXT


def test_reply_preview_and_post_in_place_with_javascript(live_server, published_article, new_page):
    ann = factories.make_comment(published_article, author_name="Ann", body="The accord holds.")
    page = new_page()
    page.goto(live_server.url + published_article.get_absolute_url())
    page.wait_for_load_state("load")
    page.evaluate("window.__marker = 1")
    ann_li = page.locator(f"#comment-{ann.pk}")

    # Reply: the form moves under Ann's comment and says whom it answers.
    ann_li.get_by_role("link", name="Reply to Ann").click()
    respond = page.locator(f"#comment-{ann.pk} .comment-respond")
    expect(respond).to_have_count(1)
    expect(respond.locator(".replying-to")).to_contain_text("Replying to Ann")
    expect(respond.locator("#cancel-comment-reply-link")).to_be_visible()
    expect(page.locator('#commentform input[name="parent"]')).to_have_value(str(ann.pk))
    expect(page.locator("#id_comment")).to_be_focused()
    assert "replytocom" not in page.url

    # Preview: shown in place, sanitized, nothing saved.
    fill_reply(page)
    page.get_by_role("button", name="Preview").click()
    assert_preview_shows_reply(page)
    expect(page.locator("#comment-preview")).to_be_focused()
    expect(page.locator("#comments-live")).to_contain_text("Preview ready")
    expect(page.locator(".comment-respond .replying-to")).to_contain_text("Replying to Ann")
    expect(page.locator('#commentform input[name="parent"]')).to_have_value(str(ann.pk))
    assert list(Comment.objects.values_list("pk", flat=True)) == [ann.pk]

    # Post: the reply appears under Ann's, awaiting moderation, without a reload.
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#comments-live")).to_contain_text("awaiting moderation")
    reply_id = posted_comment_id(page)
    assert_reply_nested_under(page, ann, reply_id)
    expect(page.locator(f"#comment-{reply_id}")).to_be_focused()
    # The form is back at the end of the thread, blank, replying to nobody.
    expect(page.locator("li.comment .comment-respond")).to_have_count(0)
    expect(page.locator(".comment-respond .replying-to")).to_have_count(0)
    expect(page.locator("#id_comment")).to_have_value("")
    expect(page.locator("#comment-preview")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1, "The page reloaded"
    assert page.evaluate("window.__pwned") is None
    assert Comment.objects.count() == 2


def test_reply_preview_and_post_without_javascript(live_server, published_article, new_page):
    ann = factories.make_comment(published_article, author_name="Ann", body="The accord holds.")
    page = new_page(javascript=False)
    article_url = live_server.url + published_article.get_absolute_url()
    page.goto(article_url)

    # Reply: a plain link; the server shows the form replying to Ann.
    page.locator(f"#comment-{ann.pk}").get_by_role("link", name="Reply to Ann").click()
    expect(page).to_have_url(f"{article_url}?replytocom={ann.pk}#respond")
    note = page.locator(".comment-respond .replying-to")
    expect(note).to_contain_text("Replying to Ann")
    expect(note.get_by_role("link", name="Cancel reply")).to_have_attribute(
        "href", f"{published_article.get_absolute_url()}#respond"
    )
    expect(page.locator('#commentform input[name="parent"]')).to_have_value(str(ann.pk))

    # Preview: the page comes back with the preview above the form, and the text kept.
    fill_reply(page)
    page.get_by_role("button", name="Preview").click()
    expect(page).to_have_url(re.compile(r"#respond$"))
    assert_preview_shows_reply(page)
    preview_box = page.locator("#comment-preview").bounding_box()
    field_box = page.locator("#id_comment").bounding_box()
    assert preview_box["y"] < field_box["y"], "The preview is not above the form"
    expect(note).to_contain_text("Replying to Ann")
    expect(page.locator('#commentform input[name="parent"]')).to_have_value(str(ann.pk))
    assert list(Comment.objects.values_list("pk", flat=True)) == [ann.pk]

    # Post: redirected to the new comment's anchor on the article, nested under Ann's.
    page.get_by_role("button", name="Post Comment").click()
    reply_id = posted_comment_id(page)
    assert page.url.startswith(article_url)
    assert_reply_nested_under(page, ann, reply_id)
    expect(page.locator("#comment-preview")).to_have_count(0)


def test_deep_thread_reply_form_and_errors_pass_axe(live_server, published_article, audit_page):
    _top, deepest = make_deep_thread(published_article)
    factories.make_comment(published_article, author_name="Ann", body="<em>Another</em> view.")
    page = audit_page()
    page.goto(live_server.url + published_article.get_absolute_url())
    expect(page.locator("#comments li.comment")).to_have_count(7)
    expect(page.locator(f"#comment-{deepest.pk}")).to_be_visible()
    assert_no_serious_violations(page, "an article with a five-level thread")

    # The reply form open under the deepest reply.
    page.locator(f"#comment-{deepest.pk}").get_by_role("link", name="Reply to Level 5").click()
    expect(page.locator(f"#comment-{deepest.pk} .comment-respond .replying-to")).to_contain_text(
        "Replying to Level 5"
    )
    settle(page)
    assert_no_serious_violations(page, "the reply form open under a deep reply")

    # The server refuses the address (the browser's own check is off): errors in place.
    page.eval_on_selector("#commentform", "form => { form.noValidate = true; }")
    fill_reply(page, email=EMAIL_THE_SERVER_REFUSES, comment="Is a deep reply accessible?")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#div_id_email")).to_contain_text(EMAIL_ERROR)
    # (Past COMMENTS_THREAD_DEPTH the server files the reply beside Level 5, answering Level 4.)
    expect(page.locator(".comment-respond .replying-to")).to_contain_text("Replying to Level")
    settle(page)
    assert_no_serious_violations(page, "the reply form with an error")

    # And a preview.
    page.locator("#id_email").fill(REPLY_EMAIL)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#comment-preview")).to_be_focused()
    settle(page)
    assert_no_serious_violations(page, "the reply form with a preview")
    assert Comment.objects.count() == 7


LONG_WORD = "Rechtsschutzversicherungsgesellschaftenvertretungsvereinbarung" * 2
LONG_URL = "https://example.org/" + "/".join(["a-rather-long-path-segment"] * 8) + "?q=" + "x" * 60


def test_narrow_screen_does_not_scroll_sideways(live_server, published_article, sized_page):
    body = f'{LONG_WORD} and see {LONG_URL} or <a href="{LONG_URL}">{LONG_URL}</a>'
    _top, deepest = make_deep_thread(published_article, last_body=body)
    factories.make_comment(published_article, author_name=LONG_WORD[:60], body=LONG_URL)
    page = sized_page(320)
    page.goto(live_server.url + published_article.get_absolute_url())
    page.wait_for_load_state("load")
    expect(page.locator(f"#comment-{deepest.pk} .comment-content")).to_contain_text(LONG_WORD)

    def overflow():
        return page.evaluate(
            """() => ({
                scrollWidth: document.documentElement.scrollWidth,
                clientWidth: document.documentElement.clientWidth,
                wide: [...document.querySelectorAll("body *")]
                    .filter(el => el.getBoundingClientRect().right > 320.5)
                    .slice(0, 5)
                    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                        + (el.className ? "." + String(el.className).split(" ").join(".") : "")),
            })"""
        )

    result = overflow()
    assert result["scrollWidth"] <= 320, result
    # The deepest reply still has room for its words.
    content = page.locator(f"#comment-{deepest.pk} .comment-content").bounding_box()
    assert content["width"] >= 220, content  # Narrow screens indent less.

    # With the reply form open under the deepest reply, too.
    page.locator(f"#comment-{deepest.pk}").get_by_role("link", name="Reply to Level 5").click()
    expect(page.locator(f"#comment-{deepest.pk} .comment-respond")).to_have_count(1)
    result = overflow()
    assert result["scrollWidth"] <= 320, result
    form = page.locator("#id_comment").bounding_box()
    assert form["width"] >= 200, form


def test_threaded_discussion_screenshots(live_server, published_article, sized_page):
    """Screenshots for people to look at (test-results/screenshots/), and the nesting they
    show checked at both widths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first = factories.make_comment(
        published_article,
        author_name="Ann",
        body="The accord holds only if the harbour tariffs are <em>actually</em> dropped.",
    )
    reply = factories.make_comment(
        published_article,
        parent=first,
        author_name="Chidi",
        body="<blockquote>actually dropped</blockquote>They were, on paper, last spring.",
    )
    deeper = factories.make_comment(
        published_article,
        parent=reply,
        author_name="Ann",
        body="On paper. The port authority still collects them.",
    )
    factories.make_comment(
        published_article,
        parent=first,
        author_name="Dolores",
        author_url="https://example.org/dolores",
        body="Both delegations said as much on Monday.",
    )
    factories.make_comment(
        published_article, author_name="Eleanor", body="A clear, fair summary of the talks."
    )
    page = sized_page(1280)
    article_url = live_server.url + published_article.get_absolute_url()
    page.goto(article_url)
    # This reader replies to the deepest comment: pending, seen only by them.
    page.locator(f"#comment-{deeper.pk}").get_by_role("link", name="Reply to Ann").click()
    post_comment(
        page,
        name="Jason",
        email="jason@example.com",
        comment="Has anyone asked the port authority why?",
    )
    own_id = posted_comment_id(page)
    expect(page.locator(f"#comment-{deeper.pk} > ol.children > #comment-{own_id}")).to_contain_text(
        AWAITING
    )

    chain = [first, reply, deeper]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(article_url)
        page.wait_for_load_state("load")
        expect(page.locator("#comments li.comment")).to_have_count(6)
        lefts = [
            page.locator(f"#comment-{comment.pk} > .comment-body").bounding_box()["x"]
            for comment in chain
        ] + [page.locator(f"#comment-{own_id} > .comment-body").bounding_box()["x"]]
        assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts), (width, lefts)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        path = SCREENSHOTS / f"article-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cancel_reply_with_javascript_keeps_the_text(live_server, published_article, new_page):
    """Cancel reply moves the form back and makes it a new comment, before a preview and
    after one (when the form shown is the server's, with its own "Cancel reply" link)."""
    ann = factories.make_comment(published_article, author_name="Ann", body="The accord holds.")
    page = new_page()
    article_url = live_server.url + published_article.get_absolute_url()
    page.goto(article_url)
    page.wait_for_load_state("load")
    page.evaluate("window.__marker = 1")
    parent_input = page.locator('#commentform input[name="parent"]')

    page.locator(f"#comment-{ann.pk}").get_by_role("link", name="Reply to Ann").click()
    expect(page.locator(f"#comment-{ann.pk} .comment-respond")).to_have_count(1)
    page.locator("#cancel-comment-reply-link").click()
    expect(page.locator("li.comment .comment-respond")).to_have_count(0)
    expect(page.locator(".replying-to")).to_have_count(0)
    expect(parent_input).to_have_value("")

    page.locator(f"#comment-{ann.pk}").get_by_role("link", name="Reply to Ann").click()
    fill_reply(page)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#comment-preview")).to_be_focused()
    expect(page.locator(".comment-respond .replying-to")).to_contain_text("Replying to Ann")
    page.locator("#cancel-comment-reply-link").click()
    expect(page.locator(".replying-to")).to_have_count(0)
    expect(parent_input).to_have_value("")
    expect(page.locator("#id_comment")).to_have_value(REPLY_TEXT)
    expect(page.locator("#id_comment")).to_be_focused()

    # Posted now, it is a new top-level comment, still without a reload.
    page.get_by_role("button", name="Post Comment").click()
    reply_id = posted_comment_id(page)
    expect(page.locator(f"#comments > ol.comment-list > li#comment-{reply_id}")).to_contain_text(
        AWAITING
    )
    assert Comment.objects.get(pk=reply_id).parent_id is None
    assert page.evaluate("window.__marker") == 1, "The page reloaded"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_keyboard_only_reader_replies(live_server, published_article, new_page, javascript):
    """Reply, fill in and post with Tab, typing and Enter only, with and without the script."""
    ann = factories.make_comment(published_article, author_name="Ann", body="Keyboard thread")
    page = new_page(javascript=javascript)
    page.goto(live_server.url + published_article.get_absolute_url())
    for _ in range(60):
        if focused(page)["href"] == f"?replytocom={ann.pk}#respond":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never reached Ann's Reply link; focus is on {focused(page)}")
    page.keyboard.press("Enter")
    expect(page.locator(".replying-to")).to_contain_text("Replying to Ann")
    if javascript:
        expect(page.locator(f"#comment-{ann.pk} .comment-respond")).to_have_count(1)
        expect(page.locator("#id_comment")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
    else:
        page.locator("#id_name").focus()  # the page reloaded at #respond; start at Name
    expect(page.locator("#id_name")).to_be_focused()
    for value in ("Kim Keys", "kim@example.com", "", "Answered by keyboard."):
        if value:
            page.keyboard.type(value)
        page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_remember", focused(page)  # "Save my name…": unticked
    for box in ("id_notify_replies", "id_notify_all"):  # the email boxes: unticked too
        page.keyboard.press("Tab")
        assert focused(page)["id"] == box, focused(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Post Comment", focused(page)
    page.keyboard.press("Enter")
    reply = page.locator(f"#comment-{ann.pk} ol.children li.comment")
    expect(reply).to_contain_text("Answered by keyboard.")
    expect(reply).to_contain_text(AWAITING)
    assert Comment.objects.get(author_name="Kim Keys").parent_id == ann.pk


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_second_comment_too_soon_is_refused_and_kept(
    live_server, published_article, new_page, settings, javascript
):
    """Flood control in a real browser: the second comment within COMMENTS_FLOOD_SECONDS is
    refused with the message at the top of the form and every word still in it, with or
    without comments.js."""
    settings.COMMENTS_FLOOD_SECONDS = 15
    page = new_page(javascript=javascript)
    page.goto(live_server.url + published_article.get_absolute_url())
    post_comment(page, name="Quick Ann", email="ann@example.com", comment="My first thought.")
    posted_comment_id(page)
    second = "A second thought, typed fast."
    post_comment(page, name="Quick Ann", email="ann@example.com", comment=second)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("You are posting comments too quickly. Slow down.")
    expect(page.locator("#id_comment")).to_have_value(second)
    expect(page.locator("#id_name")).to_have_value("Quick Ann")
    if javascript:
        expect(summary).to_be_focused()
        expect(page.locator("#comments-live")).to_contain_text("too quickly")
    assert Comment.objects.count() == 1


def test_the_tab_key_never_reaches_the_honeypot(live_server, published_article, new_page):
    """A keyboard-only reader tabbing through the whole form never lands in the hidden
    field (tabindex="-1"), so an honest reader can't fill it by accident."""
    page = new_page()
    page.goto(live_server.url + published_article.get_absolute_url())
    page.locator("#id_name").focus()
    visited = []
    for _ in range(12):
        visited.append(focused(page)["id"])
        page.keyboard.press("Tab")
    assert "id_hp" not in visited, visited
    assert {"id_name", "id_email", "id_url", "id_comment"} <= set(visited), visited
    expect(page.locator("#id_hp")).not_to_be_in_viewport()
