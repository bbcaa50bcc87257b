"""Response headers that back up sanitizing: even markup that slipped through can't run."""

from django.conf import settings
from django.urls import reverse


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every page outside the admin.

    Reader-facing pages load nothing but this site's own CSS, so the policy can forbid all
    scripts, plugins and third-party requests. The admin has its own inline styles and
    scripts and is for trusted staff, so it is left out.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.admin_prefix is None:  # URLconf is loaded by now; wherever admin is mounted.
            self.admin_prefix = reverse("admin:index")
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and not request.path_info.startswith(self.admin_prefix):
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
