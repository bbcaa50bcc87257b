"""The cached comment thread (comments.thread): one rendering per change, shared by every
reader; pages showing a reader something of their own (a pending comment, an Edit link, a
staff preview) rendered for that request alone and never stored; and the write path's word
(`forget_threads`, told after each commit) the only thing that makes readers see a change in
the comments. What is in the key (the article's own edit, whether it takes comments) shows at
once without any word.

The tests run inside a transaction, where `transaction.on_commit` listeners never run: a
change is made inside `committed()` (pytest-django's django_capture_on_commit_callbacks with
execute=True), which runs them as a real commit would. One test commits for real.

A page served from the cache reads no comment at all: "no query of comments_comment" is how
these tests tell a cached page from a rendered one.
"""

import html
import logging
import re
import time
from datetime import timedelta
from functools import partial

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment, Discussion, DiscussionSettings
from comments.public.forms import form_token_age
from comments.public.session import OWN_THREADS_SESSION_KEY
from comments.thread import cache as thread
from tests.factories import (
    close_comments,
    discussion_of,
    form_token,
    make_article,
    make_comment,
    post_url,
)

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation."
REMOVED = "This comment was removed."
EDIT_LINK = "Edit or delete</a>"
REPLY_LINK = 'class="comment-reply-link"'
COMMENT_ROWS = '"comments_comment"'  # the table, as Django quotes it in SQL
PAGE_KEY_PREFIX = thread.PAGE_KEY.split("{", 1)[0]  # "comments:thread:<version>:"


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on_commit listeners of the block's changes on leaving
    it, as a real commit would (forget_threads among them)."""
    return partial(django_capture_on_commit_callbacks, execute=True)


def get(client, url):
    """(response, page text, the SQL of the queries that read or wrote comments)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    comment_sql = [q["sql"] for q in queries if COMMENT_ROWS in q["sql"]]
    return response, response.content.decode(), comment_sql


def read_as_reader(article, query=""):
    """A reader who never posted (a new Client, no session) reads the article page:
    (page text, comment queries)."""
    _, page, comment_sql = get(Client(), article.get_absolute_url() + query)
    return page, comment_sql


def thread_of(page):
    """The thread part of an article page: from <section id="comments"> to the form's own
    section."""
    start = page.index('<section id="comments"')
    end = page.rindex("<section ", start, page.index('class="comment-respond"', start))
    return page[start:end]


def is_private(response):
    return "private" in response.get("Cache-Control", "")


def generation(article):
    return cache.get(thread.GENERATION_KEY.format(discussion_id=discussion_of(article).pk))


def stored_pages(article):
    """The keys of the article's thread pages the cache holds (local memory, or the suite's
    Redis when REDIS_URL is set)."""
    prefix = f"{PAGE_KEY_PREFIX}{discussion_of(article).pk}:"
    store = caches["default"]
    if isinstance(store, LocMemCache):
        keys = list(store._cache)
    else:
        client = store._cache.get_client()
        keys = [key.decode() for key in client.scan_iter(match=f"{store.key_prefix}:*")]
    return {key for key in keys if prefix in key}


def warm(article, query=""):
    """Have a reader read the page (so the cache holds it) and check that the next reader is
    served it from the cache: the page text as readers see it."""
    read_as_reader(article, query)
    page, comment_sql = read_as_reader(article, query)
    assert comment_sql == [], "the page was not served from the cache"
    return page


def changed_generation(article, change):
    """Run `change` (which commits) and say whether the article got a new generation."""
    before = generation(article)
    assert before is not None
    change()
    return generation(article) != before


def poster_post(client, article, **fields):
    """`client` posts a comment on `article` through the form; the saved comment."""
    data = {
        "name": "Poppy Poster",
        "email": "poppy@example.com",
        "comment": "My own words, just posted.",
        "token": form_token(article),
    } | fields
    response = client.post(post_url(article), data)
    assert response.status_code == 302, response.status_code
    return Comment.objects.latest("pk")


def form_of(page):
    """The comment <form> of a page."""
    start = page.index('<form action="')
    return page[start : page.index("</form>", start)]


