"""The comment form: its fields, its wording and every check it makes."""

import re
import unicodedata

import pytest

from comments.public.forms import CommentForm
from comments.sanitize import allowed_tags_help
from tests.factories import discussion_of, make_article, make_comment, post_url

pytestmark = pytest.mark.django_db


def form_for(article, data):
    return CommentForm(data, discussion=discussion_of(article))


def test_valid_form_builds_a_sanitized_comment(article, comment_data):
    form = form_for(article, comment_data)
    assert form.is_valid(), form.errors
    comment = form.build_comment(ip_address="203.0.113.5", user_agent="UA" * 400)
    assert comment.discussion == discussion_of(article)
    assert comment.author_name == "Ada Reader"
    assert comment.body_raw == comment_data["comment"]
    assert comment.body_html == "<p>I was at the talks. <em>Nobody</em> expected this.</p>"
    assert comment.ip_address == "203.0.113.5"
    assert len(comment.user_agent) == 500


@pytest.mark.parametrize("field", ["name", "email", "comment"])
def test_required_fields(article, comment_data, field):
    form = form_for(article, comment_data | {field: ""})
    assert not form.is_valid()
    assert form.errors[field] == ["This field is required."]


def test_comment_of_only_whitespace_is_refused(article, comment_data):
    form = form_for(article, comment_data | {"comment": "  \n\n\t "})
    assert not form.is_valid()
    assert "comment" in form.errors


def test_website_is_optional(article, comment_data):
    assert form_for(article, comment_data | {"url": ""}).is_valid()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_invalid_email(article, comment_data, email):
    form = form_for(article, comment_data | {"email": email})
    assert form.errors["email"] == ["Enter a valid email address."]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "javascript:alert(1)",
        "data:text/html,hi",
        "mailto:someone@example.org",
        "http://",
        "https://exa mple.org",
    ],
)
def test_website_must_be_http_or_https(article, comment_data, url):
    form = form_for(article, comment_data | {"url": url})
    assert not form.is_valid()
    assert form.errors["url"][0] in (
        "Enter a valid URL.",
        "Enter a web address starting with http:// or https://.",
    )


def test_ftp_website_gets_a_message_that_says_why(article, comment_data):
    form = form_for(article, comment_data | {"url": "ftp://example.org/file"})
    assert form.errors["url"] == ["Enter a web address starting with http:// or https://."]


