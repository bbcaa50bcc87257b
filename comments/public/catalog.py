"""The scripts' words in the reader's language: Django's JavaScript catalog of the app's own
`djangojs` domain (comments/locale/<lang>/LC_MESSAGES/djangojs.po), with the language in
the address, so that browsers and shared caches can keep each language's catalog.

- `comments/jsi18n/<lang>/`: a script for this site's pages, loaded before comments.js (and
  before queue.js in the admin) from this site, as `script-src 'self'` wants: it defines
  `gettext`, `ngettext`, `interpolate`… (`{% comment_scripts %}` emits both, for the page's
  language).
- `comments/jsi18n/<lang>/json/`: the same words as JSON, for the embed (embed.js runs on
  another site's page, where it must define no globals). Shared with the embedding sites of
  COMMENTS_EMBED_ORIGINS (CORS); another origin's page gets the answer without the header
  that lets it read it. For a language this site does not ship, a 404 whose JSON says which
  languages it does, so the embed can pick another at once.

A language not in settings.LANGUAGES is a 404 either way.

(The CORS answer is the one a plain GET needs, made from the same origin helpers as the
API's, comments.public.addresses; the readers' side may not import comments.api.)
"""

import functools
import hashlib
from pathlib import Path

from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.views.i18n import JavaScriptCatalog, JSONCatalog

from ..conf import settings
from .addresses import embed_origins, own_origin

# How long browsers and proxies keep a catalog before asking again (an ETag makes asking
# again cheap). Pages ask for it with the version of the compiled catalogs (catalog_version),
# so new words show at once after a release, whatever a browser kept.
MAX_AGE = 24 * 60 * 60
NOT_SHIPPED = "This site has no catalog in that language."
LOCALE = Path(__file__).resolve().parent.parent / "locale"


@functools.cache
def catalog_version():
    """A digest of the scripts' compiled catalogs as deployed (each file's name, size and
    time), once per process: the `?v=` of the catalog's address in pages."""
    digest = hashlib.sha256()
    for path in sorted(LOCALE.glob("*/LC_MESSAGES/djangojs.mo")):
        stat = path.stat()
        digest.update(f"{path.relative_to(LOCALE)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


def shipped_languages():
    """The language codes of settings.LANGUAGES, in order."""
    return [code for code, _name in settings.LANGUAGES]


class _InTheAddressedLanguage:
    """The catalog of the app's scripts in the language the address names, cached publicly."""

    packages = ["comments"]
    domain = "djangojs"
    http_method_names = ["get", "head", "options"]

    def get(self, request, lang):
        if lang not in shipped_languages():
            return self.not_shipped(request, lang)
        with translation.override(lang):
            response = super().get(request)
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        digest = hashlib.sha256(response.content).hexdigest()[:32]
        response["ETag"] = quote_etag(digest)
        response = get_conditional_response(request, etag=response["ETag"], response=response)
        # The addressed language, on a 304 too (else LocaleMiddleware names the reader's).
        response["Content-Language"] = lang
        return response

    def not_shipped(self, request, lang):
        raise Http404(NOT_SHIPPED)


class ScriptCatalog(_InTheAddressedLanguage, JavaScriptCatalog):
    """comments/jsi18n/<lang>/: the words of comments.js and queue.js, as a script."""


class EmbedCatalog(_InTheAddressedLanguage, JSONCatalog):
    """comments/jsi18n/<lang>/json/: the words of embed.js, as JSON, for the embedding sites
    too; with the language and its direction (`bidi`: right to left)."""

    def get(self, request, lang):
        return share_with_embeds(request, super().get(request, lang))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["language"] = translation.get_language()
        context["bidi"] = translation.get_language_bidi()
        return context

    def not_shipped(self, request, lang):
        return JsonResponse({"message": NOT_SHIPPED, "languages": shipped_languages()}, status=404)

    def options(self, request, *args, **kwargs):
        return share_with_embeds(request, super().options(request, *args, **kwargs))


def share_with_embeds(request, response):
    """Let a page of an embedding site (COMMENTS_EMBED_ORIGINS) read `response`: the one header
    a plain cross-origin GET needs; nothing for any other origin. Varies by Origin either way,
    so a shared cache never gives one origin's answer to another."""
    origin = request.headers.get("Origin", "").strip().rstrip("/").lower()
    if origin and origin != own_origin(request) and origin in embed_origins():
        response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ("Origin",))
    return response
