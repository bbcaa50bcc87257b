"""The embed (comments/static/comments/embed.js) on another site's page, in a real Chromium.

"Another site": a tiny http.server on 127.0.0.1 serving a static page with the embed snippet,
while the live server (the comments site) is on localhost, so every request the embed makes
is cross-origin and cross-site, as a newspaper's page calling its comments service would be.
The page is sent with a Content-Security-Policy that allows the comments site in script-src,
connect-src and style-src and nothing else (no 'unsafe-inline', no 'unsafe-eval'): the policy
the README asks of embedding pages. Chromium runs with third-party cookies blocked (launch
flag --test-third-party-cookie-phaseout, as browsers are phasing them out): the embed keeps
its poster key in the page's own localStorage and sends no cookie.

The browser's setup and the axe-core audit come from tests/browser/test_browser.py, so this
module skips (locally) or fails (CI=true) alike without Chromium.
"""

import http.server
import json
import os
import re
import threading
import urllib.request
from datetime import timedelta
from functools import partial
from urllib.parse import quote

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from comments.models import ApiToken, Comment, Discussion, Report, Subscription
from tests import factories
from tests.browser import test_browser
from tests.browser.test_browser import (
    AWAITING,
    CHROMIUM,
    CHROMIUM_ARGS,
    EMAIL_ERROR,
    EMAIL_THE_SERVER_REFUSES,
    TIMEOUT_MS,
    assert_no_serious_violations,
    expect,
    settle,
    sync_playwright,
)

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: the data must be committed, and serialized
    # rollback brings back the "Editors" group after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Chromium's switch for blocking third-party cookies (the "phaseout" as Chrome tests it).
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"
PAGE_TITLE = "Tides, explained"
LINK_TEXT = "Read and post comments"
KEY_STORAGE = "comments-poster-key {}"  # embed.js's localStorage key, per API origin


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """test_browser.browser's Chromium, with third-party cookies blocked. The same setup
    (see there for why each step is needed); only the launch arguments differ."""
    reason = test_browser._missing_browser_reason()
    if reason:
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
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
                executable_path=str(CHROMIUM),
                args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES],
                headless=True,
            )
            try:
                yield chromium
            finally:
                chromium.close()


# test_browser's fresh contexts and its fast form (COMMENTS_MIN_SECONDS = 0), used as they are.
new_page = test_browser.new_page
typing_speed = test_browser.typing_speed


# ---------------------------------------------------------------------------------------------
# Another site


class StaticSite:
    """A static site on 127.0.0.1 (another site than the live server's localhost): pages
    written into a folder, served with `policy` as their Content-Security-Policy."""

    def __init__(self, folder, policy):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        handler = partial(_Handler, directory=str(folder), policy=policy)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self, name, html):
        (self.folder / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, policy, **kwargs):
        self.policy = policy
        super().__init__(*args, **kwargs)

    def end_headers(self):
        self.send_header("Content-Security-Policy", self.policy)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):
        pass


def embedding_policy(comments_origin):
    """What the README asks of an embedding page: the comments site in script-src (the
    script), connect-src (the API) and style-src (the stylesheets in the shadow root)."""
    return (
        f"default-src 'none'; script-src {comments_origin}; connect-src {comments_origin}; "
        f"style-src {comments_origin}; base-uri 'none'; form-action 'none'"
    )


@pytest.fixture
def other_sites(tmp_path, live_server):
    """Start static sites as needed; stopped after the test."""
    started = []

    def start(name, policy=None):
        site = StaticSite(tmp_path / name, policy or embedding_policy(live_server.url))
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()


@pytest.fixture
def news_site(other_sites, settings):
    """The embedding site, listed in COMMENTS_EMBED_ORIGINS."""
    site = other_sites("news")
    settings.COMMENTS_EMBED_ORIGINS = [site.origin]
    return site


