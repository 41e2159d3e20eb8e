"""Custom areas (a group of communes: a contrat local de santé, the Denaisis) and places
abroad (Jette, Belgium), created by the seed import and by staff.

A custom area becomes an ancestor of each of its communes, so "what covers commune X" finds
the projects of the area with the same single join as for an EPCI; its own ancestors are the
territories that contain all of its communes.
"""

from __future__ import annotations

import json

from django.db import transaction

from maps import geometry
from maps.models import DataVersion, Scale, Territory


@transaction.atomic
def upsert_custom_area(code: str, name: str, communes: list[Territory]) -> tuple[Territory, str]:
    """Create or update a custom area from its communes; returns (area, status) where status
    is "created", "updated" or "unchanged". Never removes a commune link that staff added."""
    shape = geometry.dissolve(c.geometry for c in communes)
    values = {
        "name": name,
        "population": sum(c.population or 0 for c in communes) or None,
        "geometry": shape,
        "source": "seed",
    }
    if shape:
        from shapely.geometry import shape as to_shape

        lon, lat, bbox = geometry.centroid_and_bbox(to_shape(shape))
        values.update(centroid_lon=lon, centroid_lat=lat, bbox=bbox)
    area, status = _upsert(Scale.CUSTOM, code, values)
    member_ids = {c.pk for c in communes}
    area.children.add(*member_ids)
    area.descendants.add(*member_ids)
    common = None
    for commune in communes:
        ancestors = set(commune.ancestors.exclude(scale=Scale.CUSTOM).values_list("pk", flat=True))
        common = ancestors if common is None else common & ancestors
    if common:
        area.ancestors.add(*common)
    if status != "unchanged":
        DataVersion.bump_all()
    return area, status


def upsert_foreign_place(code: str, name: str, country: str, lon: float, lat: float):
    """A place abroad is a point and a name: enough for a marker and a sensible zoom."""
    values = {"name": name, "country": country, "centroid_lon": lon, "centroid_lat": lat,
              "source": "seed"}
    area, status = _upsert(Scale.FOREIGN, code, values)
    if status != "unchanged":
        DataVersion.bump_all()
    return area, status


def _upsert(scale: str, code: str, values: dict) -> tuple[Territory, str]:
    # JSON round trip: shapely gives tuples, the database gives back lists.
    values = json.loads(json.dumps(values))
    territory = Territory.objects.filter(scale=scale, code=code).first()
    if territory is None:
        return Territory.objects.create(scale=scale, code=code, **values), "created"
    changed = {k: v for k, v in values.items() if getattr(territory, k) != v}
    if not changed:
        return territory, "unchanged"
    for key, value in changed.items():
        setattr(territory, key, value)
    territory.save()
    return territory, "updated"
