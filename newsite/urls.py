from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "The Meridian newsroom"
admin.site.site_title = "The Meridian newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("articles.urls")),
]