def snippet_page(live_server, page_url, *, data_url=None):
    """An article page of another site with the embed snippet: the link for readers
    without JavaScript inside the <div>, the script from the comments site. With
    `data_url` None the div names the page's address; "" leaves it to the canonical link."""
    link = (
        live_server.url + reverse("comments:discussion_by_url") + "?url=" + quote(page_url, safe="")
    )
    div_url = page_url if data_url is None else data_url
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{PAGE_TITLE}</title>
  <link rel="canonical" href="{page_url}">
</head>
<body>
  <main>
    <h1>{PAGE_TITLE}</h1>
    <p>Why the sea comes and goes twice a day.</p>
    <div data-comments-url="{div_url}"><a href="{link}">{LINK_TEXT}</a></div>
  </main>
  <script src="{live_server.url}/static/comments/embed.js" defer></script>
</body>
</html>
"""


def watch(page):
    """Collect what the page logs: console messages by type, script errors, and CSP
    violations (reported to a listener installed before any of the page's scripts)."""
    seen = {"console": [], "errors": []}
    page.on("console", lambda message: seen["console"].append((message.type, message.text)))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.add_init_script(
        """window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation", (event) => {
            window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
        });"""
    )
    return seen


def assert_clean(page, seen, *, refused=()):
    """No script error, no CSP violation, no warning or error on the console but Chromium's
    own line for each API answer with a status in `refused` (a 400 for a form's errors)."""
    assert seen["errors"] == [], seen["errors"]
    assert page.evaluate("window.__cspViolations") == []
    expected = tuple(
        f"Failed to load resource: the server responded with a status of {status} "
        for status in refused
    )
    noisy = [
        (kind, text)
        for kind, text in seen["console"]
        if kind in ("warning", "error") and not (expected and text.startswith(expected))
    ]
    assert noisy == [], noisy


def embed_of(page):
    """The embedded thread (Playwright's locators reach into its open shadow root)."""
    return page.locator("[data-comments-url]")


def field(embed, label):
    """A field of the embedded form, by its label."""
    return embed.get_by_role("textbox", name=label, exact=True)


def approve_through_staff_api(live_server, comment_id):
    """An editor's tool approves the comment: POST …/staff/comments/{id}/decision with the
    editor's API token (what a newsroom app does; no browser, no cookie)."""
    editor = factories.make_editor()
    _, secret = ApiToken.create(user=editor, name="Newsroom app")
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/staff/comments/{comment_id}/decision",
        data=json.dumps({"action": "approve"}).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert json.load(response)["status"] == "approved"


# ---------------------------------------------------------------------------------------------
# The tests


def test_reader_posts_through_the_embed_and_an_editor_approves(live_server, news_site, new_page):
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    discussion = Discussion.objects.of_url(page_url, PAGE_TITLE)
    first = factories.make_comment(discussion, author_name="Ann Early", body="<em>First</em>!")
    text = "The moon does most of the work; the sun helps twice a month."

    reader = new_page()
    seen = watch(reader)
    reader.goto(page_url)
    embed = embed_of(reader)
    expect(embed.get_by_role("heading", name=f"1 comment on “{PAGE_TITLE}”")).to_be_visible()
    expect(embed.locator(f"#comment-{first.pk} .comment-content em")).to_have_text("First")
    expect(embed.locator(f"#comment-{first.pk} .fn")).to_have_text("Ann Early")
    # The thread replaced the link.
    expect(reader.get_by_role("link", name=LINK_TEXT)).to_have_count(0)
    expect(embed.get_by_text("Your email address will not be published.")).to_be_visible()

    field(embed, "Name").fill("Ada Reader")
    field(embed, "Email").fill("ada.reader@example.com")
    field(embed, "Website").fill("https://example.org/ada")
    field(embed, "Comment").fill(text)
    embed.get_by_role("button", name="Post Comment").click()

    pending = embed.locator(".comment-pending")
    expect(pending).to_contain_text(text)
    expect(pending).to_contain_text(AWAITING)
    expect(pending).to_be_focused()
    expect(pending.get_by_role("link", name="Ada Reader")).to_have_attribute(
        "href", "https://example.org/ada"
    )
    expect(field(embed, "Comment")).to_have_value("")  # ready for the next one
    expect(field(embed, "Name")).to_have_value("Ada Reader")
    posted = Comment.objects.get(author_name="Ada Reader")
    assert posted.status == Comment.Status.PENDING
    assert posted.discussion == discussion
    assert pending.get_attribute("id") == f"comment-{posted.pk}"
    # The poster key lives in the embedding page's own storage; no cookie anywhere.
    key = reader.evaluate("(k) => localStorage.getItem(k)", KEY_STORAGE.format(live_server.url))
    assert key == posted.poster_key
    assert reader.context.cookies() == []

    # Another reader (no key) does not see the pending comment.
    other = new_page()
    other.goto(page_url)
    expect(embed_of(other).locator(f"#comment-{first.pk}")).to_be_visible()
    expect(embed_of(other).locator(f"#comment-{posted.pk}")).to_have_count(0)
    expect(embed_of(other)).not_to_contain_text(text)

    approve_through_staff_api(live_server, posted.pk)

    reader.reload()
    approved = embed_of(reader).locator(f"#comment-{posted.pk}")
    expect(approved).to_contain_text(text)
    expect(approved).not_to_contain_text(AWAITING)
    expect(
        embed_of(reader).get_by_role("heading", name=f"2 comments on “{PAGE_TITLE}”")
    ).to_be_visible()
    assert "ada.reader@example.com" not in reader.content()
    assert_clean(reader, seen)


def test_an_empty_post_is_explained_as_on_the_html_page(live_server, news_site, new_page):
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    embed = embed_of(page)
    embed.get_by_role("button", name="Post Comment").click()

    summary = embed.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("Your comment was not posted")
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Name: This field is required.",
            "Email: This field is required.",
            "Comment: This field is required.",
        ]
    )
    for name, described in (
        ("Name", "This field is required."),
        ("Email", "This field is required. Your email address will not be published."),
        ("Comment", "This field is required."),
    ):
        expect(field(embed, name)).to_have_attribute("aria-invalid", "true")
        expect(field(embed, name)).to_have_accessible_description(described)
    expect(field(embed, "Website")).not_to_have_attribute("aria-invalid", "true")
    assert not Comment.objects.exists()

    # A summary link leads to its field (inside the shadow root, where the page's own
    # #fragment navigation can't go), and the page's address keeps no fragment.
    links.nth(1).click()
    expect(field(embed, "Email")).to_be_focused()
    assert "#" not in page.url

    # Corrected in part: what was typed stays, the fixed field is no longer invalid.
    field(embed, "Name").fill("Kay Reader")
    field(embed, "Email").fill(EMAIL_THE_SERVER_REFUSES)
    field(embed, "Comment").fill("Is this accessible?")
    embed.get_by_role("button", name="Post Comment").click()
    expect(links).to_have_text([f"Email: {EMAIL_ERROR}"])
    expect(summary).to_be_focused()
    expect(field(embed, "Name")).not_to_have_attribute("aria-invalid", "true")
    expect(field(embed, "Name")).to_have_value("Kay Reader")
    expect(field(embed, "Comment")).to_have_value("Is this accessible?")
    expect(field(embed, "Email")).to_have_accessible_description(
        f"{EMAIL_ERROR} Your email address will not be published."
    )

    # The honeypot: out of the Tab order and of the accessibility tree.
    honeypot = embed.locator("#id_hp")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    expect(embed.locator(".comment-hp")).to_have_attribute("aria-hidden", "true")
    expect(honeypot).not_to_be_in_viewport()
    assert not Comment.objects.exists()
    assert_clean(page, seen, refused=(400,))


