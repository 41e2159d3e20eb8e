"""The filtered set of projects as a spreadsheet (CSV, XLSX) or a map layer (GeoJSON): every
structured field, one row or feature per project, in a constant number of SQL queries
whatever the number of rows.

CSV choice, for the people who open it in Excel (French locale): UTF-8 with a byte-order
mark (without it Excel reads the accents as Windows-1252), semicolon separator and decimal
comma (what French Excel expects), ISO dates (which it recognises), several values in one
cell separated by " | ". Text cells are made safe by `portal.spreadsheets` (control
characters removed; text that would start a formula, = + - @, kept as text).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from indicators.models import IndicatorValue
from maps.models import SCALE_RANK, Scale
from portal import spreadsheets
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

SEPARATOR = " | "
CSV_DELIMITER = ";"


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


class PageUrls:
    """Public addresses of pages from their `url_path`, as Wagtail's `Page.get_url_parts`
    builds them (the site's root path removed), without instantiating any page."""

    def __init__(self, request):
        self.request = request
        self.roots = sorted(Site.get_site_root_paths(), key=lambda r: -len(r.root_path))

    def __call__(self, url_path: str) -> str:
        for root in self.roots:
            if url_path.startswith(root.root_path):
                path = reverse("wagtail_serve", args=(url_path[len(root.root_path):],))
                return self.request.build_absolute_uri(path) if self.request else path
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
    roles = _grouped(ProjectOrganisation.objects.filter(project_id__in=ids).order_by(
        "project_id", "sort_order", "pk").values(
        "project_id", "role", "amount_eur", "note", "organisation__key", "organisation__name",
        "organisation__acronym", "organisation__siren"))
    vocabularies = {
        name: _grouped(getattr(ProjectPage, name).through.objects.filter(
            projectpage_id__in=ids).order_by(f"{target}__{order_field}").values(
            "projectpage_id", f"{target}__code", f"{target}__label"), key="projectpage_id")
        for name, target, order_field in (("axes", "programmeaxis", "sort_order"),
                                          ("themes", "theme", "label"),
                                          ("publics", "public", "label"))
    }
    territories = _grouped(ProjectTerritory.objects.filter(project_id__in=ids).values(
        "project_id", "territory__scale", "territory__code", "territory__name",
        "territory__centroid_lon", "territory__centroid_lat", "provenance", "note"))
    places = _grouped(ProjectPlace.objects.filter(project_id__in=ids).order_by(
        "project_id", "sort_order", "pk").values(
        "project_id", "name", "address", "longitude", "latitude", "commune__code",
        "commune__centroid_lon", "commune__centroid_lat"))
    contacts = _grouped(ProjectContact.objects.filter(project_id__in=ids, publish=True)
                        .order_by("project_id", "sort_order", "pk").values(
        "project_id", *consent.CONTACT_VALUES))
    figures: dict[int, list] = {}
    for figure in IndicatorValue.objects.filter(project_id__in=ids).select_related(
            "definition", "territory").order_by("project_id", "sort_order", "pk"):
        figures.setdefault(figure.project_id, []).append(figure)
    covered = communes_per_project(ids)
    urls = PageUrls(request)
    return [_record(row, urls, covered, roles, vocabularies, territories, places, contacts,
                    figures) for row in rows]


def figure_text(value) -> str:
    return value.sentence


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
            figures) -> dict[str, Any]:
    pk = row["pk"]
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
        "status_label": str(ProjectStatus(row["status_code"]).label),
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
        "key_figures": [figure_text(f) for f in figures.get(pk, [])],
        "figures": [key_figure(f) for f in figures.get(pk, [])],
        "source_document": source,
        "last_published_at": row["last_published_at"],
    }


# -- spreadsheets ----------------------------------------------------------------------


def _names(orgs: list[dict]) -> str:
    return SEPARATOR.join(o["name"] for o in orgs)


def _funding(orgs: list[dict]) -> str:
    return SEPARATOR.join(
        f"{o['name']} : {_plain_number(o['amount_eur'])} €" if o.get("amount_eur") is not None
        else o["name"] for o in orgs)


def _plain_number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _total_funding(orgs: list[dict]) -> Decimal | None:
    amounts = [o["amount_eur"] for o in orgs if o.get("amount_eur") is not None]
    return sum(amounts, Decimal(0)) if amounts else None


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    get: Any


def _join(items, field):
    return SEPARATOR.join(str(item[field]) for item in items)


