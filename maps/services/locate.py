"""Which commune contains a point: an STRtree over the commune polygons, built once per
process and rebuilt when the territories' data version changes (not at every publish)."""

from __future__ import annotations

from maps.geometry import PointLocator
from maps.models import TERRITORIES, DataVersion, Scale, Territory

_locator: tuple[int, PointLocator] | None = None


def commune_at(lon: float, lat: float) -> Territory | None:
    global _locator
    version = DataVersion.current(TERRITORIES)
    if _locator is None or _locator[0] != version:
        rows = Territory.objects.filter(scale=Scale.COMMUNE, geometry__isnull=False).values_list(
            "code", "geometry"
        )
        _locator = (version, PointLocator(rows))
    code = _locator[1].locate(lon, lat)
    return Territory.objects.filter(scale=Scale.COMMUNE, code=code).first() if code else None
