"""The site's URLs plus the baseline: Django's own limit on this machine, in the same server."""

from django.shortcuts import render
from django.urls import include, path


def baseline(request):
    """A minimal view rendering the site's base template: no database, no cache."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/baseline/", baseline),
    path("", include("newsite.urls")),
]
