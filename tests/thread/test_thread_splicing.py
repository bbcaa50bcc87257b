"""How the cached thread gets into the page: as bytes, in place of the tag's marker
(comments.thread.middleware.ThreadSplicingMiddleware)."""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.http import StreamingHttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import override_settings

from comments.thread.middleware import ThreadSplicingMiddleware
from tests import factories

pytestmark = pytest.mark.django_db

MARKER = re.compile(rb"<!-- comment thread [0-9a-f]+ -->")


def test_the_thread_takes_the_markers_place_in_the_page(client, article):
    """Guards: the page holds the thread itself, whole and in UTF-8, and no marker; the
    Content-Length (when set) is the spliced page's."""
    factories.make_comment(article, author_name="Zoë 🦉 عربي", body="Ça va? «Oui» 👍")
    response = client.get(article.get_absolute_url())
    page = response.content
    assert not MARKER.search(page)
    assert "Zoë 🦉 عربي".encode() in page
    assert "Ça va? «Oui» 👍".encode() in page
    text = page.decode()  # valid UTF-8 throughout
    assert text.index('id="comments"') < text.index('id="respond"')  # where the tag stood
    assert text.count('<section id="comments"') == 1
    if response.has_header("Content-Length"):
        assert int(response["Content-Length"]) == len(page)


def test_a_compressed_page_holds_the_thread_too(client, article):
    """Guards: the splice happens before GZipMiddleware compresses the page."""
    factories.make_comment(article, body="Compressed along with the rest.")
    response = client.get(article.get_absolute_url(), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content)
    assert b"Compressed along with the rest." in page
    assert not MARKER.search(page)


def test_without_the_middleware_the_tag_renders_the_thread_itself(article):
    """Guards: a template rendered outside a request through the middleware (an email, a
    test, a site without it) still shows the thread, not a marker."""
    factories.make_comment(article, body="Shown inline.")
    request = RequestFactory().get(article.get_absolute_url())
    request.session = SessionStore()
    html = Template("{% load comments %}{% comment_thread article %}").render(
        Context({"request": request, "article": article})
    )
    assert "Shown inline." in html
    assert not MARKER.search(html.encode())


def test_a_marker_typed_by_a_reader_is_not_replaced(client, article):
    """Guards: only the marker this request's tag made is replaced: a look-alike in a
    comment is text (escaped), and markers carry a random part a reader can't guess."""
    factories.make_comment(article, body="<!-- comment thread 0123abcd -->", author_name="x")
    page = client.get(article.get_absolute_url()).content
    assert not MARKER.search(page)
    assert page.count(b'<section id="comments"') == 1


@override_settings(
    MIDDLEWARE=[
        m for m in settings.MIDDLEWARE if m != "comments.thread.middleware.ThreadSplicingMiddleware"
    ]
)
def test_the_site_works_without_the_middleware(client, article):
    """Guards: the tag notices the middleware is absent and renders the thread inline."""
    factories.make_comment(article, body="Inline without the middleware.")
    page = client.get(article.get_absolute_url()).content
    assert b"Inline without the middleware." in page
    assert not MARKER.search(page)


def test_streaming_responses_pass_through_untouched():
    """Guards: a streaming response (a file, a large export) is not read into memory."""
    request = RequestFactory().get("/")
    middleware = ThreadSplicingMiddleware(lambda request: StreamingHttpResponse(iter([b"a"])))
    response = middleware(request)
    assert response.streaming
    assert b"".join(response.streaming_content) == b"a"
