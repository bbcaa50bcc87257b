"""The reader's and the editor's flow in a real Chromium, for both discussed models: a reader
fills in the form and sees their comment awaiting moderation; an editor signs in to the admin,
selects it and runs the Approve action; the page then shows it to everyone.

Chromium comes from Debian (`apt-get install -y chromium`, /usr/bin/chromium); Playwright's own
browser download is not used. Without Chromium (or the playwright package) these tests are
skipped, except under CI=true, where they fail: a CI machine that lost its browser can't pass
silently.
"""

import os
import re
from pathlib import Path

import pytest
from blogtest import (
    APPROVE_LABEL,
    AWAITING,
    COMMENT,
    EDITOR_PASSWORD,
    EDITOR_USERNAME,
    EMAIL,
    NAME,
    WEBSITE,
    make_editor,
)

from comments.models import Comment

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - only where playwright is not installed
    expect = sync_playwright = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
TIMEOUT_MS = 10_000


def _missing_browser_reason():
    if sync_playwright is None:
        return "The playwright package is not installed (pip install playwright)."
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM}; apt-get install -y chromium"
    return None


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One headless Chromium for the module."""
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API runs an asyncio loop in this thread, which makes Django refuse
    # ORM calls from the test body; nothing here is concurrent, so allow them.
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
    """A page in a fresh browser context: a visitor with cookies of their own."""
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
    """The editor signs in through the real login form; skip PBKDF2's second each way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def labelled(page, label):
    """The field a reader finds by its label ("Name*": a required field's label has an
    asterisk)."""
    return page.get_by_label(re.compile(rf"^\s*{label}\s*\*?\s*$"))


@pytest.fixture(params=["post", "event"])
def discussed(request, transactional_db):
    return request.getfixturevalue(request.param)


def test_reader_posts_editor_approves_in_the_admin_everyone_sees_it(
    live_server, new_page, discussed
):
    make_editor()
    text = f"Watching {discussed} from the sofa, and glad of it."
    url = live_server.url + discussed.get_absolute_url()

    reader = new_page()
    reader.goto(url)
    expect(reader.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    labelled(reader, NAME).fill("Ada Reader")
    labelled(reader, EMAIL).fill("ada@example.com")
    labelled(reader, WEBSITE).fill("https://example.org/ada")
    labelled(reader, COMMENT).fill(text)
    reader.get_by_role("button", name="Post Comment").click()
    expect(reader.get_by_text(re.compile(AWAITING))).to_be_visible()
    expect(reader.get_by_text(text)).to_be_visible()

    passer_by = new_page()
    passer_by.goto(url)
    expect(passer_by.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(passer_by.get_by_text(text)).to_have_count(0)

    comment = Comment.objects.get()
    editor = new_page()
    editor.goto(live_server.url + "/admin/login/?next=/admin/comments/comment/")
    editor.get_by_label("Username").fill(EDITOR_USERNAME)
    editor.get_by_label("Password").fill(EDITOR_PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    expect(editor.locator("#result_list")).to_be_visible()
    editor.locator(f'input[name="_selected_action"][value="{comment.pk}"]').check()
    editor.locator('select[name="action"]').select_option(label=APPROVE_LABEL)
    editor.locator('button[name="index"]').first.click()
    expect(editor.locator(".messagelist")).to_contain_text("approved")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    reader.reload()
    expect(reader.get_by_text(text)).to_be_visible()
    expect(reader.get_by_text(re.compile(AWAITING))).to_have_count(0)
    passer_by.reload()
    expect(passer_by.get_by_text(text)).to_be_visible()
