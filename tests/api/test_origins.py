"""Which other sites' pages may read the API from a browser (comments.api.origins): a listed
origin (COMMENTS_EMBED_ORIGINS) gets CORS headers on every reads answer and its preflight,
any other none; the JSON itself is the same for everyone (public reads), and no credentials
are ever used."""

import pytest
from django.test import Client

from tests.factories import discussion_of, make_comment

pytestmark = pytest.mark.django_db

LISTED = "https://news.example"
API = "/api/v1"


@pytest.fixture(autouse=True)
def listed(settings):
    settings.COMMENTS_EMBED_ORIGINS = [LISTED, "https://other.example"]


@pytest.fixture
def paths(article):
    """One path of each reads endpoint, and one of a refusal."""
    make_comment(article)
    pk = discussion_of(article).pk
    return [
        f"{API}/discussions/{pk}",
        f"{API}/discussions?url={LISTED}/story",
        f"{API}/discussions?object=articles.article:{article.pk}",
        f"{API}/counts?discussion={pk}",
        f"{API}/discussions/{pk}?page=x",  # a 400: the embed may read why
    ]


def get(path, origin=None, **headers):
    if origin:
        headers["Origin"] = origin
    return Client().get(path, headers=headers)


def test_a_listed_origin_may_read_every_answer(paths):
    for path in paths:
        response = get(path, LISTED)
        assert response["Access-Control-Allow-Origin"] == LISTED, path
        assert "GET" in response["Access-Control-Allow-Methods"]
        assert "X-Poster-Key" in response["Access-Control-Allow-Headers"]
        assert "If-None-Match" in response["Access-Control-Allow-Headers"]
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "Origin" in response["Vary"]
        assert "Access-Control-Allow-Credentials" not in response


def test_the_origin_is_matched_as_browsers_send_it(paths):
    response = get(paths[0], "HTTPS://NEWS.EXAMPLE")
    assert response["Access-Control-Allow-Origin"] == LISTED


@pytest.mark.parametrize(
    "origin",
    ["https://stranger.example", "http://news.example", "https://news.example.evil", "null"],
)
def test_an_unlisted_origin_gets_the_json_but_no_cors_headers(paths, origin):
    for path in paths:
        response = get(path, origin)
        assert "Access-Control-Allow-Origin" not in response, path
        assert "Origin" in response["Vary"]
        assert response["Content-Type"] == "application/json"
        assert response.content == get(path).content


def test_the_sites_own_pages_need_no_cors_headers(paths):
    response = get(paths[0], "http://testserver")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("path", ["/discussions/1", "/discussions", "/counts"])
def test_a_preflight_from_a_listed_origin_is_allowed(path):
    response = Client().options(
        API + path,
        headers={
            "Origin": LISTED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-poster-key, if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == LISTED
    assert response["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert "X-Poster-Key" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize("path", ["/discussions/1", "/discussions", "/counts"])
def test_a_preflight_from_an_unlisted_origin_gets_no_cors_headers(path):
    response = Client().options(
        API + path,
        headers={"Origin": "https://stranger.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert not [name for name in response.headers if name.startswith("Access-Control-")]


def test_a_304_keeps_the_cors_headers(paths):
    etag = get(paths[0], LISTED)["ETag"]
    response = get(paths[0], LISTED, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response["Access-Control-Allow-Origin"] == LISTED


def test_no_cookie_is_read_or_set(paths, client):
    """A browser's cookies for this site (a session that posted) change nothing."""
    client.cookies["sessionid"] = "not-a-session"
    client.cookies["csrftoken"] = "x" * 32
    for path in paths[:4]:
        with_cookies = client.get(path, headers={"Origin": LISTED})
        assert not with_cookies.cookies, path
        assert with_cookies.content == get(path, LISTED).content
