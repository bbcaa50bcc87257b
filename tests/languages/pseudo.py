"""A pseudo-language for the tests: every message of the shipped catalogs, and of Django's own
(month names, form errors, the admin's frame), "translated" into itself between ⟦ and ⟧.

A page rendered in it shows every translated string bracketed; whatever visible text is left
once the brackets are taken out, but for the data the test put in (bracketed too) and the
brand, was never translated: English left behind.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
from django.conf import settings

CODE = "qps-ploc"  # Microsoft's name for a pseudo-locale; no catalog of Django's has it
LOCALE = "qps_Ploc"  # django.utils.translation.to_locale(CODE)
OPEN, CLOSE = "⟦", "⟧"
# The one English that stays English: the brand.
UNTRANSLATED = ("The Meridian",)

ROOT = Path(settings.BASE_DIR)
DJANGO = Path(django.__file__).parent


# A labelling attribute inside a message's markup (<abbr title="…">) is translated with it.
_ATTRIBUTE_IN_MESSAGE = re.compile(r'\b(title|alt|aria-label|placeholder)="([^"]+)"')
# Addresses (links in emails, readers' emails in the queue) are not words to translate.
_ADDRESS = re.compile(r"\bhttps?://[^\s⟦⟧]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def wrap(text):
    if not text:
        return text
    text = _ATTRIBUTE_IN_MESSAGE.sub(lambda m: f'{m[1]}="{OPEN}{m[2]}{CLOSE}"', text)
    return f"{OPEN}{text}{CLOSE}"


def sources(domain):
    """The catalogs whose messages the pseudo-language translates: ours (every message is in
    each shipped language's catalog, so French's lists them all) and Django's English ones."""
    ours = [ROOT / "comments" / "locale", ROOT / "locale"]
    found = [path / "fr" / "LC_MESSAGES" / f"{domain}.po" for path in ours]
    found += sorted(DJANGO.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"))
    return [path for path in found if path.exists()]


def build(directory, domain="django"):
    """Write the pseudo-language's .mo for `domain` under `directory` (a LOCALE_PATHS entry)."""
    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen = set()
    for source in sources(domain):
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            pseudo = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
            if entry.msgid_plural:
                pseudo.msgid_plural = entry.msgid_plural
                pseudo.msgstr_plural = {0: wrap(entry.msgid), 1: wrap(entry.msgid_plural)}
            else:
                pseudo.msgstr = wrap(entry.msgid)
            catalog.append(pseudo)
    target = Path(directory) / LOCALE / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    catalog.save_as_mofile(str(target / f"{domain}.mo"))
    return len(catalog)


# Attributes a reader sees or hears (a screen reader reads labels and titles).
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Not read as words: scripts, styles, and keys to press (the queue's shortcuts, "a", "s").
INVISIBLE_ELEMENTS = {"script", "style", "kbd"}


# Elements inside a sentence: their text reads on with the text around them ("%(name)s
# says:" with the name in <b>), so a translated message with markup inside is one piece.
INLINE_ELEMENTS = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "i", "kbd", "mark", "q", "s",
    "small", "span", "strong", "sub", "sup", "time", "u", "var",
}  # fmt: skip


class VisibleText(HTMLParser):
    """The text of a page a reader sees or hears: the text of each block (its inline
    elements' included) outside scripts and styles, labelling attributes, buttons' values,
    and the page's description."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.block = []
        self.skipping = 0

    def flush(self):
        if self.block:
            self.found.append("".join(self.block))
            self.block = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in INLINE_ELEMENTS:
            self.flush()
        if tag in INVISIBLE_ELEMENTS:
            self.skipping += 1
        for name in VISIBLE_ATTRIBUTES & attributes.keys():
            self.found.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in BUTTON_TYPES:
            self.found.append(attributes.get("value") or "")
        if tag == "meta" and (
            attributes.get("name") in {"description", "twitter:title", "twitter:description"}
            or attributes.get("property") in {"og:title", "og:description", "og:site_name"}
        ):
            self.found.append(attributes.get("content") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in INVISIBLE_ELEMENTS:
            self.skipping -= 1

    def handle_endtag(self, tag):
        if tag not in INLINE_ELEMENTS:
            self.flush()
        if tag in INVISIBLE_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.block.append(data)

    def close(self):
        super().close()
        self.flush()


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.found


INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
LETTER = re.compile(r"[^\W\d_]")


def untranslated(texts, data=()):
    """The pieces of `texts` with letters outside every bracketed (translated) span, once
    `data` (what the test wrote: names, bodies, usernames) and the brand are taken out."""
    left = []
    for text in texts:
        text = _ADDRESS.sub(" ", text)
        for known in (*data, *UNTRANSLATED):
            text = text.replace(known, " ")
        while True:
            text, replaced = INNERMOST.subn(" ", text)
            if not replaced:
                break
        if LETTER.search(text):
            left.append(" ".join(text.split()))
    return left
