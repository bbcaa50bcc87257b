"""The moderation queue (comments/desk/queue.py,
comments/templates/admin/comments/comment/queue.html): what it lists and in which order, each
decision through the write path with its trail, the JSON answers queue.js reads, undo, and who
may do any of it. The browser's side (keys, focus, no reload, no JavaScript) is in
tests/browser/test_queue_browser.py."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from tests import factories
from tests.factories import discussion_of

pytestmark = pytest.mark.django_db

Status = Comment.Status
JSON_HEADERS = {"X-Requested-With": "fetch"}
REASON = "moderation queue"
# What queue_view costs, however many comments the page shows: the session, the user, the
# editor's permissions (two), the page of comments (with their articles, parents and latest
# trail event), their readers' reports (one prefetch), the two history counts and the
# pending total (on PostgreSQL the planner's estimate first, then, for a queue this short,
# the exact count: see comments.models.counting).
QUEUE_MAX_QUERIES = 10 if connection.vendor == "postgresql" else 9
PAST = {"approve": "approved", "spam": "marked as spam", "remove": "removed"}
PAST_STATUS = {"approve": "approved", "spam": "spam", "remove": "removed"}


def queue_url():
    return reverse("admin:comments_comment_queue")


def decide_url(comment_or_pk, decision):
    pk = getattr(comment_or_pk, "pk", comment_or_pk)
    return reverse("admin:comments_comment_decide", args=[pk, decision])


def status_of(comment):
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


def ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


# --- Reading the page -------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    """An element of the page, as the browser builds it (enough for these pages)."""

    name: str
    attrs: dict
    children: list = field(default_factory=list)

    def __repr__(self):
        return f"<{self.name} {self.attrs}>{text(self)[:80]}</{self.name}>"


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].name == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def page(response):
    assert response.status_code == 200, response.status_code
    builder = TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def elements(node):
    """`node` and every element inside it, in document order."""
    yield node
    for child in node.children:
        if isinstance(child, Node):
            yield from elements(child)


def attr(element, name):
    return element.attrs.get(name)


def classes(element):
    return (attr(element, "class") or "").split()


def find_all(node, tag=None, cls=None):
    return [
        element
        for element in elements(node)
        if (tag is None or element.name == tag) and (cls is None or cls in classes(element))
    ]


def find(node, tag=None, cls=None):
    found = find_all(node, tag, cls)
    assert len(found) == 1, f"{len(found)} <{tag or '*'} class={cls}> where one was expected"
    return found[0]


BLOCKS = {"p", "div", "blockquote", "li", "ol", "ul", "h1", "h2", "h3", "br", "form", "section"}


def text(node):
    """The element's text as a reader sees it, whitespace collapsed (a space between blocks)."""
    parts = []
    for child in node.children:
        if not isinstance(child, Node):
            parts.append(child)
        elif child.name in BLOCKS:
            parts.append(f" {text(child)} ")
        else:
            parts.append(text(child))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def queue_items(root):
    """The page's <li class="queue-item"> elements, keyed by comment pk, in page order."""
    items = find_all(root, "li", "queue-item")
    for item in items:
        assert attr(item, "id") == f"queue-{attr(item, 'data-comment')}"
        assert attr(item, "tabindex") == "-1"
    return {int(attr(item, "data-comment")): item for item in items}


def messages_shown(root):
    return [
        (classes(li), text(li))
        for ul in find_all(root, "ul", "messagelist")
        for li in find_all(ul, "li")
    ]


# --- Data -------------------------------------------------------------------------------------


def held_for(article, *, name, email, body, ip="192.0.2.10", parent=None):
    """A comment a reader posts and the policy holds: through moderation.submit, so its
    trail says which rule held it and why, as on the site."""
    comment = Comment(
        discussion=discussion_of(article),
        parent=parent,
        author_name=name,
        author_email=email,
        ip_address=ip,
        user_agent="Mozilla/5.0 (test)",
    )
    comment.set_body(body)
    comment = moderation.submit(comment)
    assert comment.status == Status.PENDING, comment.status
    return comment


@pytest.fixture
def other_editor(db):
    return factories.make_editor(username="second-editor")


