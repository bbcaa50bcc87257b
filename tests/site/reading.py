"""Reading what a page tells machines: its JSON-LD data blocks and its <meta> tags."""

import json
import re
from html.parser import HTMLParser

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def json_ld(page):
    """The page's one JSON-LD data block, parsed."""
    blocks = JSON_LD.findall(page)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta = {}
        self.links = []
        self.html = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            assert key not in self.meta, f"{key} twice"
            self.meta[key] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "html":
            self.html = attrs


def meta_tags(page):
    """{property or name: content} of the page's <meta> tags (each must be there once)."""
    parser = _Tags()
    parser.feed(page)
    return parser.meta


def links(page):
    """The attributes of each <link> of the page."""
    parser = _Tags()
    parser.feed(page)
    return parser.links


def html_attributes(page):
    """The <html> element's attributes (lang, dir)."""
    parser = _Tags()
    parser.feed(page)
    return parser.html
