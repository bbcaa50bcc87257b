"""The cached thread: what readers see of a discussion's comments, rendered once per change.

- `cache`: each discussion's generation, its cached pages, and `forget_threads` (a listener
  attached to the write path's registry in `comments.apps`).
- `render`: the thread read as rows, nested, and one comment rendered by one function that
  escapes every value it is not told is safe.
- `data`: the same rows, nesting and pages as JSON for the API (comments.api.reads), cached
  under the same generation.
- `middleware`: splices the cached bytes into the page.
- `pages`: whole pages (an object's page, thread and blank form; a list page) stored once per
  change and checked on each request; `compress`: their gzip, built from pieces deflated once
  (comments.public.pages decides who shares them).

Layer: below the write path; never imports `comments.moderation`. Imports `comments.models`
and `comments.conf`.
"""

from .cache import (
    PageState,
    cached_page,
    forget_discussions,
    forget_threads,
    page_state,
    thread_page,
)
from .data import thread_data
from .render import ThreadComment, nest, render_page

__all__ = [
    "PageState",
    "ThreadComment",
    "cached_page",
    "forget_discussions",
    "forget_threads",
    "nest",
    "page_state",
    "render_page",
    "thread_data",
    "thread_page",
]