@pytest.fixture
def staff_client(db):
    """Staff (may open the admin) but not in Editors: no comments.change_comment."""
    user = User.objects.create_user(username="intern", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


# --- What the queue lists ---------------------------------------------------------------------


def test_lists_only_pending_comments_likeliest_spam_first_then_newest(editor_client, article):
    """Guards: the queue's content and order (spam score descending with unscored last, then
    newest first), that decided comments never appear in it, and its summary line."""
    other_article = factories.make_article(headline="Harbour pilots strike for a second day")
    unscored_old = factories.make_comment(article, status="pending", submitted_at=ago(50))
    low = factories.make_comment(other_article, status="pending", spam_score=0.2)
    unscored_new = factories.make_comment(article, status="pending", submitted_at=ago(5))
    high = factories.make_comment(article, status="pending", spam_score=0.91, submitted_at=ago(90))
    tie_older = factories.make_comment(
        other_article, status="pending", spam_score=0.5, submitted_at=ago(30)
    )
    tie_newer = factories.make_comment(
        article, status="pending", spam_score=0.5, submitted_at=ago(10)
    )
    for status in ("approved", "spam", "removed"):
        factories.make_comment(article, status=status, spam_score=0.99, body=f"Already {status}.")

    root = page(editor_client.get(queue_url()))
    items = queue_items(root)
    assert list(items) == [
        high.pk,
        tie_newer.pk,
        tie_older.pk,
        low.pk,
        unscored_new.pk,
        unscored_old.pk,
    ]
    assert "6 comments awaiting moderation" in text(find(root, "p", "queue-summary"))
    # The title names the author and links the headline to the staff preview in context.
    title = find(items[low.pk], "h2", "queue-title")
    assert low.author_name in text(title)
    link = find(title, "a")
    assert text(link) == "Harbour pilots strike for a second day"
    assert attr(link, "href") == low.get_preview_url()
    assert f"?moderate={low.pk}" in attr(link, "href")
    meta = text(find(items[low.pk], "p", "queue-meta"))
    assert low.author_email in meta
    assert "192.0.2.10" in meta
    # Each item: three decision forms posting to its own URLs, an edit link, no outcome yet.
    for pk, item in items.items():
        forms = find_all(item, "form", "queue-decision")
        assert [attr(form, "data-key") for form in forms] == ["a", "s", "r"]
        assert [attr(form, "action") for form in forms] == [
            decide_url(pk, decision) for decision in ("approve", "spam", "remove")
        ]
        assert all(attr(form, "method") == "post" for form in forms)
        edit = find(item, "a", "queue-edit")
        assert attr(edit, "href") == reverse("admin:comments_comment_change", args=[pk])
        assert text(find(item, "p", "queue-outcome")) == ""


def test_shows_at_most_25_and_says_how_many_wait(editor_client, article):
    """Guards: the page size (PER_PAGE) and the summary that tells the editor more wait."""
    for i in range(27):
        factories.make_comment(article, status="pending", body=f"Held remark {i}.")
    root = page(editor_client.get(queue_url()))
    assert len(queue_items(root)) == 25
    summary = text(find(root, "p", "queue-summary"))
    assert "27 comments awaiting moderation; the first 25" in summary


def test_an_empty_queue_says_so(editor_client, article):
    """Guards: the empty state (no list, no key help to a page with nothing to decide)."""
    factories.make_comment(article, status="approved")
    root = page(editor_client.get(queue_url()))
    assert queue_items(root) == {}
    assert text(find(root, "p", "queue-empty")) == "No comments awaiting moderation."
    assert find_all(root, cls="queue-keys") == []
    find(root, "div", "visually-hidden")  # #queue-live is there for the script regardless


def test_shows_the_parent_of_a_reply(editor_client, article):
    """Guards: a reply is shown with the comment it answers (its author and sanitized text)
    in a blockquote; a top-level comment has none."""
    parent = factories.make_comment(
        article, author_name="Ann Original", body="The tariffs are <em>gone</em>."
    )
    reply = factories.make_comment(
        article, status="pending", parent=parent, body="Not at the port they aren't."
    )
    top = factories.make_comment(article, status="pending", body="A new thought.")

    items = queue_items(page(editor_client.get(queue_url())))
    quote = find(items[reply.pk], "blockquote", "queue-parent")
    assert text(quote) == "In reply to Ann Original: The tariffs are gone."
    assert text(find(quote, "em")) == "gone"
    assert text(find(items[reply.pk], "div", "queue-body")) == "Not at the port they aren't."
    assert find_all(items[top.pk], "blockquote") == []


def test_says_why_each_comment_is_pending(editor_client, editor, article, settings):
    """Guards: the "Why pending" line: the rule that held the comment and its reason, as the
    latest trail event has them (a rule's reason already starts with the rule's name, so the
    name must not appear twice), or the editor who put it back, or that nothing is on file;
    and the spam score."""
    settings.COMMENTS_MAX_LINKS = 1
    linked = held_for(
        article,
        name="Link Lover",
        email="links@example.com",
        body="See https://a.example/x and https://b.example/y",
    )
    Comment.objects.filter(pk=linked.pk).update(spam_score=0.873)
    newcomer = held_for(article, name="New Voice", email="new@example.com", body="First!")
    put_back = held_for(article, name="Back Again", email="back@example.com", body="Hm.")
    moderation.approve([put_back], by=editor, reason=REASON)
    moderation.restore([put_back], by=editor, reason=REASON)
    untracked = factories.make_comment(article, status="pending", body="Imported, no trail.")
    # The trail as it stands: the rule in its column, the reason without its name.
    assert linked.events.get().reason == "2 links (more than 1)"

    items = queue_items(page(editor_client.get(queue_url())))
    reasons = {pk: text(find(item, "p", "queue-reason")) for pk, item in items.items()}
    assert reasons == {
        linked.pk: "Why pending: links: 2 links (more than 1) · spam score 0.87",
        newcomer.pk: "Why pending: new author: no approved comment from this name and email",
        put_back.pk: "Why pending: an editor: moderation queue",
        untracked.pk: "Why pending: not recorded",
    }


def test_history_counts_decided_comments_by_email_and_by_ip(editor_client, article):
    """Guards: the author's history: approved, spam and removed comments counted by normalised
    email and by IP, other pending ones and other people's comments left out."""
    elsewhere = factories.make_article()
    subject = factories.make_comment(
        article,
        status="pending",
        author_email="Ada@Example.com",
        ip_address="198.51.100.7",
        body="The subject.",
    )
    # The same email (normalised), from another address.
    for n, status in enumerate(["approved", "approved", "spam", "pending"]):
        factories.make_comment(
            elsewhere,
            status=status,
            author_email=" ADA@example.COM" if n % 2 else "ada@example.com",
            ip_address="203.0.113.1",
            body=f"Ada's earlier comment {n}.",
        )
    # Other people from the subject's IP.
    for n, status in enumerate(["approved", "removed", "removed", "pending"]):
        factories.make_comment(
            elsewhere, status=status, ip_address="198.51.100.7", body=f"Neighbour {n}."
        )
    # Unrelated: neither the email nor the IP.
    factories.make_comment(elsewhere, status="spam", ip_address="192.0.2.99", body="Noise.")
    no_ip = factories.make_comment(article, status="pending", ip_address=None, body="No IP.")

    items = queue_items(page(editor_client.get(queue_url())))
    assert text(find(items[subject.pk], "p", "queue-history")) == (
        "This email before: 2 approved, 1 spam, 0 removed. "
        "This IP before: 1 approved, 0 spam, 2 removed."
    )
    no_ip_history = text(find(items[no_ip.pk], "p", "queue-history"))
    assert no_ip_history == (
        "This email before: 0 approved, 0 spam, 0 removed. This IP before: none recorded."
    )


# --- Deciding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "spam", "remove"])
def test_a_plain_post_decides_records_and_redirects_with_a_message(
    editor_client, editor, article, decision
):
    """Guards: each button without JavaScript: the status, the trail event naming the editor,
    the moderator on the comment, the redirect back to the queue and its message; the other
    pending comments untouched."""
    comment = factories.make_comment(article, status="pending", author_name="Pat Poster")
    bystander = factories.make_comment(article, status="pending")

    response = editor_client.post(decide_url(comment, decision))
    assert response.status_code == 302
    assert response["Location"] == queue_url()

    comment.refresh_from_db()
    assert comment.status == PAST_STATUS[decision]
    assert comment.moderated_by == editor
    event = comment.events.get()
    assert (event.action, event.from_status, event.to_status) == (
        decision,
        "pending",
        PAST_STATUS[decision],
    )
    assert event.actor == editor
    assert event.reason == REASON
    assert status_of(bystander) == "pending"

    root = page(editor_client.get(response["Location"]))
    assert messages_shown(root) == [
        (["success"], f"The comment by Pat Poster was {PAST[decision]}.")
    ]
    assert list(queue_items(root)) == [bystander.pk]


def test_the_json_answer_and_its_undo(client, editor, article):
    """Guards: the answer queue.js reads (every key), and undo through the URL it gives: back
    to pending, recorded as a restore by the editor, and back in the queue."""
    client.force_login(editor)
    comment = factories.make_comment(article, status="pending", author_name="Jo Json")

    response = client.post(decide_url(comment, "spam"), headers=JSON_HEADERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "id": comment.pk,
        "changed": True,
        "status": "spam",
        "status_display": "Spam",
        "message": "The comment by Jo Json was marked as spam.",
        "undo": decide_url(comment, "restore"),
    }
    assert status_of(comment) == "spam"
    assert not messages_shown(page(client.get(queue_url()))), "a JSON answer left a message"

    undo = client.post(response.json()["undo"], headers=JSON_HEADERS)
    assert undo.status_code == 200
    assert undo.json() == {
        "id": comment.pk,
        "changed": True,
        "status": "pending",
        "status_display": "Pending",
        "message": "The comment by Jo Json was put back in the queue.",
        "undo": decide_url(comment, "restore"),
    }
    assert status_of(comment) == "pending"
    trail = list(comment.events.order_by("pk").values_list("action", "from_status", "to_status"))
    assert trail == [("spam", "pending", "spam"), ("restore", "spam", "pending")]
    restore = comment.events.order_by("pk").last()
    assert restore.actor == editor
    assert restore.reason == REASON
    assert comment.pk in queue_items(page(client.get(queue_url())))

    # A comment nobody decided has nothing to undo: said so, nothing recorded.
    untouched = factories.make_comment(article, status="pending", author_name="Ned New")
    again = client.post(decide_url(untouched, "restore"), headers=JSON_HEADERS).json()
    assert again["changed"] is False
    assert again["status"] == "pending"
    assert again["message"] == "The comment by Ned New is pending; nothing changed."
    assert not untouched.events.exists()


def test_undo_without_javascript(editor_client, editor, article):
    """Guards: the restore decision on the plain path (redirect and message), undoing an
    approval back to pending."""
    comment = factories.make_comment(article, status="pending", author_name="Una Undo")
    editor_client.post(decide_url(comment, "approve"), follow=True)  # its message shown
    response = editor_client.post(decide_url(comment, "restore"), follow=True)
    assert response.redirect_chain == [(queue_url(), 302)]
    assert status_of(comment) == "pending"
    assert messages_shown(page(response)) == [
        (["success"], "The comment by Una Undo was put back in the queue.")
    ]
    event = comment.events.order_by("pk").last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "restore",
        "approved",
        "pending",
        editor,
    )


