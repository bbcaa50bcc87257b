"""Recommending a comment (comments.public.reactions, the thread's links in
comments.thread.render): the Recommend link on each published comment with its count, its
page and button without JavaScript, the JSON answers comments.js reads, one recommendation
per browser, undone, never of one's own comment, the count in the cached thread (and the
whole page) once it changes, and the thread's query count, which the counts must not grow."""

import html
import json
import re
from functools import partial

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import moderation
from comments.models import Comment, Recommendation
from comments.public.session import POSTER_KEY_SESSION_KEY
from comments.thread.render import comment_urls
from tests import factories

pytestmark = pytest.mark.django_db

Status = Comment.Status
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
OWN = "You can't recommend your own comment."
OWN_HTML = html.escape(OWN)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the write path's listeners (the thread cache's) on leaving
    the block, as a real commit would."""
    return partial(django_capture_on_commit_callbacks, execute=True)


def recommend_url(comment):
    return reverse("comments:recommend", kwargs={"comment_id": comment.pk})


def count_of(comment):
    return Comment.objects.values_list("recommendation_count", flat=True).get(pk=comment.pk)


def recommend_link(page, comment):
    """The Recommend link of `comment` in the page's thread, or None."""
    found = re.search(
        rf'<a rel="nofollow" class="comment-recommend-link" href="/comments/{comment.pk}/'
        r'recommend/"[^>]*>.*?</a>',
        page,
    )
    return found and found.group()


def own_browser(client, comment):
    """`client` becomes the browser that posted `comment` (its session holds the key)."""
    session = client.session
    session[POSTER_KEY_SESSION_KEY] = comment.poster_key
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.fixture
def comment(article):
    return factories.make_comment(article, author_name="Ann", poster_key="a" * 32)


# --- The thread's link ------------------------------------------------------------------------


def test_each_published_comment_has_recommend_and_report_links(client, article, comment):
    page = client.get(article.get_absolute_url()).text
    link = recommend_link(page, comment)
    assert link == (
        f'<a rel="nofollow" class="comment-recommend-link" href="/comments/{comment.pk}/'
        'recommend/" aria-label="Recommend this comment by Ann, 0 recommendations">Recommend'
        '<span class="comment-recommend-count"></span></a>'
    )
    assert (
        f'<a rel="nofollow" class="comment-report-link" href="/comments/{comment.pk}/report/" '
        'aria-label="Report this comment by Ann to the editors">Report</a>'
    ) in page
    # Beside Reply, in the comment's actions; no token of any kind in the thread.
    actions = re.search(rf'id="comment-{comment.pk}".*?<p class="reply[^>]*>(.*?)</p>', page, re.S)
    assert actions[1].index("comment-reply-link") < actions[1].index("comment-recommend-link")
    assert "csrfmiddlewaretoken" not in actions[1]


def test_the_links_are_the_views_addresses():
    urls = comment_urls()
    assert urls.edit.format(7) == reverse("comments:edit", kwargs={"comment_id": 7})
    assert urls.recommend.format(7) == reverse("comments:recommend", kwargs={"comment_id": 7})
    assert urls.report.format(7) == reverse("comments:report", kwargs={"comment_id": 7})


def test_the_count_shows_and_the_label_says_it(client, article, comment):
    for n in range(1, 4):
        moderation.recommend(comment, f"{n:032x}")
    page = client.get(article.get_absolute_url()).text
    link = recommend_link(page, comment)
    assert 'aria-label="Recommend this comment by Ann, 3 recommendations"' in link
    assert '<span class="comment-recommend-count"> (3)</span>' in link


def test_closed_discussions_keep_recommend_and_report_but_not_reply(client):
    article = factories.make_article(comments_open=False)
    comment = factories.make_comment(article)
    page = client.get(article.get_absolute_url()).text
    assert recommend_link(page, comment)
    assert f"/comments/{comment.pk}/report/" in page
    assert "comment-reply-link" not in page


def test_removed_placeholders_and_pending_comments_get_neither(client, article, committed, editor):
    removed = factories.make_comment(article, status=Status.REMOVED)
    factories.make_comment(article, parent=removed)  # keeps the placeholder shown
    poster = Client()
    with committed():
        response = poster.post(
            factories.post_url(article),
            {
                "name": "Pat",
                "email": "pat@example.com",
                "comment": "Mine, held for now.",
                "token": factories.form_token(article),
            },
        )
    assert response.status_code == 302
    mine = Comment.objects.get(author_name="Pat")
    assert mine.status == Status.PENDING  # a new author's first comment
    page = poster.get(article.get_absolute_url()).text
    assert "This comment was removed." in page
    assert f"/comments/{removed.pk}/recommend/" not in page
    assert f"/comments/{removed.pk}/report/" not in page
    assert f'id="comment-{mine.pk}"' in page  # shown to its poster, awaiting moderation
    assert f"/comments/{mine.pk}/recommend/" not in page
    assert f"/comments/{mine.pk}/report/" not in page
    # Published, and still theirs to edit: Reply and Edit, never Recommend or Report.
    with committed():
        moderation.approve([mine], by=editor)
    page = poster.get(article.get_absolute_url()).text
    assert f"/comments/{mine.pk}/edit/" in page
    assert f"/comments/{mine.pk}/recommend/" not in page
    assert f"/comments/{mine.pk}/report/" not in page
    # Everyone else sees both.
    page = Client().get(article.get_absolute_url()).text
    assert f"/comments/{mine.pk}/recommend/" in page
    assert f"/comments/{mine.pk}/report/" in page


