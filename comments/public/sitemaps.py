"""Comment pages in a project's sitemap: a long discussion's later pages, for search engines
to find the comments the discussed page itself does not show.

    from comments.public.sitemaps import CommentPagesSitemap
    sitemaps = {"articles": ArticleSitemap, "comments": CommentPagesSitemap}

The discussed page is the first comment page and is the project's to list (as its own
sitemap lists its objects); this adds pages 2 to N (`?cpage=N`, in the site's default order,
the address each page names as its canonical one) of every discussion readers may see that
has more than one page of threads. A page holds COMMENTS_PER_PAGE top-level threads, counted
as the thread counts them (`Comment.objects.public_threads()`: approved, and removed ones kept
as placeholders of approved replies); one aggregate query finds them all.
"""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Count

from ..conf import settings
from ..models import Comment, Discussion
from ..thread.render import page_query, thread_order


class CommentPagesSitemap(Sitemap):
    """Comment pages past the first of every public discussion that has them."""

    def items(self):
        """(discussion's page, comment page number) of every later page, in one query."""
        per_page = settings.COMMENTS_PER_PAGE
        found = (
            Comment.objects.public_threads()
            .filter(discussion__in=Discussion.objects.public())
            .order_by()
            .values("discussion_id", "discussion__content_type_id", "discussion__url")
            .annotate(threads=Count("pk"))
            .filter(threads__gt=per_page)
            .order_by("discussion_id")
        )
        items = []
        for row in found:
            discussion = Discussion(
                pk=row["discussion_id"],
                content_type_id=row["discussion__content_type_id"],
                url=row["discussion__url"],
            )
            path = _path(discussion.get_absolute_url())
            pages = -(-row["threads"] // per_page)
            items.extend((path, page) for page in range(2, pages + 1))
        return items

    def location(self, item):
        path, page = item
        query = page_query(page, thread_order())  # "?cpage=N"
        return f"{path}&{query[1:]}" if "?" in path else f"{path}{query}"


def _path(url):
    """The path (and query) of a discussion's address: the sitemap framework puts this
    site's scheme and host before it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