@pytest.mark.parametrize(
    ("earlier", "now"),
    [("approve", "approve"), ("spam", "approve"), ("remove", "spam"), ("approve", "remove")],
)
def test_a_comment_another_editor_decided_meanwhile_is_left_alone(
    client, editor, other_editor, article, earlier, now
):
    """Guards: two editors on the same queue: the second, whose page is stale, changes
    nothing (JSON `changed` false, a message saying so, no trail event), whatever button."""
    comment = factories.make_comment(article, status="pending", author_name="Sam Stale")
    other = Client()
    other.force_login(other_editor)
    assert other.post(decide_url(comment, earlier)).status_code == 302
    decided = PAST_STATUS[earlier]

    client.force_login(editor)
    answer = client.post(decide_url(comment, now), headers=JSON_HEADERS).json()
    assert answer["changed"] is False
    assert answer["status"] == decided
    assert answer["message"] == f"The comment by Sam Stale is {decided}; nothing changed."
    assert status_of(comment) == decided
    assert list(comment.events.values_list("actor__username", flat=True)) == ["second-editor"]

    # The plain path says so as a warning.
    root = page(client.post(decide_url(comment, now), follow=True))
    assert messages_shown(root) == [
        (["warning"], f"The comment by Sam Stale is {decided}; nothing changed.")
    ]
    assert status_of(comment) == decided


