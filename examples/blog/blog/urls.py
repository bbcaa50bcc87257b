from django.urls import path

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.PostListView.as_view(), name="list"),
    path("posts/<slug:slug>/", views.PostDetailView.as_view(), name="post"),
    path("live/<slug:slug>/", views.LiveEventDetailView.as_view(), name="event"),
]
