from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from articles.views import ArticleListView
from comments.public.pages import whole_list_page

from . import views
from .admin_login import ThrottledAdminLoginForm

admin.site.site_header = "The Meridian newsroom"
admin.site.site_title = "The Meridian newsroom"
admin.site.login_form = ThrottledAdminLoginForm

# Browsers (and the admin's pages, which link no icon) ask for /favicon.ico. The SVG is a
# static file; its URL is worked out on first use, not at import, because with DEBUG off it
# comes from the collectstatic manifest (hashed name), which may not exist yet at import.
favicon_url = lazy(static, str)("articles/favicon.svg")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=favicon_url, permanent=True)),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("api/v1/", include("comments.api.urls")),
    # The front page, kept whole in the cache until an article or a count changes; the
    # same view as articles.urls' own "" (articles never imports comments).
    path("", whole_list_page("articles.Article")(ArticleListView.as_view())),
    path("", include("articles.urls")),
]
