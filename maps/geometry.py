"""Geometry work done with geopandas/shapely, at import time (never per request).

Everything here takes and returns plain data (GeoJSON dicts, GeoDataFrames, codes): no ORM,
so it is testable with a few hand-drawn polygons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape

CRS = "EPSG:4326"
#: Decimal places kept in stored geometry: 4 decimals is about 10 m, far below what a
#: regional map shows, and it halves the size of every map page.
PRECISION = 4


def read_geojson(path) -> gpd.GeoDataFrame:
    """Read a GeoJSON file as WGS84, whatever its CRS member says."""
    frame = gpd.read_file(path)
    if frame.crs is None:
        frame = frame.set_crs(CRS)
    return frame.to_crs(CRS)


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify a layer of polygons that tile the plane (communes, EPCI) without opening
    gaps or overlaps between neighbours (shapely's topology-preserving coverage simplify)."""
    if tolerance <= 0 or frame.empty:
        return frame
    frame = frame.copy()
    frame["geometry"] = shapely.coverage_simplify(frame.geometry.values, tolerance)
    return frame


def rounded_geojson(geometry) -> dict:
    """A shapely geometry as a GeoJSON dict with coordinates rounded to PRECISION."""
    geometry = shapely.set_precision(geometry, 10**-PRECISION)
    if geometry.is_empty:
        return None
    return mapping(geometry)


def centroid_and_bbox(geometry) -> tuple[float, float, list[float]]:
    """A point for markers (inside the polygon when the centroid is not) and a bbox for zooms."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    minx, miny, maxx, maxy = geometry.bounds
    bbox = [round(v, PRECISION) for v in (minx, miny, maxx, maxy)]
    return round(point.x, 5), round(point.y, 5), bbox


def dissolve(geometries: Iterable[Mapping]) -> dict | None:
    """Union of GeoJSON geometries (a custom area made of communes), as GeoJSON."""
    shapes = [shape(g) for g in geometries if g]
    if not shapes:
        return None
    return rounded_geojson(shapely.union_all(shapes))


class PointLocator:
    """Which polygon contains a point, through an STRtree built once for a set of polygons.

    Built from (code, GeoJSON geometry) pairs; `locate(lon, lat)` answers the code of the
    polygon containing the point, or None.
    """

    def __init__(self, items: Iterable[tuple[str, Mapping]]):
        pairs = [(code, shape(geom)) for code, geom in items if geom]
        self.codes = [code for code, _geom in pairs]
        self.geometries = [geom for _code, geom in pairs]
        self.tree = shapely.STRtree(self.geometries)

    def locate(self, lon: float, lat: float) -> str | None:
        point = shapely.Point(lon, lat)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return self.codes[int(min(hits))]
