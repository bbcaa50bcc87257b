"""What the example blog's tests share: content, an editor, and a reader who posts through the
page's own comment form (its action and hidden fields, as the app rendered them)."""

import io
import os
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from blog.models import LiveEvent, Post
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

EDITOR_USERNAME = "edna"
EDITOR_PASSWORD = "a long editor's passphrase"
AWAITING = "awaiting moderation"
APPROVE_ACTION = "approve_comments"
APPROVE_LABEL = "Approve selected comments"


def make_post(slug="first-post", **fields):
    defaults = {
        "title": "A first post",
        "body": "Something to talk about.",
        "published_at": timezone.now() - timedelta(hours=1),
        "is_draft": False,
    }
    return Post.objects.create(slug=slug, **(defaults | fields))


def make_event(slug="election-night", **fields):
    defaults = {"name": "Election night, live", "starts_at": timezone.now(), "is_public": True}
    return LiveEvent.objects.create(slug=slug, **(defaults | fields))


def make_editor():
    """An editor as a site makes one: the Editors group (`create_editors_group`), then a staff
    account in it (`create_editor`) with a password."""
    call_command("create_editors_group", verbosity=0, stdout=io.StringIO())
    os.environ["BLOG_EDITOR_PASSWORD"] = EDITOR_PASSWORD
    try:
        call_command(
            "create_editor",
            username=EDITOR_USERNAME,
            password_from_env="BLOG_EDITOR_PASSWORD",
            stdout=io.StringIO(),
        )
    finally:
        del os.environ["BLOG_EDITOR_PASSWORD"]
    return get_user_model().objects.get(username=EDITOR_USERNAME)


# The comment form's fields as a reader knows them: by their labels.
NAME, EMAIL, WEBSITE, COMMENT = "Name", "Email", "Website", "Comment"


@dataclass
class Form:
    """A form as the page shows it: where it posts, every field it sends (hidden ones
    included, with their values) and which field each label names."""

    action: str = ""
    fields: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.form = None
        self._inside = False
        self._textarea = None
        self._label_for = None
        self._label_text = ""
        self._ids = {}  # id -> name

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self._inside = True
            self.form = Form(action=attrs.get("action") or "")
        elif not self._inside:
            return
        elif tag == "label" and attrs.get("for"):
            self._label_for, self._label_text = attrs["for"], ""
        elif tag in {"input", "textarea"} and attrs.get("name"):
            self._ids[attrs.get("id")] = attrs["name"]
            if tag == "textarea":
                self._textarea = attrs["name"]
                self.form.fields[self._textarea] = ""
            elif attrs.get("type") not in {"submit", "button", "checkbox", "radio", "image"}:
                self.form.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.form.fields[self._textarea] += data
        if self._label_for:
            self._label_text += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "label" and self._label_for:
            # "Name*": crispy marks a required field's label with an asterisk.
            self.form.labels[self._label_text.strip().rstrip("*").strip()] = self._label_for
            self._label_for = None
        elif tag == "form" and self._inside:
            self._inside = False
            self.form.labels = {
                text: self._ids[for_id]
                for text, for_id in self.form.labels.items()
                if for_id in self._ids
            }


def read_form(html, form_id="commentform"):
    """The page's comment form."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.form is not None, f"no form #{form_id} on the page"
    return reader.form


def fill_in(form, text, name="Ada Reader", email="ada@example.com", url=""):
    """What the form sends with a reader's comment typed into its labelled fields, and the
    Post Comment button pressed: (the path it posts to, the data)."""
    typed = {NAME: name, EMAIL: email, WEBSITE: url, COMMENT: text}
    missing = set(typed) - set(form.labels)
    assert not missing, f"the form has no field labelled {missing}: {form.labels}"
    data = form.fields | {form.labels[label]: value for label, value in typed.items()}
    return urlsplit(form.action).path, data | {"submit": ""}


def post_comment(client, obj, text, **author):
    """Open `obj`'s page, fill in the comment form as shown and send it: the response to the
    POST (not followed)."""
    page = client.get(obj.get_absolute_url())
    assert page.status_code == 200
    action, data = fill_in(read_form(page.content.decode()), text, **author)
    with as_if_committed():
        return client.post(action, data)


def as_if_committed():
    """The app tells its listeners (the thread cache, the spam filter, alerts) of a change
    once it is committed; a test's transaction never commits, so run them as a commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def editor_client():
    """A browser signed in as the editor, with the password (not force_login)."""
    client = Client()
    assert client.login(username=EDITOR_USERNAME, password=EDITOR_PASSWORD)
    return client


def approve_in_admin(client, comments):
    """Select `comments` on the admin's comment list and run its Approve action."""
    changelist = reverse("admin:comments_comment_changelist")
    with as_if_committed():
        response = client.post(
            changelist,
            {"action": APPROVE_ACTION, "_selected_action": [c.pk for c in comments], "index": "0"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
