"""The open datasets of /donnees/: one normalised table per resource of the Frictionless
Data Package (projects, their classifications and territories, organisations and their
roles, key figures, indicator values), each described by a Table Schema kept next to this
module (`schemas/<name>.json`) and validated against it by the test suite.

Machine-readable on purpose (the spreadsheet-friendly export stays /projets/export.csv):
UTF-8 without byte-order mark, comma separator, dot decimal, ISO dates, one value per cell,
raw official codes (INSEE, SIREN) as text with the year of the reference they come from,
and no portal address in a data column. Each table is read with `values()` in a constant
number of queries, whatever the number of rows.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max

from indicators.models import IndicatorValue
from portal import spreadsheets
from portal.opendata.figures import key_figure, value_fields
from portal.records import status_expression
from projects.models import (
    Organisation,
    ProjectCoverage,
    ProjectOrganisation,
    ProjectPage,
    ProjectTerritory,
    Provenance,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def reference_year(scale: str) -> int | None:
    """Year of the official reference a territory code comes from (COG for communes,
    départements and regions, DGCL perimeters for EPCI); none for custom areas."""
    return settings.PORTAL_REFERENCE_YEARS.get(scale)


def live_projects():
    return ProjectPage.objects.live().public()


@cache
def table_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def project_rows() -> list[dict]:
    rows = list(
        live_projects()
        .annotate(status_code=status_expression())
        .order_by("pk")
        .values(
            "pk",
            "slug",
            "title",
            "title_provenance",
            "title_note",
            "summary",
            "programme__slug",
            "call_year",
            "start_date",
            "end_date",
            "duration_text",
            "status_code",
            "budget_eur",
            "budget_text",
            "broadest_scale",
            "axes_provenance",
            "axes_note",
            "source_document__code",
            "source_document__title",
            "last_published_at",
        )
    )
    covered = dict(
        ProjectCoverage.objects.filter(project__in=live_projects())
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    return [
        {
            "id": r["pk"],
            "slug": r["slug"],
            "title": r["title"],
            "title_provenance": r["title_provenance"],
            "title_note": r["title_note"],
            "summary": r["summary"],
            "programme": r["programme__slug"],
            "call_year": r["call_year"],
            "start_date": r["start_date"],
            "end_date": r["end_date"],
            "duration_text": r["duration_text"],
            "status": r["status_code"],
            "budget_eur": r["budget_eur"],
            "budget_text": r["budget_text"],
            "broadest_scale": r["broadest_scale"] or None,
            "covered_communes": covered.get(r["pk"], 0),
            "axes_provenance": r["axes_provenance"],
            "axes_note": r["axes_note"],
            "source_document": " — ".join(
                x for x in (r["source_document__code"], r["source_document__title"]) if x
            ),
            "last_published_at": r["last_published_at"],
        }
        for r in rows
    ]


def classification_rows() -> list[dict]:
    """Axes (with the project's axis provenance), themes and publics of every project."""
    projects = live_projects()
    provenance = dict(projects.values_list("pk", "axes_provenance"))
    notes = dict(projects.values_list("pk", "axes_note"))
    rows = []
    axes = (
        ProjectPage.axes.through.objects.filter(projectpage__in=projects)
        .order_by("projectpage_id", "programmeaxis__sort_order", "programmeaxis_id")
        .values("projectpage_id", "programmeaxis__code", "programmeaxis__label")
    )
    for a in axes:
        pk = a["projectpage_id"]
        rows.append(
            {
                "project_id": pk,
                "vocabulary": "axe",
                "code": a["programmeaxis__code"],
                "label": a["programmeaxis__label"],
                "data_inclusion": None,
                "provenance": provenance[pk],
                "note": notes[pk],
            }
        )
    for name, vocabulary, target in (
        ("themes", "thematique", "theme"),
        ("publics", "public", "public"),
    ):
        through = getattr(ProjectPage, name).through
        model = through._meta.get_field(target).related_model
        codes = data_inclusion_codes(model)
        for v in (
            through.objects.filter(projectpage__in=projects)
            .order_by("projectpage_id", f"{target}__code")
            .values("projectpage_id", f"{target}__code", f"{target}__label")
        ):
            code = v[f"{target}__code"]
            rows.append(
                {
                    "project_id": v["projectpage_id"],
                    "vocabulary": vocabulary,
                    "code": code,
                    "label": v[f"{target}__label"],
                    "data_inclusion": codes.get(code),
                    "provenance": Provenance.STATED,
                    "note": "",
                }
            )
    return rows


def data_inclusion_codes(model) -> dict[str, str]:
    """{code: data·inclusion code} of a vocabulary (Theme or Public): the `data_inclusion`
    code each entry carries (set in the seed from data-inclusion-schema's own lists, checked
    by the model), for the entries that have one."""
    return dict(model.objects.exclude(data_inclusion="").values_list("code", "data_inclusion"))


def territory_rows() -> list[dict]:
    links = (
        ProjectTerritory.objects.filter(project__in=live_projects())
        .order_by("project_id", "sort_order", "pk")
        .values(
            "project_id",
            "territory__scale",
            "territory__code",
            "territory__name",
            "provenance",
            "note",
        )
    )
    seen, rows = set(), []
    for link in links:
        key = (link["project_id"], link["territory__scale"], link["territory__code"])
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "project_id": link["project_id"],
                "scale": link["territory__scale"],
                "code": link["territory__code"],
                "cog_year": reference_year(link["territory__scale"]),
                "name": link["territory__name"],
                "provenance": link["provenance"],
                "note": link["note"],
            }
        )
    return rows


