"""What the spam filter reads in a comment: named features, in plain Python.

Three blocks of string features per comment:

- words: word 1- and 2-grams of the text as shown, and the domains of its links;
- chars: character 2- to 5-grams within words (they catch "ch3ck 0ut" and made-up words);
- meta: binned counts (links, length, capitals, digits, phone numbers, repeated punctuation,
  emoji, the name's length and digits).

Before any feature sees the text it is cleaned: tags become spaces, entities are decoded and
every invisible format character (Unicode category Cf: U+FEFF, direction marks, zero-width
spaces) is removed. An imported collection may carry such a character only on one label, and a
model would learn the artefact instead of the spam. Email addresses, IP addresses and phone
numbers are masked ("EMAILADDR", …) before words are made, so none can become a feature:
the model's vocabulary never holds a reader's address. The name is read only for its length
and digits, never as words.
"""

import html
import itertools
import math
import re
import unicodedata

# Only the start of a very long comment is read: enough to judge, and scoring stays quick.
MAX_CHARACTERS = 5000

_TAG = re.compile(r"<[^>]{0,500}>")
_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"']+"
    r"|\b(?:[a-z0-9-]+\.){1,10}(?:com|net|org|ly|be|co|info|biz|me|tv|us|uk|ru|de|io|gl|tk)\b"
    r"(?:/[^\s<>\"']*)?"
)
# Bounded repeats (an address's parts are short), so no input makes the scan quadratic.
_EMAIL = re.compile(r"(?i)\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,10}\b")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Any run of hex groups and colons with at least two colons: "2001:db8::1", "fe80::1".
_IPV6 = re.compile(r"(?i)(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])")
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d\s().-]{7,}\d)(?!\w)")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[!?$€£]")
_REPEATED_PUNCTUATION = re.compile(r"([!?.])\1{2,}")
_REPEATED_LETTER = re.compile(r"(\w)\1{3,}")


def _without_format_characters(text):
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def clean_text(raw):
    """The text as a reader sees it: tags gone, entities decoded (twice: some collections
    escape them twice), format characters removed, NFKC, spaces collapsed."""
    text = _TAG.sub(" ", (raw or "")[: MAX_CHARACTERS * 2])
    for _ in range(2):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    text = unicodedata.normalize("NFKC", _without_format_characters(text))
    return " ".join(text.split())[:MAX_CHARACTERS]


def clean_name(raw):
    text = _without_format_characters(html.unescape(raw or ""))
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _domain(url):
    """A link's host, lower-cased; an IP address as a host is only "[IP address]"."""
    rest = re.sub(r"(?i)^https?://", "", url)
    if rest.startswith("["):  # http://[2001:db8::1]/
        return "ipaddr"
    host = rest.split("/")[0].split("?")[0].split("#")[0].split(":")[0].lower()
    if _IPV4.fullmatch(host) or host.replace(".", "").isdigit():
        return "ipaddr"
    return host.removeprefix("www.")


def _is_emoji(char):
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or (unicodedata.category(char) == "So")
    )


# The bins each count falls into (edges): a feature says which bin, e.g. "m:links=1".
_BINS = {
    "links": [1, 2, 3],
    "characters": [15, 30, 60, 120, 250, 500],
    "words": [3, 6, 12, 25, 50],
    "share of capitals": [0.05, 0.2, 0.5, 0.9],
    "share of digits": [0.01, 0.05, 0.15],
    "phone numbers": [1],
    "runs of punctuation": [1, 2],
    "runs of one letter": [1],
    "emoji": [1, 3],
    "share of non-ASCII": [0.01, 0.2],
    "exclamation marks": [1, 2, 4],
    "question marks": [1, 2],
    "digits in the name": [1, 3],
    "characters in the name": [6, 12, 20],
}


def _bin(value, edges):
    """Which of the bins `edges` separates `value` falls in: "0", "1", …"""
    for index, edge in enumerate(edges):
        if value < edge:
            return str(index)
    return str(len(edges))


