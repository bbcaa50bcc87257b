"""The way into an embedded thread without JavaScript.

The embed snippet another site pastes carries a plain link inside its <div>:

    <div data-comments-url="https://news.example/story">
      <a href="https://comments.example/comments/discussion/?url=https%3A%2F%2Fnews.example%2Fstory">
        Read and post comments</a>
    </div>

comments/static/comments/embed.js replaces it with the thread; without the script (or where
the script refuses to run) the reader follows the link here, and is sent to this site's own
page of that page's discussion (the thread and the form, HTML first), created on first use.

Only for pages of this site or of a site in COMMENTS_EMBED_ORIGINS, as the API answers only
those: anything else is a 404, so no one can make discussions of arbitrary addresses.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from .addresses import discussion_at

NOT_HERE = "Not an address of a page whose comments this site shows."


@require_http_methods(["GET", "HEAD"])
def discussion_by_url(request):
    """?url=<a page's address>: redirect to this site's page of that page's discussion (for
    an object's page on this site, the object's page itself)."""
    try:
        found = discussion_at(request, request.GET.get("url", ""))
    except ValueError:
        raise Http404(NOT_HERE) from None
    if found is None:
        raise Http404(NOT_HERE)
    return redirect(found.get_absolute_url())
