"""Bringing a newsroom's comment history in from the system it used before, and out again:
WordPress, Disqus, or a documented CSV for everything else.

The readers are pure parsing, streamed, with no database and no models. Each
turns an export into plain records, `Thread`, `ImportedComment` and `Skipped` (`records`), a
thread before its comments, and refuses a hostile or malformed file with `UnreadableExport`,
whose message says where and why:

- `safexml`: the one way XML is read here (defusedxml, DOCTYPEs and entities refused,
  streamed so that a file of hundreds of MB is never held whole).
- `wordpress`: WordPress's WXR export, versions 1.0 to 1.2 (`read_wordpress`).
- `disqus`: Disqus's XML export (`read_disqus`).
- `csvfile`: the documented CSV (`read_csv`); its docstring is the format's reference.
- `readers`: `read_export(path, format=None)`, picking the reader by name or by the file's
  first bytes.
- `export`: `write_wordpress`, records out as a WXR file WordPress imports.

A record's `body` is the old system's HTML, scripts and all: the readers never sanitize it.

Layer: `history`, below the write path, beside `spam` and `thread`. The readers import
nothing from the app, so they can be tested and run on any file without Django. The write
path's `comments.moderation.imports.bring_in` takes their records and writes them, sanitizing
each body as it would a reader's post; `manage.py import_comments` runs it on a file, and
`manage.py export_comments` writes the site's discussions out through `write_wordpress`.
"""

from .csvfile import read_csv
from .disqus import read_disqus
from .export import by_thread, write_wordpress
from .readers import FORMATS, read_export, sniff_format
from .records import STATUSES, ImportedComment, Record, Skipped, Thread, UnreadableExport
from .wordpress import read_wordpress

__all__ = [
    "FORMATS",
    "STATUSES",
    "ImportedComment",
    "Record",
    "Skipped",
    "Thread",
    "UnreadableExport",
    "by_thread",
    "read_csv",
    "read_disqus",
    "read_export",
    "read_wordpress",
    "sniff_format",
    "write_wordpress",
]
