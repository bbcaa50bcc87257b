"""The subscribers' pages (comments.notify.views), mounted by comments.urls under
"notifications/" in the app's namespace, each name prefixed "notify_"."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.request_link, name="notify_request"),
    path("confirm/<str:token>/", views.confirm, name="notify_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notify_unsubscribe"),
    path("manage/<str:token>/", views.manage, name="notify_manage"),
]
