"""Values every page template needs: site title, the footer's legal links and accessibility
status."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from portal.accessibility import audit_summary
from projects.models import ContentPage

LEGAL_LINKS_KEY = "portal:legal-links:v1"

#: The DSFR footer's mandatory institutional links.
GOVERNMENT_LINKS = ("info.gouv.fr", "service-public.fr", "legifrance.gouv.fr", "data.gouv.fr")


def legal_links() -> dict[str, str]:
    """URL of the live editorial page of each kind (the footer's links). Cached briefly: slugs
    are stable public addresses, so a few minutes of staleness after a rename is harmless,
    and pages then cost no query for their footer."""
    def build():
        links = {}
        for page in ContentPage.objects.live().order_by("path"):
            links.setdefault(page.kind.replace("-", "_"), page.url)
        return links

    return cache.get_or_set(LEGAL_LINKS_KEY, build, 300)


def portal(request):
    return {
        "site_title": _("Regional portal of funded projects"),
        "site_tagline": _("Hauts-de-France State health and social services — DREETS, ARS"),
        "legal_links": SimpleLazyObject(legal_links),
        "accessibility": audit_summary(),
        "government_links": GOVERNMENT_LINKS,
    }
