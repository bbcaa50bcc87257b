"""Sorting the thread (?csort=oldest|newest|best, COMMENTS_THREAD_ORDER by default): top-level
threads move, each whole, replies oldest first under their parent; pages, ?comment= landings,
the picks' links, the canonical URL and the API's data follow the order; whole pages are
stored per order; the order costs no query."""

import re
from datetime import timedelta

import pytest
from django.core.checks import Error
from django.test import Client
from django.utils import timezone

from comments import moderation, thread
from comments.checks import thread_order_is_known
from comments.models import Comment
from comments.thread.render import thread_order
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url
from tests.public.test_whole_pages import made, read, stored_entries, text_of, warm, whole
from tests.thread.test_queries import make_threads

pytestmark = pytest.mark.django_db

# Thread n's first comment was posted n hours after the first's; its recommendations.
RECOMMENDED = [1, 5, 0, 5, 2]
ORDERED = {
    "oldest": [0, 1, 2, 3, 4],
    "newest": [4, 3, 2, 1, 0],
    "best": [1, 3, 4, 0, 2],  # most recommended first; 1 and 3 tie: the older first
}
BODY = re.compile(r"<p>((?:Thread|Reply) [\d.]+)</p>")


@pytest.fixture
def threads(article):
    """Five threads; thread n has replies "Reply n.1" and "Reply n.2", posted after every
    thread began (the newest reply is in the oldest thread), and the most recommended
    comment of all is a reply (it moves nothing)."""
    start = timezone.now() - timedelta(days=1)
    tops = []
    for n, count in enumerate(RECOMMENDED):
        tops.append(
            make_comment(
                article,
                body=f"Thread {n}",
                submitted_at=start + timedelta(hours=n),
                recommendation_count=count,
            )
        )
    for n, top in reversed(list(enumerate(tops))):
        first = make_comment(
            article,
            body=f"Reply {n}.1",
            parent=top,
            submitted_at=start + timedelta(hours=10, minutes=10 - n),
            recommendation_count=99 if n == 2 else 0,
        )
        make_comment(
            article,
            body=f"Reply {n}.2",
            parent=first,
            submitted_at=start + timedelta(hours=11, minutes=10 - n),
        )
    return tops


def bodies(page):
    """The comments' texts in the order the page shows them (picks excluded)."""
    thread_part = page[page.index('<ol class="comment-list') :]
    return BODY.findall(thread_part)


def expected(order):
    return [
        text for n in ORDERED[order] for text in (f"Thread {n}", f"Reply {n}.1", f"Reply {n}.2")
    ]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("order", ["oldest", "newest", "best"])
def test_each_order_moves_whole_threads(client, article, threads, order):
    page = get(client, f"{article.get_absolute_url()}?csort={order}")
    assert bodies(page) == expected(order)


def test_replies_stay_nested_under_their_parent(client, article, threads):
    page = get(client, f"{article.get_absolute_url()}?csort=best")
    reply = Comment.objects.get(body_raw="Reply 3.2")
    parent = Comment.objects.get(body_raw="Reply 3.1")
    start = page.index(f'id="comment-{parent.pk}"')
    assert page.index('<ol class="children', start) < page.index(f'id="comment-{reply.pk}"')
    assert page.index(f'id="comment-{reply.pk}"') < page.index("<p>Thread 4</p>")


def test_the_default_is_the_setting_and_anything_else_is_the_default(
    client, article, threads, settings
):
    assert bodies(get(client, article.get_absolute_url())) == expected("oldest")
    settings.COMMENTS_THREAD_ORDER = "newest"
    assert bodies(get(client, article.get_absolute_url())) == expected("newest")
    for value in ("bogus", "", "NEWEST", "best%20"):
        assert bodies(get(client, f"{article.get_absolute_url()}?csort={value}")) == expected(
            "newest"
        )
    assert bodies(get(client, f"{article.get_absolute_url()}?csort=oldest")) == expected("oldest")


