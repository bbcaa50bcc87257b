"""Discussion settings: the one-row admin page where editors change the policy live.

A value set on the page wins over the environment's COMMENTS_* setting; a blank one follows it.
Everything here goes through the real admin and the real comment form.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Block, Comment, DiscussionSettings, current_policy
from tests.factories import discussion_of, form_token, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in most tests: hash with MD5 (tests only), not 1M PBKDF2 rounds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHANGELIST = reverse("admin:comments_discussionsettings_changelist")
COMMENT_LIST = reverse("admin:comments_comment_changelist")
SETTINGS_FIELDS = {
    "hold_all",
    "flood_seconds",
    "max_links",
    "close_after_days",
    "hold_words",
    "disallowed_words",
}
SAVED_MESSAGE = "The discussion settings were saved; they apply from now."
AUTHOR = {"name": "Ada Reader", "email": "ada.reader@example.com"}


def change_url():
    return reverse("admin:comments_discussionsettings_change", args=[1])


def _post_value(value):
    """A value as the admin's form posts it (NullBooleanSelect: "true"/"false"/"unknown")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def save_settings(client, **changes):
    """Open the Discussion settings page like an editor (through the list, which makes the
    row), then post its form back with every field it shows, `changes` applied."""
    page = client.get(CHANGELIST, follow=True)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert set(form.fields) == SETTINGS_FIELDS  # a new field must be thought about here
    data = {}
    for name in form.fields:
        bound = form[name]
        data[name] = bound.field.widget.format_value(bound.value()) or ""
    for name, value in changes.items():
        assert name in SETTINGS_FIELDS, name
        data[name] = _post_value(value)
        if name == "hold_all" and value is None:
            data[name] = "unknown"
    response = client.post(page.request["PATH_INFO"], data | {"_save": "Save"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert response["Location"] == change_url()
    return response


def post_comment(article, *, client=None, comment="A fair point, well made.", **fields):
    """Post the reader's form; return (response, the newest comment or None)."""
    client = client or Client()
    extra = {key: fields.pop(key) for key in list(fields) if key.isupper()}
    data = AUTHOR | {"url": "", "comment": comment, "token": form_token(article)} | fields
    response = client.post(post_url(article), data, **extra)
    return response, Comment.objects.order_by("pk").last()


@pytest.fixture
def known_author(article):
    """Ada has an approved comment (on another article): the policy trusts her by default."""
    return make_comment(make_article(), author_name=AUTHOR["name"], author_email=AUTHOR["email"])


@pytest.fixture
def outsider(db):
    """Staff (may open the admin) but in no group and with no permission."""
    user = User.objects.create_user("outsider", password="not-used-here", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


# --- the page itself ------------------------------------------------------------------------


def test_the_list_redirects_to_the_one_row_and_makes_it_once(editor_client):
    """Guards: editors never see a list of settings rows; the first visit creates row 1,
    later visits reuse it."""
    assert not DiscussionSettings.objects.exists()
    response = editor_client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"] == change_url()
    assert list(DiscussionSettings.objects.values_list("pk", flat=True)) == [1]
    assert editor_client.get(CHANGELIST)["Location"] == change_url()
    assert DiscussionSettings.objects.count() == 1
    page = editor_client.get(change_url())
    assert page.status_code == 200
    assert 'name="disallowed_words"' in page.content.decode()


def test_saving_any_instance_keeps_the_single_row():
    """Guards: the model's save() always writes pk 1, so a second row can't appear."""
    DiscussionSettings(max_links=3).save()
    stray = DiscussionSettings(pk=5, max_links=4)
    stray.save()
    assert stray.pk == 1
    assert list(DiscussionSettings.objects.values_list("pk", "max_links")) == [(1, 4)]
    assert DiscussionSettings.load().policy().max_links == 4


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_the_row_can_be_neither_added_nor_deleted(client, editor, who):
    """Guards: there is no add or delete, not even for a superuser, so the row can't be
    duplicated or lost from the admin."""
    user = editor if who == "editor" else User.objects.create_superuser("boss", password="x-pw")
    client.force_login(user)
    page = client.get(CHANGELIST, follow=True).content.decode()
    assert "deletelink" not in page
    assert "_addanother" not in page
    assert "_saveasnew" not in page
    assert client.get(reverse("admin:comments_discussionsettings_add")).status_code == 403
    delete_url = reverse("admin:comments_discussionsettings_delete", args=[1])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert DiscussionSettings.objects.filter(pk=1).exists()


def test_an_editor_changes_the_settings(editor_client, editor):
    """Guards: an Editor (staff, not a superuser) may save the page; the values are stored
    and the confirmation says they apply at once."""
    assert not editor.is_superuser
    save_settings(editor_client, hold_all=True, max_links=4, hold_words="bargain\nfree gift")
    row = DiscussionSettings.objects.get()
    assert (row.hold_all, row.max_links, row.flood_seconds) == (True, 4, None)
    assert row.hold_words == "bargain\nfree gift"
    page = editor_client.get(change_url())
    assert SAVED_MESSAGE in page.content.decode()
    assert current_policy().hold_words == ("bargain", "free gift")


def test_staff_outside_editors_can_neither_see_nor_change_them(outsider):
    """Guards: being staff is not enough; the page is for those with the permission."""
    DiscussionSettings(max_links=2).save()
    assert outsider.get(change_url()).status_code == 403
    assert outsider.get(CHANGELIST, follow=True).status_code == 403
    response = outsider.post(change_url(), {"hold_all": "true", "max_links": "0", "_save": "Save"})
    assert response.status_code == 403
    row = DiscussionSettings.objects.get()
    assert (row.hold_all, row.max_links) == (None, 2)


def test_staff_outside_editors_opening_the_list_does_not_create_the_row(outsider):
    """Guards: the list view only creates the row for someone allowed to change it."""
    outsider.get(CHANGELIST)
    assert not DiscussionSettings.objects.exists()


# --- each switch against the environment -----------------------------------------------------


@pytest.mark.parametrize(
    ("on_page", "environment", "status", "rule"),
    [
        (True, False, "pending", "hold all"),
        (False, True, "approved", "known author"),
        (None, True, "pending", "hold all"),
        (None, False, "approved", "known author"),
    ],
    ids=["yes-beats-env-off", "no-beats-env-on", "blank-follows-on", "blank-follows-off"],
)
def test_hold_all(
    editor_client, settings, article, known_author, on_page, environment, status, rule
):
    """Guards: "hold every new comment" set in the admin wins over COMMENTS_HOLD_ALL, both
    ways, and "Unknown" follows it; a known author's comment shows which won."""
    settings.COMMENTS_HOLD_ALL = environment
    save_settings(editor_client, hold_all=on_page)
    response, comment = post_comment(article)
    assert response.status_code == 302
    assert (comment.status, comment.events.get().rule) == (status, rule)


ONE_LINK = 'See <a href="https://example.org/report">the report</a>.'
THREE_LINKS = "Sources: https://a.example/1 https://b.example/2 https://c.example/3"


@pytest.mark.parametrize(
    ("on_page", "environment", "text", "status", "rule"),
    [
        (0, 2, ONE_LINK, "pending", "links"),
        (5, 0, THREE_LINKS, "approved", "known author"),
        (None, 0, ONE_LINK, "pending", "links"),
        (None, 5, THREE_LINKS, "approved", "known author"),
    ],
    ids=["page-0-beats-env-2", "page-5-beats-env-0", "blank-follows-0", "blank-follows-5"],
)
def test_max_links(
    editor_client, settings, article, known_author, on_page, environment, text, status, rule
):
    """Guards: the page's link limit wins over COMMENTS_MAX_LINKS (0 is a value, not
    "blank"), and a blank one follows it."""
    settings.COMMENTS_MAX_LINKS = environment
    save_settings(editor_client, max_links=on_page)
    _, comment = post_comment(article, comment=text)
    event = comment.events.get()
    assert (comment.status, event.rule) == (status, rule)
    if rule == "links":
        assert "more than 0" in event.reason


@pytest.mark.parametrize(
    ("on_page", "environment", "closed"),
    [(1, 0, True), (0, 1, False), (10, 1, False), (None, 1, True), (None, 0, False)],
    ids=["page-1-beats-env-never", "page-0-means-never", "page-10", "blank-1", "blank-0"],
)
def test_close_after_days(editor_client, settings, on_page, environment, closed):
    """Guards: "close comments after N days" on the page wins over COMMENTS_CLOSE_AFTER_DAYS
    (0 on the page re-opens what the environment would close); the article page and the
    post URL both obey it."""
    article = make_article(published_at=timezone.now() - timedelta(days=3))
    settings.COMMENTS_CLOSE_AFTER_DAYS = environment
    save_settings(editor_client, close_after_days=on_page)
    reader = Client()
    page = reader.get(article.get_absolute_url()).content.decode()
    response, comment = post_comment(article, client=reader)
    if closed:
        assert "Comments are closed." in page
        assert 'id="commentform"' not in page
        assert response.status_code == 403
        assert comment is None
    else:
        assert "Comments are closed." not in page
        assert 'id="commentform"' in page
        assert response.status_code == 302
        assert comment.discussion == discussion_of(article)


@pytest.mark.parametrize(
    ("on_page", "environment", "second_refused"),
    [(60, 0, True), (0, 60, False), (None, 60, True), (None, 0, False)],
    ids=["page-60-beats-env-off", "page-0-beats-env-60", "blank-60", "blank-0"],
)
def test_flood_seconds(editor_client, settings, article, on_page, environment, second_refused):
    """Guards: the page's flood interval wins over COMMENTS_FLOOD_SECONDS (0 turns it off),
    and a blank one follows it: a second comment from the same address at once is refused
    (429) only when flood control is on."""
    settings.COMMENTS_FLOOD_SECONDS = environment
    save_settings(editor_client, flood_seconds=on_page)
    reader = Client()
    first, _ = post_comment(article, client=reader, comment="First thought.")
    second, _ = post_comment(
        article, client=reader, comment="Second thought.", email="other@example.com"
    )
    assert first.status_code == 302
    if second_refused:
        assert second.status_code == 429
        assert "You are posting comments too quickly" in second.content.decode()
        assert Comment.objects.count() == 1
    else:
        assert second.status_code == 302
        assert Comment.objects.count() == 2


def test_the_help_texts_show_the_environments_values(editor_client, settings):
    """Guards: beside each switch an editor sees what a blank value would mean here."""
    settings.COMMENTS_HOLD_ALL = True
    settings.COMMENTS_FLOOD_SECONDS = 15
    settings.COMMENTS_MAX_LINKS = 7
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    page = editor_client.get(CHANGELIST, follow=True).content.decode()
    for text in (
        "The environment (COMMENTS_HOLD_ALL) says <strong>on</strong>.",
        "The environment (COMMENTS_FLOOD_SECONDS) says <strong>15</strong>.",
        "The environment (COMMENTS_MAX_LINKS) says <strong>7</strong>.",
        "The environment (COMMENTS_CLOSE_AFTER_DAYS) says <strong>30</strong>.",
    ):
        assert text in page, text
    settings.COMMENTS_HOLD_ALL = False
    settings.COMMENTS_MAX_LINKS = 0
    page = editor_client.get(change_url()).content.decode()
    assert "The environment (COMMENTS_HOLD_ALL) says <strong>off</strong>." in page
    assert "The environment (COMMENTS_MAX_LINKS) says <strong>0</strong>." in page


def test_blank_values_follow_a_change_of_environment(editor_client, settings):
    """Guards: a blank value is not frozen at save time; it reads the environment on use."""
    save_settings(editor_client)
    settings.COMMENTS_MAX_LINKS = 9
    settings.COMMENTS_HOLD_ALL = True
    policy = current_policy()
    assert (policy.max_links, policy.hold_all) == (9, True)


# --- the comment list's rule filter ----------------------------------------------------------


def test_the_rule_filter_lists_the_new_rules_and_filters_by_them(editor_client, editor, article):
    """Guards: editors can check the new rules' work: the filter offers "blocked",
    "disallowed words" and "hold words", filters by the latest decision's rule, and the list
    shows each comment's rule and reason."""
    save_settings(editor_client, hold_words="bargain", disallowed_words="casino")
    Block.objects.create(email="mallory@example.com")
    _, blocked = post_comment(article, name="Mallory", email="mallory@example.com")
    _, disallowed = post_comment(article, comment="Try the casino.", email="c@example.com")
    _, held = post_comment(article, comment="What a bargain.", email="h@example.com")
    assert (blocked.status, disallowed.status, held.status) == ("spam", "spam", "pending")

    page = editor_client.get(COMMENT_LIST, {"status": "all"})
    html = page.content.decode()
    rule_filter = next(f for f in page.context["cl"].filter_specs if f.parameter_name == "rule")
    offered = {value for value, _ in rule_filter.lookup_choices}
    assert {"blocked", "disallowed words", "hold words"} <= offered
    assert 'title="the email is blocked">blocked</span>' in html
    assert 'title="“casino” in the text">disallowed words</span>' in html
    assert 'title="“bargain” in the text">hold words</span>' in html

    for rule, expected in [
        ("blocked", blocked),
        ("disallowed words", disallowed),
        ("hold words", held),
    ]:
        filtered = editor_client.get(COMMENT_LIST, {"rule": rule, "status": "all"})
        assert filtered.status_code == 200
        assert [c.pk for c in filtered.context["cl"].result_list] == [expected.pk], rule

    # Filtered by the latest decision: once an editor approves it, it is no longer "blocked".
    moderation.approve([blocked], by=editor)
    filtered = editor_client.get(COMMENT_LIST, {"rule": "blocked", "status": "all"})
    assert list(filtered.context["cl"].result_list) == []


def test_a_staff_member_without_comment_permissions_cannot_open_the_comment_list(outsider):
    """Guards: the filter's list of rules (and the comments) stay behind the permission."""
    assert outsider.get(COMMENT_LIST, {"rule": "blocked", "status": "all"}).status_code == 403


@pytest.fixture
def viewer(db, client):
    """Staff holding only "view discussion settings" (Django's read-only admin access)."""
    user = User.objects.create_user("viewer", password="not-used-here", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_discussionsettings"))
    DiscussionSettings(max_links=3).save()
    client.force_login(user)
    return client


def test_view_only_permission_sees_the_page_read_only(viewer):
    """Guards: the page honours Django's view permission: shown read-only, not a 500."""
    page = viewer.get(change_url())
    assert page.status_code == 200
    assert 'name="max_links"' not in page.content.decode()  # shown, not editable


def test_view_only_permission_cannot_save(viewer):
    """Guards: without the change permission a posted form is refused and nothing changes."""
    response = viewer.post(change_url(), {"max_links": "0", "_save": "Save"})
    assert response.status_code == 403
    assert DiscussionSettings.objects.get().max_links == 3
