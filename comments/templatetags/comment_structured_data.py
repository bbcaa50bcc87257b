"""A discussion's comments as schema.org data, for the discussed page's JSON-LD:

    {% load comment_structured_data %}
    {% comment_structured_data article as comments_data %}

gives {"commentCount": the approved comments' count (the page's own count), "comment": the
approved comments the page shows, as schema.org `Comment` objects}, or {} when the object has
no discussion readers may see. The project's template puts it into its own object (a
NewsArticle, a BlogPosting …).

What a search engine is told is what the page shows every reader, and nothing more: it is the
very thread page the page shows (`comment_thread`'s, worked out once per request), so ?cpage=
and ?csort= give that page's comments, and a comment held, removed or on another page is not
in it. Its entries are made with the page and cached with it (comments.thread.render
.shown_comments): no query and no conversion on a warm page. Each comment gives its author's
name (and website, only the http(s) one the thread links), its time, its text as plain text
and its permalink: never an email, which the thread's rows do not even hold. Only approved
comments: a reader's own pending one, which only they see, is never in it.
"""

from django import template

from .comments import discussion_for, thread_for

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_structured_data(context, obj):
    """{"commentCount": n, "comment": [schema.org Comment, …]} for `obj` (any discussed
    object, or a Discussion) on the comment page this request shows, its addresses
    absolute; {} when readers may not see it."""
    discussion = discussion_for(context, obj)
    if discussion is None:
        return {}
    request = context.get("request")
    found = thread_for(context, discussion)
    absolute = request.build_absolute_uri if request is not None else str
    comments = []
    for entry in found["shown_comments"]:
        author = {"@type": "Person", "name": entry["author"]}
        if entry["author_url"]:
            author["url"] = entry["author_url"]
        comments.append(
            {
                "@type": "Comment",
                "author": author,
                "dateCreated": entry["submitted_at"],
                "text": entry["text"],
                "url": absolute(entry["url"]),
            }
        )
    return {"commentCount": found["approved_count"], "comment": comments}