def test_the_sort_links_work_without_javascript(client, article, threads):
    page = get(client, f"{article.get_absolute_url()}?csort=newest&cpage=1")
    nav = page[page.index('<nav class="comment-sort') : page.index("</nav>", page.index("Sort by"))]
    assert "Sort by:" in nav
    links = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav)
    assert [(href, label) for href, _, label in links] == [
        ("?csort=oldest#comments", "Oldest"),
        ("?csort=newest#comments", "Newest"),
        ("?csort=best#comments", "Most recommended"),
    ]
    assert [('aria-current="true"' in attributes) for _, attributes, _ in links] == [
        False,
        True,
        False,
    ]
    for href, _, label in links:
        order = href.split("=")[1].split("#")[0]
        followed = get(client, f"{article.get_absolute_url()}{href.split('#')[0]}")
        assert bodies(followed) == expected(order), label


def test_no_sort_links_for_a_single_thread(client, article):
    make_comment(article, body="Thread 0")
    assert "Sort by" not in get(client, article.get_absolute_url())


@pytest.mark.parametrize("order", ["oldest", "newest", "best"])
def test_pages_cut_the_sorted_threads_and_their_links_keep_the_order(
    client, article, threads, settings, order
):
    settings.COMMENTS_PER_PAGE = 2
    url = article.get_absolute_url()
    shown = []
    for number in (1, 2, 3):
        page = get(client, f"{url}?csort={order}&cpage={number}")
        shown += bodies(page)
        assert f'aria-current="page">{number}</span>' in page
    assert shown == expected(order)
    # Either order of the two parameters.
    assert bodies(get(client, f"{url}?cpage=2&csort={order}")) == expected(order)[6:12]
    page = get(client, f"{url}?csort={order}&cpage=2")
    prefix = "?cpage=" if order == "oldest" else f"?csort={order}&amp;cpage="
    assert f'rel="prev" href="{prefix}1#comments"' in page
    assert f'rel="next" href="{prefix}3#comments"' in page
    assert f'href="{prefix}3#comments">3</a>' in page


def test_page_links_say_which_way_they_go(client, article, threads, settings):
    settings.COMMENTS_PER_PAGE = 2
    url = article.get_absolute_url()
    oldest = get(client, f"{url}?cpage=2")
    assert 'rel="prev" href="?cpage=1#comments">Older comments<' in oldest
    assert 'rel="next" href="?cpage=3#comments">Newer comments<' in oldest
    newest = get(client, f"{url}?csort=newest&cpage=2")
    assert ">Newer comments</a>" in newest.split('rel="prev"')[1].split("</li>")[0]
    assert ">Older comments</a>" in newest.split('rel="next"')[1].split("</li>")[0]
    best = get(client, f"{url}?csort=best&cpage=2")
    assert "Previous comments" in best and "Next comments" in best


@pytest.mark.parametrize(("order", "page"), [("oldest", 1), ("newest", 3), ("best", 2)])
def test_a_link_to_a_comment_opens_its_page_in_the_order(
    client, article, threads, settings, order, page
):
    """?comment=N with an order: thread 0 is first oldest first, last newest first, fourth
    most recommended first (two threads a page)."""
    settings.COMMENTS_PER_PAGE = 2
    reply = Comment.objects.get(body_raw="Reply 0.2")
    shown = get(client, f"{article.get_absolute_url()}?comment={reply.pk}&csort={order}")
    assert f'aria-current="page">{page}</span>' in shown
    assert f'id="comment-{reply.pk}"' in shown


@pytest.mark.parametrize(("order", "page"), [("oldest", 1), ("newest", 3), ("best", 2)])
def test_a_posters_own_pending_reply_lands_on_its_page_in_the_order(
    article, threads, settings, order, page
):
    """The poster's own page (rendered for them) finds the page holding their pending
    reply in the order they read in."""
    settings.COMMENTS_PER_PAGE = 2
    settings.COMMENTS_HOLD_ALL = True
    poster = Client()
    data = {
        "name": "Bo",
        "email": "bo@example.com",
        "comment": "A late reply.",
        "parent": threads[0].pk,
        "token": form_token(article),
    }
    assert poster.post(post_url(article), data).status_code == 302
    reply = Comment.objects.get(author_name="Bo")
    assert reply.is_pending
    shown = get(poster, f"{article.get_absolute_url()}?comment={reply.pk}&csort={order}")
    assert f'aria-current="page">{page}</span>' in shown
    assert f'id="comment-{reply.pk}"' in shown
    assert "Your comment is awaiting moderation." in shown


