"""The fixtures' folder and small export files built in a test, to show one case each."""

import io
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "history"

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/{version}/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<wp:wxr_version>{version}</wp:wxr_version>
"""


def wxr_comment(comment_id="1", **fields):
    """A <wp:comment>, a plain approved one unless `fields` say otherwise (None leaves a
    field out)."""
    values = {
        "comment_id": comment_id,
        "comment_author": "Ada",
        "comment_author_email": "ada@readers.example",
        "comment_author_url": "",
        "comment_author_IP": "192.0.2.1",
        "comment_date": "2023-11-02 10:15:00",
        "comment_date_gmt": "2023-11-02 09:15:00",
        "comment_content": "<![CDATA[Hello]]>",
        "comment_approved": "1",
        "comment_type": "",
        "comment_parent": "0",
    } | fields
    inner = "".join(
        f"<wp:{name}>{value}</wp:{name}>\n" for name, value in values.items() if value is not None
    )
    return f"<wp:comment>\n{inner}</wp:comment>\n"


def wxr_item(post_id="101", *comments, head=None):
    head = (
        head
        if head is not None
        else f"<title>Post {post_id}</title>\n<link>https://gazette.example/{post_id}/</link>\n"
        f"<wp:post_id>{post_id}</wp:post_id>\n"
    )
    return f"<item>\n{head}{''.join(comments)}</item>\n"


def wxr(*items, version="1.2"):
    """A WXR file (as a binary file object) holding `items`."""
    text = WXR_HEAD.format(version=version) + "".join(items) + "</channel>\n</rss>\n"
    return io.BytesIO(text.encode())


def disqus(*elements):
    """A Disqus export (as a binary file object) holding `elements`."""
    text = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        + "".join(elements)
        + "</disqus>\n"
    )
    return io.BytesIO(text.encode())


def disqus_thread(key="1"):
    return f'<thread dsq:id="{key}">\n<link>https://gazette.example/{key}/</link>\n</thread>\n'


def disqus_post(key="10", thread="1", **fields):
    values = {
        "message": "<![CDATA[<p>Hello</p>]]>",
        "createdAt": "2023-11-02T09:15:00Z",
        "isDeleted": "false",
        "isSpam": "false",
    } | fields
    inner = "".join(
        f"<{name}>{value}</{name}>\n" for name, value in values.items() if value is not None
    )
    reference = f'<thread dsq:id="{thread}"/>\n' if thread is not None else ""
    return f'<post dsq:id="{key}">\n{inner}<author><name>Ada</name></author>\n{reference}</post>\n'


def line_of(path_or_file, text):
    """The number of the first line of the file (a path, or a BytesIO) holding `text`."""
    if isinstance(path_or_file, io.BytesIO):
        content = path_or_file.getvalue().decode()
    else:
        content = Path(path_or_file).read_text(encoding="utf-8")
    return next(n for n, line in enumerate(content.splitlines(), 1) if text in line)


def read_until_refused(reader, source):
    """The records `reader` gave before raising, and what it raised."""
    records = []
    try:
        for record in reader(source):
            records.append(record)
    except Exception as error:  # the test checks which it is
        return records, error
    raise AssertionError(f"the file was read without complaint: {records}")
