"""The site's sitemaps (/sitemap.xml, /news-sitemap.xml; robots.txt names both): the front
page, every published article and the articles' later comment pages in one, Google News's
sitemap of the last two days' articles in the other."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.sitemaps import ArticleSitemap, NewsSitemap
from comments.public.sitemaps import CommentPagesSitemap


class FrontPageSitemap(Sitemap):
    """The front page: the latest articles."""

    changefreq = "hourly"

    def items(self):
        return ["articles:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": FrontPageSitemap,
    "articles": ArticleSitemap,
    "comments": CommentPagesSitemap,
}
NEWS_SITEMAPS = {"news": NewsSitemap}
