"""Pages known by their address: which sites may have discussions here, and the discussion
of the page at an address. Shared by the no-JavaScript link of the embed (comments.public.embed)
and the API's reads (comments.api.reads), so both find the same discussion."""

from urllib.parse import urlsplit

from ..conf import settings
from ..models import Discussion, normalize_page_url


def embed_origins():
    """The origins listed in COMMENTS_EMBED_ORIGINS, normalised (scheme://host[:port])."""
    configured = settings.COMMENTS_EMBED_ORIGINS
    if isinstance(configured, str):
        configured = configured.split(",")
    return {origin.strip().rstrip("/").lower() for origin in configured if origin.strip()}


def own_origin(request):
    return f"{request.scheme}://{request.get_host()}".lower()


def discussion_at(request, url):
    """The discussion of the page at `url`, or None: an object's page on this site is its
    object's (when readers may see it); any other page's is begun on first use when the
    page is this site's or an embedding site's (so no one can make discussions of arbitrary
    addresses). Raises ValueError for what is not an absolute http(s) address."""
    address = normalize_page_url(url)
    parts = urlsplit(address)
    origin = f"{parts.scheme}://{parts.netloc}"
    own = origin == own_origin(request)
    if own:
        local = address[len(origin) :]
        objects = Discussion.objects.filter(content_type__isnull=False, url__in=(local, address))
        if objects.exists():
            return Discussion.objects.public().filter(pk__in=objects).first()
    found = Discussion.objects.filter(content_type=None, url=address).first()
    if found is None and (own or origin in embed_origins()):
        found = Discussion.objects.of_url(address)
    return found
