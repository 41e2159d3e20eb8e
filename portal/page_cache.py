"""Whole-page cache for anonymous GETs of the public read pages (listings, programme,
territory, explorer and monitoring pages).

Why: an uncached listing at national scale costs tens of milliseconds of SQL and as much of
template rendering, and most visitors ask the same few addresses. A cached page costs one
query (the data versions) and a cache read.

The key is the path + the query string with its parameters sorted (the same filters in
another order are the same page) + the data version the page shows (bumped on each publish
and import, so that a publish invalidates the cached pages on every app server sharing the
cache): one programme's for its programme page and its monitoring pages (`/faad/`,
`/suivi/faad/…`: a publish in another programme leaves them cached), the catalogue's for
every other page + the language. Never cached: logged-in users (or any request carrying
a session), pages with a message or a CSRF token on them, answers other than 200 HTML,
anything but GET/HEAD.
Responses say `Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE`, carry an ETag (a
revalidation with `If-None-Match` gets a 304) and `Vary: Cookie, Accept-Language`.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from portal.csp import MAP_DOCUMENT_ATTRIBUTE
from projects.selection import data_version

#: Public read pages worth caching whole (settings.PAGE_CACHE_PATHS overrides).
DEFAULT_PATHS = (
    r"^/$",
    r"^/projets/$",
    r"^/territoires/[^/]+/$",
    r"^/cartes/projets/$",
    r"^/cartes/couverture/$",
    r"^/suivi/",
    # programme pages: /faad/, /1000-premiers-jours/ … (one segment, not the admin)
    r"^/(?!admin/|django-admin/|api/|static/|media/|documents/|cartes/)[^/]+/$",
)
HEADER = "X-Page-Cache"


def _setting(name, default):
    return getattr(settings, name, default)


#: The programme slug a page shows alone, if it is one: /<slug>/ and /suivi/<slug>/….
PROGRAMME_PATH = re.compile(r"^/(?:suivi/)?([^/]+)/")


def page_version(request) -> str:
    """The data version the page at this path shows, in one query (`DataVersion.scoped`:
    a segment that is not a programme gives the catalogue's)."""
    match = PROGRAMME_PATH.match(request.path)
    return data_version(request, match.group(1) if match else None)


def page_key(request, versions: str) -> str:
    query = sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    raw = f"{request.path}?{urlencode(query)}|{versions}|{get_language() or ''}"
    return "page:" + hashlib.sha1(raw.encode()).hexdigest()


class PageCacheMiddleware:
    """Placed after the authentication and message middlewares (it reads both)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = [re.compile(p) for p in _setting("PAGE_CACHE_PATHS", DEFAULT_PATHS)]

    def cacheable_request(self, request) -> bool:
        if not _setting("PAGE_CACHE_ENABLED", True) or request.method not in ("GET", "HEAD"):
            return False
        if not any(p.match(request.path) for p in self.paths):
            return False
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return False  # a session (a logged-in agent) or a message to show
        return not request.user.is_authenticated

    def __call__(self, request):
        if not self.cacheable_request(request):
            return self.get_response(request)
        key = page_key(request, page_version(request))
        stored = cache.get(key)
        if stored is not None:
            content, content_type, etag = stored
            response = get_conditional_response(
                request, etag=etag, response=HttpResponse(content, content_type=content_type))
            response[HEADER] = "hit"
            return self._headers(response, etag)
        response = self.get_response(request)
        if self.storable(request, response):
            etag = '"' + hashlib.sha1(response.content).hexdigest()[:24] + '"'
            cache.set(key, (response.content, response["Content-Type"], etag),
                      _setting("PAGE_CACHE_TIMEOUT", 3600))
            response[HEADER] = "miss"
            self._headers(response, etag)
        return response

    def storable(self, request, response) -> bool:
        if response.status_code != 200 or response.streaming:
            return False
        if getattr(response, MAP_DOCUMENT_ATTRIBUTE, False):
            return False  # a map document: cached by the map service, with its own policy
        if not response.get("Content-Type", "").startswith("text/html"):
            return False
        if response.cookies or response.has_header("Set-Cookie"):
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
            return False  # a form with a CSRF token: the token belongs to one visitor
        messages = getattr(request, "_messages", None)
        if messages is not None and (getattr(messages, "_queued_messages", None)
                                     or getattr(messages, "used", False)):
            return False
        if getattr(request, "_csp_nonce", None):
            return False  # a per-request CSP nonce in the HTML cannot be replayed
        control = response.get("Cache-Control", "")
        return "private" not in control and "no-store" not in control

    def _headers(self, response, etag: str):
        response["ETag"] = etag
        patch_cache_control(response, public=True,
                            max_age=_setting("PAGE_CACHE_MAX_AGE", 60))
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response