def input_value(page, name):
    """The value of the one <input name=`name`> on `page`, unescaped ("" if it has none)."""
    fields = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert len(fields) == 1, fields
    value = re.search(r'\bvalue="([^"]*)"', fields[0])
    return html.unescape(value[1]) if value else ""


# --------------------------------------------------------------------------------------------
# The shared page


def test_a_warm_page_is_served_to_another_reader_without_reading_comments(article):
    """Guards: the public thread is rendered once and then served from the cache: a second
    reader's page reads no comment and shows the very same thread (count, nesting, text)."""
    top = make_comment(article, author_name="Ann", body="Top-level words.")
    make_comment(article, author_name="Ben", body="Reply words.", parent=top)

    first, first_sql = read_as_reader(article)
    assert first_sql, "a cold page must read the thread from the database"
    assert len(stored_pages(article)) == 1

    second, second_sql = read_as_reader(article)
    assert second_sql == []
    assert thread_of(second) == thread_of(first)
    assert "Top-level words." in second and "Reply words." in second
    assert "2 comments on “" in second
    assert '<ol class="children' in thread_of(second)


def test_each_comment_page_is_cached_under_its_own_number(article, settings):
    """Guards: ?cpage=2 is not served page 1's cached thread (the page number is in the
    key), and both are served from the cache once warm."""
    settings.COMMENTS_PER_PAGE = 1
    make_comment(article, body="Thread one.", submitted_at=timezone.now() - timedelta(hours=2))
    make_comment(article, body="Thread two.", submitted_at=timezone.now() - timedelta(hours=1))
    one = warm(article)
    two = warm(article, "?cpage=2")
    assert "Thread one." in one and "Thread two." not in one
    assert "Thread two." in two and "Thread one." not in two
    assert len(stored_pages(article)) == 2


# --------------------------------------------------------------------------------------------
# Changes readers see: a new generation, and the next page shows them


def test_approving_a_comment_shows_it_on_the_next_page(article, editor, committed):
    """Guards: approval forgets every cached page of the article (and only its own): the
    next reader sees the comment and the new count."""
    make_comment(article, body="Already there.")
    pending = make_comment(article, body="Waiting for an editor.", status="pending")
    other = make_article()
    make_comment(other, body="Elsewhere.")
    warm(article)
    assert "Waiting for an editor." not in warm(article)
    warm(other)
    other_generation = generation(other)

    def approve():
        with committed():
            moderation.approve([pending], by=editor)

    assert changed_generation(article, approve)
    page, comment_sql = read_as_reader(article)
    assert comment_sql, "the page was not rendered again"
    assert "Waiting for an editor." in page
    assert "2 comments on “" in page
    assert generation(other) == other_generation
    assert read_as_reader(other)[1] == []  # the other article's page is still cached


def test_an_editors_edit_of_an_approved_comment_shows_on_the_next_page(article, editor, committed):
    """Guards: moderation.edit of an approved comment (approved to approved) forgets the
    thread: readers see the new text and "(edited)", not the old text."""
    comment = make_comment(article, body="Teh original wording.")
    assert "Teh original wording." in warm(article)

    def edit():
        with committed():
            comment.body_raw = "The corrected wording."
            moderation.edit(comment, ["body_raw"], by=editor)

    assert changed_generation(article, edit)
    page, _ = read_as_reader(article)
    assert "The corrected wording." in page
    assert "Teh original wording." not in page
    assert "(edited)" in thread_of(page)


def test_removing_an_approved_comment_takes_it_off_the_next_page(article, editor, committed):
    """Guards: removing an approved comment with no replies forgets the thread: its text
    is gone from the next page, and no placeholder is left for it."""
    make_comment(article, body="Stays.")
    doomed = make_comment(article, body="Said something regrettable.")
    assert "Said something regrettable." in warm(article)

    def remove():
        with committed():
            moderation.remove([doomed], by=editor)

    assert changed_generation(article, remove)
    page, _ = read_as_reader(article)
    assert "Said something regrettable." not in page
    assert REMOVED not in page
    assert "Stays." in page and "1 comment on “" in page