def test_markup_in_a_name_is_escaped_in_the_links(client, article):
    comment = factories.make_comment(article, author_name='<img src=x onerror="alert(1)">Eve')
    page = client.get(article.get_absolute_url()).text
    link = recommend_link(page, comment)
    assert "<img" not in link
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Eve, 0 recommendations" in link
    recommend_page = client.get(recommend_url(comment)).text
    assert "<img src=x" not in recommend_page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Eve" in recommend_page


# --- The page, without JavaScript -----------------------------------------------------------


def test_the_page_shows_the_comment_and_one_button_and_makes_no_session(client, comment):
    response = client.get(recommend_url(comment))
    assert response.status_code == 200
    page = response.text
    assert "A thoughtful remark." in page and "<bdi>Ann</bdi>" in page
    assert page.count('type="submit"') == 1
    assert 'name="action" value="recommend"' in page
    assert "csrfmiddlewaretoken" in page
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_recommend_then_take_it_back(client, article, comment):
    response = client.post(recommend_url(comment), {"action": "recommend"})
    assert response.status_code == 302
    assert response["Location"] == comment.get_absolute_url()
    assert count_of(comment) == 1
    page = client.get(recommend_url(comment)).text
    assert "Take back my recommendation" in page
    assert 'name="action" value="withdraw"' in page
    # Once per browser: again (a double click, a reload) changes nothing.
    client.post(recommend_url(comment), {"action": "recommend"})
    assert count_of(comment) == 1
    assert Recommendation.objects.filter(comment=comment).count() == 1
    # Another browser counts.
    Client().post(recommend_url(comment), {"action": "recommend"})
    assert count_of(comment) == 2
    client.post(recommend_url(comment), {"action": "withdraw"})
    assert count_of(comment) == 1
    client.post(recommend_url(comment), {"action": "withdraw"})
    assert count_of(comment) == 1
    assert 'value="recommend"' in client.get(recommend_url(comment)).text


def test_a_recommendation_is_kept_with_the_browsers_key(client, comment):
    client.post(recommend_url(comment), {"action": "recommend"})
    key = client.session[POSTER_KEY_SESSION_KEY]
    assert Recommendation.objects.get(comment=comment).reader_key == key


def test_the_poster_cannot_recommend_their_own_comment(client, comment):
    own_browser(client, comment)
    response = client.get(recommend_url(comment))
    assert response.status_code == 200
    assert OWN_HTML in response.text
    assert 'type="submit"' not in response.text
    response = client.post(recommend_url(comment), {"action": "recommend"})
    assert response.status_code == 403
    assert OWN_HTML in response.text
    response = client.post(recommend_url(comment), {"action": "recommend"}, **FETCH)
    assert response.status_code == 403
    assert response.json() == {"error": OWN}
    assert count_of(comment) == 0


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM, Status.REMOVED])
def test_comments_readers_cannot_see_are_not_found(client, article, status):
    hidden = factories.make_comment(article, status=status)
    assert client.get(recommend_url(hidden)).status_code == 404
    assert client.post(recommend_url(hidden), {"action": "recommend"}).status_code == 404
    assert count_of(hidden) == 0


def test_unknown_comments_and_unpublished_articles_are_not_found(client):
    draft = factories.make_article(status="draft")
    hidden = factories.make_comment(draft)
    assert client.get(recommend_url(hidden)).status_code == 404
    assert client.post(recommend_url(hidden), {"action": "recommend"}).status_code == 404
    missing = reverse("comments:recommend", kwargs={"comment_id": 999_999})
    assert client.get(missing).status_code == 404
    assert not Recommendation.objects.exists()