def test_reply_preview_and_pages(live_server, news_site, new_page, settings):
    """Reply moves the form under the comment, Preview shows the sanitized text above the
    form, the reply lands nested and pending; the thread pages with buttons."""
    settings.COMMENTS_PER_PAGE = 2
    page_url = f"{news_site.origin}/tides.html"
    # The div leaves the address to the page's canonical link.
    news_site.page("tides.html", snippet_page(live_server, page_url, data_url=""))
    discussion = Discussion.objects.of_url(page_url, PAGE_TITLE)
    ann = factories.make_comment(discussion, author_name="Ann Early", body="Springs and neaps.")
    factories.make_comment(discussion, author_name="Bo Second", body="Second thread.")
    third = factories.make_comment(discussion, author_name="Cy Third", body="Third thread.")

    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    embed = embed_of(page)
    pages = embed.get_by_role("navigation", name="Comment pages")
    expect(pages.locator("[aria-current=page]")).to_have_text("1")
    expect(embed.locator(f"#comment-{third.pk}")).to_have_count(0)

    embed.get_by_role("button", name="Reply to Ann Early").click()
    form = embed.locator(f"#comment-{ann.pk} > #respond #commentform")
    expect(form).to_be_visible()
    expect(field(embed, "Comment")).to_be_focused()
    expect(embed.locator(".replying-to")).to_contain_text("Replying to Ann Early")
    field(embed, "Name").fill("Ray Reply")
    field(embed, "Email").fill("ray@example.com")
    typed = "I <em>really</em> doubt it.<script>window.__pwned = 1</script>"
    field(embed, "Comment").fill(typed)

    embed.get_by_role("button", name="Preview").click()
    preview = embed.get_by_role("region", name="Preview: not posted yet")
    expect(preview).to_be_focused()
    expect(preview.locator(".comment-content em")).to_have_text("really")
    expect(preview.locator("script")).to_have_count(0)
    expect(preview).to_contain_text("Ray Reply")
    expect(field(embed, "Comment")).to_have_value(typed)
    assert not Comment.objects.filter(author_name="Ray Reply").exists()

    embed.get_by_role("button", name="Post Comment").click()
    nested = embed.locator(f"#comment-{ann.pk} > ol.children > li.comment-pending")
    expect(nested).to_be_focused()
    reply = Comment.objects.get(author_name="Ray Reply")
    expect(nested).to_have_id(f"comment-{reply.pk}")
    expect(nested).to_contain_text(AWAITING)
    expect(nested.locator(".comment-content em")).to_have_text("really")
    assert reply.parent_id == ann.pk
    assert reply.status == Comment.Status.PENDING
    # The form went home, no longer replying.
    expect(embed.locator("li.comment #respond")).to_have_count(0)
    expect(embed.locator(".replying-to")).to_be_hidden()
    assert page.evaluate("window.__pwned") is None

    pages.get_by_role("button", name="Newer comments").click()
    expect(embed.locator(f"#comment-{third.pk}")).to_contain_text("Third thread.")
    expect(pages.locator("[aria-current=page]")).to_have_text("2")
    expect(embed.get_by_role("heading", name=re.compile(r"^3 comments on"))).to_be_focused()
    expect(embed.locator(f"#comment-{ann.pk}")).to_have_count(0)
    assert_clean(page, seen)