def test_removing_an_answered_comment_leaves_a_placeholder_for_its_replies(
    article, editor, committed
):
    """Guards: a removed comment with an approved reply shows "This comment was removed."
    (no name, no text) and the reply stays under it, "in reply to a removed comment"."""
    parent = make_comment(article, author_name="Rex Removed", body="The parent's words.")
    make_comment(article, author_name="Ria Reply", body="The reply's words.", parent=parent)
    warm(article)

    with committed():
        moderation.remove([parent], by=editor)

    page, _ = read_as_reader(article)
    shown = thread_of(page)
    assert REMOVED in shown
    assert "The parent's words." not in shown and "Rex Removed" not in shown
    assert "The reply's words." in shown
    assert "(in reply to a removed comment)" in shown
    assert shown.index(REMOVED) < shown.index('<ol class="children') < shown.index("Ria Reply")


def test_an_approved_reply_shows_on_the_next_page(client, article, committed):
    """Guards: a reply posted by a known author (approved at once, through the view) forgets
    the thread: the next reader sees it nested under its parent."""
    parent = make_comment(article, author_name="Ann", body="Who was at the talks?")
    make_comment(
        make_article(), author_name="Kit Known", author_email="kit@example.com", body="Earlier."
    )
    warm(article)

    with committed():
        reply = poster_post(
            client,
            article,
            name="Kit Known",
            email="kit@example.com",
            comment="I was, on the Monday.",
            parent=parent.pk,
        )
    assert reply.status == Comment.Status.APPROVED

    page, comment_sql = read_as_reader(article)
    assert comment_sql
    shown = thread_of(page)
    assert "I was, on the Monday." in shown
    assert shown.index("Who was at the talks?") < shown.index('<ol class="children')
    assert shown.index('<ol class="children') < shown.index("I was, on the Monday.")
    assert "(in reply to <bdi>Ann</bdi>)" in shown


def test_deleting_an_approved_comment_takes_it_off_the_next_page(article, editor, committed):
    """Guards: moderation.delete (to status "") of an approved comment forgets the thread."""
    make_comment(article, body="Stays.")
    doomed = make_comment(article, body="Deleted for good.")
    warm(article)

    def delete():
        with committed():
            moderation.delete([doomed], by=editor)

    assert changed_generation(article, delete)
    page, _ = read_as_reader(article)
    assert "Deleted for good." not in page
    assert "1 comment on “" in page


def test_a_poster_deleting_their_approved_comment_takes_it_off_the_next_page(
    client, article, committed
):
    """Guards: remove_own (the poster's delete, through the edit view) of an approved
    comment forgets the thread."""
    make_comment(
        make_article(), author_name="Kit Known", author_email="kit@example.com", body="Earlier."
    )
    own = poster_post(client, article, name="Kit Known", email="kit@example.com")
    assert own.status == Comment.Status.APPROVED
    warm(article)

    with committed():
        response = client.post(
            reverse("comments:edit", kwargs={"comment_id": own.pk}), {"delete": "1"}
        )
    assert response.status_code == 302

    page, _ = read_as_reader(article)
    assert "My own words, just posted." not in page


@pytest.mark.django_db(transaction=True)
def test_a_committed_approval_shows_to_the_next_reader():
    """Guards: the real path, with real commits: moderation.approve commits, the registry
    tells forget_threads, and a fresh reader's page (the thread was cached before) shows the
    comment."""
    article = make_article()
    make_comment(article, body="Already there.")
    pending = make_comment(article, body="Approved in a committed transaction.", status="pending")
    assert "Approved in a committed transaction." not in warm(article)

    moderation.approve([pending], by="a committed test")

    page, comment_sql = read_as_reader(article)
    assert comment_sql
    assert "Approved in a committed transaction." in page


# --------------------------------------------------------------------------------------------
# Changes readers don't see: the cached page stays


