"""Response headers: a policy that backs up sanitizing, and privacy for per-session pages."""

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers


def is_debug_page(request, response):
    """Whether this is one of Django's technical pages for an exception (DEBUG only).

    Those pages (the yellow 404 and 500 pages, and the 400 one for a bad request) are styled
    inline, so the policy would leave them unreadable on a developer's screen. Django makes
    them only for an exception, so status codes alone are not the test: a view that returns
    its own 404 page keeps the policy. They come from a URL that resolved to nothing (or a
    URLconf that failed to load), or from an exception that the view raised, noted by
    ContentSecurityPolicyMiddleware.process_exception, of a kind Django answers that way.
    """
    if not settings.DEBUG or response.status_code not in (400, 404, 500):
        return False
    if request.resolver_match is None:  # Resolving failed, so no view ran.
        return response.status_code in (404, 500)
    exception = getattr(request, "_csp_view_exception", None)
    if exception is None:
        return False
    if isinstance(exception, Http404):
        return response.status_code == 404
    if isinstance(exception, (BadRequest, SuspiciousOperation)):
        return response.status_code == 400
    return response.status_code == 500


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every page outside the admin.

    Reader-facing pages load nothing but this site's own CSS, so the policy can forbid all
    scripts, plugins and third-party requests. The admin has its own inline styles and
    scripts and is for trusted staff, so it is left out, and so are Django's technical
    error pages when DEBUG is on (see is_debug_page).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.admin_prefix is None:  # URLconf is loaded by now; wherever admin is mounted.
            self.admin_prefix = reverse("admin:index")
        policy = settings.CONTENT_SECURITY_POLICY
        if (
            policy
            and not request.path_info.startswith(self.admin_prefix)
            and not is_debug_page(request, response)
        ):
            response.headers.setdefault("Content-Security-Policy", policy)
        return response

    def process_exception(self, request, exception):
        """Remember what the view raised, for is_debug_page; Django still makes the response.

        This middleware is the innermost, so it hears of the exception first, before Django
        turns it into an error page.
        """
        request._csp_view_exception = exception


class PrivateCacheMiddleware:
    """Send `Cache-Control: private` when the page shows something of this session only.

    Code that renders per-session content (a reader's own pending comment, a form re-shown
    with what they typed, a staff preview) sets `request.is_personal = True`; a shared cache
    must then never hand that page to anyone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "is_personal", False):
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        return response
