"""Which other sites may call the API from a browser: COMMENTS_EMBED_ORIGINS.

A browser sends `Origin` with every cross-origin request (and with same-origin POSTs). The
readers' endpoints answer a listed origin with CORS headers that let its pages read the
answer; an unlisted origin gets none (the browser then hides the answer), and a post from
it is refused before anything is read or stored. The staff endpoints never answer another
origin at all.
"""

from ..public.addresses import embed_origins, own_origin

__all__ = ["allow", "embed_origins", "is_allowed", "own_origin", "request_origin"]


def request_origin(request):
    """The Origin the browser sent, or "" (not a browser's cross-origin request)."""
    return request.headers.get("Origin", "").strip().rstrip("/").lower()


def is_allowed(request):
    """Whether the request comes from no other origin, or from a listed one."""
    origin = request_origin(request)
    return not origin or origin == own_origin(request) or origin in embed_origins()


def allow(request, response, *, methods="GET, POST, OPTIONS"):
    """Add the CORS headers that let a listed origin's pages read `response` (and send the
    poster key); nothing for any other origin."""
    origin = request_origin(request)
    if origin and origin != own_origin(request) and origin in embed_origins():
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = methods
        response["Access-Control-Allow-Headers"] = "Content-Type, X-Poster-Key, If-None-Match"
        response["Access-Control-Expose-Headers"] = "ETag, X-Poster-Key"
        response["Access-Control-Max-Age"] = "600"
    patch = response.get("Vary", "")
    if "Origin" not in patch:
        response["Vary"] = f"{patch}, Origin" if patch else "Origin"
    return response
