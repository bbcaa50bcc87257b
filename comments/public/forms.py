"""The readers' forms: the "Leave a Reply" form, which owns every check on what a reader
posts (text, markup, the signed form token, the honeypot, the thread it answers), and the
poster's edit of their own comment."""

import re
import time
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ..conf import settings
from ..models import (
    COMMENT_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REPORT_TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
    Comment,
    Report,
    current_policy,
    validate_website,
)
from ..sanitize import allowed_tags_help, check_markup

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}

# Combining marks kept on one character. Real scripts stack at most three or four (Vietnamese
# two, Hebrew with cantillation four); "Zalgo" text stacks dozens that draw over neighbouring
# comments. Marks beyond this are dropped.
MAX_COMBINING_MARKS = 4

# Characters that draw nothing but are letters or symbols to Unicode, so a name made of them
# would look blank: Hangul fillers, the blank Braille pattern, Mongolian and other fillers.
_BLANK_LOOKING = frozenset("\u115f\u1160\u2800\u3164\uffa0\u180e\u2062\u2063\u2064")
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Cs", "Co", "Cn"})


def has_visible_character(value):
    """Whether anything in `value` would show on the page."""
    return any(
        char not in _BLANK_LOOKING and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in value
    )


def cap_combining_marks(value, limit=MAX_COMBINING_MARKS):
    """Keep at most `limit` combining marks on each character."""
    kept, run = [], 0
    for char in value:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
            run += 1
            if run > limit:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept)


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
                gettext(
                    "This contains characters that can't be saved (control characters or "
                    "broken Unicode). Please remove them and try again."
                ),
                code="junk",
            )
        return cap_combining_marks(value) if value else value


class CleanCharField(CleanTextMixin, forms.CharField):
    pass


class NameField(CleanCharField):
    """A name readers will see: something in it must be visible."""

    def validate(self, value):
        super().validate(value)
        if value and not has_visible_character(value):
            raise ValidationError(
                gettext("Please enter a name with at least one visible character."),
                code="invisible",
            )


class NotedBoundField(BoundField):
    """A field whose note (e.g. "Your email address will not be published.") is announced
    together with its error: aria-describedby names both, error first."""

    @property
    def aria_describedby(self):
        ids = [super().aria_describedby, self.field.note_id]
        return " ".join(filter(None, ids))


class CleanCommentField(CleanTextMixin, forms.CharField):
    allow_newlines = True


class CleanEmailField(CleanTextMixin, forms.EmailField):
    bound_field_class = NotedBoundField
    note_id = "email-notes"


class CleanURLField(CleanTextMixin, forms.URLField):
    pass


FORM_TOKEN_SALT = "comments.form-token"  # noqa: S105 (a namespace, not a secret)
# English here (importable as such); translated where it is raised.
FORM_EXPIRED_MESSAGE = gettext_noop("This form expired; please post again.")