def test_the_embedding_page_passes_axe(live_server, news_site, browser):
    """axe-core on the embedding page with the thread loaded (comments, a reply, the form),
    then with the form's errors shown: no serious or critical violation. axe-core reaches
    into the open shadow root."""
    if test_browser.Axe is None:
        pytest.skip("axe-playwright-python is not installed; run `make install`.")
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    discussion = Discussion.objects.of_url(page_url, PAGE_TITLE)
    top = factories.make_comment(
        discussion, author_name="Ann Early", author_url="https://example.org/ann", body="Tides!"
    )
    factories.make_comment(discussion, parent=top, body="<blockquote>Tides!</blockquote>Indeed.")
    # As test_browser's audit_page: axe-core is injected with evaluate(), which the page's
    # policy would refuse; every request still goes to the two sites only.
    context = browser.new_context(bypass_csp=True)
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        page.goto(page_url)
        embed = embed_of(page)
        expect(embed.locator("li.comment")).to_have_count(2)
        expect(embed.get_by_role("button", name="Post Comment")).to_be_visible()
        settle(page)
        assert_no_serious_violations(page, "a page embedding the thread")

        embed.get_by_role("button", name="Post Comment").click()
        expect(embed.locator(".error-summary")).to_be_focused()
        settle(page)
        assert_no_serious_violations(page, "the embedded form with errors")
    finally:
        context.close()
    elsewhere = [
        url for url in requested if not url.startswith((news_site.origin, live_server.url))
    ]
    assert not elsewhere, elsewhere


