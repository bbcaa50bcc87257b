"""robots.txt: crawlers kept off what posts, reacts, subscribes or repeats a page, sent to
the sitemaps; the rules checked against where those URLs really are."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

EXPECTED = """\
User-agent: *
Disallow: /admin/
Disallow: /api/
Disallow: /comments/post/
Disallow: /comments/*/edit/
Disallow: /comments/*/recommend/
Disallow: /comments/*/report/
Disallow: /comments/recommended/
Disallow: /comments/notifications/
Disallow: /comments/discussion/?
Disallow: /language/
Disallow: /i18n/setlang/
Disallow: /*?replytocom=
Disallow: /*&replytocom=

Sitemap: http://testserver/sitemap.xml
Sitemap: http://testserver/news-sitemap.xml
"""


def rules(client):
    body = client.get("/robots.txt").content.decode()
    return [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("Disallow:")]


def blocked(address, patterns):
    """Whether a crawler reading `patterns` leaves `address` alone (Google's rules: a path
    prefix, * any characters, $ the end)."""
    for pattern in patterns:
        regex = re.escape(pattern).replace(r"\*", ".*")
        if regex.endswith(r"\$"):
            regex = regex[:-2] + "$"
        if re.match(regex, address):
            return True
    return False


def test_robots_txt_is_plain_text_with_the_rules_and_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == EXPECTED


def test_the_sitemaps_it_names_are_there(client):
    for line in client.get("/robots.txt").content.decode().splitlines():
        if line.startswith("Sitemap: "):
            path = line.removeprefix("Sitemap: http://testserver")
            assert client.get(path).status_code == 200, path


def test_each_rule_keeps_crawlers_off_what_it_names(client, article):
    """The rules are where the URLs are: posting, editing, recommending, reporting,
    subscribing, the admin, the API, the language switch and the reply links."""
    comment = make_comment(article)
    patterns = rules(client)
    comments = {"comment_id": comment.pk}
    off_limits = [
        reverse("admin:index"),
        reverse("admin:comments_comment_changelist"),
        reverse("comments_api:api-root"),
        "/api/v1/discussions/1/",
        reverse("comments:post", kwargs={"discussion_id": 7}),
        reverse("comments:edit", kwargs=comments),
        reverse("comments:recommend", kwargs=comments),
        reverse("comments:report", kwargs=comments),
        reverse("comments:report_sent", kwargs=comments),
        reverse("comments:recommended") + "?ids=1,2",
        reverse("comments:notify_request"),
        reverse("comments:notify_confirm", kwargs={"token": "abc"}),
        reverse("comments:notify_unsubscribe", kwargs={"token": "abc"}),
        reverse("comments:discussion_by_url") + "?url=https%3A%2F%2Fexample.org%2F",
        reverse("language") + "?next=/",
        reverse("set_language"),
        f"{article.get_absolute_url()}?replytocom={comment.pk}",
        f"{article.get_absolute_url()}?cpage=2&replytocom={comment.pk}",
    ]
    for address in off_limits:
        assert blocked(address, patterns), address


def test_pages_feeds_and_discussions_stay_crawlable(client, article):
    patterns = rules(client)
    other = make_article()
    crawlable = [
        "/",
        "/?page=2",
        article.get_absolute_url(),
        f"{article.get_absolute_url()}?cpage=2",
        f"{other.get_absolute_url()}?csort=newest",
        reverse("articles:feed"),
        reverse("comments:feed"),
        reverse("comments:discussion_feed", kwargs={"discussion_id": 1}),
        reverse("comments:discussion", kwargs={"discussion_id": 1}),
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/static/articles/favicon.svg",
    ]
    for address in crawlable:
        assert not blocked(address, patterns), address
