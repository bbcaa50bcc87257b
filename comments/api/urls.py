"""The API's URLs: `path("api/v1/", include("comments.api.urls"))` in the project (the
namespace is `comments_api`)."""

from .site import api

urlpatterns, _, app_name = api.urls
