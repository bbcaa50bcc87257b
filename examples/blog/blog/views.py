from django.views.generic import DetailView, ListView

from .models import LiveEvent, Post


class PostListView(ListView):
    context_object_name = "posts"
    template_name = "blog/post_list.html"

    def get_queryset(self):
        return Post.objects.live()

    def get_context_data(self, **kwargs):
        return super().get_context_data(events=LiveEvent.objects.public(), **kwargs)


# The detail views keep DetailView's names (template blog/<model>_detail.html, the object as
# `post` or `liveevent`): the comments app shows the same template again, with the same
# names, when a comment comes back with errors or as a preview.
class PostDetailView(DetailView):
    def get_queryset(self):
        return Post.objects.live()


class LiveEventDetailView(DetailView):
    def get_queryset(self):
        return LiveEvent.objects.public()
