from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("article status", "Draft")
        PUBLISHED = "published", pgettext_lazy("article status", "Published")

    headline = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    standfirst = models.TextField(
        # Translators: a newspaper's "standfirst": the short introduction under a headline.
        _("standfirst"),
        blank=True,
        help_text=_("One or two sentences under the headline."),
    )
    photo_caption = models.CharField(_("photo caption"), max_length=300, blank=True)
    body = models.TextField(
        _("body"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    byline = models.CharField(_("byline"), max_length=200)
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def summary(self, length=160):
        """What the article is about, on one line: its standfirst, else the start of its
        body cut at a word to about `length` characters (the page's meta description, the
        feeds' and the structured data's)."""
        if self.standfirst.strip():
            return " ".join(self.standfirst.split())
        text = " ".join(self.body.split())
        if len(text) <= length:
            return text
        cut = text[: length - 1]
        if text[length - 1] != " ":
            cut = cut.rpartition(" ")[0] or cut
        return cut.rstrip(" ,;:.") + "…"