def test_decisions_reach_the_public_thread(editor, article, django_capture_on_commit_callbacks):
    """Guards: the queue's decisions go through comments.moderation, whose registry drops the
    cached thread on commit: readers see what was approved, and nothing else."""
    kept = factories.make_comment(article, status="approved", body="Already published.")
    approved = factories.make_comment(article, status="pending", body="Worth publishing.")
    spammed = factories.make_comment(article, status="pending", body="Cheap watches here.")
    removed = factories.make_comment(article, status="pending", body="Rude and off topic.")
    reader = Client()
    before = reader.get(article.get_absolute_url()).content.decode()  # caches the thread
    assert "Already published." in before
    assert "Worth publishing." not in before

    editor_client = Client()
    editor_client.force_login(editor)
    for comment, decision in ((approved, "approve"), (spammed, "spam"), (removed, "remove")):
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_client.post(decide_url(comment, decision)).status_code == 302

    after = reader.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{kept.pk}"' in after
    assert f'id="comment-{approved.pk}"' in after
    assert "Worth publishing." in after
    for hidden in (spammed, removed):
        assert f'id="comment-{hidden.pk}"' not in after
    assert "Cheap watches here." not in after
    assert "Rude and off topic." not in after


# --- Who may, and how ---------------------------------------------------------------------------