def submit_new_pending(article, pending, editor):
    comment = Comment(
        discussion=discussion_of(article), author_name="Nell New", author_email="nell@example.com"
    )
    comment.set_body("A first comment from a new author.")
    assert moderation.submit(comment).status == Comment.Status.PENDING


def edit_pending(article, pending, editor):
    pending.body_raw = "Waiting, and edited."
    moderation.edit(pending, ["body_raw"], by=editor)


UNSEEN_CHANGES = {
    "new-pending-comment": submit_new_pending,
    "pending-to-spam": lambda article, pending, editor: moderation.mark_spam([pending], by=editor),
    "pending-to-removed": lambda article, pending, editor: moderation.remove([pending], by=editor),
    "pending-edited": edit_pending,
}


@pytest.mark.parametrize("change", UNSEEN_CHANGES.values(), ids=UNSEEN_CHANGES.keys())
def test_a_change_readers_cannot_see_keeps_the_cached_page(article, editor, committed, change):
    """Guards: a change that leaves no approved comment behind or before it (a new pending
    comment, pending to spam or removed, an edit of a pending one) does not give the article
    a new generation: the next reader is still served the cached page, unchanged."""
    make_comment(article, body="Already there.")
    pending = make_comment(article, body="Waiting.", status="pending")
    before = warm(article)

    with committed() as callbacks:
        change(article, pending, editor)
    assert callbacks, "the change did not go through the write path"

    assert generation(article) is not None
    page, comment_sql = read_as_reader(article)
    assert comment_sql == [], "a change nobody can see forgot the cached thread"
    assert thread_of(page) == thread_of(before)


def test_a_new_pending_comment_posted_through_the_form_keeps_the_cached_page(
    client, article, comment_data, committed
):
    """Guards: posting a comment that is held (a new author) forgets nothing: other readers
    keep the cached page."""
    make_comment(article, body="Already there.")
    warm(article)
    before = generation(article)

    with committed():
        assert client.post(post_url(article), comment_data).status_code == 302
    assert Comment.objects.get(author_name="Ada Reader").status == Comment.Status.PENDING

    assert generation(article) == before
    page, comment_sql = read_as_reader(article)
    assert comment_sql == []
    assert "Nobody" not in page


# --------------------------------------------------------------------------------------------
# A removed comment standing for its approved replies is public too


def test_a_placeholder_marked_as_spam_takes_its_replies_off_the_next_page(
    article, editor, committed
):
    """Guards: a removed comment with an approved reply is public (the placeholder and the
    reply under it); marking it as spam hides both (a reply to a hidden comment is not
    shown), so the next reader must not be served the cached placeholder and reply."""
    parent = make_comment(article, body="The parent's words.")
    make_comment(article, body="The reply's words.", parent=parent)
    with committed():
        moderation.remove([parent], by=editor)
    page = warm(article)
    assert REMOVED in page and "The reply's words." in page

    with committed():
        moderation.mark_spam([parent], by=editor)

    page, _ = read_as_reader(article)
    assert REMOVED not in page
    assert "The reply's words." not in page


def test_deleting_a_placeholder_shows_its_replies_as_threads_of_their_own(
    article, editor, committed
):
    """Guards: deleting a removed comment that stands for an approved reply changes what
    readers see (the placeholder goes, the reply, its parent gone, starts a thread of its
    own), so the next reader must not be served the cached placeholder."""
    parent = make_comment(article, body="The parent's words.")
    make_comment(article, body="The reply's words.", parent=parent)
    with committed():
        moderation.remove([parent], by=editor)
    assert REMOVED in warm(article)

    with committed():
        moderation.delete([parent], by=editor)

    page, _ = read_as_reader(article)
    assert REMOVED not in page
    assert "The reply's words." in page
    assert '<ol class="children' not in thread_of(page)


# --------------------------------------------------------------------------------------------
# A poster's own page: theirs alone, never stored, never served to anyone else


