"""The language switch in a real Chromium (tests/browser's fixtures): it works with
JavaScript off, and its page is axe-core clean in every language."""

import pytest
from django.conf import settings

from tests import factories
from tests.browser import test_browser
from tests.browser.test_browser import assert_no_serious_violations, expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: the data must be committed, and serialized
    # rollback brings back the "Editors" group after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

browser = test_browser.browser
new_page = test_browser.new_page
audit_page = test_browser.audit_page
published_article = test_browser.published_article


def test_switching_language_with_javascript_off(live_server, published_article, new_page):
    page = new_page(javascript=False)
    page.goto(live_server.url + published_article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Language: English").click()
    expect(page.get_by_role("heading", name="Choose your language")).to_be_visible()
    page.get_by_role("button", name="Français").click()
    page.wait_for_url(live_server.url + published_article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(published_article.headline)
    # Back to English the same way, from a French page.
    page.locator("a.language-switch").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server.url + published_article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_language_page_passes_axe_in_every_language(live_server, audit_page, language):
    article = factories.make_article()
    page = audit_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/language/?next={article.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("form.language-choice button")).to_have_count(len(settings.LANGUAGES))
    assert_no_serious_violations(page, f"the language page in {language}")
