"""Template tags of the site shell: the data of django-dsfr's skip links and breadcrumb, the
generated site map and the deployment's contact."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.templatetags.portal_urls import home_url
from projects.models import ContentPage, ProgrammePage, ProjectIndexPage, ProjectPage

register = template.Library()


@register.simple_tag
def skiplinks(*extra, minimal=False):
    """The items of `{% dsfr_skiplinks %}`: the content, the main menu and the footer (the
    content only on the error pages, `minimal`, which have neither), then a page's own targets
    given as pairs: `{% skiplinks "#explorer-tables" _("Skip the map") as skiplinks %}`."""
    items = [{"link": "#content", "label": _("Content")}]
    if not minimal:
        items += [{"link": "#main-nav", "label": _("Menu")},
                  {"link": "#footer", "label": _("Footer")}]
    items += [{"link": link, "label": label} for link, label in _pairs(extra)]
    return items


@register.simple_tag(takes_context=True)
def breadcrumb_data(context, *links, current=None):
    """The `breadcrumb_data` of `{% dsfr_breadcrumb %}`, written for every page here.

    Pages of views name their crumbs between the home page and themselves, as pairs of URL
    and title: `{% breadcrumb_data territories_url _("Territories") current=territory.name %}`.
    A Wagtail page (`page` in the context) needs no argument: its ancestors under the home
    page, then itself. A project's parent is its programme, which it already carries
    (denormalised, kept right when the page moves), so its breadcrumb costs no tree query;
    other pages below the home page's children read their ancestors (one query)."""
    crumbs = [{"url": url, "title": title} for url, title in _pairs(links)]
    page = context.get("page")
    if not crumbs and current is None and page is not None:
        crumbs = [{"url": parent.url, "title": parent.title} for parent in _page_parents(page)]
        current = page.title
    return {"links": crumbs, "current": current, "root_dir": home_url()}


def _pairs(values: tuple) -> zip:
    """(a, b, c, d) as (a, b), (c, d); an odd count is a template's mistake: it raises."""
    return zip(values[::2], values[1::2], strict=True)


def _page_parents(page) -> list:
    """The pages between the home page (depth 2) and `page`."""
    if page.depth <= 3:
        return []
    if getattr(page, "programme_id", None) and page.depth == 4:
        return [page.programme]
    return list(page.get_ancestors().filter(depth__gt=2))


@register.simple_tag
def site_map():
    """Every public section of the site, for « Plan du site »: the page tree (programmes and
    their projects) plus the addresses outside it (maps, territories, monitoring, open data).
    Four queries whatever the number of projects."""
    listing = ProjectIndexPage.objects.live().first()
    programmes = list(ProgrammePage.objects.live().order_by("path"))
    projects = {}
    for project in ProjectPage.objects.live().order_by("title").only(
            "title", "url_path", "path", "programme_id"):
        projects.setdefault(project.programme_id, []).append(project)
    return {
        "listing": listing,
        "programmes": [(p, projects.get(p.pk, [])) for p in programmes],
        "sections": [
            (_("Map of the projects"), reverse("explorer")),
            (_("Areas without a project"), reverse("coverage")),
            (_("Territories"), reverse("territory-index")),
            (_("Monitoring of the programmes"), reverse("indicators:monitoring")),
            # The API's routes belong to django-ninja's own namespace: its stable address.
            (_("Open data (API)"), "/api/"),
        ],
        "legal": list(ContentPage.objects.live().exclude(kind=ContentPage.Kind.SITE_MAP)
                      .order_by("path")),
    }


@register.simple_tag
def portal_contact():
    return {"email": settings.PORTAL_CONTACT_EMAIL, "hosting": settings.PORTAL_HOSTING}
