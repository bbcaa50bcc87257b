"""comments.conf: every COMMENTS_* setting the app reads has a default of its own, so the app
runs in a project that sets none of them; the demo site reads each from the environment, and
docs/settings.md lists each."""

import re
from pathlib import Path

from django.urls import reverse

from comments import conf
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
SETTING = re.compile(r"\bCOMMENTS_[A-Z_]+\b")


def names_in(paths):
    return {name for path in paths for name in SETTING.findall(path.read_text())}


def app_sources():
    app = ROOT / "comments"
    return [
        p
        for p in app.rglob("*")
        if p.suffix in {".py", ".html", ".txt"} and "migrations" not in p.parts
    ]


def test_every_setting_the_app_reads_has_a_default():
    read = names_in(app_sources()) - {"COMMENTS_"}
    assert read, "the app reads its settings by name"
    assert read - set(conf.DEFAULTS) == set()


def test_the_demo_site_reads_every_setting_from_the_environment():
    source = (ROOT / "newsite" / "settings.py").read_text()
    not_from_environment = [
        name
        for name in conf.DEFAULTS
        if not re.search(rf'^{name} = .*(env_\w+|os\.environ\.get)\("{name}"', source, re.M)
    ]
    assert not_from_environment == []


def test_the_settings_page_lists_every_setting():
    page = (ROOT / "docs" / "settings.md").read_text()
    assert [name for name in conf.DEFAULTS if f"`{name}`" not in page] == []


def test_a_project_that_sets_none_of_them_gets_the_defaults(settings):
    for name in conf.DEFAULTS:
        delattr(settings, name)
    assert conf.settings.COMMENTS_PER_PAGE == 50
    assert conf.settings.COMMENTS_SITE_NAME == "The Meridian"
    assert conf.settings.COMMENTS_TRUSTED_PROXIES == ()


def test_a_project_value_wins_over_the_default(settings):
    settings.COMMENTS_PER_PAGE = 7
    assert conf.settings.COMMENTS_PER_PAGE == 7


def test_other_names_are_djangos_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "desk@example.com"
    assert conf.settings.DEFAULT_FROM_EMAIL == "desk@example.com"


def test_pages_and_posts_work_with_no_comments_setting_in_the_project(
    settings, client, article, comment_data
):
    """Guards: the app, installed in a project whose settings define no COMMENTS_* at all,
    shows an article's thread, takes a comment and lists it in the feed."""
    for name in conf.DEFAULTS:
        delattr(settings, name)
    approved = factories.make_comment(article, author_name="Known Reader")
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "Known Reader" in page.content.decode()
    posted = client.post(factories.post_url(article), comment_data)
    assert posted.status_code == 302
    feed = client.get(reverse("comments:feed")).content.decode()
    assert approved.author_name in feed
    assert "The Meridian: latest comments" in feed
