"""The API's docs page (/api/v1/docs/) in Chromium, under the site's own CSP: Swagger UI's
files come from this site (django-ninja ships them) and render every operation, with no
script, style or request the policy refuses."""

import pytest

from tests.browser import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser
new_page = test_browser.new_page


def test_the_docs_page_shows_every_operation_under_the_csp(new_page, live_server, client):
    operations = sum(
        len(methods) for methods in client.get("/api/v1/openapi.json").json()["paths"].values()
    )
    page = new_page()
    complaints, requests = [], []
    page.on("console", lambda message: complaints.append(message.text))
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == operations
    assert not [text for text in complaints if "Content Security Policy" in text]
    assert all(url.startswith(live_server.url) for url in requests), requests
