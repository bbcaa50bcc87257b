"""The readers stream: a WXR file of 20,000 comments is read with the parser's memory bounded
to a small fraction of the file, since an element is dropped once read."""

import time
import tracemalloc

from comments.history import ImportedComment, Thread, read_wordpress

COMMENTS = 20_000
POSTS = 4
BODY = "<p>" + "A comment long enough to weigh something in memory. " * 8 + "</p>"


def write_wxr(path):
    """A WXR file of POSTS posts sharing COMMENTS comments, each a reply to the previous one
    in its post."""
    per_post = COMMENTS // POSTS
    with open(path, "w", encoding="utf-8") as file:
        file.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        number = 0
        for post in range(1, POSTS + 1):
            file.write(
                f"<item><title>Post {post}</title><link>https://gazette.example/{post}/</link>"
                f"<wp:post_id>{post}</wp:post_id>\n"
            )
            for index in range(per_post):
                number += 1
                file.write(
                    f"<wp:comment><wp:comment_id>{number}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {number}]]></wp:comment_author>"
                    f"<wp:comment_author_email>r{number}@readers.example</wp:comment_author_email>"
                    f"<wp:comment_author_IP>192.0.2.{number % 250}</wp:comment_author_IP>"
                    "<wp:comment_date_gmt>2023-11-02 09:15:00</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[{BODY}]]></wp:comment_content>"
                    "<wp:comment_approved>1</wp:comment_approved>"
                    "<wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{number - 1 if index else 0}</wp:comment_parent>"
                    "</wp:comment>\n"
                )
            file.write("</item>\n")
        file.write("</channel>\n</rss>\n")


def test_twenty_thousand_comments_are_read_in_bounded_memory(tmp_path):
    path = tmp_path / "big.xml"
    write_wxr(path)
    size = path.stat().st_size
    assert size > 8_000_000

    threads = comments = 0
    last = None
    started = time.perf_counter()
    tracemalloc.start()
    try:
        for record in read_wordpress(path):
            if isinstance(record, Thread):
                threads += 1
            elif isinstance(record, ImportedComment):
                comments += 1
                last = record
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started

    assert (threads, comments) == (POSTS, COMMENTS)
    assert (last.source_id, last.parent_id, last.thread_key) == ("20000", "19999", "4")
    assert last.body == BODY
    # The whole tree of this file would take several times its size; streamed, the parser
    # holds a chunk of the file and the comment being read.
    assert peak < 2_000_000, f"peak {peak:,} bytes for a file of {size:,}"
    print(f"\n{COMMENTS:,} comments, {size / 1e6:.1f} MB: {elapsed:.2f} s, peak {peak:,} bytes")
