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

from comments import moderation
from comments.models import Comment

from . import factories

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - exercised only on machines without playwright
    expect = sync_playwright = None

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


def _missing_browser_reason():
    if sync_playwright is None:
        return "The playwright Python package is not installed; run `make install`."
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM}; apt-get install -y chromium"
    return None


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the whole module, closed at teardown."""
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)

    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    # refuse ORM calls (SynchronousOnlyOperation) from the test body and from pytest-django's
    # database teardown. Nothing here is actually concurrent, so allow them for this module.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
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

    def open_page():
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The editor logs in through the real login form; skip a second of PBKDF2 each way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def published_article(transactional_db):
    return factories.make_article()


def post_comment(page, *, name, email, comment, url=""):
    """Fill the "Leave a Reply" form the way a reader does and submit it."""
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    if url:
        page.get_by_label("Website").fill(url)
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Post Comment").click()


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

    moderation.approve(Comment.objects.filter(pk=comment_id))

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
