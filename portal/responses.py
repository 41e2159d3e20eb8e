"""The HTTP answer of a map served at its own URL (shown in an iframe by the pages)."""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

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