def test_csrf_is_enforced_and_the_page_carries_the_token(editor, article):
    """Guards: decisions are CSRF-protected, and the queue's forms carry a token that passes
    (a queue whose forms lost {% csrf_token %} would refuse every button)."""
    comment = factories.make_comment(article, status="pending")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    for headers in ({}, JSON_HEADERS):
        assert client.post(decide_url(comment, "approve"), headers=headers).status_code == 403
    assert status_of(comment) == "pending"
    assert not comment.events.exists()

    root = page(client.get(queue_url()))
    form = find_all(queue_items(root)[comment.pk], "form", "queue-decision")[0]
    token_inputs = [
        field for field in find_all(form, "input") if attr(field, "name") == "csrfmiddlewaretoken"
    ]
    assert len(token_inputs) == 1
    token = attr(token_inputs[0], "value")
    assert token
    response = client.post(attr(form, "action"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert status_of(comment) == "approved"
    # queue.js sends it as a header instead.
    other = factories.make_comment(article, status="pending")
    response = client.post(
        decide_url(other, "spam"), headers={**JSON_HEADERS, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert status_of(other) == "spam"


def test_decide_refuses_get(editor_client, article):
    """Guards: a GET (a prefetching browser, a link) never decides anything."""
    comment = factories.make_comment(article, status="pending")
    for decision in ("approve", "spam", "remove", "restore"):
        assert editor_client.get(decide_url(comment, decision)).status_code == 405
    assert status_of(comment) == "pending"
    assert not comment.events.exists()


def test_unknown_decision_or_comment_is_404(editor_client, article):
    """Guards: only the four decisions exist, and only for existing comments."""
    comment = factories.make_comment(article, status="pending")
    for decision in ("delete", "feature", "APPROVE", "edit"):
        assert editor_client.post(decide_url(comment, decision)).status_code == 404
    assert editor_client.post(decide_url(comment.pk + 1000, "approve")).status_code == 404
    assert status_of(comment) == "pending"
    assert not comment.events.exists()


def test_staff_outside_editors_are_refused(staff_client, article):
    """Guards: the permission check on both views: staff without comments.change_comment
    get 403 and change nothing, with or without the JSON header."""
    comment = factories.make_comment(article, status="pending", body="Secret pending text.")
    response = staff_client.get(queue_url())
    assert response.status_code == 403
    assert b"Secret pending text." not in response.content
    for decision in ("approve", "spam", "remove", "restore"):
        for headers in ({}, JSON_HEADERS):
            response = staff_client.post(decide_url(comment, decision), headers=headers)
            assert response.status_code == 403, (decision, headers)
    assert status_of(comment) == "pending"
    assert not comment.events.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, article):
    """Guards: the admin login in front of both views."""
    comment = factories.make_comment(article, status="pending", body="Secret pending text.")
    login = reverse("admin:login")
    response = client.get(queue_url())
    assert response.status_code == 302
    assert response["Location"].startswith(f"{login}?next=")
    for headers in ({}, JSON_HEADERS):
        response = client.post(decide_url(comment, "approve"), headers=headers)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    assert status_of(comment) == "pending"


def test_the_admin_index_links_the_queue_with_its_count(editor_client, article):
    """Guards: the way in: the index's link to the queue, with the pending count."""
    for i in range(3):
        factories.make_comment(article, status="pending", body=f"Waiting {i}.")
    factories.make_comment(article, status="approved")
    root = page(editor_client.get(reverse("admin:index")))
    link = find(root, "a", "pending-count")
    assert attr(link, "href") == queue_url()
    assert text(link) == "Moderation queue: 3 comments awaiting moderation"

    Comment.objects.filter(status="pending").update(status="approved")
    link = find(page(editor_client.get(reverse("admin:index"))), "a", "pending-count")
    assert text(link) == "Moderation queue: no comments awaiting moderation"


# --- Cost and safety ----------------------------------------------------------------------------


def fill_queue(article, count):
    """`count` held comments, each a reply on its own article from its own email and IP,
    with a trail: everything the page shows per comment that could cost a query."""
    for n in range(count):
        own_article = factories.make_article()
        parent = factories.make_comment(own_article, body=f"Parent {n}.")
        factories.make_comment(
            own_article,
            status="approved",
            author_email=f"queued{n}@example.com",
            ip_address=f"198.51.100.{n + 1}",
            body=f"Earlier {n}.",
        )
        held_for(
            own_article,
            parent=parent,
            name=f"Queued {n}",
            email=f"queued{n}@example.com",
            ip=f"198.51.100.{n + 1}",
            body=f"Held comment {n}.",
        )


@pytest.mark.parametrize("count", [3, 20])
def test_the_query_count_does_not_grow_with_the_queue(
    editor_client, article, count, django_assert_max_num_queries
):
    """Guards: the N+1s the page invites: each comment's article, parent, trail reason and
    history must come with the page's queries, not one (or two) per comment."""
    fill_queue(article, count)
    editor_client.get(reverse("admin:index"))  # warm the session
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        response = editor_client.get(queue_url())
    items = queue_items(page(response))
    assert len(items) == count
    for item in items.values():
        assert find(item, "blockquote", "queue-parent")
        assert "1 approved" in text(find(item, "p", "queue-history"))
        assert "new author" in text(find(item, "p", "queue-reason"))


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_queue_page_sends_its_content_security_policy(editor_client, article):
    """Guards: script-src 'self' on the queue (the admin is otherwise outside the site's
    policy), and that the page needs nothing more: no inline script, its own script from
    this site."""
    factories.make_comment(article, status="pending")
    response = editor_client.get(queue_url())
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    scripts = find_all(page(response), "script")
    assert scripts
    for script in scripts:
        assert attr(script, "src"), f"an inline script: {script}"
        # Its own script, and the app's JavaScript catalog (its words, in the editor's language).
        assert attr(script, "src").startswith(("/static/", "/comments/jsi18n/"))
    assert any(attr(s, "src").endswith("/comments/queue.js") for s in scripts)


def test_markup_in_a_comment_never_becomes_a_live_script(editor_client, article):
    """Guards: the body and the parent are shown from the sanitized HTML, and the author's
    name escaped: no script, no event handler reaches the editor's page."""
    parent = factories.make_comment(
        article, body='<script>alert("parent")</script><b>bold parent</b>'
    )
    evil = factories.make_comment(
        article,
        status="pending",
        parent=parent,
        author_name='<script>alert("name")</script>',
        body=(
            '<script>alert("body")</script><img src=x onerror="alert(1)">'
            '<a href="javascript:alert(2)" onclick="alert(3)">click</a><strong>kept</strong>'
        ),
    )
    response = editor_client.get(queue_url())
    html = response.content.decode()
    assert 'alert("' not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html
    item = queue_items(page(response))[evil.pk]
    assert find_all(item, "script") == []
    assert find_all(item, "img") == []
    assert text(find(find(item, "div", "queue-body"), "strong")) == "kept"
    assert text(find(find(item, "blockquote", "queue-parent"), "b")) == "bold parent"
    # The page's only scripts are the admin's and the queue's, by src.
    assert all(attr(script, "src") for script in find_all(page(response), "script"))