def canonical(page):
    return re.search(r'<link rel="canonical" href="([^"]*)">', page)[1]


def test_the_canonical_url_names_the_order_and_the_page(client, article, threads, settings):
    settings.COMMENTS_PER_PAGE = 2
    url = article.get_absolute_url()
    assert canonical(get(client, url)) == url
    assert canonical(get(client, f"{url}?csort=oldest")) == url  # the default: not named
    assert canonical(get(client, f"{url}?csort=bogus")) == url
    assert canonical(get(client, f"{url}?cpage=2")) == f"{url}?cpage=2"
    assert canonical(get(client, f"{url}?csort=newest")) == f"{url}?csort=newest"
    assert canonical(get(client, f"{url}?cpage=3&csort=best")) == f"{url}?csort=best&amp;cpage=3"
    settings.COMMENTS_THREAD_ORDER = "best"
    assert canonical(get(client, url)) == url
    assert canonical(get(client, f"{url}?csort=oldest&cpage=2")) == (
        f"{url}?csort=oldest&amp;cpage=2"
    )


def test_the_picks_link_to_their_page_in_the_order(client, article, threads, settings, editor):
    settings.COMMENTS_PER_PAGE = 2
    moderation.feature([threads[0]], by=editor)
    url = article.get_absolute_url()
    pick_link = re.compile(r'class="editors-pick.*?href="([^"]+)"', re.S)
    assert pick_link.search(get(client, url))[1] == f"?cpage=1#comment-{threads[0].pk}"
    newest = get(client, f"{url}?csort=newest&cpage=2")
    assert pick_link.search(newest)[1] == f"?cpage=3&amp;csort=newest#comment-{threads[0].pk}"
    linked = get(client, f"{url}?cpage=3&csort=newest")
    assert f'id="comment-{threads[0].pk}"' in linked


def test_permalinks_name_the_oldest_order_when_it_is_not_the_default(
    client, article, threads, settings
):
    """Comment.get_absolute_url (feeds, the admin) counts its page oldest first."""
    settings.COMMENTS_PER_PAGE = 2
    reply = Comment.objects.get(body_raw="Reply 4.1")
    assert reply.get_absolute_url() == f"{article.get_absolute_url()}?cpage=3#comment-{reply.pk}"
    settings.COMMENTS_THREAD_ORDER = "newest"
    link = reply.get_absolute_url()
    assert link == f"{article.get_absolute_url()}?csort=oldest&cpage=3#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in get(client, link.split("#")[0])


@pytest.mark.parametrize("order", ["oldest", "newest", "best"])
@pytest.mark.parametrize("count", [5, 200])
def test_sorting_costs_no_query(client, settings, django_assert_max_num_queries, order, count):
    """Guards a query per comment (a count of recommendations): the order is made from the
    rows the thread reads anyway, as many queries as oldest first (tests/thread/test_queries.py)."""
    settings.COMMENTS_PER_PAGE = 10_000
    article = make_article()
    make_threads(article, count)
    with django_assert_max_num_queries(4):
        response = client.get(f"{article.get_absolute_url()}?csort={order}")
    assert response.content.decode().count('class="comment ') == count


def test_the_cached_thread_keeps_each_order_apart(article, threads):
    discussion = discussion_of(article)
    pages = {
        order: thread.cached_page(discussion, page=1, can_reply=True, order=order)["html"]
        for order in ("oldest", "newest", "best")
    }
    for order, html in pages.items():
        assert bodies(html.decode()) == expected(order)
        again = thread.cached_page(discussion, page=1, can_reply=True, order=order)["html"]
        assert again == html


