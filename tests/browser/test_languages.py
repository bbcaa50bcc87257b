"""The thread in each shipped language, in a real Chromium (Playwright against the live server):
mirrored for Arabic (right to left), left to right in English; axe-core clean in every
language; the scripts' words from this site's catalog under the page's Content-Security-Policy;
and the embed, on another site's Arabic page, mirrored too.

The reader picks a language as the site lets them: the `django_language` cookie (Django's
set_language view sets it), else the browser's Accept-Language. The browser, its contexts
and the axe-core audit come from tests/browser/test_browser.py, so this module skips
(locally) or fails (CI=true) alike without Chromium.
"""

import pytest
from django.conf import settings

from comments.models import Discussion
from tests import factories
from tests.browser import test_browser, test_embed
from tests.browser.test_browser import assert_no_serious_violations, expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: the data must be committed, and serialized
    # rollback brings back the "Editors" group after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# tests/browser/test_browser.py's fixtures, used as they are (assigned, so pytest finds them in
# this module): one Chromium per module, fresh contexts, axe-ready contexts, a fast form.
browser = test_browser.browser
new_page = test_browser.new_page
audit_page = test_browser.audit_page
sized_page = test_browser.sized_page
typing_speed = test_browser.typing_speed
# tests/browser/test_embed.py's other site (a static server on 127.0.0.1, listed).
other_sites = test_embed.other_sites
news_site = test_embed.news_site

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What the thread's nesting is, side by side: where it starts, by the page's direction.
START = {"ltr": "left", "rtl": "right"}
END = {"ltr": "right", "rtl": "left"}


@pytest.fixture
def published_article(transactional_db):
    return factories.make_article()


def in_language(page, live_server, language):
    """Make the page's context a reader who chose `language` (the language cookie)."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return page


def a_conversation(article):
    """Ann's comment, Chidi's reply to it, and Ann's reply to that: two levels of nesting."""
    first = factories.make_comment(
        article, author_name="Ann", body="The accord holds only if the tariffs are dropped."
    )
    reply = factories.make_comment(
        article, parent=first, author_name="Chidi", body="They were, on paper, last spring."
    )
    deeper = factories.make_comment(
        article, parent=reply, author_name="Ann", body="On paper. The port still collects them."
    )
    return first, reply, deeper


def nesting(page, parent, reply):
    """The reply's and its parent's boxes (x, y, width, height, and right), and, from the
    computed styles, the replies' indentation and the reply's line on either side."""
    boxes = {}
    for name, comment in (("parent", parent), ("reply", reply)):
        box = page.locator(f"#comment-{comment.pk} > .comment-body").bounding_box()
        box["right"] = box["x"] + box["width"]
        boxes[name] = box
    styles = page.evaluate(
        """([parentId, replyId]) => {
            const children = document.querySelector(`#comment-${parentId} > ol.children`);
            const line = getComputedStyle(
                document.querySelector(`#comment-${replyId} > .comment-body`));
            const indent = getComputedStyle(children);
            const side = (s) => ({
                width: parseFloat(line[`border${s}Width`]),
                style: line[`border${s}Style`],
                padding: parseFloat(line[`padding${s}`]),
                margin: parseFloat(indent[`margin${s}`]),
            });
            return {
                direction: getComputedStyle(document.documentElement).direction,
                left: side("Left"),
                right: side("Right"),
            };
        }""",
        [parent.pk, reply.pk],
    )
    return boxes, styles


