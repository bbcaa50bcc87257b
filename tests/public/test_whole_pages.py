"""Whole pages from the cache (comments.public.pages, comments.thread.pages), in-process: a
reader with nothing of their own on the page gets the stored page, in one query, with their
own CSRF and form tokens, plain or gzip; every change readers could see shows on the next
request; pages of one reader's own never come from the shared copy nor go into it.

"Served whole" is told by the query count: a stored page costs one query (is the object, and
its discussion, as the page showed them?), a page made by the view at least two. The suite's
cache is local memory (SQLite runs) or Redis (PostgreSQL runs), emptied between tests.
"""

import gzip
import html
import re
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import Comment, Discussion, DiscussionSettings
from comments.public.forms import form_token_age
from comments.public.session import OWN_THREADS_SESSION_KEY, REMEMBER_COOKIE, REMEMBER_SALT
from comments.thread import pages
from tests import factories
from tests.discussed.models import LiveBlog
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
AWAITING = "Your comment is awaiting moderation."
CLOSED = "Comments are closed."
OPEN = "Leave a Reply"
ENTRY_PREFIX = pages.ENTRY_KEY.split("{", 1)[0]  # "comments:page:<version>:"
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
TOKEN_INPUT = re.compile(r'(name="token" value=")([^"]*)(")')
MASKED_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(autouse=True)
def empty_page_memory():
    """Each test starts with no page body in this process's memory (the cache itself is
    emptied by conftest; bodies kept in memory under keys nobody looks for would only count
    against COMMENTS_PAGE_MEMORY_MB)."""
    pages._memory.clear()
    yield
    pages._memory.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on_commit listeners of the block's changes on leaving
    it, as a real commit would (forget_threads among them)."""
    return partial(django_capture_on_commit_callbacks, execute=True)


def read(url, client=None, **extra):
    """(response, number of queries) of a GET of `url` by `client` (a new one: no cookie)."""
    client = client or Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def text_of(response):
    """The page as text, decompressed if it came gzip compressed."""
    content = response.content
    if response.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    return content.decode()


def tokens_of(page):
    """(CSRF token, form token) of the page's comment form."""
    csrf, token = CSRF_INPUT.findall(page), TOKEN_INPUT.findall(page)
    assert len(csrf) == 1 and len(token) == 1, (csrf, token)
    return html.unescape(csrf[0][1]), html.unescape(token[0][1])


def with_tokens(page, csrf="CSRF", token="TOKEN"):
    """The page with its form's CSRF and form tokens replaced."""
    page = CSRF_INPUT.sub(lambda m: m[1] + csrf + m[3], page)
    return TOKEN_INPUT.sub(lambda m: m[1] + token + m[3], page)


def stored_entries():
    """The keys of the whole pages the cache holds."""
    store = caches["default"]
    if isinstance(store, LocMemCache):
        keys = list(store._cache)
    else:
        client = store._cache.get_client()
        keys = [key.decode() for key in client.scan_iter(match=f"{store.key_prefix}:*")]
    return {key for key in keys if ENTRY_PREFIX in key}


def whole(url, client=None, **extra):
    """A GET that must be served from the stored page: one query. The response."""
    response, queries = read(url, client, **extra)
    assert response.status_code == 200, response.status_code
    assert queries == 1, f"not served whole ({queries} queries)"
    return response


def made(url, client=None, **extra):
    """A GET that must be made by the view (not the stored page): the response."""
    response, queries = read(url, client, **extra)
    assert queries > 1, "served the stored page"
    return response


def warm(obj, query=""):
    """A reader reads the page (which stores it), and the next one is served it whole: the
    page text as readers see it."""
    url = obj.get_absolute_url() + query
    assert read(url)[0].status_code == 200
    return text_of(whole(url))


def form_state(page):
    assert (OPEN in page) != (CLOSED in page), "the form says neither open nor closed"
    return "open" if OPEN in page else "closed"


def csrf_secret(client):
    return client.cookies[django_settings.CSRF_COOKIE_NAME].value


def override_templates(settings, directory):
    """Templates in `directory` come before the site's own (settings fires setting_changed:
    Django reloads its engines, and the pages' deploy digest is read again)."""
    engine = django_settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [directory, *engine["DIRS"]]}]


# --------------------------------------------------------------------------------------------
# The stored page


