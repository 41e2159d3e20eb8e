"""Values every page template needs: site title, the footer's legal links and accessibility
status."""

from django.core.cache import cache
from django.db.models import CharField, Value
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from portal.accessibility import audit_summary
from portal.records import PageUrls
from projects.models import ContentPage, ProjectIndexPage

LEGAL_LINKS_KEY = "portal:legal-links:v2"

#: The DSFR footer's mandatory institutional links.
GOVERNMENT_LINKS = ("info.gouv.fr", "service-public.fr", "legifrance.gouv.fr", "data.gouv.fr")


def legal_links() -> dict[str, str]:
    """URL of the pages every template links to that have no URL name: the project listing
    (`projects`, a Wagtail page) and the live editorial page of each kind (the footer's
    links). Templates take them from here (or `{% listing_url %}`), never a hard-coded "/…".
    Cached briefly: slugs are stable public addresses, so a few minutes of staleness after a
    rename is harmless, and pages then cost no query for their header and footer."""
    def build():
        # One query: the editorial pages' kinds and the listing's path side by side.
        listing = ProjectIndexPage.objects.live().annotate(
            kind=Value("projects", output_field=CharField()))
        # (each side unordered: SQLite refuses ORDER BY inside a compound statement)
        rows = (ContentPage.objects.live().order_by().values_list("kind", "url_path", "path")
                .union(listing.order_by().values_list("kind", "url_path", "path"))
                .order_by("path"))
        urls, links = PageUrls(None), {}
        for kind, url_path, _path in rows:
            links.setdefault(kind.replace("-", "_"), urls(url_path))
        links.setdefault("projects", reverse("wagtail_serve", args=["projets/"]))
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