def masked(text):
    """`text` with its addresses replaced by placeholders."""
    text = _EMAIL.sub(" EMAILADDR ", text)
    text = _URL.sub(" URLLINK ", text)
    text = _IPV4.sub(" IPADDR ", text)
    text = _IPV6.sub(" IPADDR ", text)
    return _PHONE.sub(" PHONENUM ", text)


def analyse(text, name="", website=""):
    """The comment's features: (words, chars, meta), three lists of feature names."""
    text = clean_text(text)
    name = clean_name(name)
    # An email's domain is not a link (and must not become a feature).
    links = _URL.findall(_EMAIL.sub(" ", text)) + ([website] if website else [])
    domains = [_domain(link) for link in links]
    phones = len(_PHONE.findall(_IPV4.sub(" ", _EMAIL.sub(" ", text))))
    lowered = masked(text).lower()

    tokens = _WORD.findall(lowered)
    words = [f"w:{token}" for token in tokens]
    words += [f"b:{first} {second}" for first, second in itertools.pairwise(tokens)]
    for domain in domains:
        words.append(f"dom:{domain}")
        parts = domain.split(".")
        if len(parts) > 2 and domain != "ipaddr":
            words.append(f"dom:{'.'.join(parts[-2:])}")

    chars = []
    for word in lowered.split():
        padded = f" {word} "
        for size in range(2, 6):
            chars.extend(f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1))

    letters = [char for char in text if char.isalpha()]
    capitals = sum(char.isupper() for char in letters) / len(letters) if letters else 0.0
    digits = sum(char.isdigit() for char in text) / len(text) if text else 0.0
    non_ascii = sum(ord(char) > 127 for char in text) / len(text) if text else 0.0
    emoji = sum(_is_emoji(char) for char in text)
    name_digits = sum(char.isdigit() for char in name)
    measures = {
        "links": len(links),
        "characters": len(text),
        "words": len(tokens),
        "share of capitals": capitals,
        "share of digits": digits,
        "phone numbers": phones,
        "runs of punctuation": len(_REPEATED_PUNCTUATION.findall(text)),
        "runs of one letter": len(_REPEATED_LETTER.findall(text)),
        "emoji": emoji,
        "share of non-ASCII": non_ascii,
        "exclamation marks": text.count("!"),
        "question marks": text.count("?"),
        "digits in the name": name_digits,
        "characters in the name": len(name),
    }
    meta = [f"m:{what}={_bin(value, _BINS[what])}" for what, value in measures.items()]
    return words, chars, meta


_PLACEHOLDERS = {
    "urllink": "[link]",
    "emailaddr": "[email address]",
    "ipaddr": "[IP address]",
    "phonenum": "[phone number]",
}


def describe(feature):
    """A feature as editors read it: 'the word “free”', 'links: 1', …"""
    kind, _, value = feature.partition(":")
    for placeholder, meaning in _PLACEHOLDERS.items():
        value = value.replace(placeholder, meaning)
    if kind == "w":
        return f"the word “{value}”"
    if kind == "b":
        return f"the words “{value}”"
    if kind == "dom":
        return f"a link to {value}"
    if kind == "c":
        return f"the letters “{value.strip()}”"
    if kind == "m":
        what, _, level = value.partition("=")
        edges = _BINS.get(what)
        if edges is None or not level.isdecimal() or int(level) > len(edges):
            return feature
        level = int(level)
        if level == 0:
            return f"{what}: 0" if edges[0] == 1 else f"{what}: under {edges[0]:g}"
        if level == len(edges):
            return f"{what}: {edges[-1]:g} or more"
        low, high = edges[level - 1], edges[level]
        if isinstance(low, int) and high == low + 1:
            return f"{what}: {low}"
        return f"{what}: {low:g} to under {high:g}"
    return feature


def log_odds_to_score(value):
    """A model's log-odds as a score from 0 to 1 (1: surely spam)."""
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, value))))
