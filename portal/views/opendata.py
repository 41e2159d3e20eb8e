"""Open data and discovery: /donnees/ (the datasets, their Table Schemas, the Frictionless
Data Package, the data·inclusion export), the Atom feed of new and updated projects, and the
extra sections of /sitemap.xml."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from maps.models import Territory
from portal.exports import json_default
from portal.opendata import datainclusion, tables
from projects.models import ProgrammePage, ProjectPage
from projects.territory import territory_key

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def _json(data, status=200) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1, default=json_default),
                            status=status, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _base(request) -> str:
    return request.build_absolute_uri(reverse("opendata"))


@require_safe
def opendata(request):
    """/donnees/: every dataset with its licence, producer, update date and schema."""
    updated = tables.last_update()
    return render(request, "portal/opendata.html", {
        "resources": [{"name": r.name, "title": r.schema["title"],
                       "description": r.schema["description"], "columns": len(r.columns),
                       "csv": reverse("opendata-csv", args=[r.name]),
                       "schema": reverse("opendata-schema", args=[r.name])}
                      for r in tables.RESOURCES],
        "updated": updated, "licence_url": LICENCE_URL,
        "producer": settings.PORTAL_PRODUCER,
    })


@require_safe
def datapackage(request):
    return _json(tables.datapackage(_base(request)))


@require_safe
def resource_csv(request, name: str):
    resource = tables.BY_NAME.get(name)
    if resource is None:
        raise Http404
    response = HttpResponse(tables.csv_text(resource), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{resource.filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def resource_schema(request, name: str):
    if name not in tables.BY_NAME:
        raise Http404
    return _json(tables.table_schema(name))


@require_safe
def data_inclusion_services(request):
    return _json(datainclusion.build(request.build_absolute_uri("/")[:-1]).services)


@require_safe
def data_inclusion_structures(request):
    return _json(datainclusion.build(request.build_absolute_uri("/")[:-1]).structures)


def data_inclusion_report(request):
    """Staff view (admin): which services are left out of the export, and why."""
    export = datainclusion.build(request.build_absolute_uri("/")[:-1])
    return render(request, "portal/admin/data_inclusion_report.html", {
        "export": export, "header_title": _("data·inclusion export")})


class ProjectFeed(Feed):
    """/projets/flux.atom?programme=<slug>: the 50 most recently published projects (new or
    updated), for feed readers and watch services."""

    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request):
        slug = request.GET.get("programme", "")
        if not slug:
            return None
        programme = ProgrammePage.objects.live().filter(slug=slug).first()
        if programme is None:
            raise Http404(_("Unknown programme."))
        return programme

    def title(self, programme):
        if programme:
            return _("New and updated projects — %(programme)s") % {"programme": programme.title}
        return _("New and updated projects")

    def subtitle(self, programme):
        return _("Projects funded by the DREETS and the ARS Hauts-de-France.")

    def link(self, programme):
        return programme.url if programme else "/projets/"

    def items(self, programme):
        projects = ProjectPage.objects.live().public().select_related("programme")
        if programme:
            projects = projects.filter(programme=programme)
        return projects.order_by("-last_published_at", "-pk")[: self.limit]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"tag:projets-hdf,2026:projet-{item.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.last_published_at

    def item_pubdate(self, item):
        return item.first_published_at

    def item_categories(self, item):
        return [item.programme.title] if item.programme else []


class PortalPagesSitemap(Sitemap):
    """The pages outside Wagtail's tree that people look for: listing views, maps,
    monitoring, open data, API documentation."""

    changefreq = "weekly"

    def items(self):
        names = ["territory-index", "indicators:monitoring", "opendata", "api:openapi-view"]
        programmes = list(ProgrammePage.objects.live().values_list("slug", flat=True))
        return [reverse(n) for n in names] + [
            reverse("indicators:programme_monitoring", args=[slug]) for slug in programmes
        ] + ["/cartes/projets/", "/cartes/couverture/", "/projets/flux.atom"]

    def location(self, item):
        return item


class TerritorySitemap(Sitemap):
    """Territory pages of every territory a published project is linked to."""

    changefreq = "weekly"

    def items(self):
        return list(Territory.objects.filter(
            project_links__project__in=ProjectPage.objects.live().public()).distinct()
            .order_by("scale", "code"))

    def location(self, territory):
        return reverse("territory-page", args=[territory_key(territory)])

