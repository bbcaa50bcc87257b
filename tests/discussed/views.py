from django.views.generic import DetailView

from .models import LiveBlog


class LiveBlogView(DetailView):
    context_object_name = "liveblog"

    def get_queryset(self):
        return LiveBlog.objects.live()
