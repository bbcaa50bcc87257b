"""The policy for new comments: which status a comment gets as it arrives, and which rule
decided. The decisions the request itself reaches (the honeypot, the form token, flood control
unchecked) are named here too, so every rule's name is spelt in one place."""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from ..models import Block, Comment, current_policy
from ..spam import filter as spam_filter

Status = Comment.Status


# A link as a reader types it: a tag's href, or an address typed as text.
_TYPED_URL = re.compile(r"(?i)(?:https?://|www\.)[^\s\"'<>]+")
_LINK_TAG = re.compile(r"(?i)<a\b")


def count_links(text):
    """How many links `text` holds, counted in what the reader typed: distinct addresses,
    typed as text or in a tag, or the number of <a> tags if that is more."""
    text = text or ""
    return max(len(set(_TYPED_URL.findall(text))), len(_LINK_TAG.findall(text)))


@dataclass(frozen=True)
class Decision:
    status: str
    rule: str
    reason: str


# Decisions the request reaches before the comment is built (comments.public.views).
HONEYPOT = Decision(Status.SPAM, "honeypot", "the field people never see was filled in")
TOO_FAST = Decision(Status.SPAM, "form token", "posted sooner than a person could type it")
FLOOD_UNCHECKED = Decision(
    Status.PENDING, "flood control", "the cache did not answer, so the posting rate was unchecked"
)


def _text_variants(raw):
    """A comment's text as the word lists read it: as typed, and with its tags stripped
    ("c<b></b>asino" reads "casino")."""
    raw = raw or ""
    return (raw, html.unescape(strip_tags(raw)))


def _fields_to_match(comment):
    """What the word lists are matched against, as WordPress does, by field."""
    return (
        ("name", comment.author_name),
        ("email", comment.author_email),
        ("website", comment.author_url),
        *(("text", text) for text in _text_variants(comment.body_raw)),
        ("IP address", str(comment.ip_address or "")),
        ("browser", comment.user_agent),
    )


def find_listed_word(words, comment):
    """The first of `words` (lower-cased) found inside any of the comment's fields, and which
    field, or (None, None)."""
    if not words:
        return None, None
    for where, value in _fields_to_match(comment):
        value = (value or "").casefold()
        for word in words:
            if word in value:
                return word, where
    return None, None


def initial_decision(comment, *, policy=None, held=None, verdict=None):
    """The status a new comment gets, and which rule decided it, first match wins:

    1. spam: its email or IP is blocked, it contains a "disallowed" word, or the spam
       filter's `verdict` (comments.spam.filter.assess) scores it at or above its spam
       threshold;
    2. held (pending): `held` (a Decision the request reached: the flood check could not
       run), everything held (COMMENTS_HOLD_ALL), a "hold for moderation" word, more than
       COMMENTS_MAX_LINKS links, the spam filter's hold threshold; these hold even a known
       author;
    3. approved if the same name and email (normalised) already have an approved comment,
       as WordPress does by default; otherwise held for an editor.
    """
    policy = policy or current_policy()
    block = Block.objects.matching(comment.email_normalized, comment.ip_address)
    if block is not None:
        on = "email" if block.email else f"IP address ({block.network})"
        return Decision(Status.SPAM, "blocked", f"the {on} is blocked")
    word, where = find_listed_word(policy.disallowed_words, comment)
    if word:
        return Decision(Status.SPAM, "disallowed words", f"“{word}” in the {where}")
    if verdict is not None and verdict.status == Status.SPAM:
        return Decision(Status.SPAM, spam_filter.RULE, verdict.reason)
    if held is not None:
        return held
    if policy.hold_all:
        return Decision(Status.PENDING, "hold all", "every new comment is held")
    word, where = find_listed_word(policy.hold_words, comment)
    if word:
        return Decision(Status.PENDING, "hold words", f"“{word}” in the {where}")
    links = count_links(comment.body_raw)
    if links > policy.max_links:
        return Decision(Status.PENDING, "links", f"{links} links (more than {policy.max_links})")
    if verdict is not None and verdict.status == Status.PENDING:
        return Decision(Status.PENDING, spam_filter.RULE, verdict.reason)
    known_author = (
        Comment.objects.approved()
        .filter(author_name=comment.author_name, email_normalized=comment.email_normalized)
        .exclude(pk=comment.pk)  # an edited comment doesn't vouch for itself
    )
    if known_author.exists():
        return Decision(Status.APPROVED, "known author", "this name and email were approved before")
    return Decision(Status.PENDING, "new author", "no approved comment from this name and email")


def word_added(before, after, policy):
    """A disallowed or hold word the new text has and the old one had not, or None."""

    old = [text.casefold() for text in _text_variants(before)]
    new = [text.casefold() for text in _text_variants(after)]
    for word in (*policy.disallowed_words, *policy.hold_words):
        if any(word in text for text in new) and not any(word in text for text in old):
            return word
    return None
