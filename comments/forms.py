import unicodedata

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from .models import (
    COMMENT_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    URL_MAX_LENGTH,
    Comment,
    validate_website,
)
from .sanitize import allowed_tags_help

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def _junk_characters(value, allow_newlines):
    """Characters no reader means to type: control codes, lone surrogates, non-characters."""
    allowed = _ALLOWED_CONTROLS if allow_newlines else set()
    return {
        char
        for char in value
        if char not in allowed
        and (
            unicodedata.category(char) in ("Cc", "Cs")
            or (ord(char) & 0xFFFE) == 0xFFFE
            or 0xFDD0 <= ord(char) <= 0xFDEF
        )
    }


class CleanTextMixin:
    """Refuse junk characters with a clear message instead of failing further down."""

    allow_newlines = False

    def to_python(self, value):
        value = super().to_python(value)
        if value and _junk_characters(value, self.allow_newlines):
            raise ValidationError(
                "This contains characters that can't be saved (control characters or "
                "broken Unicode). Please remove them and try again.",
                code="junk",
            )
        return value


class CleanCharField(CleanTextMixin, forms.CharField):
    pass


class CleanCommentField(CleanTextMixin, forms.CharField):
    allow_newlines = True


class CleanEmailField(CleanTextMixin, forms.EmailField):
    pass


class CleanURLField(CleanTextMixin, forms.URLField):
    pass


class CommentForm(forms.Form):
    """The "Leave a Reply" form; it owns every check on what a reader posts."""

    name = CleanCharField(label="Name", max_length=NAME_MAX_LENGTH)
    email = CleanEmailField(label="Email", max_length=EMAIL_MAX_LENGTH)
    url = CleanURLField(
        label="Website",
        required=False,
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        validators=[validate_website],
    )
    comment = CleanCommentField(
        label="Comment",
        max_length=COMMENT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        for name in ("name", "email", "url"):
            self.fields[name].widget.attrs["autocomplete"] = name
        self.fields["email"].widget.attrs["aria-describedby"] = "email-notes"
        # The template owns the <form> tag, so the notes can sit around crispy's fields.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def allowed_tags_help(self):
        return allowed_tags_help()

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        if not comment.strip():
            raise ValidationError("Please type a comment.", code="required")
        return comment

    def clean(self):
        cleaned_data = super().clean()
        if not self.article.comments_open:
            raise ValidationError("Comments are closed on this article.", code="closed")
        email, comment = cleaned_data.get("email"), cleaned_data.get("comment")
        if email and comment:
            already_posted = self.article.comments.filter(
                author_email__iexact=email, body_raw=comment
            ).exists()
            if already_posted:
                raise ValidationError(
                    "You have already posted this comment on this article.", code="duplicate"
                )
        return cleaned_data

    def build_comment(self, *, ip_address, user_agent):
        """An unsaved Comment from the valid form; moderation decides its status."""
        comment = Comment(
            article=self.article,
            author_name=self.cleaned_data["name"],
            author_email=self.cleaned_data["email"],
            author_url=self.cleaned_data["url"],
            ip_address=ip_address,
            user_agent=user_agent[: Comment._meta.get_field("user_agent").max_length],
        )
        comment.set_body(self.cleaned_data["comment"])
        return comment
