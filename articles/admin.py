from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    # Whether an article takes comments is its discussion's (Comments > Discussions).
    list_display = ("headline", "byline", "status", "published_at")
    list_filter = ("status", "published_at")
    search_fields = ("headline", "standfirst", "body", "byline")
    prepopulated_fields = {"slug": ("headline",)}
    date_hierarchy = "published_at"
    fieldsets = (
        (None, {"fields": ("headline", "slug", "standfirst", "byline", "photo_caption", "body")}),
        (_("Publishing"), {"fields": ("status", "published_at")}),
    )