def test_a_posters_pending_comment_never_reaches_another_reader(article):
    """Guards: the poster sees their pending comment with the awaiting note on a private
    page; their page, read first, does not prime the cache: the next reader's page (from
    the database, then from the cache) has neither the comment nor the note; and the poster
    is not served that cached page either."""
    make_comment(article, body="Already there.")
    poster = Client()
    pending = poster_post(poster, article)
    assert pending.status == Comment.Status.PENDING

    response, own, _ = get(poster, article.get_absolute_url())
    assert "My own words, just posted." in own and AWAITING in own
    assert is_private(response)
    assert stored_pages(article) == set(), "a page rendered for one reader was stored"

    for _ in range(2):  # rendered for the cache, then served from it
        response, page, _ = get(Client(), article.get_absolute_url())
        assert "My own words, just posted." not in page
        assert AWAITING not in page
        assert f'id="comment-{pending.pk}"' not in page
        assert not is_private(response)
    assert len(stored_pages(article)) == 1

    response, own, comment_sql = get(poster, article.get_absolute_url())
    assert comment_sql, "the poster was served the shared page"
    assert "My own words, just posted." in own and AWAITING in own
    assert is_private(response)


def test_a_posters_edit_link_never_reaches_another_reader(article):
    """Guards: a known author's comment is approved at once and shown to everyone, but the
    "Edit or delete" link (within COMMENTS_EDIT_MINUTES) is on the poster's private page
    only, never on the page the cache holds for the others."""
    make_comment(
        make_article(), author_name="Kit Known", author_email="kit@example.com", body="Earlier."
    )
    poster = Client()
    own = poster_post(poster, article, name="Kit Known", email="kit@example.com")
    assert own.status == Comment.Status.APPROVED

    response, page, _ = get(poster, article.get_absolute_url())
    edit_url = reverse("comments:edit", kwargs={"comment_id": own.pk})
    assert f'href="{edit_url}">{EDIT_LINK}' in page
    assert is_private(response)

    public = warm(article)
    assert "My own words, just posted." in public
    assert EDIT_LINK not in public and edit_url not in public
    _, page, _ = get(poster, article.get_absolute_url())
    assert EDIT_LINK in page


def test_the_session_lists_the_thread_until_the_posters_comment_is_everyones(
    article, settings, committed
):
    """Guards: posting lists the article in the session (its pages rendered for the poster);
    once the comment is approved and past the edit window, the next page forgets the listing
    and is not private, and the poster is served the cached page from then on."""
    settings.COMMENTS_EDIT_MINUTES = 0
    poster = Client()
    pending = poster_post(poster, article)
    assert discussion_of(article).pk in poster.session[OWN_THREADS_SESSION_KEY]

    response, page, _ = get(poster, article.get_absolute_url())
    assert AWAITING in page and is_private(response)
    assert discussion_of(article).pk in poster.session[OWN_THREADS_SESSION_KEY]

    with committed():
        moderation.approve([pending], by="test")

    response, page, _ = get(poster, article.get_absolute_url())
    assert "My own words, just posted." in page and AWAITING not in page
    assert EDIT_LINK not in page
    assert not is_private(response)
    assert discussion_of(article).pk not in poster.session[OWN_THREADS_SESSION_KEY]

    get(poster, article.get_absolute_url())  # through the cache now: stored
    assert len(stored_pages(article)) == 1
    _, page, comment_sql = get(poster, article.get_absolute_url())
    assert comment_sql == []
    assert "My own words, just posted." in page


# --------------------------------------------------------------------------------------------
# Staff preview (?moderate=<id>)


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_a_staff_preview_is_shown_to_the_editor_and_never_stored(
    editor_client, editor, article, status
):
    """Guards: "View on site" shows staff the comment in its thread whatever its status
    (even one an editor removed or marked as spam, which its poster no longer sees), marked
    "shown to staff only", on a private page that is not stored: readers then get a page
    without it, and a reader sending ?moderate= themselves (no permission) is served the
    cached page."""
    make_comment(article, body="Already there.")
    hidden = make_comment(
        article,
        body="For the editors only.",
        status=status,
        moderated_by=None if status == "pending" else editor,
    )
    label = Comment.Status(status).label

    response, page, _ = get(editor_client, hidden.get_preview_url().split("#")[0])
    assert "For the editors only." in thread_of(page)
    assert f"{label}: shown to staff only." in thread_of(page)
    assert is_private(response)
    assert stored_pages(article) == set()

    public = warm(article)
    assert "For the editors only." not in public and "shown to staff only" not in public
    page, comment_sql = read_as_reader(article, f"?moderate={hidden.pk}")
    assert comment_sql == []
    assert "For the editors only." not in page


