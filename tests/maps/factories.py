"""Territories for tests: a factory, and a small sample of the real structure built in a few
milliseconds instead of the 36,000 reference territories.

The sample keeps what the code must get right: a region with three départements, a
neighbouring region, the Gers (code "32", like the Hauts-de-France region), EPCIs including
one that straddles two départements of two regions (as the CC des Villes Sœurs does), a
custom area dissolved from communes, and a place abroad. Every territory has a square
geometry, a centroid and a population; the closure follows the rule of the reference import
(`maps.services.import_territories`): ancestors are inherited through every parent except an
EPCI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import factory
from factory.django import DjangoModelFactory

from maps.models import Scale, Territory
from maps.services import areas
from maps.services.import_territories import _closure

HOME_REGION = "32"


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _envelope(geometries: list[dict]) -> dict:
    points = [p for g in geometries for p in g["coordinates"][0]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _shape_fields(geometry: dict) -> dict:
    ring = geometry["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return {"geometry": geometry, "bbox": [min(lons), min(lats), max(lons), max(lats)],
            "centroid_lon": (min(lons) + max(lons)) / 2,
            "centroid_lat": (min(lats) + max(lats)) / 2}


class TerritoryFactory(DjangoModelFactory):
    """A territory without parents; link it with `parents`/`ancestors` (or use the sample)."""

    scale = Scale.COMMUNE
    code = factory.Sequence(lambda n: f"{99000 + n}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    population = 1000
    source = "test"

    class Meta:
        model = Territory
        django_get_or_create = ("scale", "code")


#: (scale, code, name, population, parents as (scale, code), square corner for communes)
COMMUNES = [
    ("59491", "Raismes", 12_500, ("200042190", "59"), (3.48, 50.39)),
    ("59172", "Denain", 19_800, ("200042190", "59"), (3.39, 50.33)),
    ("59632", "Wallers", 5_400, ("200042190", "59"), (3.47, 50.37)),
    ("59350", "Lille", 236_000, ("200093201", "59"), (3.06, 50.63)),
    ("62498", "Lens", 31_000, ("246200364", "62"), (2.83, 50.43)),
    ("62894", "Wingles", 8_600, ("246200364", "62"), (2.85, 50.49)),
    ("80021", "Amiens", 134_000, ("248000531", "80"), (2.30, 49.89)),
    ("80016", "Allenay", 230, ("247600786", "80"), (1.49, 50.08)),
    ("80533", "Mers-les-Bains", 2_800, ("247600786", "80"), (1.40, 50.06)),
    ("76255", "Eu", 6_900, ("247600786", "76"), (1.42, 50.04)),
    ("76540", "Rouen", 114_000, ("200023414", "76"), (1.09, 49.44)),
    ("32013", "Auch", 22_000, ("200066926", "32"), (0.58, 43.64)),
]
EPCIS = [
    ("200042190", "CA de la Porte du Hainaut"),
    ("200093201", "Métropole Européenne de Lille"),
    ("246200364", "CA de Lens-Liévin"),
    ("248000531", "CA Amiens Métropole"),
    ("247600786", "CC des Villes Sœurs"),
    ("200023414", "Métropole Rouen Normandie"),
    ("200066926", "CA Grand Auch Cœur de Gascogne"),
]
DEPARTEMENTS = [("59", "Nord", "32"), ("62", "Pas-de-Calais", "32"), ("80", "Somme", "32"),
                ("76", "Seine-Maritime", "28"), ("32", "Gers", "76")]
REGIONS = [("32", "Hauts-de-France"), ("28", "Normandie"), ("76", "Occitanie")]


@dataclass
class Sample:
    """The sample territories, by (scale, code), with short names for the ones tests use."""

    by_key: dict[tuple[str, str], Territory] = field(default_factory=dict)

    def get(self, scale: str, code: str) -> Territory:
        return self.by_key[(scale, code)]

    def commune(self, code: str) -> Territory:
        return self.get(Scale.COMMUNE, code)

    def epci(self, code: str) -> Territory:
        return self.get(Scale.EPCI, code)

    def departement(self, code: str) -> Territory:
        return self.get(Scale.DEPARTEMENT, code)

    def region(self, code: str) -> Territory:
        return self.get(Scale.REGION, code)

    @property
    def hdf(self) -> Territory:
        return self.region(HOME_REGION)

    @property
    def nord(self) -> Territory:
        return self.departement("59")

    @property
    def caph(self) -> Territory:
        """CA de la Porte du Hainaut: Raismes, Denain, Wallers."""
        return self.epci("200042190")

    @property
    def villes_soeurs(self) -> Territory:
        """The EPCI straddling the Somme (Hauts-de-France) and Seine-Maritime (Normandie)."""
        return self.epci("247600786")

    @property
    def raismes(self) -> Territory:
        return self.commune("59491")

    @property
    def amiens(self) -> Territory:
        return self.commune("80021")

    @property
    def denaisis(self) -> Territory:
        """Custom area of Denain and Wallers."""
        return self.get(Scale.CUSTOM, "denaisis")

    @property
    def jette(self) -> Territory:
        return self.get(Scale.FOREIGN, "jette")

    def region_communes(self) -> list[Territory]:
        """The communes whose own département is in Hauts-de-France."""
        return [t for (scale, _c), t in self.by_key.items() if scale == Scale.COMMUNE
                and any(p.scale == Scale.DEPARTEMENT and p.code in {"59", "62", "80"}
                        for p in t.parents.all())]


class _Record:
    def __init__(self, parents):
        self.parents = parents


def build_sample() -> Sample:
    """Create the sample territories with parents and closure (about 30 rows, 60 links)."""
    parents: dict[tuple[str, str], list[tuple[str, str]]] = {}
    shapes: dict[tuple[str, str], dict] = {}
    populations: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, str], str] = {}
    epci_deps: dict[str, set[str]] = {}
    for code, name, population, (epci, dep), (lon, lat) in COMMUNES:
        key = (Scale.COMMUNE, code)
        names[key], populations[key], shapes[key] = name, population, square(lon, lat)
        parents[key] = [(Scale.EPCI, epci), (Scale.DEPARTEMENT, dep)]
        epci_deps.setdefault(epci, set()).add(dep)
    region_of = {dep: region for dep, _n, region in DEPARTEMENTS}
    for code, name in EPCIS:
        key = (Scale.EPCI, code)
        names[key] = name
        deps = sorted(epci_deps[code])
        parents[key] = [(Scale.DEPARTEMENT, d) for d in deps] + sorted(
            {(Scale.REGION, region_of[d]) for d in deps})
    for code, name, region in DEPARTEMENTS:
        names[(Scale.DEPARTEMENT, code)] = name
        parents[(Scale.DEPARTEMENT, code)] = [(Scale.REGION, region)]
    for code, name in REGIONS:
        names[(Scale.REGION, code)] = name
        parents[(Scale.REGION, code)] = []
    closure = _closure({key: _Record(p) for key, p in parents.items()})
    for key in names:
        if key[0] == Scale.COMMUNE:
            continue
        members = [k for k, ancestors in closure.items()
                   if k[0] == Scale.COMMUNE and key in ancestors]
        shapes[key] = _envelope([shapes[m] for m in members])
        populations[key] = sum(populations[m] for m in members)
    sample = Sample()
    for (scale, code), name in names.items():
        sample.by_key[(scale, code)] = Territory.objects.create(
            scale=scale, code=code, name=name, population=populations[(scale, code)],
            source="test", **_shape_fields(shapes[(scale, code)]))
    Parents, Ancestors = Territory.parents.through, Territory.ancestors.through
    Parents.objects.bulk_create([
        Parents(from_territory=sample.by_key[child], to_territory=sample.by_key[parent])
        for child, ps in parents.items() for parent in ps])
    Ancestors.objects.bulk_create([
        Ancestors(from_territory=sample.by_key[child], to_territory=sample.by_key[ancestor])
        for child, ancestors in closure.items() for ancestor in ancestors])
    area, _status = areas.upsert_custom_area(
        "denaisis", "Denaisis", [sample.commune("59172"), sample.commune("59632")])
    sample.by_key[(Scale.CUSTOM, "denaisis")] = area
    place, _status = areas.upsert_foreign_place("jette", "Jette", "Belgique", 4.33, 50.88)
    sample.by_key[(Scale.FOREIGN, "jette")] = place
    return sample
