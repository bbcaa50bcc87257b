"""The languages a reader may choose (settings.LANGUAGES), for the language switch."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def site_languages():
    """[{"code", "name" (in that language itself, as LANGUAGES names it), "dir" (rtl or ltr),
    "current" (the one the page is in)}] of each language readers may choose."""
    current = get_language()
    bidi = {code.lower() for code in settings.LANGUAGES_BIDI}
    return [
        {
            "code": code,
            "name": name,
            "dir": "rtl" if code.lower().split("-")[0] in bidi else "ltr",
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag
def current_language_name():
    """The page's language, named in itself ("Français"), as LANGUAGES names it."""
    current = get_language() or settings.LANGUAGE_CODE
    names = dict(settings.LANGUAGES)
    return names.get(current) or names.get(current.split("-")[0], current)