# --------------------------------------------------------------------------------------------
# Page numbers (?cpage=N)


@pytest.fixture
def two_pages(settings, article):
    """Three threads, two a page: pages 1 and 2."""
    settings.COMMENTS_PER_PAGE = 2
    start = timezone.now() - timedelta(hours=3)
    for n in range(3):
        make_comment(article, body=f"Thread {n}.", submitted_at=start + timedelta(minutes=n))
    return article


@pytest.mark.parametrize("number", ["999", "3", "0"])
def test_a_page_number_out_of_range_shows_the_nearest_page_but_is_not_stored(two_pages, number):
    """Guards: ?cpage past the end shows the last page (before the first: the first), and
    is not stored under the number asked for: made-up numbers can't fill the cache."""
    page, _ = read_as_reader(two_pages, f"?cpage={number}")
    expected = 1 if number == "0" else 2
    assert f'aria-current="page">{expected}</span>' in page
    assert ("Thread 2." in page) == (expected == 2)
    assert stored_pages(two_pages) == set()
    read_as_reader(two_pages, f"?cpage={expected}")
    assert len(stored_pages(two_pages)) == 1  # the page itself is stored under its number


@pytest.mark.parametrize(
    "value", ["99999999", "100000000000000000000", "abc", "-1", "1.5", "%00", "", "²", "\u0661"]
)
def test_any_page_number_gives_a_page_not_an_error(two_pages, value):
    """Guards: whatever ?cpage holds (huge, negative, not a number, another script's
    digits), the reader gets the article with its thread, not a 500."""
    response = Client(raise_request_exception=False).get(
        f"{two_pages.get_absolute_url()}?cpage={value}"
    )
    assert response.status_code == 200
    assert "Thread " in thread_of(response.content.decode())


def test_digit_like_query_values_give_a_page_not_an_error(two_pages, editor_client):
    """Guards: "²" is a digit to str.isdigit() but not a number to int(): ?replytocom=² (any
    reader) and ?moderate=² (staff) must give the article page, not a 500."""
    url = two_pages.get_absolute_url()
    reader = Client(raise_request_exception=False)
    assert reader.get(f"{url}?replytocom=²").status_code == 200
    editor_client.raise_request_exception = False
    assert editor_client.get(f"{url}?moderate=²").status_code == 200


# --------------------------------------------------------------------------------------------
# What is in the key: the article's edit, and whether it takes comments


def test_an_edited_headline_shows_at_once(article):
    """Guards: the discussion's updated_at is in the key, and the page brings the
    discussion's title up to date with the article's: the thread's title ("1 comment on
    “…”") follows an edited headline with no word from the write path."""
    make_comment(article)
    warm(article)
    before = generation(article)
    article.headline = "Envoys sign the harbour accord"
    article.save()

    page, comment_sql = read_as_reader(article)
    assert comment_sql
    assert "1 comment on “<bdi>Envoys sign the harbour accord</bdi>”" in thread_of(page)
    assert generation(article) == before


def test_closing_an_articles_comments_takes_the_reply_links_away_at_once(article):
    """Guards: a discussion closed to comments (saved by an editor) shows no Reply links and
    "Comments are closed." on the next page."""
    make_comment(article)
    assert REPLY_LINK in warm(article)
    close_comments(article)

    page, _ = read_as_reader(article)
    assert REPLY_LINK not in page
    assert "Comments are closed." in page


