"""Blocks: a poster blocked by email or by IP address or range gets spam, silently.

Editors block from the comment list ("Block the authors of selected comments") or by hand in
the Block admin; readers post through the real comment form.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Block, Comment
from tests.factories import form_token, make_article, make_comment, post_url
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in most tests: hash with MD5 (tests only), not 1M PBKDF2 rounds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


COMMENT_LIST = reverse("admin:comments_comment_changelist")
BLOCK_LIST = reverse("admin:comments_block_changelist")
BLOCK_ADD = reverse("admin:comments_block_add")
AWAITING = "Your comment is awaiting moderation."
ACTION = "block_authors"
RANGE_ERROR = "Enter an IP address or a range such as 203.0.113.0/24."
EITHER_ERROR = "Give either an email or an IP address or range, not both."


def run_block_action(client, comments):
    """Select the comments in the admin's list (every status shown) and run the action."""
    return client.post(
        f"{COMMENT_LIST}?status=all",
        {"action": ACTION, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def post_comment(article, *, client=None, meta=None, **fields):
    """Post the reader's form; return (response, the newest comment or None)."""
    client = client or Client()
    data = {
        "name": "Ada Reader",
        "email": "ada@example.com",
        "url": "",
        "comment": "A fair point, well made.",
        "token": form_token(article),
    } | fields
    url = post_url(article)
    response = client.post(url, data, **(meta or {}))
    return response, Comment.objects.order_by("pk").last()


def decided(comment):
    """(status, rule, reason) of a new comment's one decision."""
    event = comment.events.get()
    return comment.status, event.rule, event.reason


def add_block(client, **fields):
    """Submit the Block admin's add form."""
    data = {"email": "", "network": "", "reason": "", "expires_at_0": "", "expires_at_1": ""}
    return client.post(BLOCK_ADD, data | fields)


@pytest.fixture
def known_ada():
    """Ada is a known author (an approved comment elsewhere): unblocked, she'd be published."""
    return make_comment(make_article(), author_name="Ada Reader", author_email="ada@example.com")


# --- the comment list's action ---------------------------------------------------------------


def test_the_action_blocks_emails_and_addresses_reports_and_is_idempotent(
    editor_client, editor, article
):
    """Guards: the action blocks each selected comment's normalised email and its IP as a
    one-address range, says how many, and running it again adds nothing."""
    assert not editor.is_superuser
    first = make_comment(
        article, author_email="  Ada@Example.COM ", ip_address="198.51.100.7", status="pending"
    )
    second = make_comment(article, author_email="bob@example.com", ip_address="198.51.100.7")
    page = editor_client.get(COMMENT_LIST, {"status": "all"})
    assert ACTION in dict(page.context["action_form"].fields["action"].choices)
    assert "Block the authors of selected comments" in page.content.decode()

    response = run_block_action(editor_client, [first, second])
    assert messages_of(response) == [
        "Blocked 2 emails and 1 IP address. Their next comments go to spam."
    ]
    blocks = Block.objects.order_by("email", "network")
    assert [(b.email, b.network) for b in blocks] == [
        ("", "198.51.100.7/32"),
        ("ada@example.com", ""),
        ("bob@example.com", ""),
    ]
    assert {b.created_by for b in blocks} == {editor}
    assert all(b.expires_at is None and "editor" in b.reason for b in blocks)

    again = run_block_action(editor_client, [first, second])
    assert messages_of(again) == [
        "Blocked 0 emails and 0 IP addresses. Their next comments go to spam."
    ]
    assert Block.objects.count() == 3

    # The comments themselves are left as they were: the block is about the next ones.
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("pending", "approved")


def test_the_action_blocks_an_ipv6_address_and_an_email_without_an_address(editor_client, article):
    """Guards: IPv6 addresses become a /128 range; a comment without an IP blocks its email
    only; the singular message reads right."""
    v6 = make_comment(article, author_email="v6@example.com", ip_address="2001:db8::5")
    response = run_block_action(editor_client, [v6])
    assert messages_of(response) == [
        "Blocked 1 email and 1 IP address. Their next comments go to spam."
    ]
    assert Block.objects.filter(network="2001:db8::5/128").exists()
    no_ip = make_comment(article, author_email="noip@example.com", ip_address=None)
    response = run_block_action(editor_client, [no_ip])
    assert messages_of(response) == [
        "Blocked 1 email and 0 IP addresses. Their next comments go to spam."
    ]
    assert Block.objects.count() == 3


def test_an_expired_block_does_not_stop_the_action_blocking_again(editor_client, article):
    """Guards: only blocks in force are skipped; an expired one is replaced by a new one."""
    Block.objects.create(email="ada@example.com", expires_at=timezone.now() - timedelta(days=1))
    comment = make_comment(article, author_email="ada@example.com", ip_address=None)
    response = run_block_action(editor_client, [comment])
    assert messages_of(response)[0].startswith("Blocked 1 email and 0 IP addresses.")
    assert Block.objects.filter(email="ada@example.com").count() == 2
    assert Block.objects.active().filter(email="ada@example.com").count() == 1


def test_after_the_action_the_authors_next_comments_are_spam(editor_client, article, known_ada):
    """Guards: the action's blocks are what the policy reads: the blocked email (from any
    address) and the blocked address (with any email) both go to spam."""
    original = make_comment(article, author_email="ADA@example.com", ip_address="198.51.100.7")
    run_block_action(editor_client, [original])
    _, by_email = post_comment(article, meta={"REMOTE_ADDR": "192.0.2.200"}, comment="Again.")
    assert decided(by_email) == ("spam", "blocked", "the email is blocked")
    _, by_ip = post_comment(
        article,
        meta={"REMOTE_ADDR": "198.51.100.7"},
        name="Someone Else",
        email="else@example.com",
    )
    assert decided(by_ip) == (
        "spam",
        "blocked",
        "the IP address (198.51.100.7/32) is blocked",
    )


# --- what a block catches --------------------------------------------------------------------


def test_a_blocked_posters_comment_is_spam_silently(article, known_ada):
    """Guards: the blocked poster is told nothing: the usual redirect and moderation note on
    their own page; other readers never see the comment."""
    Block.objects.create(email="ada@example.com")
    poster = Client()
    response, comment = post_comment(article, client=poster, comment="Let me in.")
    assert response.status_code == 302
    assert decided(comment) == ("spam", "blocked", "the email is blocked")
    own_page = poster.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in own_page
    assert AWAITING in own_page
    shown = visible_text(own_page).lower()
    assert "blocked" not in shown and "spam" not in shown
    other_page = Client().get(article.get_absolute_url()).content.decode()
    assert "Let me in." not in other_page


@pytest.mark.parametrize("typed", ["  ADA@Example.com ", "ada@example.com", "Ada@EXAMPLE.COM"])
def test_a_blocked_email_is_caught_whatever_its_case_or_spaces(editor_client, article, typed):
    """Guards: both sides are normalised: the block an editor types and the email a reader
    types are compared trimmed and lower-cased."""
    response = add_block(editor_client, email="  ADA@Example.com ", reason="troll")
    assert response.status_code == 302
    assert Block.objects.get().email == "ada@example.com"
    _, comment = post_comment(article, email=typed)
    assert decided(comment)[:2] == ("spam", "blocked")


@pytest.mark.parametrize(
    ("network", "inside", "outside"),
    [
        ("203.0.113.0/24", "203.0.113.9", "203.0.114.9"),
        ("203.0.113.0/24", "::ffff:203.0.113.9", "::ffff:203.0.112.9"),
        ("2001:db8::/32", "2001:db8::5", "2001:db9::5"),
        ("2001:db8::/32", "2001:db8:ffff:ffff::1", "2001:db7:ffff::1"),
        ("198.51.100.7", "198.51.100.7", "198.51.100.8"),
    ],
    ids=["ipv4-range", "ipv4-mapped-ipv6", "ipv6-range", "ipv6-range-end", "one-address"],
)
def test_a_range_catches_the_addresses_inside_it_only(
    editor_client, article, known_ada, network, inside, outside
):
    """Guards: IPv4 and IPv6 ranges typed in the Block admin catch every address inside
    them (an IPv4 client seen through an IPv6 socket too) and none outside."""
    assert add_block(editor_client, network=network).status_code == 302
    stored = Block.objects.get().network
    _, caught = post_comment(article, meta={"REMOTE_ADDR": inside}, comment="Inside.")
    assert decided(caught) == ("spam", "blocked", f"the IP address ({stored}) is blocked")
    _, free = post_comment(article, meta={"REMOTE_ADDR": outside}, comment="Outside.")
    assert decided(free)[:2] == ("approved", "known author")


def test_an_expired_block_catches_nothing_and_a_future_expiry_still_does(article, known_ada):
    """Guards: a block's expiry is honoured: in force until then, ignored after."""
    block = Block.objects.create(
        network="203.0.113.0/24", expires_at=timezone.now() + timedelta(hours=1)
    )
    _, before = post_comment(article, meta={"REMOTE_ADDR": "203.0.113.9"}, comment="One.")
    assert decided(before)[:2] == ("spam", "blocked")
    Block.objects.filter(pk=block.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Block.objects.create(email="ada@example.com", expires_at=timezone.now() - timedelta(days=2))
    _, after = post_comment(article, meta={"REMOTE_ADDR": "203.0.113.9"}, comment="Two.")
    assert decided(after)[:2] == ("approved", "known author")


def test_a_block_beats_every_other_rule(editor_client, article, known_ada, settings):
    """Guards: a blocked poster is spam even when a hold rule would only have held the
    comment; the rule named is "blocked"."""
    settings.COMMENTS_HOLD_ALL = True
    Block.objects.create(email="ada@example.com")
    _, comment = post_comment(article, comment="See https://a.example https://b.example x")
    assert decided(comment)[:2] == ("spam", "blocked")


# --- where the address comes from -----------------------------------------------------------


def test_without_a_trusted_proxy_x_forwarded_for_cannot_hide_a_blocked_address(
    article, known_ada, settings
):
    """Guards: a blocked client can't escape by sending an X-Forwarded-For header of its
    choosing: with no trusted proxy the header is never read."""
    settings.COMMENTS_TRUSTED_PROXIES = []
    Block.objects.create(network="198.51.100.7/32")
    _, comment = post_comment(
        article,
        meta={"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "192.0.2.99"},
    )
    assert decided(comment)[:2] == ("spam", "blocked")
    assert comment.ip_address == "198.51.100.7"


def test_without_a_trusted_proxy_x_forwarded_for_cannot_frame_another_address(
    article, known_ada, settings
):
    """Guards: nor can an unblocked client get itself treated as a blocked address (or
    hide its own) through the header."""
    settings.COMMENTS_TRUSTED_PROXIES = []
    Block.objects.create(network="198.51.100.7/32")
    _, comment = post_comment(
        article, meta={"REMOTE_ADDR": "192.0.2.99", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    )
    assert decided(comment)[:2] == ("approved", "known author")
    assert comment.ip_address == "192.0.2.99"


@pytest.mark.parametrize(
    ("forwarded", "blocked"),
    [
        ("198.51.100.7", True),
        # The client wrote the left part itself; the proxy appended the real address.
        ("192.0.2.1, 198.51.100.7", True),
        ("198.51.100.7, 192.0.2.1", False),
        ("192.0.2.1", False),
    ],
    ids=["forwarded", "spoofed-left-hop", "blocked-address-only-claimed", "other-client"],
)
def test_behind_a_trusted_proxy_the_forwarded_client_is_what_is_blocked(
    article, known_ada, settings, forwarded, blocked
):
    """Guards: behind a trusted proxy the real client (the right-most untrusted hop) is
    checked against the blocks, whatever the client prepended to the header."""
    settings.COMMENTS_TRUSTED_PROXIES = ["127.0.0.0/8"]
    Block.objects.create(network="198.51.100.7/32")
    _, comment = post_comment(
        article, meta={"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}
    )
    expected = ("spam", "blocked") if blocked else ("approved", "known author")
    assert decided(comment)[:2] == expected
    assert comment.ip_address == forwarded.split(",")[-1].strip()


# --- the Block admin -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["203.0.113.0/33", "203.0.113.999", "not-an-ip", "2001:db8::/129", "203.0.113.0/x"]
)
def test_the_block_form_refuses_a_bad_range_with_a_clear_message(editor_client, bad):
    """Guards: a mistyped range is refused on the form (not a 500, not a block that
    silently catches nothing), with a message showing what is expected."""
    response = add_block(editor_client, network=bad)
    assert response.status_code == 200
    assert RANGE_ERROR in response.content.decode()
    assert not Block.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{}, {"email": "ada@example.com", "network": "203.0.113.0/24"}, {"email": "   "}],
    ids=["neither", "both", "only-spaces"],
)
def test_the_block_form_wants_exactly_one_of_email_and_range(editor_client, fields):
    """Guards: a block is an email or a range, never both or neither."""
    response = add_block(editor_client, **fields)
    assert response.status_code == 200
    assert EITHER_ERROR in response.content.decode()
    assert not Block.objects.exists()


def test_the_block_form_refuses_a_bad_email(editor_client):
    response = add_block(editor_client, email="not an email")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not Block.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        (" 203.0.113.7/24 ", "203.0.113.0/24"),
        ("2001:DB8:0:0::1/32", "2001:db8::/32"),
        ("2001:db8::5", "2001:db8::5/128"),
    ],
)
def test_the_block_form_stores_the_range_canonically(editor_client, editor, typed, stored):
    """Guards: a block is stored in one spelling (so the action's "already blocked" check
    and the list compare like with like), and records who made it."""
    response = add_block(editor_client, network=typed, reason="spam wave")
    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.network, block.email, block.created_by) == (stored, "", editor)