def test_without_javascript_the_link_leads_to_the_discussion_page(live_server, news_site, new_page):
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    page = new_page(javascript=False)
    page.goto(page_url)
    page.get_by_role("link", name=LINK_TEXT).click()
    discussion = Discussion.objects.get(url=page_url)
    expect(page).to_have_url(live_server.url + discussion.get_absolute_url())
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(page.locator("#commentform")).to_be_visible()
    expect(
        page.get_by_role("link", name="Read the page these comments are about")
    ).to_have_attribute("href", page_url)


def test_a_page_that_forgets_style_src_gets_a_working_unstyled_thread(
    live_server, other_sites, new_page, settings
):
    """The page's policy refuses the stylesheets: the thread and the form still work, the
    honeypot stays out of sight (embed.js places it through the CSSOM), and the console
    says once what to allow."""
    forgetful = other_sites(
        "forgetful",
        f"default-src 'none'; script-src {live_server.url}; connect-src {live_server.url}",
    )
    settings.COMMENTS_EMBED_ORIGINS = [forgetful.origin]
    page_url = f"{forgetful.origin}/tides.html"
    forgetful.page("tides.html", snippet_page(live_server, page_url))
    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    embed = embed_of(page)
    expect(embed.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(embed.locator("#id_hp")).not_to_be_in_viewport()
    field(embed, "Name").fill("Una Styled")
    field(embed, "Email").fill("una@example.com")
    field(embed, "Comment").fill("Plain but fine.")
    embed.get_by_role("button", name="Post Comment").click()
    expect(embed.locator(".comment-pending")).to_contain_text("Plain but fine.")
    assert Comment.objects.get().status == Comment.Status.PENDING  # not spam: hp was empty
    warnings = [text for kind, text in seen["console"] if kind == "warning"]
    assert len(warnings) == 1, seen["console"]
    assert "style-src" in warnings[0]
    assert seen["errors"] == []


def test_an_unlisted_site_keeps_only_the_link(live_server, news_site, other_sites, new_page):
    stranger = other_sites("stranger")  # not in COMMENTS_EMBED_ORIGINS
    page_url = f"{stranger.origin}/copied.html"
    stranger.page("copied.html", snippet_page(live_server, page_url))
    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    expect(page.get_by_role("link", name=LINK_TEXT)).to_be_visible()
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/'))"
    )
    warnings = []
    for _ in range(50):  # the warning follows the refused request by a moment
        warnings = [text for kind, text in seen["console"] if kind == "warning"]
        if warnings:
            break
        page.wait_for_timeout(100)
    assert len(warnings) == 1, seen["console"]
    assert "COMMENTS_EMBED_ORIGINS" in warnings[0]
    assert page.evaluate("document.querySelector('[data-comments-url]').shadowRoot") is None
    expect(page.get_by_role("heading", name="Leave a Reply")).to_have_count(0)
    assert not Discussion.objects.filter(url=page_url).exists()
    assert seen["errors"] == []


def three_threads(discussion):
    """Ann's, Bo's and Cy's comments, oldest first, a minute apart."""
    start = timezone.now() - timedelta(hours=1)
    return [
        factories.make_comment(
            discussion,
            author_name=name,
            body=f"{name}'s view.",
            submitted_at=start + timedelta(minutes=n),
        )
        for n, name in enumerate(("Ann Early", "Bo Second", "Cy Third"))
    ]