def test_whether_replies_are_open_is_in_the_key_itself(article):
    """Guards: can_reply is in the key, not only updated_at: with the switch turned off and
    the discussion's updated_at unchanged (a bulk update), the cached page with Reply links
    is not served; turned on again, the first cached page is."""
    make_comment(article)
    assert REPLY_LINK in warm(article)
    Discussion.objects.filter(pk=discussion_of(article).pk).update(is_open=False)

    closed, comment_sql = read_as_reader(article)
    assert comment_sql
    assert REPLY_LINK not in closed

    Discussion.objects.filter(pk=discussion_of(article).pk).update(is_open=True)
    page, comment_sql = read_as_reader(article)
    assert comment_sql == []
    assert REPLY_LINK in page


def test_closing_after_some_days_takes_the_reply_links_away_at_once():
    """Guards: "close after days" set in Discussion settings closes an older article's
    thread at once (the article itself unchanged)."""
    article = make_article(published_at=timezone.now() - timedelta(days=3))
    make_comment(article)
    assert REPLY_LINK in warm(article)

    DiscussionSettings(close_after_days=2).save()

    page, _ = read_as_reader(article)
    assert REPLY_LINK not in page
    assert "Comments are closed." in page


# --------------------------------------------------------------------------------------------
# Redis down


def test_with_the_cache_down_the_page_is_rendered_from_the_database(article, dead_redis):
    """Guards: an unreachable cache costs the reader speed, not the page: 200, with the
    comments, for each reader."""
    make_comment(article, body="Shown with the cache down.")
    for _ in range(2):
        response = Client().get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Shown with the cache down." in response.content.decode()
        assert "1 comment on “" in response.content.decode()


def test_with_the_cache_down_an_approval_is_made_and_logged(
    article, editor, dead_redis, committed, caplog
):
    """Guards: forget_threads can't reach the cache: the approval still stands (no error
    out of the commit's listener), the failure is logged, and the page shows the comment."""
    pending = make_comment(article, body="Approved during the outage.", status="pending")

    with caplog.at_level(logging.WARNING, logger="comments.thread.cache"), committed():
        assert moderation.approve([pending], by=editor)

    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED
    assert any(
        "Could not tell the cache that threads" in record.getMessage()
        and record.name == "comments.thread.cache"
        for record in caplog.records
    )
    response = Client().get(article.get_absolute_url())
    assert "Approved during the outage." in response.content.decode()


# --------------------------------------------------------------------------------------------
# Escaping what readers typed


def test_names_and_websites_are_escaped_in_the_cached_thread(article):
    """Guards: the author's name, website and the name a reply answers are escaped (tags
    and quotes), on the page rendered for the cache and on the page served from it."""
    name = '<script>alert("n")</script> O\'Hara & "Co"'
    url = 'https://example.org/"><script>alert(1)</script>'
    parent = make_comment(article, author_name=name, author_url=url)
    make_comment(article, author_name="Plain", parent=parent)

    escaped_name = (
        "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt; O&#x27;Hara &amp; &quot;Co&quot;"
    )
    for page in (read_as_reader(article)[0], warm(article)):
        shown = thread_of(page)
        assert "<script" not in shown
        assert f"<bdi>{escaped_name}</bdi>" in shown
        assert f"(in reply to <bdi>{escaped_name}</bdi>)" in shown
        assert f'aria-label="Reply to {escaped_name}"' in shown
        assert 'href="https://example.org/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in shown


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,evil", "//evil.example"]
)
def test_a_website_that_is_not_http_is_not_linked(article, url):
    """Guards: only http(s) websites become the name's link: a javascript: (or data:, or
    scheme-relative) address leaves the name as plain text and is not on the page."""
    make_comment(article, author_name="Mallory", author_url=url)
    shown = thread_of(warm(article))
    assert '<b class="fn text-body"><bdi>Mallory</bdi></b>' in shown
    assert 'class="url"' not in shown
    assert "alert" not in shown and "evil" not in shown


# --------------------------------------------------------------------------------------------
# The comment form: rendered once per process, filled in per reader


