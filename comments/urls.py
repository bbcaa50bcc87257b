"""The readers' URLs: posting, editing one's own comment, and the feeds (comments.public)."""

from django.urls import path

from .public import embed, feeds, views

app_name = "comments"

urlpatterns = [
    path("post/<int:discussion_id>/", views.post_comment, name="post"),
    path("discussion/", embed.discussion_by_url, name="discussion_by_url"),
    path("discussion/<int:discussion_id>/", views.discussion_page, name="discussion"),
    path("<int:comment_id>/edit/", views.edit_own_comment, name="edit"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/<int:discussion_id>/", feeds.DiscussionCommentsFeed(), name="discussion_feed"),
]
