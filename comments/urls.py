"""The readers' URLs: posting, editing one's own comment, and the feeds (comments.public)."""

from django.urls import path

from .public import feeds, views

app_name = "comments"

urlpatterns = [
    path("post/<int:article_id>/", views.post_comment, name="post"),
    path("<int:comment_id>/edit/", views.edit_own_comment, name="edit"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/<int:article_id>/", feeds.ArticleCommentsFeed(), name="article_feed"),
]