def assert_nested_at_the_start(page, parent, reply, direction):
    """The reply starts its parent's indentation further in, on the side the language reads
    from, its line on that side too, and nothing on the other side."""
    boxes, styles = nesting(page, parent, reply)
    assert styles["direction"] == direction, styles
    start, end = styles[START[direction]], styles[END[direction]]
    indentation = start["margin"]
    assert indentation >= 8, styles  # the replies' indentation (1rem; 0.5rem on phones)
    assert end["margin"] == 0, styles
    assert start["width"] >= 1 and start["style"] == "solid", styles  # the nesting line
    assert end["width"] == 0 or end["style"] == "none", styles
    assert start["padding"] >= 8 and end["padding"] == 0, styles
    parent_box, reply_box = boxes["parent"], boxes["reply"]
    if direction == "rtl":
        # The reply's right edge is left of its parent's, by the indentation.
        assert reply_box["right"] == pytest.approx(parent_box["right"] - indentation, abs=1)
        assert reply_box["x"] == pytest.approx(parent_box["x"], abs=1), boxes
    else:
        assert reply_box["x"] == pytest.approx(parent_box["x"] + indentation, abs=1)
        assert reply_box["right"] == pytest.approx(parent_box["right"], abs=1), boxes
    assert reply_box["y"] > parent_box["y"], boxes


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("en", "ltr")])
def test_the_thread_reads_from_the_languages_side(
    live_server, published_article, sized_page, tmp_path, language, direction
):
    first, reply, deeper = a_conversation(published_article)
    page = in_language(sized_page(1280), live_server, language)
    page.goto(live_server.url + published_article.get_absolute_url())
    page.wait_for_load_state("load")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", direction)
    expect(page.locator("#comments li.comment")).to_have_count(3)

    assert_nested_at_the_start(page, first, reply, direction)
    assert_nested_at_the_start(page, reply, deeper, direction)
    # Nothing sticks out on either side (a honeypot off the left would scroll in Arabic).
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    # The scripts' words came from this site, under script-src 'self': the catalog ran
    # before comments.js, which then made Recommend a button.
    assert page.evaluate("typeof window.gettext") == "function"
    expect(page.locator(".comment-recommend-link").first).to_have_attribute("role", "button")

    path = tmp_path / f"thread-{language}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_phone_in_arabic_indents_less_on_the_right(live_server, published_article, sized_page):
    first, reply, _deeper = a_conversation(published_article)
    page = in_language(sized_page(390), live_server, "ar")
    page.goto(live_server.url + published_article.get_absolute_url())
    page.wait_for_load_state("load")
    boxes, styles = nesting(page, first, reply)
    assert styles["right"]["margin"] == 8, styles  # 0.5rem
    assert boxes["reply"]["right"] == pytest.approx(boxes["parent"]["right"] - 8, abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_article_page_passes_axe_in_every_language(
    live_server, published_article, audit_page, language
):
    a_conversation(published_article)
    factories.make_comment(
        published_article,
        author_name="Dolores",
        author_url="https://example.org/dolores",
        body="<em>Both</em> delegations said as much.",
    )
    page = in_language(audit_page(), live_server, language)
    page.goto(live_server.url + published_article.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#comments li.comment")).to_have_count(4)
    page.wait_for_load_state("load")
    assert_no_serious_violations(page, f"the article page in {language}")

    # The reply form open under a comment (comments.js, in the page's language).
    page.locator(".comment-reply-link").first.click()
    expect(page.locator("li.comment .comment-respond .replying-to")).to_be_visible()
    test_browser.settle(page)
    assert_no_serious_violations(page, f"the reply form in {language}")


def test_the_embed_on_an_arabic_page_reads_right_to_left(live_server, news_site, new_page):
    page_url = f"{news_site.origin}/tides-ar.html"
    snippet = test_embed.snippet_page(live_server, page_url)
    news_site.page("tides-ar.html", snippet.replace('<html lang="en">', '<html lang="ar-EG">'))
    discussion = Discussion.objects.of_url(page_url, test_embed.PAGE_TITLE)
    first = factories.make_comment(discussion, author_name="Ann", body="First.")
    reply = factories.make_comment(discussion, parent=first, author_name="Bo", body="Second.")

    page = new_page()
    seen = test_embed.watch(page)
    page.goto(page_url)
    embed = test_embed.embed_of(page)
    expect(embed.locator(f"#comment-{reply.pk}")).to_be_visible()
    # The container speaks the page's language (its primary subtag), right to left.
    expect(embed).to_have_attribute("lang", "ar")
    expect(embed).to_have_attribute("dir", "rtl")
    parent_box = embed.locator(f"#comment-{first.pk} > .comment-body").bounding_box()
    reply_box = embed.locator(f"#comment-{reply.pk} > .comment-body").bounding_box()
    parent_right = parent_box["x"] + parent_box["width"]
    reply_right = reply_box["x"] + reply_box["width"]
    assert reply_right < parent_right - 8, (parent_box, reply_box)
    line = embed.locator(f"#comment-{reply.pk} > .comment-body").evaluate(
        "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]"
    )
    assert line == ["1px", "0px"], line
    # The words came as JSON (no global defined on the host page), within its policy.
    assert page.evaluate("typeof window.gettext") == "undefined"
    assert page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.includes('/comments/jsi18n/ar/json/'))"
    )
    test_embed.assert_clean(page, seen)


def test_the_embed_asks_for_another_language_the_site_has(live_server, news_site, new_page):
    """data-comments-lang first: a language this site lacks, then the page's, which it has."""
    page_url = f"{news_site.origin}/tides-fr.html"
    snippet = test_embed.snippet_page(live_server, page_url)
    snippet = snippet.replace('<html lang="en">', '<html lang="fr-CA">').replace(
        "<div data-comments-url=", '<div data-comments-lang="de" data-comments-url='
    )
    news_site.page("tides-fr.html", snippet)
    factories.make_comment(
        Discussion.objects.of_url(page_url, test_embed.PAGE_TITLE), author_name="Ann", body="Un."
    )
    page = new_page()
    seen = test_embed.watch(page)
    page.goto(page_url)
    embed = test_embed.embed_of(page)
    expect(embed.locator("li.comment")).to_have_count(1)
    expect(embed).to_have_attribute("lang", "fr")
    expect(embed).to_have_attribute("dir", "ltr")
    # German's 404 said which languages there are: French came next, no third request.
    asked = page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(name => name.includes('/jsi18n/'))"
    )
    assert [url.split("/jsi18n/")[1] for url in asked] == ["de/json/", "fr/json/"], asked
    test_embed.assert_clean(page, seen, refused=[404])