def test_a_second_reader_is_served_the_stored_page_in_one_query(article):
    """Guards: the first reader's page is stored; the next reader's is served from it with
    exactly one query and is byte for byte the first page but for the two tokens, which are
    the reader's own (a new CSRF token on a new secret, a new form token)."""
    make_comment(article, author_name="Ann", body="Top-level words.")
    url = article.get_absolute_url()
    first, queries = read(url)
    assert first.status_code == 200 and queries > 1
    assert len(stored_entries()) == 1

    reader = Client()
    with CaptureQueriesContext(connection) as queries:
        second = reader.get(url)
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert '"comments_discussion"' in queries[0]["sql"]
    assert second.status_code == 200

    one, two = first.content.decode(), second.content.decode()
    assert with_tokens(one) == with_tokens(two)
    assert tokens_of(one)[0] != tokens_of(two)[0]
    assert "Top-level words." in two and article.headline in two
    assert second["Content-Type"] == first["Content-Type"] == "text/html; charset=utf-8"
    assert second["Content-Length"] == str(len(second.content))


def test_each_reader_of_the_stored_page_gets_tokens_of_their_own(article):
    """Guards: the tokens filled into the stored page are this request's: the CSRF token is
    masked from the secret in the cookie sent with it, and the form token is for this
    discussion, issued now."""
    warm(article)
    for _ in range(3):
        reader = Client()
        page = text_of(whole(article.get_absolute_url(), reader))
        csrf, token = tokens_of(page)
        assert _unmask_cipher_token(csrf) == csrf_secret(reader)
        assert 0 <= form_token_age(token, discussion_of(article)) < 5
    # A reader who already has a CSRF cookie keeps its secret.
    reader = Client()
    whole(article.get_absolute_url(), reader)
    secret = csrf_secret(reader)
    page = text_of(whole(article.get_absolute_url(), reader))
    assert _unmask_cipher_token(tokens_of(page)[0]) == secret == csrf_secret(reader)


def test_the_stored_page_is_the_page_the_view_makes(article):
    """Guards: what is served whole is what the view would make now: with the whole-page
    cache left out (a query string it does not share), the same page but for the tokens."""
    make_comment(article, body="Something to show.")
    stored = warm(article)
    rendered = text_of(made(article.get_absolute_url() + "?utm_source=x"))
    canonical = f'<link rel="canonical" href="{article.get_absolute_url()}">'
    assert canonical in stored and canonical in rendered
    assert with_tokens(stored) == with_tokens(rendered)


# --------------------------------------------------------------------------------------------
# gzip


def check_gzip_answer(response, plain_page, client, article):
    """A gzip answer: the headers, and exactly the plain page with this answer's tokens."""
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Length"] == str(len(response.content))
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Accept-Encoding", "Cookie"} <= vary
    page = gzip.decompress(response.content).decode()
    csrf, token = tokens_of(page)
    assert page == with_tokens(plain_page, csrf, token)
    assert _unmask_cipher_token(csrf) == csrf_secret(client)
    assert 0 <= form_token_age(token, discussion_of(article)) < 5


def check_plain_answer(response):
    assert not response.has_header("Content-Encoding")
    assert response["Content-Length"] == str(len(response.content))
    assert "Accept-Encoding" in {v.strip() for v in response["Vary"].split(",")}
    assert response.content.startswith(b"<!doctype html>")


