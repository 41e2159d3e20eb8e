"""Idempotent, never-delete loader of the reference territories (fixtures/territories/).

MUST stay idempotent: a second run with the same files writes nothing. It never deletes a
territory: one that disappears from the reference files is marked obsolete, so that projects
linked to it keep their link. Everything is validated before the first write, and written in
one transaction: a bad file loads nothing.

Sources (fixtures/README.md): regions, départements (all of France, simplified), the 92 EPCI
and 3,782 communes of Hauts-de-France with boundaries, every French commune (centroid only)
and every EPCI (no geometry). COG 2026, EPCI perimeters at 1 January 2025.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from maps import geometry
from maps.models import DataVersion, Scale, Territory
from maps.services.reports import ImportRejected, ImportReport
from maps.services.validation import Problems, model_problems, read_text

DEFAULT_DIR = Path(settings.BASE_DIR) / "fixtures" / "territories"
#: Topology-preserving simplification tolerances (degrees), tuned so that the commune coverage
#: map of the whole region stays under its 5 MB budget (bench/maps_bench.py prints it).
COMMUNE_TOLERANCE = 0.0007
EPCI_TOLERANCE = 0.001
OFFICIAL_SCALES = (Scale.REGION, Scale.DEPARTEMENT, Scale.EPCI)


@dataclass
class Record:
    scale: str
    code: str
    name: str
    population: int | None = None
    geometry: dict | None = None
    centroid_lon: float | None = None
    centroid_lat: float | None = None
    bbox: list | None = None
    parents: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""

    @property
    def key(self):
        return (self.scale, self.code)


def _int_or_none(value):
    value = (value or "").strip()
    return int(value) if value else None


def _float_or_none(value):
    value = (value or "").strip()
    return float(value) if value else None


#: Fields of a territory that the reference files give and its model checks.
CHECKED_FIELDS = ("scale", "code", "name", "population", "centroid_lon", "centroid_lat")
UNCHECKED_FIELDS = [f.name for f in Territory._meta.get_fields()
                    if f.concrete and f.name not in CHECKED_FIELDS]


class _Reader:
    """Reads and cross-checks the reference files; collects every error before failing."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.problems = Problems()
        self.errors: list[str] = self.problems.errors
        self.records: dict[tuple[str, str], Record] = {}

    def error(self, filename, where, field_name, message):
        self.errors.append(f"{filename}, {where}, champ « {field_name} » : {message}")

    def path(self, name):
        path = self.directory / name
        if not path.exists():
            self.errors.append(f"{name} : fichier introuvable dans {self.directory}")
        return path

    def read_geo(self, name, code_field, required=("nom",)):
        path = self.path(name)
        if not path.exists():
            return None
        if read_text(path, self.problems, whole_lines=False) is None:
            return None
        try:
            frame = geometry.read_geojson(path)
        except Exception as exc:  # noqa: BLE001 - any parse failure is reported, not raised
            self.errors.append(f"{name} : GeoJSON illisible ({exc})")
            return None
        for column in (code_field, *required):
            if column not in frame.columns:
                self.errors.append(f"{name} : propriété « {column} » absente des entités")
                return None
        for position, row in enumerate(frame.itertuples(index=False), start=1):
            if not str(getattr(row, code_field) or "").strip():
                self.error(name, f"entité {position}", code_field, "code vide")
            if row.geometry is None or row.geometry.is_empty:
                self.error(name, f"entité {position}", "geometry", "géométrie vide")
        return frame

    def read_csv(self, name, required):
        """Rows of a reference CSV with their line numbers. The file must be UTF-8 and whole:
        a row with fewer or more cells than the header (a file cut short, a stray comma) is
        an error naming its line."""
        path = self.path(name)
        if not path.exists():
            return []
        content = read_text(path, self.problems)
        if content is None:
            return []
        reader = csv.reader(io.StringIO(content, newline=""))
        header = next(reader, [])
        missing = [c for c in required if c not in header]
        if missing:
            self.errors.append(f"{name} : colonne(s) absente(s) : {', '.join(missing)}")
            return []
        rows = []
        for cells in reader:
            if len(cells) != len(header):
                self.problems.add(name, reader.line_num, "", _(
                    "%(cells)s cells instead of %(width)s: line cut short or stray "
                    "separator") % {"cells": len(cells), "width": len(header)})
                continue
            rows.append((reader.line_num, dict(zip(header, cells, strict=True))))
        return rows

    def number(self, name, line, row, column, convert):
        """A number cell (None when empty); raises ValueError after recording why it is not
        a number."""
        try:
            return convert(row[column])
        except ValueError:
            self.problems.add(name, line, column, _("number expected, got “%(value)s”") % {
                "value": row[column]})
            raise

    def check(self, record: Record, name: str, line: int) -> bool:
        """The territory's own field rules (a population is a positive whole number, a
        name fits its column), by the model's validation."""
        instance = Territory(**{f: getattr(record, f) for f in CHECKED_FIELDS})
        return model_problems(instance, self.problems, name, line,
                              {"centroid_lon": "centroid_lon", "name": "nom"},
                              exclude=UNCHECKED_FIELDS)

    def add(self, record: Record):
        self.records[record.key] = record

    def geo_fields(self, geom):
        lon, lat, bbox = geometry.centroid_and_bbox(geom)
        return {
            "geometry": json.loads(json.dumps(geometry.rounded_geojson(geom))),
            "centroid_lon": lon,
            "centroid_lat": lat,
            "bbox": bbox,
        }

    def read(self) -> dict[tuple[str, str], Record]:
        regions = self.read_geo("regions.geojson", "code")
        departements = self.read_geo("departements.geojson", "code", ("nom", "region"))
        epci_geo = self.read_geo("epci-hauts-de-france.geojson", "siren")
        communes_geo = self.read_geo("communes-hauts-de-france.geojson", "code")
        communes = self.read_csv(
            "communes-france.csv",
            (
                "code",
                "nom",
                "departement",
                "region",
                "epci",
                "population",
                "centroid_lon",
                "centroid_lat",
            ),
        )
        epcis = self.read_csv(
            "epci-france.csv", ("siren", "nom", "population", "departements", "regions")
        )
        if self.errors:
            raise ImportRejected(self.errors)

        for row in regions.itertuples(index=False):
            self.add(
                Record(
                    Scale.REGION,
                    row.code,
                    row.nom,
                    source="regions.geojson",
                    **self.geo_fields(row.geometry),
                )
            )
        for row in departements.itertuples(index=False):
            self.add(
                Record(
                    Scale.DEPARTEMENT,
                    row.code,
                    row.nom,
                    parents=[(Scale.REGION, row.region)],
                    source="departements.geojson",
                    **self.geo_fields(row.geometry),
                )
            )

        epci_shapes = {}
        if epci_geo is not None:
            epci_geo = geometry.simplify_coverage(epci_geo, EPCI_TOLERANCE)
            epci_shapes = dict(zip(epci_geo["siren"], epci_geo.geometry, strict=True))
        for line, row in epcis:
            siren = row["siren"].strip()
            if len(siren) != 9 or not siren.isdigit():
                self.error(
                    "epci-france.csv", f"ligne {line}", "siren", f"SIREN invalide « {siren} »"
                )
                continue
            parents = [(Scale.DEPARTEMENT, c) for c in row["departements"].split(";") if c]
            parents += [(Scale.REGION, c) for c in row["regions"].split(";") if c]
            geo = self.geo_fields(epci_shapes[siren]) if siren in epci_shapes else {}
            try:
                population = self.number("epci-france.csv", line, row, "population",
                                         _int_or_none)
            except ValueError:
                continue
            record = Record(Scale.EPCI, siren, row["nom"].strip(), population=population,
                            parents=parents, source="epci-france.csv", **geo)
            if self.check(record, "epci-france.csv", line):
                self.add(record)
        for siren in epci_shapes:
            if (Scale.EPCI, siren) not in self.records:
                self.error(
                    "epci-hauts-de-france.geojson",
                    f"EPCI {siren}",
                    "siren",
                    "absent de epci-france.csv",
                )

        commune_shapes = {}
        if communes_geo is not None:
            communes_geo = geometry.simplify_coverage(communes_geo, COMMUNE_TOLERANCE)
            commune_shapes = dict(zip(communes_geo["code"], communes_geo.geometry, strict=True))
        for line, row in communes:
            code = row["code"].strip()
            where = f"ligne {line} (commune {code})"
            if len(code) != 5:
                self.error("communes-france.csv", where, "code", f"code INSEE invalide « {code} »")
                continue
            parents = []
            for scale, column in (
                (Scale.EPCI, "epci"),
                (Scale.DEPARTEMENT, "departement"),
                (Scale.REGION, "region"),
            ):
                value = row[column].strip()
                if not value:
                    continue
                if (scale, value) in self.records:
                    parents.append((scale, value))
                elif row.get("zone") != "com":
                    # Collectivités d'outre-mer have no département or region in the COG.
                    self.error("communes-france.csv", where, column, f"code inconnu « {value} »")
            try:
                population = self.number("communes-france.csv", line, row, "population",
                                         _int_or_none)
                if code in commune_shapes:
                    geo = self.geo_fields(commune_shapes[code])
                else:
                    geo = {
                        column: self.number("communes-france.csv", line, row, column,
                                            _float_or_none)
                        for column in ("centroid_lon", "centroid_lat")
                    }
            except ValueError:
                continue
            record = Record(Scale.COMMUNE, code, row["nom"].strip(), population=population,
                            parents=parents, source="communes-france.csv", **geo)
            if self.check(record, "communes-france.csv", line):
                self.add(record)
        for code in commune_shapes:
            if (Scale.COMMUNE, code) not in self.records:
                self.error(
                    "communes-hauts-de-france.geojson",
                    f"commune {code}",
                    "code",
                    "code INSEE inconnu de communes-france.csv",
                )

        # Populations of départements and regions: sums of their communes (same vintage).
        totals: dict[tuple[str, str], int] = {}
        for record in self.records.values():
            if record.scale == Scale.COMMUNE and record.population:
                for parent in record.parents:
                    if parent[0] != Scale.EPCI:
                        totals[parent] = totals.get(parent, 0) + record.population
        for key, total in totals.items():
            self.records[key].population = total

        for record in self.records.values():
            for parent in record.parents:
                if parent not in self.records:
                    self.error(
                        record.source,
                        f"{record.scale} {record.code}",
                        parent[0],
                        f"code inconnu « {parent[1]} »",
                    )
        if self.errors:
            raise ImportRejected(self.errors)
        return self.records