def test_posts_need_the_csrf_token(comment):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(recommend_url(comment), {"action": "recommend"})
    assert response.status_code == 403
    assert count_of(comment) == 0
    page = browser.get(recommend_url(comment)).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = browser.post(
        recommend_url(comment), {"action": "recommend", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert count_of(comment) == 1


# --- With JavaScript: JSON --------------------------------------------------------------------


def test_the_json_answers(client, comment):
    response = client.post(recommend_url(comment), {"action": "recommend"}, **FETCH)
    assert response.status_code == 200
    assert response.json() == {"recommended": True, "count": 1}
    assert response.json() == json.loads(response.content)
    assert "no-store" in response["Cache-Control"]
    again = client.post(recommend_url(comment), {"action": "recommend"}, **FETCH)
    assert again.json() == {"recommended": True, "count": 1}
    back = client.post(recommend_url(comment), {"action": "withdraw"}, **FETCH)
    assert back.json() == {"recommended": False, "count": 0}


def recommended_url(*ids):
    return reverse("comments:recommended") + "?ids=" + ",".join(map(str, ids))


def test_which_comments_this_browser_recommends(client, article):
    comments = [factories.make_comment(article) for _ in range(4)]
    for chosen in comments[:2]:
        client.post(recommend_url(chosen), {"action": "recommend"})
    Client().post(recommend_url(comments[2]), {"action": "recommend"})  # someone else's
    response = client.get(recommended_url(*(c.pk for c in comments), "junk", -1, ""))
    assert response.status_code == 200
    assert response.json() == {"recommended": sorted(c.pk for c in comments[:2])}
    assert "private" in response["Cache-Control"]
    # Only what was asked about.
    assert client.get(recommended_url(comments[1].pk)).json() == {"recommended": [comments[1].pk]}


def test_asking_makes_no_session_and_costs_no_query_without_one(comment, django_assert_num_queries):
    browser = Client()
    with django_assert_num_queries(0):
        response = browser.get(recommended_url(comment.pk))
    assert response.json() == {"recommended": []}
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


def test_asking_with_a_session_is_one_query_beside_the_session(
    client, article, django_assert_max_num_queries
):
    comments = factories.make_comments(article, 200)
    client.post(recommend_url(comments[5]), {"action": "recommend"})
    with django_assert_max_num_queries(2):  # the session, then the recommendations
        response = client.get(recommended_url(*(c.pk for c in comments)))
    assert response.json() == {"recommended": [comments[5].pk]}


# --- The cached thread and the whole page ------------------------------------------------------


def test_the_count_shows_once_the_cached_thread_is_forgotten(client, article, comment, committed):
    """The recommendation is told to the write path's listeners (action "recommend"): the
    thread's cached pages and the stored whole page are forgotten, and every reader's next
    page shows the count."""
    url = article.get_absolute_url()
    reader = Client()
    assert "(1)" not in recommend_link(reader.get(url).text, comment)  # stored
    assert "(1)" not in recommend_link(Client().get(url).text, comment)  # served whole
    with committed():
        client.post(recommend_url(comment), {"action": "recommend"})
    for browser in (reader, Client(), client):
        link = recommend_link(browser.get(url).text, comment)
        assert '<span class="comment-recommend-count"> (1)</span>' in link
        assert '1 recommendation"' in link
    with committed():
        client.post(recommend_url(comment), {"action": "withdraw"})
    assert "(1)" not in recommend_link(Client().get(url).text, comment)


def test_a_reader_who_recommended_is_still_served_the_shared_page(client, article, comment):
    """Recommending gives the browser a session, but nothing on the page is theirs: they
    still get the page every reader shares (no Edit link, nothing rendered for them)."""
    url = article.get_absolute_url()
    Client().get(url)  # stored
    client.post(recommend_url(comment), {"action": "recommend"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= 2  # the session, and the stored page's check: no thread query
    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("count", [5, 200])
def test_the_article_page_queries_do_not_grow_with_recommended_comments(
    client, count, settings, django_assert_max_num_queries
):
    """Guards the N+1 of counting each comment's recommendations (or asking whether this
    reader recommends it) on the article page: the count is a column of the thread's one
    query, and what this browser recommends is asked for by comments.js, not by the page.
    One query for the article, one for its Discussion, one for the settings, one for the
    thread."""
    settings.COMMENTS_PER_PAGE = 10_000
    article = factories.make_article()
    comments = factories.make_comments(article, count)
    for n, chosen in enumerate(comments[:5]):
        moderation.recommend(chosen, f"{n:032x}")
    with django_assert_max_num_queries(4):
        response = client.get(article.get_absolute_url())
    page = response.text
    assert page.count('class="comment-recommend-link"') == count
    assert page.count('<span class="comment-recommend-count"> (1)</span>') == 5


@pytest.mark.parametrize("count", [5, 200])
def test_a_recommenders_page_queries_do_not_grow_either(
    client, count, settings, django_assert_max_num_queries
):
    """With the session recommending made, the page adds only the session read."""
    settings.COMMENTS_PER_PAGE = 10_000
    article = factories.make_article()
    comments = factories.make_comments(article, count)
    client.post(recommend_url(comments[0]), {"action": "recommend"})
    with django_assert_max_num_queries(5):
        response = client.get(article.get_absolute_url())
    assert response.text.count('class="comment-recommend-link"') == count
