"""The word lists on the Discussion settings page: "hold for moderation" and "disallowed".

Editors type them in the real admin; readers post through the real comment form. A hold word
holds a comment (even a known author's); a disallowed word sends it to spam silently: its
poster sees the usual "awaiting moderation" note, nobody else sees it.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, DiscussionSettings, current_policy
from tests.factories import form_token, make_article, make_comment, post_url
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in most tests: hash with MD5 (tests only), not 1M PBKDF2 rounds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SETTINGS_PAGE = reverse("admin:comments_discussionsettings_changelist")
SETTINGS_FIELDS = {
    "hold_all",
    "flood_seconds",
    "max_links",
    "close_after_days",
    "hold_words",
    "disallowed_words",
}
AWAITING = "Your comment is awaiting moderation."
AUTHOR = {"name": "Ada Reader", "email": "ada.reader@example.com"}


def save_word_lists(client, **lists):
    """Open the Discussion settings page as an editor and post its form back, every field
    it shows included, with the word lists changed."""
    page = client.get(SETTINGS_PAGE, follow=True)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert set(form.fields) == SETTINGS_FIELDS
    data = {
        name: form[name].field.widget.format_value(form[name].value()) or "" for name in form.fields
    }
    assert set(lists) <= {"hold_words", "disallowed_words"}
    response = client.post(page.request["PATH_INFO"], data | lists | {"_save": "Save"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def post_comment(client, article, *, comment="A fair point, well made.", meta=None, **fields):
    """Post the reader's form from `client`; return (response, the newest comment)."""
    data = AUTHOR | {"url": "", "comment": comment, "token": form_token(article)} | fields
    url = post_url(article)
    response = client.post(url, data, **(meta or {}))
    return response, Comment.objects.order_by("pk").last()


def make_known(name=AUTHOR["name"], email=AUTHOR["email"]):
    """An approved comment (on another article) by this name and email: a known author."""
    return make_comment(make_article(), author_name=name, author_email=email)


def assert_spam_silently(reader, article, comment, word, where):
    """Spam by the disallowed-words rule, with the poster none the wiser."""
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    event = comment.events.get()
    assert (event.rule, event.to_status) == ("disallowed words", "spam")
    assert event.reason == f"“{word}” in the {where}"
    own_page = reader.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in own_page
    assert AWAITING in own_page
    assert "spam" not in visible_text(own_page).lower()
    other_page = Client().get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in other_page


@pytest.fixture
def reader():
    """A reader's browser, separate from the editor's."""
    return Client()


# --- what the editor types applies at the next post ------------------------------------------


def test_words_saved_in_the_admin_apply_to_the_very_next_post(editor_client, reader, article):
    """Guards: the lists are read on each post, not cached: a word added by an editor
    catches the next comment, and a word taken out stops catching at once."""
    make_known()
    _, before = post_comment(reader, article, comment="Casino night was fun.")
    assert (before.status, before.events.get().rule) == ("approved", "known author")

    save_word_lists(editor_client, hold_words="bargain", disallowed_words="casino")
    assert current_policy().disallowed_words == ("casino",)
    _, spam = post_comment(reader, article, comment="Another CASINO night, please.")
    assert_spam_silently(reader, article, spam, "casino", "text")
    _, held = post_comment(reader, article, comment="What a Bargain this was.")
    assert (held.status, held.events.get().rule) == ("pending", "hold words")

    save_word_lists(editor_client, hold_words="", disallowed_words="")
    _, after = post_comment(reader, article, comment="A casino and a bargain, again.")
    assert (after.status, after.events.get().rule) == ("approved", "known author")


# --- every field, either list -------------------------------------------------------------

FIELD_CASES = [
    # (id, the word as the editor types it, what the reader sends, field named in the reason)
    ("name", "Casino", {"name": "CASINO Carl"}, {}, "name"),
    ("email", "casino", {"email": "carl@Casino.example"}, {}, "email"),
    ("website", "casino", {"url": "https://www.casino.example/deals"}, {}, "website"),
    ("text", "CASINO", {"comment": "Meet me at the CaSiNo tonight."}, {}, "text"),
    ("text-inside-a-word", "casino", {"comment": "The Casinos are closed."}, {}, "text"),
    ("text-split-by-tags", "casino", {"comment": "Meet me at the c<b></b>asino."}, {}, "text"),
    ("text-as-entities", "casino", {"comment": "Meet me at the c&#97;sino."}, {}, "text"),
    ("ip", "203.0.113.66", {}, {"REMOTE_ADDR": "203.0.113.66"}, "IP address"),
    (
        "user-agent",
        "evilbot",
        {},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; EvilBot/2.1)"},
        "browser",
    ),
]


