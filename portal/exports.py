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

from django.utils.translation import gettext_lazy as _

from portal import spreadsheets

SEPARATOR = " | "
CSV_DELIMITER = ";"


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
    Column("url", _("Project page on the portal"), lambda r: r["url"]),
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
    Column("territories_codes", _("Territory keys on the portal"),
           lambda r: _join(r["territories"], "key")),
    # The official codes as INSEE/DGCL publish them (commune and département INSEE codes,
    # EPCI SIREN), with their scale and reference year: what another tool joins on.
    Column("territories_official_codes", _("Official territory codes"),
           lambda r: _join(r["territories"], "code")),
    Column("territories_scales", _("Territory scales"),
           lambda r: _join(r["territories"], "scale")),
    Column("territories_cog_years", _("Reference years of the codes"),
           lambda r: _join(r["territories"], "cog_year")),
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
    if type(value) is str:  # most cells: tested first (a 1,000-row export has 35,000)
        return spreadsheets.csv_text(value)
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


def _xlsx_value(sheet, value):
    """A body value as the write-only sheet takes it: as it is (openpyxl then reuses one
    cell, and gives a date its yyyy-mm-dd format itself), a cell object only for text that
    starts like a formula (`spreadsheets.xlsx_cell`). A cell object for every value cost
    half the time of a 1,000-row workbook: openpyxl first tries it as a value and formats
    the error it raises."""
    if isinstance(value, str):
        value = spreadsheets.without_control_characters(value)
        if spreadsheets.starts_like_a_formula(value):
            return spreadsheets.xlsx_cell(sheet, value)
    return value


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
        sheet.append([_xlsx_value(sheet, value) for value in row])
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
