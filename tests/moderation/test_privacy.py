"""A reader's email never leaves the server: crawl every public page for it, in every form."""

import hashlib
import re
from urllib.parse import quote, quote_plus, urljoin, urlparse

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import form_token, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db

EMAIL = "Secret.Reader+news@Example.org"


def disguises(email):
    """The email as text, URL-encoded, HTML-escaped, and hashed as avatar services do."""
    forms = set()
    for variant in (email, email.lower()):
        forms |= {variant, quote(variant), quote_plus(variant), quote(variant, safe="")}
        forms.add(variant.replace("@", "&#64;"))
        forms.add(variant.replace("@", "&#x40;"))
        for algorithm in ("md5", "sha1", "sha256"):
            forms.add(hashlib.new(algorithm, variant.strip().encode()).hexdigest())
    forms.add("secret.reader+news")  # the local part alone
    forms.add("secret.reader%2bnews")
    return forms


def crawl(client, start_urls):
    """Every same-site page reachable from start_urls, admin and static files excluded."""
    seen, queue, pages = set(), list(start_urls), {}
    while queue:
        url = queue.pop()
        path = urlparse(url)._replace(fragment="").geturl()
        if path in seen or path.startswith(("/admin/", "/static/")):
            continue
        seen.add(path)
        response = client.get(path)
        body = response.content.decode()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        pages[path] = (response.status_code, body + "\n" + headers)
        if response.get("Content-Type", "").startswith("text/html"):
            for href in re.findall(r'(?:href|src)="([^"]+)"', body):
                target = urljoin(path, href)
                if target.startswith("/") and not target.startswith("//"):
                    queue.append(target)
    return pages


@pytest.fixture
def site_with_a_private_email(client):
    article = make_article()
    make_comment(article, author_name="Secret Reader", author_email=EMAIL, body="Approved words")
    make_comment(make_article(), author_name="Secret Reader", author_email=EMAIL, status="pending")
    return article


def test_no_public_page_contains_the_email_in_any_form(site_with_a_private_email):
    pages = crawl(Client(), ["/"])
    # The front page, both articles, the reply form for the approved comment, its recommend
    # and report pages, the comment feeds (the site's and each article's), the articles'
    # feed, the scripts' catalog, and the language page from five of those pages.
    assert len(pages) == 16, sorted(pages)
    assert sum(url.startswith("/language/?next=") for url in pages) == 5
    forms = disguises(EMAIL)
    for url, (status, content) in pages.items():
        assert status == 200, url
        lowered = content.lower()
        for form in forms:
            assert form.lower() not in lowered, f"{form!r} found on {url}"
    article_page = pages[site_with_a_private_email.get_absolute_url()][1]
    assert "Approved words" in article_page


def test_posters_own_pages_after_posting_do_not_contain_the_email(client, article):
    response = client.post(
        post_url(article),
        {
            "name": "Secret Reader",
            "email": EMAIL,
            "comment": "My pending words",
            "token": form_token(article),
        },
        follow=True,
    )
    assert "My pending words" in response.content.decode()
    assert Comment.objects.get().is_pending
    pages = crawl(client, ["/", article.get_absolute_url()])
    forms = disguises(EMAIL)
    for url, (_, content) in pages.items():
        for form in forms:
            assert form.lower() not in content.lower(), f"{form!r} found on {url}"


def test_only_the_posters_reshown_form_contains_the_email(client, article):
    response = client.post(
        post_url(article),
        {"name": "Secret Reader", "email": EMAIL, "comment": ""},
    )
    assert f'value="{EMAIL}"' in response.content.decode()
    assert EMAIL not in Client().get(article.get_absolute_url()).content.decode()


def test_editors_see_the_email_in_the_admin(editor_client, site_with_a_private_email):
    assert EMAIL in editor_client.get("/admin/comments/comment/").content.decode()