def sign_form_token(discussion, issued_at=None):
    """The comment form's token: which discussion's form it is and when it was shown, signed
    with SECRET_KEY, so every app server can check it and no one can forge or move it."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps([discussion.pk, round(issued_at, 3)], salt=FORM_TOKEN_SALT)


def form_token_age(token, discussion):
    """Seconds since the form with `token` was shown, or None if the token is missing,
    tampered with, or another discussion's."""
    try:
        discussion_pk, issued_at = signing.loads(token or "", salt=FORM_TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if discussion_pk != discussion.pk or not isinstance(issued_at, int | float):
        return None
    return time.time() - issued_at


class FormTokenField(forms.CharField):
    """The hidden token: whatever comes back, bad or good, is judged by clean_token alone, so
    a forged value (a NUL character, …) gets the "expired" message and a fresh token."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = []


# The notification boxes' note in the template (comments/_form.html): both name it.
NOTIFY_NOTES_ID = "notify-notes"
# A discussed model's verbose name the "anyone comments" box may say ("on this article"):
# a word or two of letters, in any script; anything else is "this page".
_SIMPLE_NOUN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)?")


def discussed_noun(discussion):
    """What the reader comments on, in a word or two, in the active language: the discussed
    model's verbose name ("article", "live blog", as the project translates it) when it is
    that simple; else None, "page" (and for a page discussion)."""
    if discussion.is_page:
        return None
    model = ContentType.objects.get_for_id(discussion.content_type_id).model_class()
    noun = str(model._meta.verbose_name).lower() if model is not None else ""
    return noun if _SIMPLE_NOUN.fullmatch(noun) else None


def notify_all_label(discussion):
    """The label of the "anyone comments" box on this discussion's form, in the active
    language."""
    noun = discussed_noun(discussion)
    if noun is None:
        return gettext("Email me when anyone comments on this page")
    # Translators: a checkbox of the comment form. %(noun)s is what is discussed, in lower
    # case: the name of the site's kind of object ("article", "live blog", translated by the
    # site). Word it so that any such noun fits (e.g. without an article that must agree
    # with it).
    return gettext("Email me when anyone comments on this %(noun)s") % {"noun": noun}


class CommentForm(forms.Form):
    """The "Leave a Reply" form; it owns every check on what a reader posts."""

    name = NameField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    email = CleanEmailField(label=_("Email"), max_length=EMAIL_MAX_LENGTH)
    url = CleanURLField(
        label=_("Website"),
        required=False,
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        validators=[validate_website],
    )
    comment = CleanCommentField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
    )

    remember = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    # Reply notifications (comments.notify), unticked by default: a ticked box mails one
    # confirmation to the address, and nothing else until it is followed.
    notify_replies = forms.BooleanField(
        label=_("Email me when someone replies to me"),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": NOTIFY_NOTES_ID}),
    )
    notify_all = forms.BooleanField(
        label="",  # the discussion's noun, in the reader's language: __init__
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": NOTIFY_NOTES_ID}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # The honeypot: a field people never see (the template hides it from eyes, screen readers
    # and the Tab key) but form-filling bots do. Filled in, the comment is kept as spam.
    hp = forms.CharField(required=False, strip=False)
    # When and for which discussion the form was shown (see sign_form_token).
    token = FormTokenField()

    def __init__(self, *args, discussion, **kwargs):
        super().__init__(*args, **kwargs)
        self.discussion = discussion
        self.posted_too_fast = False
        if not self.is_bound:
            self.initial["token"] = sign_form_token(discussion)
        for name in ("name", "email", "url"):
            self.fields[name].widget.attrs["autocomplete"] = name
        self.fields["notify_all"].label = notify_all_label(discussion)
        # The template owns the <form> tag, so the notes can sit around crispy's fields.
        self.helper = FormHelper()
        # Every field but the honeypot, which the template renders out of sight.
        self.helper.layout = Layout(*(name for name in self.fields if name != "hp"))
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def allowed_tags_help(self):
        return allowed_tags_help()

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        if not has_visible_character(comment):
            raise ValidationError(gettext("Please type a comment."), code="required")
        check_markup(comment)
        return comment

    def clean_token(self):
        """Not older than COMMENTS_FORM_MAX_AGE (a day: slow readers are welcome), this
        discussion's, untouched; else the form comes back with a fresh token and the text kept.
        Sooner than COMMENTS_MIN_SECONDS after the form was shown: no person types that fast,
        and the comment is kept as spam (see bot_tell)."""
        token = self.cleaned_data["token"]
        age = form_token_age(token, self.discussion)
        if age is None or age > settings.COMMENTS_FORM_MAX_AGE:
            self.data = self.data.copy()
            # Shown as if COMMENTS_MIN_SECONDS ago: the reader has typed the comment already
            # and may press Post Comment again at once.
            issued_at = time.time() - settings.COMMENTS_MIN_SECONDS
            self.data[self.add_prefix("token")] = sign_form_token(self.discussion, issued_at)
            raise ValidationError(gettext(FORM_EXPIRED_MESSAGE), code="expired")
        self.posted_too_fast = age < settings.COMMENTS_MIN_SECONDS
        return token

    def clean_parent(self):
        """The comment this one answers: an approved comment of the same discussion.

        A reply to a comment at the deepest level (COMMENTS_THREAD_DEPTH) joins that comment's
        own level, answering its parent, so threads never nest deeper.
        """
        parent_id = self.cleaned_data["parent"]
        if parent_id is None:
            return None
        parent = (
            Comment.objects.approved()
            .filter(discussion=self.discussion, pk=parent_id)
            .select_related("parent")
            .first()
        )
        if parent is None:
            # Shown again as a new comment: posting it as it stands would fail the same way.
            self.data = self.data.copy()
            self.data[self.add_prefix("parent")] = ""
            raise ValidationError(
                gettext(
                    "The comment you are replying to is not available (it may have been "
                    "removed). Your reply is kept below: post it as a new comment, or reply to "
                    "another one."
                ),
                code="bad_parent",
            )
        self.clicked_parent = parent  # whom the reader answers, for "Replying to …"
        if parent.depth >= settings.COMMENTS_THREAD_DEPTH - 1 and parent.parent is not None:
            return parent.parent
        return parent

    def clean(self):
        cleaned_data = super().clean()
        # The policy in force for this post, read once (the view's flood check uses it too).
        self.policy = current_policy()
        if not self.discussion.accepts_comments(self.policy):
            raise ValidationError(gettext("Comments are closed."), code="closed")
        # No duplicate check here: it runs only on an otherwise valid post (moderation.submit,
        # against a unique constraint), so an invalid form never says whether an email and
        # text are already on file.
        return cleaned_data

    def error_summary(self):
        """Each error as (field id or None, message), in the order the fields come."""
        summary = [(None, message) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            for message in self.errors.get(name, ()):
                if field.widget.is_hidden:  # nothing to go to: the text is what is kept
                    summary.append((None, message))
                else:
                    # Translators: one line of the list of a form's errors: the field's label,
                    # then what is wrong with it.
                    line = gettext("%(label)s: %(message)s")
                    summary.append(
                        (self[name].id_for_label, line % {"label": field.label, "message": message})
                    )
        return summary

    @property
    def bot_tell(self):
        """What the post itself gives away of a bot, or None: "honeypot" (the field people
        never see was filled in) or "too fast" (sent back sooner than a person could type
        it). The view sends such a comment to spam (comments.moderation.HONEYPOT, TOO_FAST)."""
        if self.cleaned_data.get("hp"):
            return "honeypot"
        if self.posted_too_fast:
            return "too fast"
        return None

    @property
    def replying_to(self):
        """The approved comment this form answers, if any (for "Replying to Ann")."""
        if self.is_bound:
            return getattr(self, "clicked_parent", None)
        return self.initial.get("parent_comment")

    def build_comment(self, *, ip_address, user_agent, poster_key=""):
        """An unsaved Comment from the valid form; moderation decides its status."""
        comment = Comment(
            discussion=self.discussion,
            author_name=self.cleaned_data["name"],
            author_email=self.cleaned_data["email"],
            author_url=self.cleaned_data["url"],
            ip_address=ip_address,
            user_agent=user_agent[: Comment._meta.get_field("user_agent").max_length],
            poster_key=poster_key,
            parent=self.cleaned_data.get("parent"),
        )
        comment.set_body(self.cleaned_data["comment"])
        comment.derive_fields()
        return comment


class OwnCommentForm(forms.Form):
    """A poster's edit of their own comment's text: the same checks as a new comment's."""

    comment = CleanCommentField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
    )
    clean_comment = CommentForm.clean_comment


class ReportForm(forms.Form):
    """A reader's report of a comment to the editors: why (Report.Reason), and a few words of
    their own, needed for "Something else". Shared by the report page and the API."""

    reason = forms.ChoiceField(
        label=_("Why should the editors look at this comment?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Please choose a reason.")},
    )
    text = CleanCharField(
        label=_("In a few words"),
        max_length=REPORT_TEXT_MAX_LENGTH,
        required=False,
    )

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("reason") == Report.Reason.OTHER
            and "text" not in self.errors  # too long, say: that error says enough
            and not has_visible_character(cleaned_data.get("text") or "")
        ):
            self.add_error(
                "text", ValidationError(gettext("Please say what is wrong."), code="required")
            )
        return cleaned_data
