"""`<link rel="alternate">` tags for the comment feeds, for a page's <head>."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..public.feeds import discussion_feed_title, site_feed_title
from .comments import discussion_for

register = template.Library()

LINK = '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">'


@register.simple_tag(takes_context=True)
def comment_feed_link(context, obj=None):
    """The site-wide comments feed, or with an object (or a Discussion) readers may see, its
    comments feed (the discussion looked up once per page, with the thread's tags)."""
    discussion = discussion_for(context, obj) if obj is not None else None
    if discussion is None:
        return format_html(LINK, site_feed_title(), reverse("comments:feed"))
    return format_html(
        LINK,
        discussion_feed_title(discussion),
        reverse("comments:discussion_feed", kwargs={"discussion_id": discussion.pk}),
    )
