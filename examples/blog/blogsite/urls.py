from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The comments app's own pages: posting, editing one's own comment, the feeds.
    path("comments/", include("comments.urls")),
    path("", include("blog.urls")),
]
