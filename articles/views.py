from django.views.generic import DetailView, ListView

from .models import Article


class ArticleListView(ListView):
    paginate_by = 10
    context_object_name = "articles"

    def get_queryset(self):
        # Built per request: published() compares with the current time.
        return Article.objects.published()


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published()
