"""The articles in sitemaps (newsite.sitemaps puts them together): every published article
at its permalink, and Google News's sitemap of those published in the last two days."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from .models import Article
from .site import SITE_NAME

# Google News reads a news sitemap's articles of the last two days, at most 1,000 of them.
NEWS_DAYS = 2
NEWS_LIMIT = 1000


def w3c_datetime(value):
    """An aware datetime as the W3C profile of ISO 8601 writes it, to the second, in the
    site's time zone: 2026-11-28T09:02:53+00:00."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


class ArticleSitemap(Sitemap):
    """Every published article, last modified when it was last saved."""

    def items(self):
        return Article.objects.published().only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at


class NewsSitemap(ArticleSitemap):
    """The articles published in the last two days, each with its Google News details
    (templates/sitemaps/news.xml writes them): the publication's name and language (the
    primary subtag of the site's LANGUAGE_CODE, the articles' own), the publication date
    and the headline."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - timedelta(days=NEWS_DAYS)
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "headline", "published_at", "updated_at")
        )

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        language = settings.LANGUAGE_CODE.split("-")[0].lower()
        for url in urls:
            article = url["item"]
            url["news"] = {
                "name": SITE_NAME,
                "language": language,
                "publication_date": w3c_datetime(article.published_at),
                "title": article.headline,
            }
        return urls
