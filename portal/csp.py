"""Which Content Security Policy each response gets (django-csp 4).

Three policies, because three kinds of documents are served:

- portal pages: `CONTENT_SECURITY_POLICY` of the settings (no inline script, never framed);
- map documents (folium HTML shown in our iframes): folium writes its map as inline scripts
  and inline styles, so those are allowed there and only there, plus the tiles host for
  images; they may be framed by our own pages only (`frame-ancestors 'self'`);
- the Wagtail admin: Wagtail 8 still writes inline scripts in some panels and widgets
  (inline panels, date pickers), so the admin allows inline scripts from its own pages; its
  preview panel frames our pages, hence `frame-ancestors 'self'`.

A map document is marked with `mark_map_document(response)`, done by
`portal.responses.map_response` (every map iframe goes through it).
"""

from urllib.parse import urlparse

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

MAP_DOCUMENT_ATTRIBUTE = "portal_map_document"


def _tiles_origin() -> list[str]:
    """The origin of MAP_TILES_URL (`{s}` subdomains become a wildcard)."""
    parsed = urlparse(settings.MAP_TILES_URL.replace("{s}", "*"))
    return [f"{parsed.scheme}://{parsed.netloc}"] if parsed.scheme and parsed.netloc else []


def map_document_policy() -> dict:
    """Folium's inline script and styles, our static Leaflet, the tiles; framed by us only."""
    return {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *_tiles_origin()],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }


def admin_policy() -> dict:
    """The Wagtail admin: same origin only, but inline scripts and styles allowed."""
    return {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }


def mark_map_document(response):
    """Give `response` the map-document policy and let our own pages frame it."""
    setattr(response, MAP_DOCUMENT_ATTRIBUTE, True)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def is_admin_path(path: str) -> bool:
    return path.startswith("/admin/")


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware choosing the policy by kind of document (see module doc)."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        if getattr(response, MAP_DOCUMENT_ATTRIBUTE, False):
            # No nonce: with a nonce present, browsers ignore 'unsafe-inline'.
            return PolicyParts(config=map_document_policy())
        if is_admin_path(request.path_info):
            return PolicyParts(config=admin_policy())
        return parts
