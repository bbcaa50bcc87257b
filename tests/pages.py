"""Reading pages the way a reader does."""

import html
import re

_TAG = re.compile(r"<[^>]*>")


def visible_text(page):
    """The page's text without its tags and their attributes: random tokens (CSRF, the form
    token) can spell any word, and no reader sees them."""
    return html.unescape(_TAG.sub(" ", page))
