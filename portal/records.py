"""The read model of the public side: the projects of a queryset as plain records, the one
shape behind the JSON API items, the spreadsheet rows and the GeoJSON properties.

Why one module: the API (`portal.api`) and the export writers (`portal.exports`, which keep
only the file formats) must say the same thing about a project, and read it the same way:
`values()` rows, one query per relation, whatever the number of projects (instantiating
thousands of Wagtail pages and their modelcluster relations costs seconds, rows milliseconds).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Value, When
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from indicators.models import IndicatorValue
from maps.models import SCALE_RANK, Scale, Territory
from portal.opendata.figures import key_figure
from projects import consent
from projects.coverage import communes_per_project
from projects.filters import status_q
from projects.models import (
    ProjectContact,
    ProjectOrganisation,
    ProjectPage,
    ProjectPlace,
    ProjectStatus,
    ProjectTerritory,
)
from projects.selection import in_ids


def status_expression():
    """The status computed by the database, with the same rules as `ProjectPage.status_on`
    (through `status_q`): no page instance is needed to export it."""
    today = timezone.localdate()
    return Case(*[When(status_q(status, today), then=Value(status.value))
                  for status in (ProjectStatus.UPCOMING, ProjectStatus.FINISHED,
                                 ProjectStatus.ONGOING)],
                default=Value(ProjectStatus.UNKNOWN.value), output_field=CharField())


PROJECT_FIELDS = (
    "pk", "slug", "title", "url_path", "summary", "call_year", "start_date", "end_date",
    "duration_text", "budget_eur", "budget_text", "broadest_scale", "programme__slug",
    "programme__title", "source_document__code", "source_document__title",
    "last_published_at", "title_provenance", "title_note", "axes_provenance", "axes_note",
)


#: A page path that `reverse()` and `build_absolute_uri()` leave as it is (no character to
#: quote, no `.` segment): such a path is appended to its root's address as it is.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_-]+/(?:[A-Za-z0-9_-]+/)*")


class PageUrls:
    """Public addresses of pages from their `url_path`, as Wagtail's `Page.get_url_parts`
    builds them (the site's root path removed), without instantiating any page.

    Each root's address is reversed (and made absolute) once: `reverse()` per row was a
    third of a 1,000-row export's Python time. A path of plain ASCII slugs is appended to it
    (what `reverse()` would give, since it has nothing to quote); any other path (a Unicode
    slug) is reversed as before."""

    def __init__(self, request):
        self.request = request
        self.roots = sorted(Site.get_site_root_paths(), key=lambda r: -len(r.root_path))
        self.bases: dict[str, str] = {}

    def _full(self, path: str) -> str:
        path = reverse("wagtail_serve", args=(path,))
        return self.request.build_absolute_uri(path) if self.request else path

    def __call__(self, url_path: str) -> str:
        for root in self.roots:
            if url_path.startswith(root.root_path):
                rest = url_path[len(root.root_path):]
                if not _PLAIN_PATH.fullmatch(rest):
                    return self._full(rest)
                base = self.bases.get(root.root_path)
                if base is None:
                    base = self.bases[root.root_path] = self._full("")
                return base + rest
        return ""


def _grouped(rows, key="project_id") -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.pop(key), []).append(row)
    return grouped


def records(queryset, request, order: list[int] | None = None) -> list[dict]:
    """The projects of `queryset` as plain records (the API items, the spreadsheet rows, the
    GeoJSON properties), in its order or in the order of the ids given.

    Read with `values()`, one query per relation: instantiating thousands of Wagtail pages
    and their modelcluster relations costs seconds, plain rows milliseconds."""
    rows = list(queryset.annotate(status_code=status_expression())
                .values(*PROJECT_FIELDS, "status_code"))
    if order is not None:
        position = {pk: i for i, pk in enumerate(order)}
        rows.sort(key=lambda r: position.get(r["pk"], len(position)))
    ids = [r["pk"] for r in rows]
    # Every relation read with the ids as ONE array parameter (`in_ids`): a list of 1,000
    # `%s` per statement cost more to build, send and plan than to run.
    roles = _grouped(ProjectOrganisation.objects.filter(in_ids("project_id", ids)).order_by(
        "project_id", "sort_order", "pk").values(
        "project_id", "role", "amount_eur", "note", "organisation__key", "organisation__name",
        "organisation__acronym", "organisation__siren"))
    vocabularies = {
        name: _grouped(getattr(ProjectPage, name).through.objects.filter(
            in_ids("projectpage_id", ids)).order_by(
            f"{target}__{order_field}", f"{target}_id").values(
            "projectpage_id", f"{target}__code", f"{target}__label"), key="projectpage_id")
        for name, target, order_field in (("axes", "programmeaxis", "sort_order"),
                                          ("themes", "theme", "label"),
                                          ("publics", "public", "label"))
    }
    territories = _grouped(ProjectTerritory.objects.filter(in_ids("project_id", ids)).values(
        "project_id", "territory_id", "provenance", "note"))
    places = _grouped(ProjectPlace.objects.filter(in_ids("project_id", ids)).order_by(
        "project_id", "sort_order", "pk").values(
        "project_id", "name", "address", "longitude", "latitude", "commune_id"))
    _with_territories(territories, places)
    contacts = _grouped(ProjectContact.objects.filter(in_ids("project_id", ids), publish=True)
                        .order_by("project_id", "sort_order", "pk").values(
        "project_id", *consent.CONTACT_VALUES))
    figures: dict[int, list] = {}
    for figure in IndicatorValue.objects.filter(in_ids("project_id", ids)).select_related(
            "definition", "territory").order_by("project_id", "sort_order", "pk"):
        figures.setdefault(figure.project_id, []).append(figure)
    covered = communes_per_project(ids)
    urls = PageUrls(request)
    # Computed once per export, not per row: translating a lazy label costs a catalogue
    # lookup each time.
    status_labels = {status.value: str(status.label) for status in ProjectStatus}
    return [_record(row, urls, covered, roles, vocabularies, territories, places, contacts,
                    figures, status_labels) for row in rows]


def _with_territories(territories: dict[int, list], places: dict[int, list]) -> None:
    """Give the territory links and the places their territory's fields (`territory__*`,
    `commune__*`), read in ONE statement over the territories they name. Joined in the
    link queries, the database hashed all 36,000 territories to use 2,000 (20 ms of a
    1,000-row export at national scale)."""
    links = [link for group in territories.values() for link in group]
    located = [place for group in places.values() for place in group]
    wanted = {link["territory_id"] for link in links} | {
        place["commune_id"] for place in located if place["commune_id"] is not None}
    found = {t["id"]: t for t in Territory.objects.filter(in_ids("id", wanted)).order_by()
             .values("id", "scale", "code", "name", "centroid_lon", "centroid_lat")}
    for link in links:
        territory = found[link.pop("territory_id")]
        link.update({f"territory__{name}": territory[name]
                     for name in ("scale", "code", "name", "centroid_lon", "centroid_lat")})
    for place in located:
        commune = found.get(place.pop("commune_id"), {})
        place.update({f"commune__{name}": commune.get(name)
                      for name in ("code", "centroid_lon", "centroid_lat")})


def _org(row: dict) -> dict:
    data = {"key": row["organisation__key"], "name": row["organisation__name"],
            "acronym": row["organisation__acronym"], "siren": row["organisation__siren"]}
    if row["role"] == ProjectOrganisation.Role.FUNDER:
        data["amount_eur"] = row["amount_eur"]
    if row["note"]:
        data["note"] = row["note"]
    return data


#: How a project's point was obtained (GeoJSON `location_precision`).
VENUE, COMMUNE_CENTROID, TERRITORY_CENTROID = "venue", "commune-centroid", "territory-centroid"


def _point(places: list[dict], territories: list[dict]) -> tuple[float, float, str, str] | None:
    """Where to pin a project, and how precise that is: its first located place (a venue),
    else the centroid of a place's commune, else the centroid of its most local territory (a
    commune before its EPCI; a place abroad as given)."""
    for place in places:
        if place["longitude"] is not None and place["latitude"] is not None:
            return place["longitude"], place["latitude"], "place", VENUE
        if place["commune__centroid_lon"] is not None:
            return (place["commune__centroid_lon"], place["commune__centroid_lat"], "place",
                    COMMUNE_CENTROID)
    for territory in territories:
        if territory["territory__centroid_lon"] is not None:
            precision = (COMMUNE_CENTROID if territory["territory__scale"] == Scale.COMMUNE
                         else TERRITORY_CENTROID)
            return (territory["territory__centroid_lon"], territory["territory__centroid_lat"],
                    "territory", precision)
    return None


def _record(row, urls, covered, roles, vocabularies, territories, places, contacts,
            figures, status_labels) -> dict[str, Any]:
    pk = row["pk"]
    # Each figure's sentence is built once (`key_figure` holds it): it was built twice.
    project_figures = [key_figure(f) for f in figures.get(pk, [])]
    project_roles = roles.get(pk, [])
    links = sorted(territories.get(pk, []), key=lambda t: (SCALE_RANK[t["territory__scale"]],
                                                           t["territory__name"]))
    project_places = places.get(pk, [])
    point = _point(project_places, links)

    def vocabulary(name, target, **extra):
        return [{"code": v[f"{target}__code"], "label": v[f"{target}__label"], **extra}
                for v in vocabularies[name].get(pk, [])]

    def with_role(role):
        return [_org(r) for r in project_roles if r["role"] == role]

    source = " — ".join(x for x in (row["source_document__code"],
                                    row["source_document__title"]) if x)
    return {
        "id": pk,
        "slug": row["slug"],
        "title": row["title"],
        "url": urls(row["url_path"]),
        "summary": row["summary"],
        "programme": {"slug": row["programme__slug"], "title": row["programme__title"]}
        if row["programme__slug"] else None,
        "call_year": row["call_year"],
        "title_provenance": row["title_provenance"],
        "title_note": row["title_note"],
        "axes": vocabulary("axes", "programmeaxis", provenance=row["axes_provenance"],
                           note=row["axes_note"]),
        "themes": vocabulary("themes", "theme"),
        "publics": vocabulary("publics", "public"),
        "carriers": with_role(ProjectOrganisation.Role.CARRIER),
        "partners": with_role(ProjectOrganisation.Role.PARTNER),
        "funders": with_role(ProjectOrganisation.Role.FUNDER),
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "duration_text": row["duration_text"],
        "status": row["status_code"],
        "status_label": status_labels[row["status_code"]],
        "budget_eur": row["budget_eur"],
        "budget_text": row["budget_text"],
        "territories": [{"key": f"{t['territory__scale']}-{t['territory__code']}",
                         "scale": t["territory__scale"], "code": t["territory__code"],
                         "cog_year": settings.PORTAL_REFERENCE_YEARS.get(t["territory__scale"]),
                         "name": t["territory__name"], "provenance": t["provenance"],
                         "note": t["note"]} for t in links],
        "broadest_scale": row["broadest_scale"],
        "covered_communes": covered.get(pk, 0),
        "places": [{"name": p["name"], "address": p["address"], "commune": p["commune__code"],
                    "point": [p["longitude"], p["latitude"]]
                    if p["longitude"] is not None and p["latitude"] is not None else None}
                   for p in project_places],
        "point": {"coordinates": [round(point[0], 5), round(point[1], 5)], "source": point[2],
                  "precision": point[3]} if point else None,
        "contacts": [consent.public_contact_values(c) for c in contacts.get(pk, [])],
        "key_figures": [f["sentence"] for f in project_figures],
        "figures": project_figures,
        "source_document": source,
        "last_published_at": row["last_published_at"],
    }
