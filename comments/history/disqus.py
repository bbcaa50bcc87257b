"""Disqus's XML export: its threads and posts.

The root `<disqus>` is in the namespace `http://disqus.com`; ids are attributes `dsq:id` in
`http://disqus.com/disqus-internals`. Categories come first (ignored here), then every thread,
then every post:

    <thread dsq:id="4815162342">
      <link>https://news.example/2013/08/story/</link>
      <title>The story</title>
      …
    </thread>
    <post dsq:id="1001">
      <message><![CDATA[<p>Hello</p>]]></message>
      <createdAt>2013-08-27T15:06:35Z</createdAt>
      <isDeleted>false</isDeleted>
      <isSpam>false</isSpam>
      <author>
        <name>Ada</name> <email>ada@example.org</email>
        <isAnonymous>false</isAnonymous> <username>ada</username>
      </author>
      <ipAddress>192.0.2.1</ipAddress>
      <thread dsq:id="4815162342"/>
      <parent dsq:id="1000"/>          (a reply only)
    </post>

Status: isDeleted → removed, else isSpam → spam, else approved (Disqus holds no pending
comments in its export). A thread yields its `Thread`; a post naming a thread not declared
before it is refused, since the order is Disqus's own and a file out of it has been edited.
The author's name is `<name>`, or `<username>` when the name is empty; Disqus keeps no
website for a commenter, so `author_url` is "". `<createdAt>` without an offset is UTC.

Imports nothing from the app: see the package's docstring.
"""

from . import safexml
from ._common import aware_utc, ip_or_blank, iso_datetime
from .records import ImportedComment, Thread, UnreadableExport

DISQUS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
BOOLEANS = {"true": True, "false": False, "": False}


def read_disqus(path_or_file):
    """Yield the `Thread` and `ImportedComment` records of a Disqus export, in file order.
    `path_or_file`: a path, or a file open for reading.

    Streams: each thread and post is dropped from the tree once read; only the threads' ids
    are kept, to check each post's. Raises `UnreadableExport` (only) for a file it can't read.
    """
    threads = set()
    for kind, element, parent, depth in safexml.events(path_or_file, max_depth=1):
        if depth == 0:
            if kind == "start" and element.tag != f"{DISQUS}disqus":
                raise UnreadableExport(
                    f"the file's root element is <{element.tag.rpartition('}')[2]}>, not the "
                    "<disqus> of a Disqus export (in the namespace http://disqus.com).",
                    element.line,
                )
            continue
        if kind != "end" or depth != 1:
            continue
        if element.tag == f"{DISQUS}thread":
            thread = _thread(element)
            threads.add(thread.key)
            yield thread
        elif element.tag == f"{DISQUS}post":
            yield _post(element, threads)
        parent.remove(element)


def _text(element, path):
    found = element.find(path)
    return "" if found is None else "".join(found.itertext()).strip()


def _id(element, what):
    value = (element.get(DSQ_ID) or "").strip()
    if not value:
        raise UnreadableExport(f"a {what} has no dsq:id.", element.line)
    return value


def _thread(element):
    return Thread(
        key=_id(element, "thread"),
        link=_text(element, f"{DISQUS}link"),
        title=_text(element, f"{DISQUS}title"),
    )


def _post(element, threads):
    source_id = _id(element, "post")
    reference = element.find(f"{DISQUS}thread")
    if reference is None:
        raise UnreadableExport(f"post {source_id} names no thread.", element.line)
    thread_key = _id(reference, "post's <thread>")
    if thread_key not in threads:
        raise UnreadableExport(
            f"post {source_id} belongs to thread {thread_key}, which the file doesn't declare "
            "before it (a Disqus export lists every thread before the posts).",
            reference.line,
        )
    parent = element.find(f"{DISQUS}parent")
    if _flag(element, "isDeleted", source_id):
        status = "removed"
    elif _flag(element, "isSpam", source_id):
        status = "spam"
    else:
        status = "approved"
    return ImportedComment(
        thread_key=thread_key,
        source_id=source_id,
        parent_id=None if parent is None else _id(parent, "post's <parent>"),
        author_name=(
            _text(element, f"{DISQUS}author/{DISQUS}name")
            or _text(element, f"{DISQUS}author/{DISQUS}username")
        ),
        author_email=_text(element, f"{DISQUS}author/{DISQUS}email"),
        author_url="",
        ip_address=ip_or_blank(_text(element, f"{DISQUS}ipAddress")),
        submitted_at=_created_at(element, source_id),
        body=_text(element, f"{DISQUS}message"),
        status=status,
    )


def _flag(element, name, source_id):
    found = element.find(f"{DISQUS}{name}")
    value = "" if found is None else "".join(found.itertext()).strip()
    if value.lower() not in BOOLEANS:
        raise UnreadableExport(
            f"post {source_id}'s <{name}> is “{value}”, not true or false.", found.line
        )
    return BOOLEANS[value.lower()]


def _created_at(element, source_id):
    found = element.find(f"{DISQUS}createdAt")
    value = "" if found is None else "".join(found.itertext()).strip()
    if not value:
        raise UnreadableExport(f"post {source_id} has no date (<createdAt>).", element.line)
    moment = iso_datetime(value)
    if moment is None:
        raise UnreadableExport(
            f"post {source_id}'s date “{value}” (<createdAt>) is not an ISO 8601 date and time "
            "such as 2013-08-27T15:06:35Z.",
            found.line,
        )
    return aware_utc(moment)