def _closure(records: dict) -> dict[tuple, set[tuple]]:
    """Every ancestor of every record, following parents transitively, except through an
    EPCI: an EPCI may straddle départements and regions, so its communes inherit its own
    membership but not its départements (each commune has its own)."""
    cache: dict[tuple, set[tuple]] = {}

    def ancestors(key):
        if key not in cache:
            found = set()
            for parent in records[key].parents:
                found.add(parent)
                if parent[0] != Scale.EPCI:
                    found |= ancestors(parent)
            cache[key] = found
        return cache[key]

    return {key: ancestors(key) for key in records}


FIELDS = ("name", "population", "geometry", "centroid_lon", "centroid_lat", "bbox", "source")


def load_reference_territories(directory: Path = DEFAULT_DIR) -> ImportReport:
    """Validate the reference files, then create/update territories and their closure."""
    records = _Reader(directory).read()
    closure = _closure(records)
    report = ImportReport("Territoires")
    with transaction.atomic():
        existing = {
            (t.scale, t.code): t
            for t in Territory.objects.filter(
                scale__in=[Scale.REGION, Scale.DEPARTEMENT, Scale.EPCI, Scale.COMMUNE]
            )
        }
        to_create, to_update = [], []
        for key, record in records.items():
            territory = existing.get(key)
            values = {f: getattr(record, f) for f in FIELDS}
            if territory is None:
                territory = Territory(scale=record.scale, code=record.code, **values)
                territory.refresh_search_name()
                to_create.append(territory)
                continue
            changed = [f for f, v in values.items() if getattr(territory, f) != v]
            if territory.is_obsolete:
                territory.is_obsolete = False
                changed.append("is_obsolete")
            if changed:
                for f in changed:
                    setattr(territory, f, values.get(f, getattr(territory, f)))
                territory.refresh_search_name()
                to_update.append(territory)
            else:
                report.unchanged += 1
        Territory.objects.bulk_create(to_create, batch_size=2000)
        Territory.objects.bulk_update(
            to_update, [*FIELDS, "search_name", "is_obsolete"], batch_size=1000
        )
        report.created, report.updated = len(to_create), len(to_update)
        gone = [t.pk for key, t in existing.items() if key not in records and not t.is_obsolete]
        report.obsoleted = Territory.objects.filter(pk__in=gone).update(is_obsolete=True)

        ids = {
            (s, c): pk
            for s, c, pk in Territory.objects.filter(
                scale__in=[Scale.REGION, Scale.DEPARTEMENT, Scale.EPCI, Scale.COMMUNE]
            ).values_list("scale", "code", "pk")
        }
        for relation, wanted in (
            ("ancestors", {(ids[k], ids[a]) for k, ancs in closure.items() for a in ancs}),
            ("parents", {(ids[k], ids[p]) for k, r in records.items() for p in r.parents}),
        ):
            added, removed = _sync_links(relation, wanted, {ids[k] for k in records})
            report.links_added += added
            report.links_removed += removed
        if report.changed:
            DataVersion.bump_all()  # every version, the territories' too (map geometry)
    return report


def _sync_links(relation: str, wanted: set[tuple[int, int]], sources: set[int]):
    """Make the official links of the loaded territories match the reference. Links towards
    custom areas (made by the seed import) are not the reference's business: kept."""
    through = getattr(Territory, relation).through
    official = set(
        through.objects.filter(to_territory__scale__in=OFFICIAL_SCALES).values_list(
            "from_territory_id", "to_territory_id"
        )
    )
    current = {pair for pair in official if pair[0] in sources}
    missing = wanted - current
    stale = current - wanted
    through.objects.bulk_create(
        [through(from_territory_id=a, to_territory_id=b) for a, b in missing], batch_size=5000
    )
    for a, b in stale:
        through.objects.filter(from_territory_id=a, to_territory_id=b).delete()
    return len(missing), len(stale)
