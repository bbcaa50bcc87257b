"""The NinjaAPI of version 1, with each feature package's router."""

from ninja import NinjaAPI

from . import posting, reactions, reads, staff, stats

api = NinjaAPI(
    title="The Meridian comments API",
    version="1",
    description="Read discussions and their approved comments, post comments through the "
    "same rules as the HTML form, and moderate with a staff token.",
    urls_namespace="comments_api",
    docs_url="/docs/",
    openapi_url="/openapi.json",
)
api.add_router("", reads.router)
api.add_router("", posting.router)
api.add_router("", reactions.router)
api.add_router("/staff", staff.router)
api.add_router("/stats", stats.router)