def test_website_without_scheme_gets_https(article, comment_data):
    form = form_for(article, comment_data | {"url": "example.org/me"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["url"] == "https://example.org/me"


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 245), ("email", 100), ("url", 200), ("comment", 65525)]
)
def test_wordpress_length_limits(article, comment_data, field, limit):
    def value(length):
        if field == "email":
            return "a" * (length - len("@example.com")) + "@example.com"
        if field == "url":
            return "https://example.org/" + "a" * (length - len("https://example.org/"))
        return "x" * length

    at_limit = form_for(article, comment_data | {field: value(limit)})
    assert at_limit.is_valid(), at_limit.errors
    over = form_for(article, comment_data | {field: value(limit + 1)})
    assert not over.is_valid()
    assert over.errors[field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


@pytest.mark.parametrize("field", ["name", "email", "url", "comment"])
@pytest.mark.parametrize(
    "junk", ["\x00", "\ud800", "\x1b[31m", "\x07", "\x7f", "\x85", "\ufffe", "\ufdd0"]
)
def test_junk_characters_get_a_form_error(article, comment_data, field, junk):
    value = comment_data[field]
    form = form_for(article, comment_data | {field: value[:5] + junk + value[5:]})
    assert not form.is_valid()
    assert form.errors[field]
    if field in ("name", "comment"):
        assert "characters that can't be saved" in form.errors[field][0]


def test_comment_may_contain_newlines_and_tabs_and_any_language(article, comment_data):
    text = "Première ligne\n\tسطر ثان\r\n第三行 🙂"
    form = form_for(article, comment_data | {"comment": text, "name": "Zoë Ōkubo"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["comment"] == text


def test_name_may_not_contain_newlines(article, comment_data):
    form = form_for(article, comment_data | {"name": "Ada\nAdmin"})
    assert not form.is_valid()
    assert form.errors["name"]


def test_closed_article_refuses_comments(comment_data):
    article = make_article(comments_open=False)
    form = form_for(article, comment_data)
    assert not form.is_valid()
    assert form.non_field_errors() == ["Comments are closed."]


def test_the_form_itself_never_checks_for_duplicates(article, comment_data):
    """A duplicate is refused only on an otherwise valid post (moderation.submit), so an
    invalid form can't confirm that an email posted a text."""
    make_comment(article, author_email=comment_data["email"], body=comment_data["comment"])
    assert form_for(article, comment_data).is_valid()
    form = form_for(article, comment_data | {"name": ""})
    assert not form.is_valid()
    assert list(form.errors) == ["name"]


@pytest.mark.parametrize(
    "name",
    ["\u200b\u200b", "\u3164", "\u2800\u2800", "\u115f", " \u00a0 ", "\u202e", "\u0301\u0301"],
)
def test_a_name_nothing_visible_in_is_refused(article, comment_data, name):
    form = form_for(article, comment_data | {"name": name})
    assert not form.is_valid()
    assert form.errors["name"] in (
        ["Please enter a name with at least one visible character."],
        ["This field is required."],
    )


def test_a_comment_of_invisible_characters_is_refused(article, comment_data):
    form = form_for(article, comment_data | {"comment": "\u200b\u2800\u3164"})
    assert form.errors["comment"] == ["Please type a comment."]


def test_right_to_left_names_are_kept_as_typed(article, comment_data):
    form = form_for(article, comment_data | {"name": "\u202eAda Reader"})
    assert form.is_valid()
    assert form.cleaned_data["name"] == "\u202eAda Reader"


def test_combining_marks_are_capped_per_character(article, comment_data):
    zalgo = "Z" + "\u0301" * 40 + "a" + "\u0300\u0316" * 20
    form = form_for(article, comment_data | {"name": zalgo, "comment": f"Hi {zalgo}"})
    assert form.is_valid()
    expected = "Z" + "\u0301" * 4 + "a" + "\u0300\u0316\u0300\u0316"
    assert form.cleaned_data["name"] == expected
    assert form.cleaned_data["comment"] == f"Hi {expected}"


def test_real_combining_text_is_untouched(article, comment_data):
    vietnamese = "Tiếng Việt có dấu"
    decomposed = unicodedata.normalize("NFD", vietnamese)
    form = form_for(article, comment_data | {"name": decomposed})
    assert form.is_valid()
    assert form.cleaned_data["name"] == decomposed


def test_email_error_and_note_are_both_announced(client, article, comment_data):
    html = client.post(post_url(article), comment_data | {"email": "kay@example"}).content.decode()
    tag = input_tag(html, "email")
    assert 'aria-invalid="true"' in tag
    assert 'aria-describedby="id_email_error email-notes"' in tag
    assert 'id="id_email_error"' in html
    assert 'id="email-notes"' in html


def test_valid_email_field_names_its_note(client, article):
    tag = input_tag(client.get(article.get_absolute_url()).content.decode(), "email")
    assert 'aria-describedby="email-notes"' in tag
    assert "aria-invalid" not in tag


def test_every_invalid_input_is_marked_and_described(client, article):
    data = {"name": "", "email": "kay@example", "url": "ftp://x.example", "comment": ""}
    html = client.post(post_url(article), data).content.decode()
    for name in ("name", "email", "url", "comment"):
        tag = input_tag(html, name)
        assert 'aria-invalid="true"' in tag, tag
        assert f"id_{name}_error" in tag, tag


def test_error_landing_anchor_title_and_summary(client, article, comment_data):
    data = comment_data | {"name": "", "email": "kay@example"}
    html = client.post(post_url(article), data).content.decode()
    assert re.search(r"<title>Error: ", html)
    assert f'action="{post_url(article)}#respond"' in html
    summary = re.search(
        r'<div id="respond" class="error-summary[^"]*" role="group" tabindex="-1".*?</div>',
        html,
        re.S,
    )
    assert summary, "no error summary with the #respond anchor"
    links = re.findall(r'<a class="alert-link" href="#(id_\w+)">([^<]+)</a>', summary[0])
    assert links == [
        ("id_name", "Name: This field is required."),
        ("id_email", "Email: Enter a valid email address."),
    ]
    assert html.count('id="respond"') == 1


def test_a_blank_form_has_the_respond_anchor_and_no_summary(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<section id="respond" class="comment-respond">' in html
    assert "error-summary" not in html
    assert "<title>Error" not in html


def input_tag(html, name):
    """The opening tag of the form control named `name`."""
    start = html.index(f'name="{name}"')
    return html[html.rindex("<", 0, start) : html.index(">", start) + 1]


def test_form_renders_wordpress_fields_and_notes(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Leave a Reply" in html
    assert "Your email address will not be published." in html
    assert 'Required fields are marked <span class="required">*</span>' in html
    for name, label, required in [
        ("name", "Name", True),
        ("email", "Email", True),
        ("url", "Website", False),
        ("comment", "Comment", True),
    ]:
        tag_start = html.index(f'name="{name}"')
        tag = html[html.rindex("<", 0, tag_start) : html.index(">", tag_start)]
        assert (" required" in tag) is required, tag
        label_html = html[html.index(f'for="id_{name}"') :].split("</label>")[0]
        assert label in label_html
        assert label_html.count("*") == (1 if required else 0), label_html
    assert html.count('name="csrfmiddlewaretoken"') == 1
    escaped_help = (
        allowed_tags_help().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    escaped_help = escaped_help.replace('"', "&quot;")
    assert "You may use these" in html
    assert escaped_help in html
