"""What is rendered once and kept (the cached thread, the blank form, the whole page, the
front page) is kept per language: a reader never gets another reader's language from a cache.

The pseudo-language (tests/languages/pseudo.py) stands for any translation here: its strings
are bracketed, English ones are not."""

import pytest
from django.utils import translation

from comments.thread import cache as thread_cache
from tests import factories

from .pseudo import CLOSE, OPEN

pytestmark = pytest.mark.django_db


def get(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    return response.content.decode()


def test_the_article_page_thread_and_form_are_kept_once_per_language(client, pseudo_language):
    article = factories.make_article()
    parent = factories.make_comment(article)
    factories.make_comment(article, parent=parent)
    url = article.get_absolute_url()
    translation.deactivate()  # each request's language is the reader's (LocaleMiddleware)

    english = get(client, url, "en")
    pseudo = get(client, url, pseudo_language.CODE)
    english_again = get(client, url, "en")
    pseudo_again = get(client, url, pseudo_language.CODE)

    assert OPEN not in english and english_again.count(OPEN) == 0
    thread, form = pseudo.split('id="respond"', 1) if 'id="respond"' in pseudo else (pseudo, "")
    assert thread.count(OPEN) > 3, "the cached thread is rendered in the reader's language"
    assert form.count(OPEN) > 3, "so is the blank form"
    assert pseudo_again.count(OPEN) == pseudo.count(OPEN)
    assert pseudo.count(OPEN) == pseudo.count(CLOSE)


def test_the_cached_thread_is_stored_once_per_language(pseudo_language):
    """The thread cache itself (comments.thread.cache.cached_page), below the whole page:
    a page in each language, each kept, neither served for the other."""
    article = factories.make_article()
    factories.make_comment(article)
    discussion = factories.discussion_of(article)
    pages = {}
    for language in ("en", pseudo_language.CODE, "en", pseudo_language.CODE):
        with translation.override(language):
            html = thread_cache.cached_page(discussion, page=1, can_reply=True)["html"]
        pages.setdefault(language, set()).add(html)
    english, pseudo = pages["en"], pages[pseudo_language.CODE]
    assert len(english) == len(pseudo) == 1, "each language's page is rendered once, then kept"
    assert OPEN.encode() not in next(iter(english))
    assert next(iter(pseudo)).count(OPEN.encode()) > 3


def test_the_language_cookie_chooses_as_accept_language_does(client, pseudo_language):
    """The language page's choice (Django's language cookie) outranks the browser's."""
    article = factories.make_article()
    factories.make_comment(article)
    translation.deactivate()
    url = article.get_absolute_url()
    assert OPEN not in get(client, url, "en")
    client.cookies["django_language"] = pseudo_language.CODE
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == pseudo_language.CODE
    assert OPEN in response.content.decode()
    del client.cookies["django_language"]
    assert OPEN not in get(client, url, "en")


def test_the_front_page_is_kept_whole_once_per_language(client, pseudo_language):
    factories.make_article()
    translation.deactivate()
    english = get(client, "/", "en")
    pseudo = get(client, "/", pseudo_language.CODE)
    assert OPEN not in english
    assert OPEN in pseudo
    assert OPEN not in get(client, "/", "en")
    assert OPEN in get(client, "/", pseudo_language.CODE)