def threads_shown(embed):
    """The ids of the top-level comments, in the order the embed shows them."""
    return [
        int(pk.removeprefix("comment-"))
        for pk in embed.locator("ol.comment-list > li.comment").evaluate_all(
            "(items) => items.map((item) => item.id)"
        )
    ]


def test_a_reader_recommends_and_sorts_from_another_site(live_server, news_site, new_page):
    """Recommend is a toggle (aria-pressed) whose count and name follow the API's answer,
    remembered by the poster key in the page's storage (pressed again after a reload); "Sort
    by" reloads the thread in each order, the chosen one pressed and focused."""
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    discussion = Discussion.objects.of_url(page_url, PAGE_TITLE)
    ann, bo, cy = three_threads(discussion)

    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    embed = embed_of(page)
    recommend = embed.get_by_role("button", name=re.compile(r"^Recommend this comment by Bo"))
    expect(recommend).to_have_attribute("aria-pressed", "false")
    expect(recommend).to_have_accessible_name(
        "Recommend this comment by Bo Second, 0 recommendations"
    )
    recommend.click()
    expect(recommend).to_have_attribute("aria-pressed", "true")
    expect(recommend).to_have_accessible_name(
        "Recommend this comment by Bo Second, 1 recommendation"
    )
    expect(recommend).to_have_text("Recommend (1)")
    expect(recommend).to_be_focused()
    bo.refresh_from_db()
    assert bo.recommendation_count == 1
    key = page.evaluate("(k) => localStorage.getItem(k)", KEY_STORAGE.format(live_server.url))
    assert bo.recommendations.get().reader_key == key  # the key the API gave, kept

    recommend.click()  # again: taken back
    expect(recommend).to_have_attribute("aria-pressed", "false")
    expect(recommend).to_have_text("Recommend")
    bo.refresh_from_db()
    assert bo.recommendation_count == 0
    recommend.press("Enter")  # and once more, by the keyboard
    expect(recommend).to_have_attribute("aria-pressed", "true")

    # A reload shows it pressed (GET …/recommended with the stored key), with its count.
    page.reload()
    embed = embed_of(page)
    recommend = embed.get_by_role("button", name=re.compile(r"^Recommend this comment by Bo"))
    expect(recommend).to_have_attribute("aria-pressed", "true")
    expect(recommend).to_have_text("Recommend (1)")
    expect(
        embed.get_by_role("button", name=re.compile(r"^Recommend this comment by Ann"))
    ).to_have_attribute("aria-pressed", "false")

    sort = embed.get_by_role("navigation", name="Sort comments")
    expect(sort).to_contain_text("Sort by:")
    expect(sort.get_by_role("button", name="Oldest")).to_have_attribute("aria-pressed", "true")
    assert threads_shown(embed) == [ann.pk, bo.pk, cy.pk]
    sort.get_by_role("button", name="Newest").click()
    expect(sort.get_by_role("button", name="Newest")).to_have_attribute("aria-pressed", "true")
    expect(sort.get_by_role("button", name="Newest")).to_be_focused()
    expect(sort.get_by_role("button", name="Oldest")).to_have_attribute("aria-pressed", "false")
    assert threads_shown(embed) == [cy.pk, bo.pk, ann.pk]
    sort.get_by_role("button", name="Most recommended").press("Enter")
    expect(sort.get_by_role("button", name="Most recommended")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert threads_shown(embed) == [bo.pk, ann.pk, cy.pk]
    expect(embed.locator(f"#comment-{bo.pk} .comment-recommend")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.context.cookies() == []
    assert_clean(page, seen)


def test_a_reader_reports_a_comment_with_the_keyboard(live_server, news_site, new_page):
    """Report opens a small form under the comment (focus on its first reason); the API's
    refusal is explained as the comment form's errors are; sent, the thanks take its place
    and the report is stored; Escape and Close go back to the Report button."""
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    discussion = Discussion.objects.of_url(page_url, PAGE_TITLE)
    ann, bo, _ = three_threads(discussion)

    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    embed = embed_of(page)
    report = embed.get_by_role("button", name="Report this comment by Bo Second to the editors")
    expect(report).to_have_attribute("aria-expanded", "false")
    report.focus()
    page.keyboard.press("Enter")
    box = embed.locator(f"#report-box-{bo.pk}")
    form = box.get_by_role("form", name="Report this comment by Bo Second")
    expect(form).to_be_visible()
    expect(report).to_have_attribute("aria-expanded", "true")
    expect(report).to_have_attribute("aria-controls", f"report-box-{bo.pk}")
    reasons = form.get_by_role("group", name="Why should the editors look at this comment?")
    expect(reasons.get_by_role("radio")).to_have_count(4)
    expect(reasons.get_by_role("radio", name="Spam")).to_be_focused()

    # "Something else" without a word: the API's refusal, shown as on the HTML page.
    page.keyboard.press("ArrowDown")  # Abusive or hateful
    page.keyboard.press("ArrowDown")  # Off topic
    page.keyboard.press("ArrowDown")  # Something else
    expect(reasons.get_by_role("radio", name="Something else")).to_be_checked()
    page.keyboard.press("Tab")
    words = form.get_by_role("textbox", name="In a few words")
    expect(words).to_be_focused()
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Send the report")).to_be_focused()
    page.keyboard.press("Enter")
    summary = form.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("Your report was not sent")
    expect(summary.get_by_role("link")).to_have_text(["Please say what is wrong."])
    expect(words).to_have_attribute("aria-invalid", "true")
    expect(words).to_have_accessible_description(
        "Please say what is wrong. Needed for “Something else”; at most 200 characters."
    )
    assert not Report.objects.exists()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")  # the summary's link leads to the field
    expect(words).to_be_focused()
    page.keyboard.type("Selling pills, twice a day.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    thanks = box.locator(".comment-report-done")
    expect(thanks).to_have_text("Thank you. The editors will look at it.")
    expect(thanks).to_be_focused()
    stored = Report.objects.get()
    assert (stored.comment_id, stored.reason, stored.text) == (
        bo.pk,
        "other",
        "Selling pills, twice a day.",
    )
    key = page.evaluate("(k) => localStorage.getItem(k)", KEY_STORAGE.format(live_server.url))
    assert stored.reader_key == key
    page.keyboard.press("Tab")
    expect(box.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_have_count(0)
    expect(report).to_be_focused()
    expect(report).to_have_attribute("aria-expanded", "false")

    # Another comment's form: Escape closes it, back on its Report button.
    other = embed.get_by_role("button", name="Report this comment by Ann Early to the editors")
    other.press("Enter")
    expect(embed.locator(f"#report-box-{ann.pk}")).to_be_visible()
    page.keyboard.press("Escape")
    expect(embed.locator(f"#report-box-{ann.pk}")).to_have_count(0)
    expect(other).to_be_focused()
    assert Report.objects.count() == 1
    assert_clean(page, seen, refused=(400,))


def test_the_notify_box_ticked_sends_one_confirmation(live_server, news_site, new_page):
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    page = new_page()
    seen = watch(page)
    page.goto(page_url)
    embed = embed_of(page)
    replies = embed.get_by_role("checkbox", name="Email me when someone replies to me")
    everyone = embed.get_by_role("checkbox", name="Email me when anyone comments on this page")
    for box in (replies, everyone):
        expect(box).not_to_be_checked()
        expect(box).to_have_accessible_description(re.compile(r"^Email boxes: we first send"))
    field(embed, "Name").fill("Ada Reader")
    field(embed, "Email").fill("ada.reader@example.com")
    field(embed, "Comment").fill("Tell me when someone answers.")
    replies.check()
    embed.get_by_role("button", name="Post Comment").click()
    expect(embed.locator(".comment-pending")).to_contain_text("Tell me when someone answers.")
    expect(replies).not_to_be_checked()  # the next comment's own choice

    subscription = Subscription.objects.get()
    assert (subscription.scope, subscription.email) == ("replies", "ada.reader@example.com")
    assert subscription.confirmed_at is None
    (message,) = [m for m in mail.outbox if "ada.reader@example.com" in m.to]
    assert message.subject.startswith("Please confirm")
    assert "ada.reader@example.com" not in page.content()
    assert_clean(page, seen)


def test_the_new_controls_pass_axe(live_server, news_site, browser):
    """axe-core with the sort control, the Recommend buttons (one pressed), the email boxes,
    a report form open and then with its errors: no serious or critical violation."""
    if test_browser.Axe is None:
        pytest.skip("axe-playwright-python is not installed; run `make install`.")
    page_url = f"{news_site.origin}/tides.html"
    news_site.page("tides.html", snippet_page(live_server, page_url))
    discussion = Discussion.objects.of_url(page_url, PAGE_TITLE)
    _, bo, _ = three_threads(discussion)
    context = browser.new_context(bypass_csp=True)  # axe-core is injected (see above)
    try:
        page = context.new_page()
        page.goto(page_url)
        embed = embed_of(page)
        expect(embed.get_by_role("navigation", name="Sort comments")).to_be_visible()
        recommend = embed.locator(f"#comment-{bo.pk} .comment-recommend")
        recommend.click()
        expect(recommend).to_have_attribute("aria-pressed", "true")
        embed.get_by_role("button", name="Newest").click()
        expect(embed.get_by_role("button", name="Newest")).to_have_attribute("aria-pressed", "true")
        expect(embed.get_by_role("checkbox")).to_have_count(2)
        report = embed.get_by_role("button", name="Report this comment by Bo Second to the editors")
        report.click()
        expect(embed.locator(f"#report-box-{bo.pk}")).to_be_visible()
        settle(page)
        assert_no_serious_violations(page, "the embed's sort, recommend, report and email boxes")

        embed.locator(f"#report-box-{bo.pk}").get_by_role("button", name="Send the report").click()
        expect(embed.locator(f"#report-box-{bo.pk} .error-summary")).to_be_focused()
        settle(page)
        assert_no_serious_violations(page, "the embed's report form with its errors")
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# The link's view (comments.public.embed), without a browser


def by_url(url):
    return reverse("comments:discussion_by_url") + "?url=" + quote(url, safe="")


def test_the_link_makes_a_listed_sites_discussion_once(client, settings):
    settings.COMMENTS_EMBED_ORIGINS = "https://News.Example/, https://other.example"
    response = client.get(by_url("https://news.example/story?x=1#comments"))
    discussion = Discussion.objects.get()
    assert discussion.url == "https://news.example/story?x=1"
    assert response.status_code == 302
    assert response["Location"] == discussion.get_absolute_url()
    assert client.get(by_url("https://news.example/story?x=1"))["Location"] == (
        discussion.get_absolute_url()
    )
    assert Discussion.objects.count() == 1


def test_the_link_serves_this_sites_own_pages(client, settings):
    settings.COMMENTS_EMBED_ORIGINS = ()
    response = client.get(by_url("http://testserver/explainers/tides"))
    assert response.status_code == 302
    assert Discussion.objects.get().url == "http://testserver/explainers/tides"


@pytest.mark.parametrize(
    "url",
    [
        "https://stranger.example/story",
        "https://news.example.stranger.example/story",
        "javascript:alert(1)",
        "/relative/story",
        "",
    ],
)
def test_the_link_refuses_other_addresses(client, settings, url):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    assert client.get(by_url(url)).status_code == 404
    assert client.get(reverse("comments:discussion_by_url")).status_code == 404
    assert not Discussion.objects.exists()


def test_the_link_takes_no_post(client, settings):
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    assert client.post(by_url("https://news.example/story")).status_code == 405
    assert not Discussion.objects.exists()
