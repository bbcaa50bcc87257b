from django.contrib import admin

from .models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("headline", "byline", "status", "published_at", "comments_open")
    list_filter = ("status", "comments_open", "published_at")
    search_fields = ("headline", "standfirst", "body", "byline")
    prepopulated_fields = {"slug": ("headline",)}
    date_hierarchy = "published_at"
    list_editable = ("comments_open",)
    fieldsets = (
        (None, {"fields": ("headline", "slug", "standfirst", "byline", "photo_caption", "body")}),
        ("Publishing", {"fields": ("status", "published_at", "comments_open")}),
    )