def test_the_api_data_takes_an_order_and_its_links_name_it(article, threads, settings):
    settings.COMMENTS_PER_PAGE = 2
    discussion = discussion_of(article)
    generation = thread.page_state(discussion).generation
    url = article.get_absolute_url()
    for order in ("oldest", "newest", "best"):
        data = thread.thread_data(discussion, page=1, generation=generation, order=order)
        text = data["comments"].decode()
        firsts = [int(n) for n in re.findall(r'"body_html":"<p>Thread (\d)</p>"', text)]
        assert firsts == ORDERED[order][:2]
        links = set(re.findall(r'"url":"([^"#]*)#', text))
        assert links == {url if order == "oldest" else f"{url}?csort={order}"}
        # Stored per order: asked again, the same bytes from the cache.
        again = thread.thread_data(discussion, page=1, generation=generation, order=order)
        assert again["comments"] == data["comments"]
    second = thread.thread_data(discussion, page=2, generation=generation, order="best")
    assert set(re.findall(r'"url":"([^"#]*)#', second["comments"].decode())) == {
        f"{url}?csort=best&cpage=2"
    }
    default = thread.thread_data(discussion, page=1, generation=generation)
    assert (
        default["comments"]
        == thread.thread_data(discussion, page=1, generation=generation, order="oldest")["comments"]
    )


# Whole pages (comments.public.pages): one stored page per order ------------------------------


def test_each_order_is_stored_whole_apart(article, threads):
    url = article.get_absolute_url()
    oldest = warm(article)
    newest = text_of(made(f"{url}?csort=newest"))  # not the oldest page
    assert bodies(newest) == expected("newest")
    assert bodies(text_of(whole(f"{url}?csort=newest"))) == expected("newest")
    best = warm(article, "?csort=best")
    assert bodies(best) == expected("best")
    assert bodies(oldest) == expected("oldest")
    assert len(stored_entries()) == 3
    # The default's own name shares the default's page.
    assert bodies(text_of(whole(f"{url}?csort=oldest"))) == expected("oldest")
    assert len(stored_entries()) == 3


def test_pages_of_an_order_are_stored_whole_in_either_parameter_order(article, threads, settings):
    settings.COMMENTS_PER_PAGE = 2
    url = article.get_absolute_url()
    second = warm(article, "?csort=newest&cpage=2")
    assert bodies(second) == expected("newest")[6:12]
    assert 'href="?csort=newest&amp;cpage=3#comments"' in second
    assert bodies(text_of(whole(f"{url}?cpage=2&csort=newest"))) == expected("newest")[6:12]
    assert bodies(text_of(made(f"{url}?cpage=2"))) == expected("oldest")[6:12]


@pytest.mark.parametrize(
    "query",
    [
        "?csort=bogus",
        "?csort=newest&csort=best",
        "?csort=newest&cpage=2&x=1",
        "?csort=NEWEST",
        "?csort=newest&",
        "?csort=newest&comment=1",
        "?cpage=0&csort=newest",
    ],
)
def test_any_other_query_with_an_order_goes_the_normal_way(article, threads, query):
    """Guards: only ?csort=X, ?cpage=N and both share a stored page; anything else is made by
    the view and never stored."""
    url = article.get_absolute_url() + query
    for _ in range(2):
        response, queries = read(url)
        assert response.status_code == 200 and queries > 1
    assert stored_entries() == set()


# The setting's check ------------------------------------------------------------------------


def test_the_setting_is_checked(settings):
    for value in ("oldest", "newest", "best"):
        settings.COMMENTS_THREAD_ORDER = value
        assert thread_order_is_known(None) == []
        assert thread_order() == value
    for value in ("Newest", "random", "", None, ["best"]):
        settings.COMMENTS_THREAD_ORDER = value
        [error] = thread_order_is_known(None)
        assert isinstance(error, Error) and error.id == "comments.E006"
        assert thread_order() == "oldest"
