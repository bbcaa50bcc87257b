"""The comment form: its fields, its wording and every check it makes."""

import pytest

from comments.forms import CommentForm
from comments.sanitize import allowed_tags_help

from .factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def form_for(article, data):
    return CommentForm(data, article=article)


def test_valid_form_builds_a_sanitized_comment(article, comment_data):
    form = form_for(article, comment_data)
    assert form.is_valid(), form.errors
    comment = form.build_comment(ip_address="203.0.113.5", user_agent="UA" * 400)
    assert comment.article == article
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
    assert form.non_field_errors() == ["Comments are closed on this article."]


def test_duplicate_comment_is_refused(article, comment_data):
    make_comment(
        article, author_email="ADA.reader@example.com", body=comment_data["comment"], status="spam"
    )
    form = form_for(article, comment_data)
    assert not form.is_valid()
    assert form.non_field_errors() == ["You have already posted this comment on this article."]


def test_same_text_on_another_article_is_not_a_duplicate(article, comment_data):
    make_comment(make_article(), author_email=comment_data["email"], body=comment_data["comment"])
    assert form_for(article, comment_data).is_valid()


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
