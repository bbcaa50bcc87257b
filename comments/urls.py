"""The readers' URLs: posting, editing one's own comment, and the feeds (comments.public);
the scripts' words in each language under jsi18n/ (comments.public.catalog); the
subscribers' pages under notifications/ (comments.notify, names "notify_…")."""

from django.urls import include, path

from .public import catalog, embed, feeds, reactions, views

app_name = "comments"

urlpatterns = [
    path("post/<int:discussion_id>/", views.post_comment, name="post"),
    path("discussion/", embed.discussion_by_url, name="discussion_by_url"),
    path("discussion/<int:discussion_id>/", views.discussion_page, name="discussion"),
    path("<int:comment_id>/edit/", views.edit_own_comment, name="edit"),
    # Beside "edit/": the thread's links are made from the edit link's address (thread.render).
    path("<int:comment_id>/recommend/", reactions.recommend_view, name="recommend"),
    path("<int:comment_id>/report/", reactions.report_view, name="report"),
    path("<int:comment_id>/report/sent/", reactions.report_sent_view, name="report_sent"),
    path("recommended/", reactions.recommended_view, name="recommended"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/<int:discussion_id>/", feeds.DiscussionCommentsFeed(), name="discussion_feed"),
    path("jsi18n/<str:lang>/", catalog.ScriptCatalog.as_view(), name="jsi18n"),
    path("jsi18n/<str:lang>/json/", catalog.EmbedCatalog.as_view(), name="jsi18n_json"),
    path("notifications/", include("comments.notify.urls")),
]
