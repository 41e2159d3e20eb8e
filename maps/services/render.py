"""Cached map HTML: turn territories (querysets) and plain records given by callers into
GeoDataFrames, call a builder of `maps.builders`, and cache the HTML.

The cache key is the builder name + the sorted parameters + the data version they depend on
(`DataVersion.for_params`: one programme's when they select one, else the catalogue's;
bumped on every publish and import) + the language + a digest of the asset URLs (they change with a
deploy when the static files are hashed). Any app server sharing the cache (Redis) therefore
serves the same, never stale, map. Callers pass their data as zero-argument callables: on a
cache hit nothing is queried but the data version.

Knows territories, not pages: what a project is, which projects are selected, and what the
poverty rate of a territory is, come from the callers (`projects`, `indicators`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import folium
import geopandas as gpd
import shapely
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from maps import builders
from maps.builders import MapAssets, MapOptions, MarkerSpec
from maps.models import TERRITORIES, DataVersion, Scale, Territory, home_region_code
from maps.services.gaps import CommuneRow, region_communes, region_departements

CRS = "EPSG:4326"
T = TypeVar("T")
#: Levels of the explorer choropleth, by their public GET value.
LEVELS = {"epci": Scale.EPCI, "departement": Scale.DEPARTEMENT, "commune": Scale.COMMUNE}
#: What outlines a covered territory on a project map: the next official level up.
OUTLINE_SCALES = {
    Scale.COMMUNE: (Scale.EPCI, Scale.DEPARTEMENT),
    Scale.CUSTOM: (Scale.DEPARTEMENT,),
    Scale.EPCI: (Scale.DEPARTEMENT,),
    Scale.DEPARTEMENT: (Scale.REGION,),
}
FIELDS = ("id", "scale", "code", "name", "population", "centroid_lon", "centroid_lat")


@dataclass(frozen=True)
class RenderedMap:
    key: str
    html: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.key.encode()).hexdigest()[:20] + '"'


@lru_cache(maxsize=1)
def map_assets() -> MapAssets:
    """Our vendored Leaflet files (maps/static/maps/vendor/README.md), hashed in production."""
    vendor = "maps/vendor/"
    cluster = vendor + "leaflet.markercluster/"
    return MapAssets(
        leaflet_js=static(vendor + "leaflet/leaflet.js"),
        leaflet_css=static(vendor + "leaflet/leaflet.css"),
        jquery_js=static(vendor + "jquery/jquery.min.js"),
        markercluster_js=static(cluster + "leaflet.markercluster.js"),
        markercluster_css=static(cluster + "MarkerCluster.css"),
        markercluster_default_css=static(cluster + "MarkerCluster.Default.css"),
        marker_icon=static(vendor + "leaflet/images/marker-icon.png"),
        marker_icon_2x=static(vendor + "leaflet/images/marker-icon-2x.png"),
        marker_shadow=static(vendor + "leaflet/images/marker-shadow.png"),
    )


def map_options(title: str) -> MapOptions:
    return MapOptions(tiles_url=settings.MAP_TILES_URL,
                      tiles_attribution=settings.MAP_TILES_ATTRIBUTION,
                      assets=map_assets(), title=title)


def cache_key(builder: str, params: Mapping) -> str:
    """builder name + sorted params + data version (+ language and assets, see module doc)."""
    version = DataVersion.for_params(params)
    normalized = sorted((str(k), v if isinstance(v, str | int) else sorted(map(str, v)))
                        for k, v in params.items())
    digest = hashlib.sha1(json.dumps(
        [normalized, map_assets().urls(), settings.MAP_TILES_URL], ensure_ascii=False
    ).encode()).hexdigest()
    return f"maps:{builder}:v{version}:{get_language() or ''}:{digest}"


def cached_value(name: str, params: Mapping, compute: Callable[[], T]) -> T:
    """Plain data behind a map, cached under the same kind of key (e.g. the counts per
    territory that both the map and its table show)."""
    return cache.get_or_set(cache_key(name, params), compute)


def cached_map(builder: str, params: Mapping, build: Callable[[], folium.Map]) -> RenderedMap:
    key = cache_key(builder, params)
    html = cache.get_or_set(
        key, lambda: builders.render_html(build(), lang=(get_language() or "fr")[:2]))
    return RenderedMap(key, html)


# --------------------------------------------------------------------------- frames


def _geometries(territories: Sequence[Territory]) -> list:
    """Polygons (parsed by GEOS from the GeoJSON text when the queryset came through
    `with_geometry`, in one vectorised call), else the centroid, else None."""
    texts = [getattr(t, "geometry_text", None) for t in territories]
    parsed = iter(shapely.from_geojson([text for text in texts if text]))
    result = []
    for territory, text in zip(territories, texts, strict=True):
        if text:
            result.append(next(parsed))
        elif "geometry" not in territory.get_deferred_fields() and territory.geometry:
            result.append(shape(territory.geometry))
        elif territory.centroid_lon is not None and territory.centroid_lat is not None:
            result.append(Point(territory.centroid_lon, territory.centroid_lat))
        else:
            result.append(None)
    return result


def territories_frame(territories: Iterable[Territory], **columns: Sequence) -> gpd.GeoDataFrame:
    """code, name, label (the scale), population and geometry (the polygon, else the point)
    of territories, plus extra columns given in the same order."""
    territories = list(territories)
    scales = {scale: str(Scale(scale).label) for scale in {t.scale for t in territories}}
    data = {
        "code": [t.code for t in territories],
        "name": [t.name for t in territories],
        "label": [scales[t.scale] if t.scale != Scale.FOREIGN else t.country
                  for t in territories],
        "population": [t.population for t in territories],
        **{name: list(values) for name, values in columns.items()},
    }
    return gpd.GeoDataFrame(data, geometry=_geometries(territories), crs=CRS)


def with_geometry(queryset):
    """What a map needs of territories, the geometry as GeoJSON text: GEOS parses text much
    faster than shapely builds shapes from the decoded JSON (a second for the region)."""
    return queryset.only(*FIELDS, "country").annotate(
        geometry_text=Cast("geometry", output_field=TextField()))


# --------------------------------------------------------------------------- project map


def enclosing_outlines(territories: Sequence[Territory]) -> list[Territory]:
    """The next official level up of each covered territory (a commune's EPCI, an EPCI's
    département, a département's region), when it has a polygon and is not itself covered."""
    ids = {t.pk for t in territories}
    by_scale = {t.pk: t.scale for t in territories}
    links = Territory.ancestors.through.objects.filter(
        from_territory_id__in=ids, to_territory__geometry__isnull=False,
        to_territory__scale__in=[Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION],
    ).values_list("from_territory_id", "to_territory_id", "to_territory__scale")
    found: dict[int, dict[str, set[int]]] = {}
    for source, target, scale in links:
        found.setdefault(source, {}).setdefault(scale, set()).add(target)
    wanted: set[int] = set()
    for source, scales in found.items():
        for scale in OUTLINE_SCALES.get(by_scale[source], ()):
            if scales.get(scale):
                wanted |= scales[scale]
                break
    wanted -= ids
    return list(with_geometry(Territory.objects.filter(pk__in=wanted)).order_by("scale", "name"))


def project_map(pk: int, *, title: str, territories: Callable[[], Iterable[Territory]],
                places: Callable[[], Sequence[MarkerSpec]],
                cache_params: Mapping | None = None) -> RenderedMap:
    """Map of the territories a project covers, their outline and the project's places
    (`cache_params`: the key of a map that is not a published project's, e.g. a draft's)."""

    def build():
        covered = list(territories())
        areas = territories_frame(covered)
        outlines = territories_frame(enclosing_outlines(covered))
        return builders.territory_map(areas, map_options(title), outlines=outlines,
                                      places=list(places()))

    return cached_map("territory_map", cache_params or {"project": pk}, build)


def project_territories(queryset) -> Iterable[Territory]:
    """Territories of a queryset with only what a map needs (geometry included)."""
    return with_geometry(queryset)


# --------------------------------------------------------------------------- explorer map


def in_home_region_q() -> Q:
    """Territories of the home region: the region itself and everything inside it (an EPCI
    straddling its border included). Maps of the region draw only these: a national
    example in Marseille neither widens the frame nor adds a polygon."""
    return Q(ancestors__scale=Scale.REGION, ancestors__code=home_region_code()) | Q(
        scale=Scale.REGION, code=home_region_code())


def home_region_bounds():
    """[[south, west], [north, east]] of the home region, from its stored bbox: the default
    framing of the explorer and monitoring maps (None before territories are loaded)."""
    bbox = Territory.objects.filter(scale=Scale.REGION, code=home_region_code()).values_list(
        "bbox", flat=True).first()
    return builders.bbox_bounds(bbox)


def level_territories(level: str, counts: Mapping[int, int]):
    """Territories of a choropleth level in the home region: those counted, plus (EPCI,
    département) those with no project, so that gaps show."""
    scale = LEVELS[level]
    territories = Territory.objects.filter(in_home_region_q(), scale=scale)
    if scale == Scale.COMMUNE:
        territories = territories.filter(pk__in=list(counts))
    return territories.distinct()


def focus_frame(territory: Territory | None) -> gpd.GeoDataFrame | None:
    """The outline of the territory a map is about (its polygon, else its point)."""
    if territory is None:
        return None
    return territories_frame(with_geometry(Territory.objects.filter(pk=territory.pk)))


def focus_bounds(territory: Territory | None):
    """The framing of a map about `territory`: its box, widened to show its neighbours;
    the home region's box when there is none."""
    if territory is not None:
        if territory.bbox:
            return builders.bbox_bounds(territory.bbox, builders.MIN_FOCUS_SPAN)
        if territory.has_point:
            point = [territory.centroid_lon, territory.centroid_lat] * 2
            return builders.bbox_bounds(point, builders.MIN_FOCUS_SPAN)
    return home_region_bounds()


def explorer_map(params: Mapping, *, level: str, title: str,
                 counts: Callable[[], Mapping[int, int]],
                 markers: Callable[[], Sequence[MarkerSpec]],
                 link: str = "", focus: Territory | None = None,
                 broad: Callable[[], Iterable[int]] = tuple,
                 geometry_url: Callable[[str, bool], str] | None = None) -> RenderedMap:
    """Choropleth of the number of projects per territory of `level` in the home region,
    with the projects as clustered markers. `link`: popup URL template with {scale} and
    {code}. `focus`: the territory of a filter, outlined and framed (else the region is
    framed). `broad`: ids of the départements/region that broad projects cover whole,
    hatched apart from the counts. `geometry_url(level, detail)`: the address of
    `level_geometry` (the polygons of the level, fetched by the browser; `detail` for a
    map framed on a territory); without it the polygons are embedded in the document."""

    def build():
        counted = counts()
        territories = level_territories(level, counted).filter(geometry__isnull=False)
        columns = {}
        if geometry_url is None:
            territories = list(with_geometry(territories).order_by("code"))
            frame = territories_frame(territories)
        else:  # names and counts only: the polygons come from the geometry resource
            territories = list(territories.only("id", "scale", "code", "name").order_by(
                "code"))
            frame = gpd.GeoDataFrame({"code": [t.code for t in territories],
                                      "name": [t.name for t in territories]},
                                     geometry=[None] * len(territories), crs=CRS)
            columns["geometry_url"] = geometry_url(level, focus is not None)
        frame = frame.assign(
            count=[counted.get(t.pk, 0) for t in territories],
            url=[link.format(scale=t.scale, code=t.code) if link else "" for t in territories],
        )
        if not link:
            frame = frame.drop(columns=["url"])
        wide = list(with_geometry(Territory.objects.filter(
            in_home_region_q(), pk__in=list(broad()), geometry__isnull=False).distinct()
        ).order_by("scale", "code"))
        layer_name = _("Projects per %(level)s") % {
            "level": str(Scale(LEVELS[level]).label)}
        return builders.choropleth_map(
            frame, map_options(title), markers=list(markers()), layer_name=layer_name,
            bounds=focus_bounds(focus), focus=focus_frame(focus),
            tolerance=builders.FOCUS_TOLERANCE if focus is not None
            else builders.REGION_TOLERANCE,
            broad=territories_frame(wide, whole=[t.scale == Scale.REGION for t in wide])
            if wide else None, **columns)

    return cached_map("choropleth_map", {**params, "niveau": level}, build)


def geometry_version() -> int:
    """The territories' data version (`maps.models.TERRITORIES`, moved by their imports):
    the geometry resources do not change when projects are published."""
    return DataVersion.current(TERRITORIES)


def level_geometry(level: str, detail: bool, version: int) -> str:
    """The polygons of a choropleth level's territories in the home region, as a GeoJSON
    FeatureCollection identified by territory code, simplified for a map of the region
    (`detail`: for a map framed on a territory). One resource per level, whatever the
    selection: cached under the territories' data version (the browser caches it too,
    its URL carrying that version, `geometry_version()`, read once by the caller)."""
    tolerance = builders.FOCUS_TOLERANCE if detail else builders.REGION_TOLERANCE
    key = f"maps:geometry:{level}:{int(detail)}:v{version}"

    def build():
        territories = list(Territory.objects.filter(
            in_home_region_q(), scale=LEVELS[level], geometry__isnull=False).distinct()
            .order_by("code").only("id", "code").annotate(
                geometry_text=Cast("geometry", output_field=TextField())))
        shapes = shapely.from_geojson([t.geometry_text for t in territories])
        return builders.geometry_collection_json([t.code for t in territories], shapes,
                                                 tolerance)

    return cache.get_or_set(key, build)


# --------------------------------------------------------------------------- coverage map


def coverage_map(params: Mapping, *, title: str,
                 rows: Callable[[], Sequence[CommuneRow]]) -> RenderedMap:
    """Communes of the region, covered or not by the selected projects (`rows` from
    `maps.services.gaps.coverage_rows`), with population and poverty rate."""

    def build():
        data = {row.id: row for row in rows()}
        communes = [c for c in with_geometry(region_communes()).order_by("code")
                    if c.pk in data]
        labels: dict[str, int] = {}
        rate_index = []
        for commune in communes:
            label = data[commune.pk].figure
            rate_index.append(None if not label else labels.setdefault(label, len(labels)))
        frame = territories_frame(
            communes, covered=[data[c.pk].covered for c in communes], rate=rate_index)
        outlines = territories_frame(with_geometry(region_departements()))
        return builders.coverage_map(frame, map_options(title), outlines=outlines,
                                     rates=list(labels))

    return cached_map("coverage_map", params, build)
