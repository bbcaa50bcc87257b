"""Put each discussion's cached thread into its page as the bytes the cache holds."""


class ThreadSplicingMiddleware:
    """The `comment_thread` tag leaves a marker in the page and the thread's UTF-8 bytes on
    the request; this puts the bytes in place of the marker.

    A 1,000-comment thread is some 700 KB. Passed through the template as text it was
    decoded from the cache, copied by every enclosing block and encoded again, which cost
    more than all the rest of a cached page; spliced as bytes it is copied once. It sits
    inside GZipMiddleware, so the page is compressed whole.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.comment_thread_splices = {}
        response = self.get_response(request)
        splice_threads(request, response)
        return response


def splice_threads(request, response):
    """Put the threads the page's tags left on the request in place of their markers (once:
    comments.public.pages does it before storing a whole page, this middleware after)."""
    splices = getattr(request, "comment_thread_splices", None)
    if not splices or response.streaming:
        return
    content = response.content
    for marker, html in splices.items():
        before, found, after = content.partition(marker)
        if found:
            content = b"".join((before, html, after))
    splices.clear()
    response.content = content
    if response.has_header("Content-Length"):  # CommonMiddleware measured the marker
        response["Content-Length"] = str(len(content))
