"""The blog's two discussed models: posts and live events (COMMENTS_MODELS in settings)."""

from django.db import models
from django.urls import reverse
from django.utils import timezone


class PostQuerySet(models.QuerySet):
    def live(self):
        """Posts readers may see: not a draft, and not scheduled for later."""
        return self.filter(is_draft=False, published_at__lte=timezone.now())


class Post(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    is_draft = models.BooleanField(default=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blog:post", kwargs={"slug": self.slug})


class LiveEventQuerySet(models.QuerySet):
    def public(self):
        """Events readers may see."""
        return self.filter(is_public=True)


class LiveEvent(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    starts_at = models.DateTimeField()
    is_public = models.BooleanField(default=False)

    objects = LiveEventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:event", kwargs={"slug": self.slug})