def organisation_rows() -> list[dict]:
    return [
        {
            "key": o["key"],
            "name": o["name"],
            "acronym": o["acronym"],
            "siren": o["siren"] or None,
            "siret": o["siret"] or None,
            "kind": o["kind"],
            "website": o["website"] or None,
            "commune_code": o["commune__code"],
        }
        for o in Organisation.objects.order_by("key").values(
            "key", "name", "acronym", "siren", "siret", "kind", "website", "commune__code"
        )
    ]


def role_rows() -> list[dict]:
    return [
        {
            "project_id": r["project_id"],
            "organisation_key": r["organisation__key"],
            "role": r["role"],
            "amount_eur": r["amount_eur"],
            "note": r["note"],
            "position": r["sort_order"] or 0,
        }
        for r in ProjectOrganisation.objects.filter(project__in=live_projects())
        .order_by("project_id", "sort_order", "pk")
        .values("project_id", "organisation__key", "role", "amount_eur", "note", "sort_order")
    ]


def _values():
    return IndicatorValue.objects.select_related("definition", "territory").order_by(
        "project_id", "sort_order", "pk"
    )


def key_figure_rows() -> list[dict]:
    return [
        {"project_id": v.project_id, **key_figure(v)}
        for v in _values().filter(project__in=live_projects())
    ]


def indicator_value_rows() -> list[dict]:
    """Every value (a project's or a territory's) with its definition and the raw columns
    (value, range, target, baseline, numerator and denominator)."""
    values = _values().filter(project__isnull=True) | _values().filter(project__in=live_projects())
    return [
        {
            **value_fields(v),
            "indicator_label": v.definition.label,
            "measure": v.definition.measure,
            "aggregation": v.definition.aggregation,
            "shared": v.definition.is_shared,
            "project_id": v.project_id,
            "value": v.value,
            "value_max": v.value_max,
            "target": v.target,
            "baseline": v.baseline,
            "numerator": v.numerator,
            "denominator": v.denominator,
        }
        for v in values.order_by("pk")
    ]


@dataclass(frozen=True)
class Resource:
    name: str
    rows: Callable[[], list[dict]]

    @property
    def schema(self) -> dict:
        return table_schema(self.name)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]


RESOURCES = [
    Resource("projets", project_rows),
    Resource("projets-classements", classification_rows),
    Resource("projets-territoires", territory_rows),
    Resource("organisations", organisation_rows),
    Resource("projets-organisations", role_rows),
    Resource("chiffres-cles", key_figure_rows),
    Resource("valeurs-indicateurs", indicator_value_rows),
]
BY_NAME = {r.name: r for r in RESOURCES}


def cell(value) -> str:
    """A CSV cell as the Table Schema types read it back; text made safe for spreadsheets
    (no control character, never read as a formula: `portal.spreadsheets`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return spreadsheets.csv_text(str(value))


def csv_text(resource: Resource, rows: Iterable[dict] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = resource.columns
    writer.writerow(columns)
    for row in resource.rows() if rows is None else rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def last_update():
    """When the published data last changed (the newest publication of a project)."""
    return live_projects().aggregate(latest=Max("last_published_at"))["latest"]


def datapackage(base_url: str = "", updated=None) -> dict:
    """The Frictionless Data Package descriptor. `base_url` prefixes every path (the site's
    /donnees/ address when served; empty for files written side by side)."""
    updated = updated or last_update()
    return {
        "profile": "tabular-data-package",
        "name": "portail-regional-projets-hauts-de-france",
        "title": "Projets financés par la DREETS et l’ARS Hauts-de-France",
        "description": (
            "Projets des programmes 1000 premiers jours, Santé des femmes dans le Bassin "
            "minier et Fonds pour une aide alimentaire durable (FAAD) : porteurs, partenaires "
            "et financeurs, territoires couverts, chiffres clés et indicateurs."
        ),
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "contributors": [{"title": settings.PORTAL_PRODUCER, "role": "publisher"}],
        "created": updated.isoformat(timespec="seconds") if updated else None,
        "resources": [
            {
                "name": r.name,
                "title": r.schema["title"],
                "description": r.schema["description"],
                "path": f"{base_url}{r.filename}",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {k: v for k, v in r.schema.items() if k not in ("title", "description")},
            }
            for r in RESOURCES
        ],
    }


def write_package(directory: Path) -> Path:
    """Every table and the descriptor written into `directory` (for tests and reusers who
    want the whole set offline). Returns the descriptor's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for resource in RESOURCES:
        (directory / resource.filename).write_text(csv_text(resource), encoding="utf-8")
    path = directory / "datapackage.json"
    path.write_text(
        json.dumps(datapackage(), ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return path