@pytest.mark.parametrize("cold", [True, False], ids=["cold", "stored"])
def test_gzip_when_accepted_plain_otherwise(article, cold):
    """Guards: with Accept-Encoding: gzip the answer (the one that stored the page, or one
    served from it) is gzip with its length, Vary: Accept-Encoding, Cookie, and decompresses
    to exactly the plain page with that answer's own tokens; without it, the plain page with
    Vary: Accept-Encoding."""
    make_comment(article, body="Compressed once per change.")
    url = article.get_absolute_url()
    if not cold:
        warm(article)
    plain_reader, gzip_reader = Client(), Client()
    get = read if cold else lambda u, c, **e: (whole(u, c, **e), 1)

    plain, _ = get(url, plain_reader)
    check_plain_answer(plain)
    plain_page = plain.content.decode()
    assert "Compressed once per change." in plain_page

    compressed, _ = get(url, gzip_reader, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    check_gzip_answer(compressed, plain_page, gzip_reader, article)
    if cold:
        assert len(stored_entries()) == 1
    identity, _ = get(url, Client(), HTTP_ACCEPT_ENCODING="identity")
    check_plain_answer(identity)


def test_a_cold_gzip_request_stores_the_page_for_plain_readers_too(article):
    """Guards: the page stored by a gzip answer serves a plain reader, and the other way
    round, each decoded to the same page."""
    url = article.get_absolute_url()
    first, _ = read(url, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    plain = whole(url)
    assert with_tokens(text_of(first)) == with_tokens(plain.content.decode())
    again = whole(url, HTTP_ACCEPT_ENCODING="gzip")
    assert with_tokens(text_of(again)) == with_tokens(plain.content.decode())


# --------------------------------------------------------------------------------------------
# The tokens of a stored page post


def test_the_tokens_of_a_stored_page_post_a_comment(article, settings):
    """Guards: a reader served the stored page (CSRF checks enforced) posts its form with
    the CSRF token and form token it carries, and gets the redirect: the comment is saved,
    held for an editor as a new author's (not taken for a bot's, nor refused)."""
    settings.COMMENTS_MIN_SECONDS = 0  # the form is sent back at once
    warm(article)
    reader = Client(enforce_csrf_checks=True)
    page = text_of(whole(article.get_absolute_url(), reader))
    csrf, token = tokens_of(page)
    data = {
        "name": "Ada Reader",
        "email": "ada.reader@example.com",
        "comment": "Posted from the stored page.",
        "token": token,
        "csrfmiddlewaretoken": csrf,
    }
    response = reader.post(post_url(article), data, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302, response.content.decode()[:2000]
    comment = Comment.objects.get()
    assert comment.body_raw == "Posted from the stored page."
    assert comment.status == Comment.Status.PENDING
    assert comment.events.get().rule == "new author"


def test_a_stored_pages_csrf_token_is_refused_from_another_browser(article, settings):
    """Guards: the CSRF token on a stored page is tied to the secret of the browser it was
    served to: sent from another browser (another cookie), the post is refused (403)."""
    settings.COMMENTS_MIN_SECONDS = 0
    warm(article)
    page = text_of(whole(article.get_absolute_url(), Client()))
    csrf, token = tokens_of(page)
    other = Client(enforce_csrf_checks=True)
    whole(article.get_absolute_url(), other)  # a cookie of its own
    data = {"name": "Mallory", "email": "m@example.com", "comment": "Hi.", "token": token}
    response = other.post(post_url(article), data | {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 403
    assert not Comment.objects.exists()


# --------------------------------------------------------------------------------------------
# Each change shows on the next request


def test_an_edit_of_the_article_shows_at_once(article):
    """Guards: the article's save() moves its updated_at: the stored page is not served, the
    new headline and body are."""
    before = warm(article)
    article.headline = "Envoys sign the harbour accord"
    article.body = "A new paragraph, written after the signing."
    article.save()
    page = text_of(made(article.get_absolute_url()))
    assert "Envoys sign the harbour accord" in page
    assert "A new paragraph, written after the signing." in page
    assert "Envoys sign the harbour accord" not in before
    assert "Envoys sign the harbour accord" in warm(article)


def test_an_unpublished_article_is_gone_at_once(article):
    """Guards: an article taken back to draft is a 404 on the next request, not its stored
    page, and stays one."""
    warm(article)
    article.status = Article.Status.DRAFT
    article.save()
    for _ in range(2):
        response, _ = read(article.get_absolute_url())
        assert response.status_code == 404
        assert article.headline not in response.content.decode()


def test_an_article_moved_into_the_future_without_save_is_gone_at_once(article):
    """Guards: the public manager is asked on every request: published_at moved into the
    future by an update (updated_at unchanged) makes the next request a 404."""
    warm(article)
    later = timezone.now() + timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(published_at=later)
    response, _ = read(article.get_absolute_url())
    assert response.status_code == 404


def test_a_scheduled_article_shows_once_its_time_has_come():
    """Guards: an article scheduled for later is a 404 (and nothing is stored); once its
    time has passed (published_at moved back with an update, as time passing would), the
    page shows, and is then stored."""
    article = make_article(published_at=timezone.now() + timedelta(hours=1))
    for _ in range(2):
        response, _ = read(article.get_absolute_url())
        assert response.status_code == 404
    assert stored_entries() == set()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    response, _ = read(article.get_absolute_url())
    assert response.status_code == 200
    assert article.headline in response.content.decode()
    assert article.headline in warm(article)


def test_closing_the_discussion_in_the_admin_shows_at_once(editor_client, article):
    """Guards: an editor closes the discussion in the admin: the next reader's page says
    comments are closed (no form), not the stored open one."""
    assert form_state(warm(article)) == "open"
    discussion = discussion_of(article)
    change = reverse("admin:comments_discussion_change", args=[discussion.pk])
    response = editor_client.post(change, {"is_open": "", "closes_at_0": "", "closes_at_1": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = text_of(made(article.get_absolute_url()))
    assert form_state(page) == "closed"
    assert 'name="csrfmiddlewaretoken"' not in page
    assert form_state(warm(article)) == "closed"


def test_a_bulk_update_closing_the_discussion_shows_at_once(article):
    """Guards: .update(is_open=False) leaves updated_at as it was; the switch is compared
    too: closed on the next request; opened again, the open page."""
    assert form_state(warm(article)) == "open"
    Discussion.objects.filter(pk=discussion_of(article).pk).update(is_open=False)
    assert form_state(text_of(made(article.get_absolute_url()))) == "closed"
    Discussion.objects.filter(pk=discussion_of(article).pk).update(is_open=True)
    assert form_state(text_of(read(article.get_absolute_url())[0])) == "open"


def test_a_bulk_update_of_the_closing_time_shows_at_once(article):
    """Guards: .update(closes_at=<past>) (updated_at unchanged): closed on the next request."""
    assert form_state(warm(article)) == "open"
    past = timezone.now() - timedelta(minutes=1)
    Discussion.objects.filter(pk=discussion_of(article).pk).update(closes_at=past)
    assert form_state(text_of(made(article.get_absolute_url()))) == "closed"


def test_a_page_discussions_new_title_shows_at_once():
    """Guards: a page discussion (a URL this site does not serve) has its own page, stored
    whole too; a new title saved on the Discussion shows on the next request."""
    discussion = Discussion.objects.of_url("https://example.org/story", title="The old title")
    page = warm(discussion)
    assert "Comments on “The old title”" in page
    discussion.title = "The new title"
    discussion.save()
    page = text_of(made(discussion.get_absolute_url()))
    assert "Comments on “The new title”" in page and "The old title" not in page


def test_discussion_settings_that_close_the_discussion_show_at_once():
    """Guards: Discussion settings saved with "close after days" 2: an article published 3
    days ago is closed on the next request (the policy the page was made under differs)."""
    article = make_article(published_at=timezone.now() - timedelta(days=3))
    assert form_state(warm(article)) == "open"
    DiscussionSettings(close_after_days=2).save()
    assert form_state(text_of(made(article.get_absolute_url()))) == "closed"
    assert form_state(warm(article)) == "closed"
    DiscussionSettings(close_after_days=None).save()
    assert form_state(text_of(made(article.get_absolute_url()))) == "open"


def test_approving_a_pending_comment_shows_it_at_once(article, editor, committed):
    """Guards: a decision (comments.moderation) gives the thread a new generation: the
    approved comment and the new count are on the next request."""
    make_comment(article, body="Already there.")
    pending = make_comment(article, body="Waiting for an editor.", status="pending")
    before = warm(article)
    assert "Waiting for an editor." not in before and "1 comment on “" in before
    with committed():
        moderation.approve([pending], by=editor)
    page = text_of(made(article.get_absolute_url()))
    assert "Waiting for an editor." in page and "2 comments on “" in page
    assert "Waiting for an editor." in warm(article)


def test_removing_a_comment_takes_it_off_at_once(article, editor, committed):
    """Guards: removing an approved comment: gone from the next request."""
    make_comment(article, body="Stays.")
    doomed = make_comment(article, body="Said something regrettable.")
    assert "Said something regrettable." in warm(article)
    with committed():
        moderation.remove([doomed], by=editor)
    page = text_of(made(article.get_absolute_url()))
    assert "Said something regrettable." not in page and "Stays." in page


def test_an_editors_pick_shows_at_once(article, editor, committed):
    """Guards: featuring an approved comment (an editors' pick, shown above the thread too)
    is a decision readers see: the next request is made again."""
    pick = make_comment(article, body="A comment worth picking.")
    before = warm(article)
    with committed():
        assert moderation.feature([pick], by=editor)
    page = text_of(made(article.get_absolute_url()))
    assert page != before
    assert page.count("A comment worth picking.") > before.count("A comment worth picking.")


def test_erasing_an_author_shows_at_once(article, editor, committed):
    """Guards: erasing a reader's details (privacy) takes their name off the next page."""
    comment = make_comment(article, author_name="Eraseme Person", body="Said and kept.")
    assert "Eraseme Person" in warm(article)
    with committed():
        moderation.erase([comment], by=editor)
    page = text_of(made(article.get_absolute_url()))
    assert "Eraseme Person" not in page and "Said and kept." in page


def test_a_new_approved_comment_shows_at_once(article, committed):
    """Guards: a known author's comment, approved at once through the form, is on the next
    reader's page."""
    make_comment(make_article(), author_name="Kit Known", author_email="kit@example.com")
    warm(article)
    data = {
        "name": "Kit Known",
        "email": "kit@example.com",
        "comment": "Approved the moment it was posted.",
        "token": form_token(article),
    }
    with committed():
        assert Client().post(post_url(article), data).status_code == 302
    assert Comment.objects.get(body_raw=data["comment"]).status == Comment.Status.APPROVED
    page = text_of(made(article.get_absolute_url()))
    assert "Approved the moment it was posted." in page


def test_a_new_pending_comment_keeps_the_stored_page(article, comment_data, committed):
    """Guards: a comment held for an editor changes nothing readers see: the stored page is
    still served, without it."""
    before = warm(article)
    with committed():
        assert Client().post(post_url(article), comment_data).status_code == 302
    page = text_of(whole(article.get_absolute_url()))
    assert "Nobody" not in page
    assert with_tokens(page) == with_tokens(before)


def test_the_closing_time_passing_closes_the_page():
    """Guards: a discussion open when its page was stored, with a closing time a second
    ahead: served whole (open) before, and closed once that time has passed, though nothing
    was saved."""
    article = make_article()
    discussion = discussion_of(article)
    discussion.closes_at = timezone.now() + timedelta(seconds=1.5)
    discussion.save()
    assert form_state(warm(article)) == "open"
    assert form_state(text_of(whole(article.get_absolute_url()))) == "open"
    time.sleep(max(0, (discussion.closes_at - timezone.now()).total_seconds()) + 0.05)
    page = text_of(made(article.get_absolute_url()))
    assert form_state(page) == "closed"


def test_close_after_days_running_out_closes_the_page():
    """Guards: "close after days" counts from the article's publication: a page stored a
    second before the days run out is not served after."""
    DiscussionSettings(close_after_days=2).save()
    closes = timezone.now() + timedelta(seconds=1.5)
    article = make_article(published_at=closes - timedelta(days=2))
    assert form_state(warm(article)) == "open"
    time.sleep(max(0, (closes - timezone.now()).total_seconds()) + 0.05)
    assert form_state(text_of(made(article.get_absolute_url()))) == "closed"


def test_each_comment_page_is_stored_apart(article, settings):
    """Guards: ?cpage=2 is stored under its own key: page 1 and page 2 are both served whole,
    each with its own comments; ?cpage=1 is page 1."""
    settings.COMMENTS_PER_PAGE = 1
    make_comment(article, body="Thread one.", submitted_at=timezone.now() - timedelta(hours=2))
    make_comment(article, body="Thread two.", submitted_at=timezone.now() - timedelta(hours=1))
    one = warm(article)
    two = warm(article, "?cpage=2")
    assert "Thread one." in one and "Thread two." not in one
    assert "Thread two." in two and "Thread one." not in two
    assert " · Comments page 2" in two
    assert len(stored_entries()) == 2
    explicit = text_of(whole(article.get_absolute_url() + "?cpage=1"))
    assert with_tokens(explicit) == with_tokens(one)


def test_a_page_number_past_the_end_is_not_stored(article, settings):
    """Guards: ?cpage=9 shows the last page but is not stored under 9 (made-up numbers
    cannot fill the cache)."""
    settings.COMMENTS_PER_PAGE = 1
    make_comment(article, body="Thread one.", submitted_at=timezone.now() - timedelta(hours=2))
    make_comment(article, body="Thread two.", submitted_at=timezone.now() - timedelta(hours=1))
    for _ in range(2):
        page = text_of(made(article.get_absolute_url() + "?cpage=9"))
        assert "Thread two." in page
    assert stored_entries() == set()


# --------------------------------------------------------------------------------------------
# Personal pages: never from the stored page, never into it


def poster_post(client, article, **fields):
    data = {
        "name": "Poppy Poster",
        "email": "poppy@example.com",
        "comment": "My own words, just posted.",
        "token": form_token(article),
    } | fields
    response = client.post(post_url(article), data)
    assert response.status_code == 302, response.status_code
    return Comment.objects.latest("pk")


def test_a_posters_pending_comment_is_theirs_alone(article):
    """Guards: the poster's page shows their pending comment and is not stored; readers
    without a session get (and then are served whole) a page without it; and the poster,
    the page now stored, is still given their own page."""
    make_comment(article, body="Already there.")
    poster = Client()
    poster_post(poster, article)
    own = text_of(made(article.get_absolute_url(), poster))
    assert "My own words, just posted." in own and AWAITING in own
    assert stored_entries() == set()

    page = warm(article)
    assert "My own words, just posted." not in page and AWAITING not in page
    own = text_of(made(article.get_absolute_url(), poster))
    assert "My own words, just posted." in own and AWAITING in own


def test_a_remembered_name_gets_its_own_prefilled_form(article):
    """Guards: a browser with the remembered-name cookie gets the form filled in, made for it
    (not the stored page), and its page is not stored for others."""
    signed = signing.get_cookie_signer(salt=REMEMBER_COOKIE + REMEMBER_SALT).sign(
        '{"name": "Rita Remembered", "email": "rita@example.com", "url": ""}'
    )
    rita = Client()
    rita.cookies[REMEMBER_COOKIE] = signed
    page = text_of(made(article.get_absolute_url(), rita))
    assert 'value="Rita Remembered"' in page and 'value="rita@example.com"' in page
    assert stored_entries() == set()
    public = warm(article)
    assert "Rita" not in public and "rita@" not in public
    page = text_of(made(article.get_absolute_url(), rita))
    assert 'value="Rita Remembered"' in page


def test_staff_previewing_a_comment_get_their_own_page(editor_client, article):
    """Guards: ?moderate=<id> for staff shows the pending comment, made for them and not
    stored; readers then get (and are served whole) a page without it; and staff signed in
    are not served the stored page even without a query string."""
    pending = make_comment(article, body="For the editors only.", status="pending")
    url = article.get_absolute_url()
    page = text_of(made(f"{url}?moderate={pending.pk}", editor_client))
    assert "For the editors only." in page
    assert stored_entries() == set()
    assert "For the editors only." not in warm(article)
    made(url, editor_client)
    assert "For the editors only." not in text_of(made(f"{url}?moderate={pending.pk}"))


def message_templates(tmp_path):
    """base.html with the messages shown, in a directory of its own."""
    base = (ROOT / "templates" / "base.html").read_text()
    shown = '{% for message in messages %}<p class="flash">{{ message }}</p>{% endfor %}'
    base = base.replace('<main class="container mb-5" id="content">', f"<main>{shown}", 1)
    assert shown in base
    (tmp_path / "base.html").write_text(base)
    return tmp_path


def test_a_message_in_the_session_is_shown_to_its_reader_alone(article, settings, tmp_path):
    """Guards: a reader whose session holds a message is not served the stored page: they
    see the message; nobody else does. (Session storage: the default fallback storage
    looks in the session only when the cookie says there is more.)"""
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    override_templates(settings, message_templates(tmp_path))
    assert 'class="flash"' not in warm(article)
    reader = Client()
    session = reader.session
    message = Message(message_levels.INFO, "Your subscription is confirmed.")
    request = RequestFactory().get("/")
    request.session = session
    session[SessionStorage.session_key] = SessionStorage(request).serialize_messages([message])
    session.save()
    page = text_of(made(article.get_absolute_url(), reader))
    assert '<p class="flash">Your subscription is confirmed.</p>' in page
    assert "subscription" not in text_of(whole(article.get_absolute_url()))


def test_a_message_in_a_cookie_is_shown_to_its_reader_alone(article, settings, tmp_path):
    """Guards: the same with the message in the messages cookie (no session)."""
    override_templates(settings, message_templates(tmp_path))
    warm(article)
    request = RequestFactory().get("/")
    cookie = CookieStorage(request)._encode([Message(message_levels.INFO, "Thanks for writing.")])
    reader = Client()
    reader.cookies[CookieStorage.cookie_name] = cookie
    page = text_of(made(article.get_absolute_url(), reader))
    assert '<p class="flash">Thanks for writing.</p>' in page
    assert "Thanks for writing." not in text_of(whole(article.get_absolute_url()))


@pytest.mark.parametrize("query", ["?replytocom={parent}", "?utm_source=x", "?cpage=1&x=1"])
def test_any_other_query_string_goes_the_normal_way(article, query):
    """Guards: an address with a query string other than ?cpage=N is made by the view
    (even when the page is stored) and never stored."""
    parent = make_comment(article, author_name="Ann")
    url = article.get_absolute_url() + query.format(parent=parent.pk)
    page = text_of(made(url))
    if "replytocom" in query:
        assert "Replying to" in page
    assert stored_entries() == set()
    warm(article)
    made(url)
    assert len(stored_entries()) == 1


def test_a_page_made_for_a_reader_with_a_session_is_not_stored(article):
    """Guards: a reader with a session (holding nothing of theirs for this page) is served
    the stored page when there is one, but a page made for them is never stored."""
    reader = Client()
    session = reader.session
    session["something"] = "else"
    session.save()
    made(article.get_absolute_url(), reader)
    assert stored_entries() == set()
    made(article.get_absolute_url())  # stores it
    response, queries = read(article.get_absolute_url(), reader)
    assert queries == 2, "the session's row, then the page's one query"
    assert response.status_code == 200


def test_a_reader_who_posted_elsewhere_shares_this_page(article):
    """Guards: having posted in another discussion doesn't keep a reader from the stored
    page of this one (the session lists that one only)."""
    poster = Client()
    other = make_article()
    poster_post(poster, other)
    assert poster.session[OWN_THREADS_SESSION_KEY] == [discussion_of(other).pk]
    warm(article)
    response, queries = read(article.get_absolute_url(), poster)
    assert queries == 2
    assert "My own words" not in text_of(response)


def csrf_templates(tmp_path):
    """article_detail.html with a second form (its own {% csrf_token %}) beside the
    comment form."""
    detail = (ROOT / "templates" / "articles" / "article_detail.html").read_text()
    newsletter = (
        '<form method="post" action="/newsletter/" class="newsletter">{% csrf_token %}'
        '<button type="submit">Subscribe</button></form>\n{% endblock %}'
    )
    assert detail.rstrip().endswith("{% endblock %}")
    detail = detail.rstrip().removesuffix("{% endblock %}") + newsletter
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "article_detail.html").write_text(detail)
    return tmp_path


def test_a_page_with_a_second_csrf_token_is_never_stored(article, settings, tmp_path):
    """Guards: a template with another {% csrf_token %} puts a token of this reader's
    outside the comment form: the page is never stored, each reader's page is made for
    them, and no token of one reader's is on another's page."""
    override_templates(settings, csrf_templates(tmp_path))
    url = article.get_absolute_url()
    readers = [Client(), Client(), Client()]
    seen = []
    for reader in readers:
        response, queries = read(url, reader)
        assert response.status_code == 200 and queries > 1
        page = text_of(response)
        assert 'class="newsletter"' in page
        tokens = set(MASKED_TOKEN.findall(page))
        assert len(tokens) == 2  # the comment form's and the newsletter's
        assert {_unmask_cipher_token(t) for t in tokens} == {csrf_secret(reader)}
        seen.append(tokens)
    assert stored_entries() == set()
    assert not seen[0] & seen[1] and not seen[1] & seen[2] and not seen[0] & seen[2]
    assert len({csrf_secret(reader) for reader in readers}) == 3


# --------------------------------------------------------------------------------------------
# What is not stored whole: a model without updated_at, HEAD, POST


def test_a_live_blog_without_updated_at_is_not_stored_whole_but_works():
    """Guards: LiveBlog's COMMENTS_MODELS entry names no updated_at (nothing would tell an
    edit): its page is made every time, with its thread and form, and stores nothing whole;
    gzip is then GZipMiddleware's."""
    blog = LiveBlog.objects.create(title="Summit, live", slug="summit", started_at=timezone.now())
    make_comment(blog, body="Live and well.")
    url = blog.get_absolute_url()
    for _ in range(3):
        response = made(url)
        assert response.status_code == 200
        page = text_of(response)
        assert "Summit, live" in page and "Live and well." in page and OPEN in page
    assert stored_entries() == set()
    response = made(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Live and well." in text_of(response)
    blog.title = "Summit, live: day two"
    blog.save()
    assert "Summit, live: day two" in text_of(made(url))


def test_head_requests_go_the_normal_way(article):
    """Guards: HEAD is not answered from the stored page, nor stores one."""
    url = article.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        response = Client().head(url)
    assert response.status_code == 200 and len(queries) > 1
    assert response.content == b""
    assert stored_entries() == set()
    warm(article)
    with CaptureQueriesContext(connection) as queries:
        response = Client().head(url)
    assert response.status_code == 200 and len(queries) > 1


def test_posts_go_the_normal_way(article, comment_data):
    """Guards: a POST to the article's address is the view's (405), not the stored page;
    a POST of the form still posts."""
    warm(article)
    response = Client().post(article.get_absolute_url(), comment_data)
    assert response.status_code == 405
    assert Client().post(post_url(article), comment_data).status_code == 302
    assert Comment.objects.count() == 1


# --------------------------------------------------------------------------------------------
# Memory, and the cost of a hit


@pytest.mark.parametrize("megabytes", [0, 1])
def test_the_memory_kept_for_pages_stays_within_its_limit(settings, megabytes):
    """Guards: COMMENTS_PAGE_MEMORY_MB bounds the bodies this process keeps: after many pages
    (about 1.7 MB of them) the memory never holds more than the limit, and every page is
    still served whole (its body read from the cache when memory let it go)."""
    settings.COMMENTS_PAGE_MEMORY_MB = megabytes
    limit = megabytes * 1024 * 1024
    articles = [make_article() for _ in range(40)]  # some 43 kB each
    for article in articles:
        factories.make_comments(article, 50)
    for article in articles:
        warm(article)
        assert pages._memory.size <= limit
    if megabytes == 0:
        assert pages._memory.size == 0
    else:
        assert 0 < pages._memory.size <= limit
        assert len(pages._memory._bodies) < len(articles), "nothing was let go"
    key = pages.page_key(
        secure=False, host="testserver", path=articles[0].get_absolute_url(), page=1
    )
    assert pages._memory.get(caches["default"].get(key).body_key) is None  # let go
    first = text_of(whole(articles[0].get_absolute_url()))
    assert "Comment number 0 " in first and "Comment number 49 " in first
    assert pages._memory.size <= limit


def test_a_hit_costs_the_same_for_10_and_200_comments():
    """Guards: a page served whole costs one query however long its thread."""
    small, large = make_article(), make_article()
    factories.make_comments(small, 10)
    factories.make_comments(large, 200)
    for article in (small, large):
        warm(article)
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(article.get_absolute_url())
        assert len(queries) == 1
        count = 10 if article is small else 200
        assert f"{count} comments on “" in response.content.decode()


def test_with_the_cache_down_every_reader_still_gets_the_page(article, dead_redis):
    """Guards: an unreachable cache: nothing is stored or found, and each reader gets the
    page made for them, with the comments and valid tokens, plain or gzip."""
    make_comment(article, body="Shown with the cache down.")
    for encoding in ("", "gzip", ""):
        reader = Client()
        response = made(article.get_absolute_url(), reader, HTTP_ACCEPT_ENCODING=encoding)
        assert response.status_code == 200
        page = text_of(response)
        assert "Shown with the cache down." in page
        csrf, token = tokens_of(page)
        assert _unmask_cipher_token(csrf) == csrf_secret(reader)
        assert form_token_age(token, discussion_of(article)) is not None


def test_with_debug_on_nothing_is_stored(article, settings):
    """Guards: DEBUG on (a laptop): every page is made, so template edits show at once."""
    settings.DEBUG = True
    for _ in range(3):
        made(article.get_absolute_url())
    assert stored_entries() == set()


def test_the_front_page_shows_a_new_article_at_once():
    """Guards: the front page lists articles with their counts (with_comment_counts, no
    thread): it is no object's page and is never stored as one; a new article shows on it
    at once (tests/public/test_whole_list_pages.py tests how it is kept whole)."""
    make_article(headline="Old news")
    for _ in range(2):
        assert "Old news" in text_of(read("/")[0])
    make_article(headline="Fresh news")
    assert "Fresh news" in text_of(read("/")[0])
    assert stored_entries() == set()


def featured_list_templates(tmp_path):
    """The front page showing its first article's comment count ({% comment_count %}), as a
    project's "featured" slot might, above the list of headlines."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "article_list.html").write_text(
        '{% extends "base.html" %}{% load comments %}{% block content %}'
        "{% with featured=articles|first %}"
        '<p class="featured">{{ featured.headline }}: {% comment_count featured %}</p>'
        "{% endwith %}"
        "<ul>{% for a in articles %}<li>{{ a.headline }}</li>{% endfor %}</ul>"
        "{% endblock %}"
    )
    return tmp_path


def test_a_page_showing_only_a_comment_count_is_not_stored_whole(settings, tmp_path):
    """Guards (a bug found here, fixed in b5b06c2): a page that is not the discussed
    object's page (here the front page, with a featured article's count) must not be stored
    whole: nothing would tell it the list changed. A newly published article must show on
    the next request."""
    override_templates(settings, featured_list_templates(tmp_path))
    make_article(headline="Old news")
    for _ in range(2):
        page = text_of(read("/")[0])
        assert '<p class="featured">Old news: ' in page
    make_article(headline="Fresh news")
    response, _ = read("/")
    assert "<li>Fresh news</li>" in text_of(response)
    assert stored_entries() == set()


def test_a_page_made_open_just_before_closing_is_not_served_after(monkeypatch):
    """Guards (a bug found here, fixed in b5b06c2): the page is made while the discussion
    is open (the form shown) and stored a moment later, after its closing time has passed
    (compressing a long page takes time: here, until just past the closing time). The next
    reader must get the closed page, not the stored page with the form."""
    article = make_article()
    discussion = discussion_of(article)
    discussion.closes_at = timezone.now() + timedelta(seconds=0.8)
    discussion.save()
    deflate, slept = pages.Piece.of.__func__, []

    def slowly(cls, plain, level=6):
        if not slept:
            time.sleep(max(0, (discussion.closes_at - timezone.now()).total_seconds()) + 0.05)
            slept.append(True)
        return deflate(cls, plain, level)

    monkeypatch.setattr(pages.Piece, "of", classmethod(slowly))
    response, _ = read(article.get_absolute_url())
    assert slept and form_state(text_of(response)) == "open"  # made before the closing time
    assert timezone.now() > discussion.closes_at
    response, queries = read(article.get_absolute_url())
    assert form_state(text_of(response)) == "closed", f"served whole ({queries} query)"