def test_an_editor_uses_the_block_list_its_search_and_state_filter(editor_client, editor):
    """Guards: Editors (staff, not superusers) can list, search and filter the blocks."""
    assert not editor.is_superuser
    active = Block.objects.create(email="troll@example.com", reason="abuse")
    expired = Block.objects.create(
        network="203.0.113.0/24", expires_at=timezone.now() - timedelta(days=1)
    )

    def listed(**params):
        response = editor_client.get(BLOCK_LIST, params)
        assert response.status_code == 200
        return {block.pk for block in response.context["cl"].result_list}

    assert listed() == {active.pk, expired.pk}
    assert listed(state="active") == {active.pk}
    assert listed(state="expired") == {expired.pk}
    assert listed(q="troll") == {active.pk}
    assert listed(q="203.0.113") == {expired.pk}
    change = reverse("admin:comments_block_change", args=[active.pk])
    assert editor_client.get(change).status_code == 200
    response = editor_client.post(
        change,
        {
            "email": "troll@example.com",
            "network": "",
            "reason": "abuse",
            "expires_at_0": "2000-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    assert not Block.objects.get(pk=active.pk).is_active
    delete = reverse("admin:comments_block_delete", args=[active.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Block.objects.filter(pk=active.pk).exists()


# --- who may block ---------------------------------------------------------------------------


def staff_client(username, *codenames):
    user = User.objects.create_user(username, password="not-used-here", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_staff_outside_editors_can_neither_block_nor_see_blocks(article):
    """Guards: being staff is not enough: no comment list, no action, no Block admin."""
    outsider = staff_client("outsider")
    comment = make_comment(article, ip_address="198.51.100.7")
    block = Block.objects.create(email="troll@example.com")
    response = outsider.post(
        f"{COMMENT_LIST}?status=all", {"action": ACTION, "_selected_action": [comment.pk]}
    )
    assert response.status_code == 403
    for url in (
        BLOCK_LIST,
        BLOCK_ADD,
        reverse("admin:comments_block_change", args=[block.pk]),
        reverse("admin:comments_block_delete", args=[block.pk]),
    ):
        assert outsider.get(url).status_code == 403, url
    assert add_block(outsider, network="203.0.113.0/24").status_code == 403
    assert list(Block.objects.values_list("email", flat=True)) == ["troll@example.com"]


def test_moderators_without_the_block_permission_get_no_block_action(article):
    """Guards: the action needs "add block": staff who may moderate comments but not block
    don't see it, and posting it anyway blocks nobody."""
    moderator = staff_client("moderator", "view_comment", "change_comment")
    comment = make_comment(article, ip_address="198.51.100.7")
    page = moderator.get(COMMENT_LIST, {"status": "all"})
    assert page.status_code == 200
    actions = dict(page.context["action_form"].fields["action"].choices)
    assert "approve_comments" in actions
    assert ACTION not in actions
    assert "Block the authors" not in page.content.decode()
    moderator.post(
        f"{COMMENT_LIST}?status=all", {"action": ACTION, "_selected_action": [comment.pk]}
    )
    assert not Block.objects.exists()
