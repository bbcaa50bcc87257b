"""The one way comments.history reads XML: streamed, with DTDs and entities refused.

An export comes from outside, so it is read as hostile: through defusedxml's `iterparse` with
`forbid_dtd`, `forbid_entities` and `forbid_external`. A DOCTYPE is refused where it stands,
before the first element, so a "billion laughs" file (entities expanding to gigabytes) or an
external entity (`SYSTEM "file:///etc/passwd"`, a URL the server would fetch) never reaches
the expansion, and no record comes out of such a file. Exports from WordPress and Disqus have
no DOCTYPE, so refusing every one costs nothing.

Streaming: the parser is fed 16 KiB at a time and hands over each element as it opens and
closes (down to the depth a reader asks for: a comment, not each of its fields); the readers
remove an element from its parent once they have read it, so a file of hundreds of MB is never
held whole: the tree holds the path to the current element and little else. (A single element
is held whole while it is read: a comment's text is not streamed.)

Every element carries `line`, the line its start tag is on, for the messages. Every failure
(malformed XML, a refused declaration, a file that can't be read) comes out as
`UnreadableExport`, with the line.
"""

from typing import NamedTuple
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers.expat import errors as expat_errors

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError, iterparse

from ._common import opened
from .records import UnreadableExport

REFUSED = "(a 'billion laughs' or external-entity file): nothing was read."

# Where the input stopped before the XML was complete: a file cut short.
CUT_SHORT = {
    expat_errors.codes[getattr(expat_errors, name)]
    for name in (
        "XML_ERROR_NO_ELEMENTS",
        "XML_ERROR_UNCLOSED_TOKEN",
        "XML_ERROR_UNCLOSED_CDATA_SECTION",
        "XML_ERROR_PARTIAL_CHAR",
    )
}


class Located(Element):
    """An element that knows the line its start tag is on."""

    __slots__ = ("line",)


class Event(NamedTuple):
    """An element opening ("start": its attributes are there, not yet its text or children)
    or closing ("end": complete). `parent` is None for the root; `depth` is 0 for the root."""

    kind: str
    element: Located
    parent: Located | None
    depth: int


class _LineTarget:
    """Builds the tree as TreeBuilder does, stamping each element with its line while the
    parser is still on it (the events are handed over later, a chunk at a time)."""

    def __init__(self):
        builder = TreeBuilder(element_factory=Located)
        self._start = builder.start
        self.end = builder.end
        self.data = builder.data
        self.close = builder.close
        self.expat = None

    def start(self, tag, attrib):
        element = self._start(tag, attrib)
        element.line = self.expat.CurrentLineNumber
        return element


class _Parser(DefusedXMLParser):
    """defusedxml's parser, noting what the refused DOCTYPE was, to say so."""

    doctype = None

    def defused_start_doctype_decl(self, name, sysid, pubid, has_internal_subset):
        self.doctype = (name, sysid, has_internal_subset)
        super().defused_start_doctype_decl(name, sysid, pubid, has_internal_subset)


def events(path_or_file, max_depth=None):
    """Yield an `Event` for each element's start and end, in file order; with `max_depth`,
    only for the elements that deep or less (their children are in the tree, unannounced:
    a reader reads a comment's fields from the comment, not one event at a time).

    Raises UnreadableExport for anything but well-formed XML without a DOCTYPE."""
    target = _LineTarget()
    parser = _Parser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.expat = parser.parser
    deepest = float("inf") if max_depth is None else max_depth
    stack = []
    with opened(path_or_file) as file:
        try:
            for kind, element in iterparse(file, events=("start", "end"), parser=parser):
                if kind == "start":
                    depth = len(stack)
                    if depth <= deepest:
                        yield Event(kind, element, stack[-1] if stack else None, depth)
                    stack.append(element)
                else:
                    stack.pop()
                    depth = len(stack)
                    if depth <= deepest:
                        yield Event(kind, element, stack[-1] if stack else None, depth)
        except DTDForbidden:
            raise _refused_doctype(parser.doctype, parser.parser.CurrentLineNumber) from None
        except EntitiesForbidden as error:
            raise UnreadableExport(
                f"the file declares an XML entity ({error.name}), which is refused {REFUSED}",
                parser.parser.CurrentLineNumber,
            ) from None
        except ExternalReferenceForbidden as error:
            raise UnreadableExport(
                f"the file refers to an external entity ({error.sysid}), which is refused "
                f"{REFUSED}",
                parser.parser.CurrentLineNumber,
            ) from None
        except ParseError as error:
            raise _malformed(error) from None
        except UnicodeError as error:  # a text file object that can't be decoded
            raise UnreadableExport(f"the file is not text in its encoding ({error}).") from None


def _refused_doctype(doctype, line):
    name, sysid, has_internal_subset = doctype or ("", None, False)
    if sysid:
        reason = (
            f"the file's DOCTYPE points at an external DTD ({sysid}), which is refused: reading "
            "it would make the server fetch what the file names (an external-entity attack): "
            "nothing was read."
        )
    elif has_internal_subset:
        reason = (
            "the file declares XML entities (a DOCTYPE with declarations), which are refused "
            f"{REFUSED}"
        )
    else:
        reason = (
            f"the file declares a document type (<!DOCTYPE {name}>), which is refused: exports "
            "from WordPress and Disqus have none, and it is where a 'billion laughs' or "
            "external-entity file declares its entities. Nothing was read."
        )
    return UnreadableExport(reason, line)


def _malformed(error):
    line, column = error.position
    # ParseError's text is expat's reason followed by ": line L, column C".
    what = str(error).rsplit(": line ", 1)[0]
    if error.code in CUT_SHORT:
        return UnreadableExport(
            f"the file ends before its XML is complete ({what}): it was probably cut short, "
            "e.g. by an interrupted download or a full disk. Export it again.",
            line,
        )
    return UnreadableExport(f"the XML is malformed ({what}, column {column + 1}).", line)
