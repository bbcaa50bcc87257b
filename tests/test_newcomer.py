"""What a developer meets first: `make run`, debug pages, the favicon, `make editor`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.http import HttpResponseNotFound, HttpResponseServerError
from django.test import Client
from django.urls import include, path

from .factories import make_article, make_editor

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "tangerine accordion lighthouse"


def raises_runtime_error(request):
    raise RuntimeError("Deliberate failure for the technical 500 page")


def own_404(request):
    return HttpResponseNotFound("<p>Our own not-found page.</p>")


def own_500(request):
    return HttpResponseServerError("<p>Our own error page.</p>")


# The site's URLs plus a few views that fail, for the tests marked with this module.
urlpatterns = [
    path("test/boom/", raises_runtime_error),
    path("test/own-404/", own_404),
    path("test/own-500/", own_500),
    path("", include("newsite.urls")),
]


def policy(response):
    return response.headers.get("Content-Security-Policy")


# Django's debug pages under DEBUG=1 -------------------------------------------------------


@pytest.mark.django_db
def test_debug_404_page_is_left_out_of_the_policy_so_its_styles_apply(settings, client):
    settings.DEBUG = True
    article = make_article()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Using the URLconf defined in" in response.content.decode()  # The technical page.
    assert policy(response) is None
    # Http404 raised by a view (an unknown article) gets the technical page too.
    response = client.get(article.get_absolute_url().replace(article.slug, "no-such-article"))
    assert response.status_code == 404
    assert policy(response) is None
    # Readers' pages keep the policy in DEBUG.
    assert "default-src 'none'" in policy(client.get("/"))
    assert "default-src 'none'" in policy(client.get(article.get_absolute_url()))


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_debug_500_page_is_left_out_of_the_policy(settings):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get("/test/boom/")
    assert response.status_code == 500
    assert "Deliberate failure for the technical 500 page" in response.content.decode()
    assert policy(response) is None


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/test/own-404/", "/test/own-500/"])
def test_pages_a_view_returns_keep_the_policy_in_debug_whatever_their_status(settings, url):
    settings.DEBUG = True
    assert "default-src 'none'" in policy(Client().get(url))


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_error_pages_keep_the_policy_with_debug_off(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    for url in ("/no-such-page/", "/test/boom/"):
        assert "default-src 'none'" in policy(client.get(url)), url


# The favicon --------------------------------------------------------------------------------


def test_favicon_is_an_svg_static_file():
    found = finders.find("articles/favicon.svg")
    assert found, "articles/static/articles/favicon.svg is missing"
    assert Path(found).read_text().lstrip().startswith("<svg")


@pytest.mark.django_db
def test_pages_link_the_favicon_and_the_policy_lets_it_load(client):
    article = make_article()
    for url in ("/", article.get_absolute_url()):
        response = client.get(url)
        link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', response.text)
        assert link, url
        assert link[1] == "/static/articles/favicon.svg"
        # Same-origin, so the policy's img-src 'self' (which governs favicons) allows it.
        img_src = next(d for d in policy(response).split(";") if d.strip().startswith("img-src"))
        assert "'self'" in img_src.split()


@pytest.mark.django_db
def test_favicon_ico_redirects_permanently_to_the_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/articles/favicon.svg"


@pytest.mark.django_db
def test_favicon_is_served_under_runserver(settings):
    """With DEBUG on (make run), WhiteNoise serves it from the app's static folder."""
    settings.DEBUG = True
    response = Client().get("/static/articles/favicon.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


# make run and make editor -----------------------------------------------------------------


def make_dry_run(target):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    return subprocess.run(
        [make, "--dry-run", target, "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


def test_make_run_says_where_the_site_is_and_how_to_make_an_editor_before_serving():
    lines = make_dry_run("run")
    serve = next(i for i, line in enumerate(lines) if "manage.py runserver" in line)
    before = "\n".join(lines[:serve])
    assert "http://127.0.0.1:8123/" in before
    assert "make editor" in before


def test_make_editor_runs_create_editor_with_debug_on():
    lines = make_dry_run("editor")
    assert any("DEBUG=1" in line and "manage.py create_editor" in line for line in lines)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^editor: install\b", makefile, re.MULTILINE)


# manage.py create_editor --------------------------------------------------------------------


def is_editor(user):
    return user.is_staff and user.groups.filter(name="Editors").exists()


@pytest.mark.django_db
def test_create_editor_with_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEW_EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", username="ada", password_from_env="NEW_EDITOR_PASSWORD")
    user = User.objects.get(username="ada")
    assert is_editor(user)
    assert not user.is_superuser
    assert user.check_password(PASSWORD)
    assert Client().login(username="ada", password=PASSWORD)


@pytest.mark.django_db
def test_create_editor_refuses_a_password_the_validators_refuse(monkeypatch):
    monkeypatch.setenv("NEW_EDITOR_PASSWORD", "12345678")
    with pytest.raises(CommandError, match=r"too common|entirely numeric"):
        call_command("create_editor", username="ada", password_from_env="NEW_EDITOR_PASSWORD")
    assert not User.objects.filter(username="ada").exists()


@pytest.mark.django_db
def test_create_editor_refuses_a_missing_password_variable(monkeypatch):
    monkeypatch.delenv("NEW_EDITOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="NEW_EDITOR_PASSWORD"):
        call_command("create_editor", username="ada", password_from_env="NEW_EDITOR_PASSWORD")
    assert not User.objects.filter(username="ada").exists()


@pytest.mark.django_db
def test_create_editor_asks_again_until_the_passwords_match_and_pass(monkeypatch, capsys):
    answers = iter(["ada"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    passwords = iter(
        [PASSWORD, PASSWORD + "x", "password", "password", PASSWORD, PASSWORD]  # typo, weak, ok
    )
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(passwords))
    call_command("create_editor")
    assert next(passwords, None) is None  # All three attempts were asked for.
    errors = capsys.readouterr().err
    assert "didn't match" in errors
    assert "too common" in errors
    user = User.objects.get(username="ada")
    assert is_editor(user) and user.check_password(PASSWORD)


@pytest.mark.django_db
def test_create_editor_promotes_an_existing_user_without_touching_the_password(monkeypatch):
    User.objects.create_user(username="ada", password=PASSWORD)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked for a password"))
    call_command("create_editor", username="ada")
    user = User.objects.get(username="ada")
    assert is_editor(user) and user.check_password(PASSWORD)
    # Running it again for an editor changes nothing and doesn't fail.
    make_editor(username="bea")
    call_command("create_editor", username="bea")
    assert User.objects.get(username="bea").groups.filter(name="Editors").count() == 1


@pytest.mark.django_db
def test_create_editor_refuses_an_invalid_username():
    with pytest.raises(CommandError, match="username"):
        call_command("create_editor", username="no spaces allowed")