def test_two_readers_get_the_same_blank_form_with_their_own_valid_tokens(article):
    """Guards: the blank form rendered once per process carries each reader's own form
    token (valid, for this article, issued now) and CSRF token, and is otherwise the same;
    another article's form posts to that article with a token for it."""
    first = form_of(Client().get(article.get_absolute_url()).content.decode())
    time.sleep(0.01)  # tokens carry the time to the millisecond
    second = form_of(Client().get(article.get_absolute_url()).content.decode())

    tokens = [input_value(form, "token") for form in (first, second)]
    assert tokens[0] != tokens[1]
    assert all(0 <= form_token_age(token, discussion_of(article)) < 5 for token in tokens)
    csrf = [input_value(form, "csrfmiddlewaretoken") for form in (first, second)]
    assert csrf[0] != csrf[1]

    def without_tokens(form):
        return re.sub(r'(name="(?:token|csrfmiddlewaretoken)" value=")[^"]*"', r"\1…", form)

    assert without_tokens(first) == without_tokens(second)
    assert f'action="{post_url(article)}#respond"' in first
    assert 'name="name"' in first and 'name="email"' in first and 'name="comment"' in first

    other = make_article()
    other_form = form_of(Client().get(other.get_absolute_url()).content.decode())
    assert f'action="{post_url(other)}#respond"' in other_form
    assert form_token_age(input_value(other_form, "token"), discussion_of(other)) is not None
    assert form_token_age(input_value(other_form, "token"), discussion_of(article)) is None


def test_a_form_shown_again_with_errors_keeps_what_the_reader_typed(article, comment_data):
    """Guards: a post with an error gets its own bound form (the errors, every value typed),
    privately; the next reader's blank form has none of it."""
    make_comment(article, body="Already there.")
    warm(article)
    data = comment_data | {"email": "not-an-email", "comment": "Typed <b>carefully</b>."}
    response = Client().post(post_url(article), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert is_private(response)
    assert "Your comment was not posted" in page
    assert input_value(page, "name") == "Ada Reader"
    assert input_value(page, "email") == "not-an-email"
    assert input_value(page, "url") == "https://example.org/ada"
    assert "Typed &lt;b&gt;carefully&lt;/b&gt;.</textarea>" in page
    assert "Already there." in page

    blank = Client().get(article.get_absolute_url()).content.decode()
    assert "Ada Reader" not in blank and "carefully" not in blank
    assert "Your comment was not posted" not in blank


def test_a_reply_form_is_its_readers_alone(article):
    """Guards: ?replytocom= renders the form answering that comment ("Replying to …", the
    parent's id), and the next reader's blank form answers nobody."""
    parent = make_comment(article, author_name="Ann")
    page = Client().get(f"{article.get_absolute_url()}?replytocom={parent.pk}").content.decode()
    assert f'Replying to <a href="#comment-{parent.pk}"><bdi>Ann</bdi></a>' in page
    assert input_value(page, "parent") == str(parent.pk)

    blank = Client().get(article.get_absolute_url()).content.decode()
    assert "Replying to" not in blank
    assert input_value(blank, "parent") == ""


def test_a_recommendation_forgets_its_thread_but_not_the_lists_counts(committed):
    """Guards the recommend branch of forget_threads: the thread shows the new count at once,
    while the lists of articles (which show comment counts, unchanged by a recommendation)
    keep their cached pages."""
    article = make_article()
    comment = make_comment(article, status=Comment.Status.APPROVED)
    generation_key = thread.GENERATION_KEY.format(discussion_id=comment.discussion_id)
    cache.set_many({generation_key: "before", thread.COUNTS_GENERATION_KEY: "lists"}, None)
    with committed():
        assert moderation.recommend(comment, "a" * 32)
    assert cache.get(generation_key) != "before"
    assert cache.get(thread.COUNTS_GENERATION_KEY) == "lists"
    page, _ = read_as_reader(article)
    assert '1 recommendation"' in page and 'comment-recommend-count"> (1)<' in page
    with committed():
        moderation.approve([make_comment(article, status=Comment.Status.PENDING)], by="a test")
    assert cache.get(thread.COUNTS_GENERATION_KEY) != "lists"  # a new comment: counts change
