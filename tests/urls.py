"""The demo site's URLs, plus the tests' second discussed model (tests.discussed)."""

from django.urls import path

from newsite.urls import urlpatterns as site_urlpatterns
from tests.discussed.views import LiveBlogView

urlpatterns = [
    path("live/<slug:slug>/", LiveBlogView.as_view(), name="live_blog"),
    *site_urlpatterns,
]
