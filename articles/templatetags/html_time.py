"""Dates in the form HTML's <time datetime> accepts."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_attr(value):
    """An ISO 8601 date and time to the second, with its offset: 2026-11-28T09:02:53+00:00.

    Django's `|date:"c"` keeps microseconds, which the Nu HTML checker rejects.
    """
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
