"""The HTTP answers of a map served at its own URL (shown in an iframe by the pages) and of
the geometry its script fetches."""

import gzip
import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from maps.services.render import RenderedMap
from portal.csp import mark_map_document


def map_response(request, rendered: RenderedMap) -> HttpResponse:
    """The map document, framable by our own pages only, with an ETag made from its cache
    key: a browser revalidates and gets a 304 until the data version changes (Django's
    conditional-response rules: weak and listed validators match too)."""
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    response["ETag"] = rendered.etag
    response = get_conditional_response(request, etag=rendered.etag, response=response)
    mark_map_document(response)  # folium's inline script allowed here, framed by us only
    patch_cache_control(response, no_cache=True)
    return response


#: A year: the versioned URL of a geometry resource never serves other content.
IMMUTABLE_MAX_AGE = 365 * 24 * 3600


def geometry_response(request, text: str, *, key: str, immutable: bool) -> HttpResponse:
    """A GeoJSON resource, gzipped once and cached beside it (a few megabytes of polygons
    shrink about four times), with an ETag; `immutable` when asked under its current
    version (the URL changes with the data), else revalidated."""
    etag = '"' + hashlib.sha1(key.encode()).hexdigest()[:20] + '"'
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    if gzipped:
        body = cache.get_or_set(f"maps:geometry-gz:{key}",
                                lambda: gzip.compress(text.encode(), compresslevel=6))
    else:
        body = text.encode()
    response = HttpResponse(body, content_type="application/geo+json")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = etag
    response = get_conditional_response(request, etag=etag, response=response)
    if immutable:
        patch_cache_control(response, public=True, max_age=IMMUTABLE_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, no_cache=True)
    return response
