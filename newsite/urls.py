from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from articles.site import SITE_NAME
from articles.views import ArticleListView
from comments.public.pages import whole_list_page

from . import views
from .admin_login import ThrottledAdminLoginForm
from .sitemaps import NEWS_SITEMAPS, SITEMAPS

# Translators: the admin's heading; {site} is the newspaper's name (a brand, kept as is).
admin.site.site_header = admin.site.site_title = format_lazy(_("{site} newsroom"), site=SITE_NAME)
admin.site.login_form = ThrottledAdminLoginForm

# Browsers (and the admin's pages, which link no icon) ask for /favicon.ico. The SVG is a
# static file; its URL is worked out on first use, not at import, because with DEBUG off it
# comes from the collectstatic manifest (hashed name), which may not exist yet at import.
favicon_url = lazy(static, str)("articles/favicon.svg")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=favicon_url, permanent=True)),
    # For crawlers: what they may read, and the sitemaps (newsite.sitemaps).
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/sitemap.xml"},
        name="sitemap",
    ),
    path(
        "news-sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": NEWS_SITEMAPS, "template_name": "sitemaps/news.xml"},
        name="news_sitemap",
    ),
    # The language switch: a page with one form to Django's set_language (i18n/setlang/).
    path("language/", views.language, name="language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("api/v1/", include("comments.api.urls")),
    # The front page, kept whole in the cache until an article or a count changes; the
    # same view as articles.urls' own "" (articles never imports comments).
    path("", whole_list_page("articles.Article")(ArticleListView.as_view())),
    path("", include("articles.urls")),
]
