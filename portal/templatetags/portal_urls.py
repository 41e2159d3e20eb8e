"""Links to the portal's own pages, by name rather than by a hard-coded "/…": the site root
by Wagtail's serve view, the listing (a Wagtail page) through its cached URL, the territory
pages through their view's name and the territory's public key."""

from django import template
from django.urls import reverse

from portal.context_processors import legal_links
from projects.territory import territory_key

register = template.Library()


@register.simple_tag
def home_url() -> str:
    """The site root, reversed without a query (the 500 page uses it with no database)."""
    return reverse("wagtail_serve", args=[""])


@register.simple_tag
def listing_url() -> str:
    """/projets/, the ProjectIndexPage (a Wagtail page: no URL name of its own)."""
    return legal_links()["projects"]


@register.filter
def territory_url(territory) -> str:
    """/territoires/commune-59491/ for a Territory, or for a bare commune code."""
    key = territory_key(territory) if hasattr(territory, "scale") else f"commune-{territory}"
    return reverse("territory-page", args=[key])
