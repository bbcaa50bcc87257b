from django.db import models
from django.urls import reverse


class LiveBlogQuerySet(models.QuerySet):
    def live(self):
        """What readers may see: live blogs switched on."""
        return self.filter(is_live=True)


class LiveBlog(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    is_live = models.BooleanField(default=True)
    started_at = models.DateTimeField()

    objects = LiveBlogQuerySet.as_manager()

    class Meta:
        app_label = "discussed"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("live_blog", kwargs={"slug": self.slug})