@pytest.mark.parametrize(
    ("word", "fields", "meta", "where"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_a_disallowed_word_in_any_field_is_spam_silently(
    editor_client, reader, article, word, fields, meta, where
):
    """Guards: a disallowed word is found ignoring case, inside words, in each field the
    help text promises (tags and entities can't split it), and sends even a known author's
    comment to spam while the poster sees the usual note."""
    data = AUTHOR | fields
    make_known(data["name"], data["email"])
    save_word_lists(editor_client, disallowed_words=word)
    response, comment = post_comment(reader, article, meta=meta, **fields)
    assert response.status_code == 302
    assert_spam_silently(reader, article, comment, word.casefold(), where)


@pytest.mark.parametrize(
    ("word", "fields", "meta", "where"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_a_hold_word_in_any_field_holds_even_a_known_author(
    editor_client, reader, article, word, fields, meta, where
):
    """Guards: a hold word is found like a disallowed one, and holds the comment of an
    author the policy would otherwise publish at once."""
    data = AUTHOR | fields
    make_known(data["name"], data["email"])
    save_word_lists(editor_client, hold_words=word)
    response, comment = post_comment(reader, article, meta=meta, **fields)
    assert response.status_code == 302
    event = comment.events.get()
    assert (comment.status, event.rule) == ("pending", "hold words")
    assert event.reason == f"“{word.casefold()}” in the {where}"
    assert AWAITING in reader.get(article.get_absolute_url()).content.decode()


def test_an_honest_comment_is_unaffected_by_the_lists(editor_client, reader, article):
    """Guards: with both lists set, a comment containing none of their words gets the
    usual decision: a known author is published, a new one waits as a new author."""
    save_word_lists(
        editor_client, hold_words="bargain\nfree gift", disallowed_words="casino\nviagra"
    )
    make_known()
    _, known = post_comment(reader, article, comment="The harbour accord looks fragile.")
    assert (known.status, known.events.get().rule) == ("approved", "known author")
    _, new = post_comment(
        Client(), article, name="Bea New", email="bea@example.com", comment="First time here."
    )
    assert (new.status, new.events.get().rule) == ("pending", "new author")
    assert (
        "The harbour accord looks fragile."
        in Client().get(article.get_absolute_url()).content.decode()
    )


def test_blank_lines_and_surrounding_spaces_are_ignored(editor_client, reader, article):
    """Guards: an empty line must not become an empty word (which every comment contains),
    and spaces around a word must not stop it matching; spaces inside a phrase are kept."""
    save_word_lists(
        editor_client,
        hold_words="\n   \n  free gift  \n\t\n",
        disallowed_words="\n\n   casino   \n \t \n\njunk mail\n\n",
    )
    policy = current_policy()
    assert policy.disallowed_words == ("casino", "junk mail")
    assert policy.hold_words == ("free gift",)
    make_known()
    _, honest = post_comment(reader, article, comment="Nothing to see: junk, mail, gifts.")
    assert (honest.status, honest.events.get().rule) == ("approved", "known author")
    _, spam = post_comment(reader, article, comment="CASINO-night!")
    assert_spam_silently(reader, article, spam, "casino", "text")
    _, phrase = post_comment(reader, article, comment="Sent as Junk Mail.")
    assert phrase.status == "spam"
    _, held = post_comment(reader, article, comment="A Free Gift for you.")
    assert (held.status, held.events.get().rule) == ("pending", "hold words")


def test_disallowed_beats_hold(editor_client, reader, article, settings):
    """Guards: the order of the rules: a disallowed word sends to spam even when a hold
    word (or "hold all") would only have held the comment."""
    save_word_lists(editor_client, hold_words="bargain", disallowed_words="casino")
    make_known()
    _, both = post_comment(reader, article, comment="A bargain at the casino.")
    assert_spam_silently(reader, article, both, "casino", "text")
    settings.COMMENTS_HOLD_ALL = True
    _, with_hold_all = post_comment(reader, article, comment="The casino, again.")
    assert (with_hold_all.status, with_hold_all.events.get().rule) == (
        "spam",
        "disallowed words",
    )
    _, only_hold = post_comment(reader, article, comment="Just a bargain.")
    assert (only_hold.status, only_hold.events.get().rule) == ("pending", "hold all")


def test_the_same_word_in_both_lists_is_spam(editor_client, reader, article):
    """Guards: a word an editor put in both lists is treated as disallowed."""
    save_word_lists(editor_client, hold_words="casino", disallowed_words="casino")
    _, comment = post_comment(reader, article, comment="Casino tips inside.")
    assert_spam_silently(reader, article, comment, "casino", "text")


# --- a poster's own edit ---------------------------------------------------------------------


def edit_own(client, comment, text):
    response = client.post(
        reverse("comments:edit", kwargs={"comment_id": comment.pk}), {"comment": text}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    return comment


def test_an_edit_adding_a_disallowed_word_sends_the_approved_comment_to_spam(
    editor_client, reader, article, django_capture_on_commit_callbacks
):
    """Guards: a trusted author can't slip a disallowed word in after publication: the
    edit re-runs the policy, the comment leaves the page for everyone but its poster, who
    still sees the usual note."""
    save_word_lists(editor_client, hold_words="bargain", disallowed_words="casino")
    make_known()
    _, comment = post_comment(reader, article, comment="A sober remark.")
    assert comment.status == "approved"
    assert "A sober remark." in Client().get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the cached thread is told
        comment = edit_own(reader, comment, "A sober remark. Also: visit my c<i></i>asino!")
    assert comment.status == Comment.Status.SPAM
    decision = comment.events.exclude(action="edit").first()
    assert (decision.action, decision.rule, decision.to_status) == (
        "submit",
        "disallowed words",
        "spam",
    )
    assert decision.reason == "the poster's edit added “casino” to the text"
    own_page = reader.get(article.get_absolute_url()).content.decode()
    assert AWAITING in own_page
    assert "A sober remark." not in Client().get(article.get_absolute_url()).content.decode()


def test_an_edit_adding_a_hold_word_holds_the_approved_comment(editor_client, reader, article):
    """Guards: the same for a hold word: back to the queue, the reason says why."""
    save_word_lists(editor_client, hold_words="bargain")
    make_known()
    _, comment = post_comment(reader, article, comment="A sober remark.")
    comment = edit_own(reader, comment, "A sober remark, and a BARGAIN.")
    assert comment.status == Comment.Status.PENDING
    assert comment.events.first().reason == ("the poster's edit added “bargain” to the text")


def test_an_edit_without_a_listed_word_stays_approved(editor_client, reader, article):
    """Guards: re-running the policy is not an excuse to hold every edit."""
    save_word_lists(editor_client, hold_words="bargain", disallowed_words="casino")
    make_known()
    _, comment = post_comment(reader, article, comment="A sober remark.")
    comment = edit_own(reader, comment, "A sober remark, with a typo fixed.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.edited_at is not None


# --- size ----------------------------------------------------------------------------------


def test_a_huge_list_and_a_huge_comment_still_decide_correctly(editor_client, reader, article):
    """Guards: 2,000 listed words against a 60,000-character comment decide correctly and
    in reasonable time (no 500, no timeout): an honest one is published, one with the last
    listed word at its very end is spam, one with a hold word in the middle is held."""
    disallowed = "\n".join(f"badword{i:04d}" for i in range(2000))
    hold = "\n".join(f"holdword{i:04d}" for i in range(2000))
    save_word_lists(editor_client, hold_words=hold, disallowed_words=disallowed)
    assert len(current_policy().disallowed_words) == 2000
    make_known()
    filler = "The harbour accord is complicated. " * 1715  # 60,025 characters
    assert len(filler) > 60_000

    started = time.monotonic()
    response, honest = post_comment(reader, article, comment=filler)
    assert response.status_code == 302
    assert (honest.status, honest.events.get().rule) == ("approved", "known author")

    response, spam = post_comment(reader, article, comment=filler[:-20] + " badword1999")
    assert response.status_code == 302
    assert spam.status == "spam"
    assert spam.events.get().reason == "“badword1999” in the text"

    middle = len(filler) // 2
    response, held = post_comment(
        reader, article, comment=filler[:middle] + " HOLDWORD1000 " + filler[middle:-14]
    )
    assert response.status_code == 302
    assert (held.status, held.events.get().reason) == (
        "pending",
        "“holdword1000” in the text",
    )
    assert time.monotonic() - started < 30
    assert DiscussionSettings.objects.get().disallowed_words.count("\n") == 1999