COLUMNS = [
    Column("id", _("Identifier"), lambda r: r["id"]),
    Column("title", _("Title"), lambda r: r["title"]),
    Column("url", _("Address"), lambda r: r["url"]),
    Column("programme", _("Programme"), lambda r: (r["programme"] or {}).get("title", "")),
    Column("programme_slug", _("Programme code"), lambda r: (r["programme"] or {}).get("slug", "")),
    Column("call_year", _("Call year"), lambda r: r["call_year"]),
    Column("axes", _("Axes or priorities"), lambda r: _join(r["axes"], "label")),
    Column("axes_codes", _("Axis codes"), lambda r: _join(r["axes"], "code")),
    Column("themes", _("Themes"), lambda r: _join(r["themes"], "label")),
    Column("themes_codes", _("Theme codes"), lambda r: _join(r["themes"], "code")),
    Column("publics", _("Target publics"), lambda r: _join(r["publics"], "label")),
    Column("publics_codes", _("Public codes"), lambda r: _join(r["publics"], "code")),
    Column("carriers", _("Carrier"), lambda r: _names(r["carriers"])),
    Column("carriers_siren", _("Carrier SIREN"),
           lambda r: SEPARATOR.join(o["siren"] for o in r["carriers"] if o["siren"])),
    Column("partners", _("Partners"), lambda r: _names(r["partners"])),
    Column("funders", _("Funders (amount)"), lambda r: _funding(r["funders"])),
    Column("funding_total", _("Total of stated funding (€)"),
           lambda r: _total_funding(r["funders"])),
    Column("start_date", _("Start date"), lambda r: r["start_date"]),
    Column("end_date", _("End date"), lambda r: r["end_date"]),
    Column("duration_text", _("Dates as written"), lambda r: r["duration_text"]),
    Column("status", _("Status"), lambda r: r["status_label"]),
    Column("budget_eur", _("Budget (€)"), lambda r: r["budget_eur"]),
    Column("budget_text", _("Budget as written"), lambda r: r["budget_text"]),
    Column("territories_codes", _("Territory codes"), lambda r: _join(r["territories"], "key")),
    Column("territories", _("Territories"), lambda r: _join(r["territories"], "name")),
    Column("broadest_scale", _("Broadest scale"), lambda r: r["broadest_scale"]),
    Column("covered_communes", _("Communes covered"), lambda r: r["covered_communes"]),
    Column("places", _("Places"), lambda r: SEPARATOR.join(
        ", ".join(x for x in (p["name"], p["address"]) if x) for p in r["places"])),
    Column("key_figures", _("Key figures"), lambda r: SEPARATOR.join(r["key_figures"])),
    Column("contacts", _("Published contacts"), lambda r: SEPARATOR.join(
        ", ".join(x for x in (c["name"], c["role"], c["organisation"], c["email"], c["phone"])
                  if x) for c in r["contacts"])),
    Column("summary", _("Summary"), lambda r: r["summary"]),
    Column("source_document", _("Source document"), lambda r: r["source_document"]),
]


def table(rows: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of the spreadsheets: typed values (numbers, dates), text elsewhere."""
    header = [str(c.label) for c in COLUMNS]
    return header, [[c.get(r) for c in COLUMNS] for r in rows]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _plain_number(value)
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return spreadsheets.csv_text(str(value))


def csv_bytes(header: list, body: Iterable[list]) -> bytes:
    """The portal's one CSV dialect (project exports, monitoring tables, campaign reports):
    see the module docstring."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in body:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_csv(rows: list[dict]) -> bytes:
    return csv_bytes(*table(rows))


def to_xlsx(rows: list[dict], filters_text: list[tuple[str, str]]) -> bytes:
    """An Excel workbook: the projects (numbers and dates typed, header frozen, auto-filter)
    and a second sheet saying which filters produced them and when."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, body = table(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Projects")))
    sheet.freeze_panes = "A2"
    widths = {"title": 50, "summary": 80, "url": 40, "key_figures": 60, "funders": 40}
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column.key, 18)
    bold = Font(bold=True)
    cells = []
    for label in header:
        cell = spreadsheets.xlsx_cell(sheet, label)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in body:
        out = []
        for value in row:
            cell = spreadsheets.xlsx_cell(sheet, value)
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        sheet.append(out)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(body) + 1}"
    about = workbook.create_sheet(str(_("Filters")))
    about.append([str(_("Exported on")), datetime.date.today().isoformat()])
    about.append([str(_("Projects")), len(body)])
    for name, value in filters_text:
        about.append([spreadsheets.xlsx_cell(about, name), spreadsheets.xlsx_cell(about, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- GeoJSON ---------------------------------------------------------------------------


NO_POINT = _("No place and no territory with a known point (e.g. a custom area without "
              "geometry): the project cannot be placed on a map.")


def to_geojson(rows: list[dict]) -> dict:
    """A point per project (its first place, else its most local territory's centroid) with
    its main properties: light enough for any web map or GIS, whatever the number of
    communes it covers. A project with no known point has a null geometry."""
    features = []
    for record in rows:
        point = record["point"]
        properties = {
            "id": record["id"], "title": record["title"], "url": record["url"],
            "programme": (record["programme"] or {}).get("slug", ""),
            "status": record["status"], "call_year": record["call_year"],
            "carriers": _names(record["carriers"]),
            "publics": [p["code"] for p in record["publics"]],
            "themes": [t["code"] for t in record["themes"]],
            "territories": [t["key"] for t in record["territories"]],
            "territory_names": [t["name"] for t in record["territories"]],
            "broadest_scale": record["broadest_scale"],
            "covered_communes": record["covered_communes"],
            "point_source": point["source"] if point else None,
            "location_precision": point["precision"] if point else "none",
        }
        if point is None:
            properties["location_note"] = str(NO_POINT)
        geometry = {"type": "Point", "coordinates": point["coordinates"]} if point else None
        features.append({"type": "Feature", "id": record["id"], "geometry": geometry,
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def json_default(value):
    """JSON for the values of a record: dates and times as ISO strings, amounts as numbers."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=json_default).encode("utf-8")
