from django.contrib import admin

from .models import LiveEvent, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "published_at", "is_draft")
    list_filter = ("is_draft",)
    prepopulated_fields = {"slug": ("title",)}


@admin.register(LiveEvent)
class LiveEventAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at", "is_public")
    list_filter = ("is_public",)
    prepopulated_fields = {"slug": ("name",)}
