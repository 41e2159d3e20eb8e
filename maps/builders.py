"""Map builders: pure functions, a GeoDataFrame and options in, a `folium.Map` out.

No ORM and no request here, so that every map is testable with a few hand-drawn polygons and
its HTML depends only on its arguments (which is what makes it cacheable:
`maps.services.render` caches the HTML under the builder name, the parameters and the data
version).

Three rules keep the pages light and self-hosted:

- Every JS/CSS asset is set **per instance** (`default_js`/`default_css` on the map and on
  each plugin) from `MapOptions.assets`, our own static files: folium's class-level defaults
  point at CDNs, and changing the class would change it for the whole process.
- Polygons are embedded once, as compact GeoJSON (coordinates rounded, no whitespace), in a
  `SharedFeatures` element; each layer is an `L.geoJSON` over that same data with a filter, so
  the "covered" and "not covered" layers of the coverage map share their geometry instead of
  embedding it twice. Styles are looked up by a class index property, not repeated per
  feature (folium's `GeoJson` would repeat both).
- Labels are computed here with gettext, so the cache key includes the active language.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

#: Decimal places of the coordinates embedded in a map (about 10 m).
PRECISION = 4
#: Zoom used when there is nothing but a point to show (a place abroad, a commune centroid).
POINT_ZOOM = 11
#: Sequential palette (ColorBrewer Blues, readable by colour-blind people) for counts.
BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_PROJECT = "#f6f6f6"
#: Coverage: blue for covered, orange for not covered (a pair safe for colour-blindness).
COVERED = "#000091"
UNCOVERED = "#e4794a"
#: Outline of the territory a map is about (a filter's commune): dark, thick, no fill.
FOCUS = "#161616"
#: Hatching of the territories that broad projects (a whole département, the region) cover:
#: drawn over the choropleth, never counted in it.
HATCH = "#6a6af4"
HATCH_ID = "portal-hatch"
#: Smallest span (degrees of latitude, about 28 km) of a map framed on a territory: a
#: commune alone would fill the frame at street level, and "around here" means its
#: neighbours too.
MIN_FOCUS_SPAN = 0.25
#: Simplification of the polygons of a map framed on the whole region (degrees, about
#: 200 m: under a pixel at that zoom): the region's 92 EPCIs drop from 610 kB to 225 kB,
#: which matters for the home page and the programme pages that embed that map.
REGION_TOLERANCE = 0.002
#: The same for a map framed on a territory (about 50 m, under a pixel at a town's zoom).
FOCUS_TOLERANCE = 0.0005


@dataclass(frozen=True)
class MapAssets:
    """URLs of our self-hosted assets (static files), given by the caller."""

    leaflet_js: str
    leaflet_css: str
    jquery_js: str
    markercluster_js: str
    markercluster_css: str
    markercluster_default_css: str
    marker_icon: str
    marker_icon_2x: str
    marker_shadow: str

    def urls(self) -> list[str]:
        return [getattr(self, name) for name in self.__dataclass_fields__]


@dataclass(frozen=True)
class MapOptions:
    tiles_url: str
    tiles_attribution: str
    assets: MapAssets
    title: str = ""


@dataclass(frozen=True)
class MarkerSpec:
    """A point marker: a place of a project, or a project on the explorer map."""

    lat: float
    lon: float
    title: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """One layer over shared features: which features (`where` property == value), how they
    look (`styles` indexed by the `k` property of each feature) and what they say."""

    name: str
    styles: Sequence[Mapping]
    where: tuple[str, object] | None = None
    show: bool = True
    interactive: bool = True
    tooltip: str = ""  # template, "{n}" is replaced by property n (already HTML-escaped)
    popup: str = ""
    lookups: Mapping[str, Sequence[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- elements


class SharedFeatures(MacroElement):
    """A FeatureCollection declared once in the page, for several layers to draw from.

    Its script is added as raw text: branca would otherwise compile the rendered script,
    megabytes of coordinates, as a Jinja template (a second of work for the region's
    communes, and any "{{" in a name would be read as a template tag)."""

    def __init__(self, collection_json: str):
        super().__init__()
        self._name = "SharedFeatures"
        self.json = collection_json

    def render(self, **kwargs):
        script = f"var {self.get_name()} = {self.json};\n"
        self.get_root().script.add_child(_RawScript(script), name=self.get_name())


class _RawScript(Element):
    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs):
        return self.text


class FeatureLayer(Layer):
    """An `L.geoJSON` layer over a `SharedFeatures` element (listed in the layer control)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data.get_name() }}, {
  {%- if this.where %}
  filter: function (f) {
    return f.properties[{{ this.where[0]|tojson }}] === {{ this.where[1]|tojson }};
  },
  {%- endif %}
  interactive: {{ this.spec.interactive|tojson }},
  style: function (f) { return {{ this.styles }}[f.properties.k || 0]; },
  pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 8}); },
  onEachFeature: function (f, layer) {
    var lookups = {{ this.lookups }};
    function fill(template) {
      return template.replace(/\\{(\\w+)\\}/g, function (m, key) {
        var value = f.properties[key];
        if (lookups[key] && value !== undefined && value !== null) { value = lookups[key][value]; }
        return value === undefined || value === null ? "" : value;
      });
    }
    {%- if this.spec.tooltip %}
    layer.bindTooltip(fill({{ this.spec.tooltip|tojson }}), {sticky: true});
    {%- endif %}
    {%- if this.spec.popup %}
    layer.bindPopup(fill({{ this.spec.popup|tojson }}));
    {%- endif %}
  }
});
{% endmacro %}"""
    )

    def __init__(self, data: SharedFeatures, spec: LayerSpec):
        super().__init__(name=spec.name, overlay=True, control=True, show=spec.show)
        self._name = "FeatureLayer"
        self.data = data
        self.spec = spec
        self.where = spec.where
        self.styles = compact_json(list(spec.styles))
        self.lookups = compact_json({k: list(v) for k, v in spec.lookups.items()})


class MarkerList(MacroElement):
    """Pins added to their parent layer (a cluster, a feature group) by one raw script.

    Folium's Marker + Popup + Tooltip compile three Jinja templates per pin: 300 pins of the
    explorer map cost 1.3 s of its cold build. Here each pin is one line of JavaScript with
    the same Leaflet calls (`L.marker([lat, lon], {alt, title})`: the image's accessible
    name), its popup and tooltip as template literals (texts escaped for them)."""

    def __init__(self, markers: Sequence[MarkerSpec]):
        super().__init__()
        self._name = "MarkerList"
        self.markers = list(markers)

    def render(self, **kwargs):
        parent = self._parent.get_name()
        lines = []
        for marker in self.markers:
            title = escape_js_template(marker.title)
            url = escape_js_template(marker.url)
            text = f'<a href="{url}" target="_top">{title}</a>' if marker.url \
                else f"<strong>{title}</strong>"
            if marker.detail:
                text += f"<br>{escape_js_template(marker.detail)}"
            options = compact_json({"alt": marker.title, "title": marker.title})
            # Template literals, as folium writes them: the texts are escaped for them.
            lines.append(
                f"L.marker([{float(marker.lat)}, {float(marker.lon)}], {options})"
                f".bindTooltip(`{title}`, {{sticky: true}})"
                f".bindPopup(`{text}`, {{maxWidth: 300}}).addTo({parent});")
        self.get_root().script.add_child(_RawScript("\n".join(lines) + "\n"),
                                         name=self.get_name())


class FetchedGeometry(MacroElement):
    """Fills the features of a `SharedFeatures` element (properties and an `id`, no
    geometry) with the polygons of a GeoJSON resource fetched once, joined by `id`, then
    draws them in its layers. The resource (all territories of a scale, simplified) is the
    same for every selection and cached by the browser: the map document carries only
    what depends on the selection, its counts and names."""

    _template = Template(
        """{% macro script(this, kwargs) %}
fetch({{ this.url|tojson }}, {credentials: "same-origin"}).then(function (answer) {
  if (!answer.ok) { throw new Error("geometry: HTTP " + answer.status); }
  return answer.json();
}).then(function (geometry) {
  var shapes = {};
  geometry.features.forEach(function (f) { shapes[f.id] = f.geometry; });
  var data = {{ this.data.get_name() }};
  data.features.forEach(function (f) { f.geometry = shapes[f.id] || null; });
  {%- for layer in this.layers %}
  {{ layer.get_name() }}.addData(data);
  {%- endfor %}
});
{% endmacro %}"""
    )

    def __init__(self, data: SharedFeatures, layers: Sequence[FeatureLayer], url: str):
        super().__init__()
        self._name = "FetchedGeometry"
        self.data, self.layers, self.url = data, list(layers), url


class DefaultIconPaths(MacroElement):
    """Point Leaflet's default marker at our static images. Leaflet guesses their folder
    from leaflet.css, which fails once the static storage adds hashes to file names."""

    _template = Template(
        """{% macro script(this, kwargs) %}
L.Icon.Default.imagePath = "";
L.Icon.Default.mergeOptions({{ this.paths|tojson }});
{% endmacro %}"""
    )

    def __init__(self, assets: MapAssets):
        super().__init__()
        self._name = "DefaultIconPaths"
        self.paths = {"iconUrl": assets.marker_icon, "iconRetinaUrl": assets.marker_icon_2x,
                      "shadowUrl": assets.marker_shadow}


class Legend(MacroElement):
    """An HTML legend in a Leaflet control: real text, readable by assistive technologies."""

    _template = Template(
        """{% macro header(this, kwargs) %}<style>
.portal-legend { background: #fff; padding: .5rem .75rem; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); font: 14px/1.4 Marianne, Arial, sans-serif; }
.portal-legend p { margin: 0 0 .25rem; font-weight: 700; }
.portal-legend ul { list-style: none; margin: 0; padding: 0; }
.portal-legend span { display: inline-block; width: 1rem; height: 1rem; margin-right: .4rem;
  vertical-align: -.15rem; border: 1px solid #666; }
</style>{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create("div", "portal-legend");
  div.innerHTML = {{ this.html|tojson }};
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, title: str, entries: Sequence[tuple[str, str]]):
        """`entries`: (swatch, label); the swatch is a CSS background, optionally followed
        by more declarations ("#fff;border:3px solid #161616")."""
        super().__init__()
        self._name = "Legend"
        items = "".join(
            f'<li><span style="background:{color}"></span>{html.escape(label)}</li>'
            for color, label in entries
        )
        self.html = f"<p>{html.escape(title)}</p><ul>{items}</ul>"


class HatchPattern(MacroElement):
    """An SVG pattern (diagonal lines) that paths reference as `fillColor: "url(#…)"`:
    Leaflet draws in SVG, and a pattern defined anywhere in the document applies."""

    _template = Template(
        """{% macro html(this, kwargs) %}<svg aria-hidden="true" focusable="false" width="0"
 height="0" style="position:absolute"><defs><pattern id="{{ this.pattern_id }}"
 patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><line x1="0"
 y1="0" x2="0" y2="8" stroke="{{ this.color }}" stroke-width="2.5"/></pattern></defs></svg>
{% endmacro %}"""
    )

    def __init__(self, color: str = HATCH, pattern_id: str = HATCH_ID):
        super().__init__()
        self._name = "HatchPattern"
        self.color, self.pattern_id = color, pattern_id


def hatch_swatch(color: str = HATCH) -> str:
    """The CSS background of a legend swatch that looks like the hatching."""
    return f"repeating-linear-gradient(45deg,{color} 0 2px,#fff 2px 6px)"


#: Cluster icons are Leaflet markers (role="button", keyboard-focusable) made of a <div>
#: with only a digit inside: give each one a name that says what it is and what it does.
CLUSTER_ICON = """function (cluster) {
  var n = cluster.getChildCount();
  var size = n < 10 ? "small" : (n < 100 ? "medium" : "large");
  var icon = L.divIcon({html: "<div><span>" + n + "</span></div>",
                        className: "marker-cluster marker-cluster-" + size,
                        iconSize: new L.Point(40, 40)});
  var create = icon.createIcon;
  icon.createIcon = function (old) {
    var element = create.call(icon, old);
    var label = %(label)s.replace("{n}", n);
    element.setAttribute("aria-label", label);
    element.setAttribute("title", label);
    return element;
  };
  return icon;
}"""


# --------------------------------------------------------------------------- helpers


def compact_json(value) -> str:
    """JSON without whitespace, safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def rounded(geometries) -> np.ndarray:
    """Geometries with coordinates rounded to PRECISION decimals (vectorised)."""
    return shapely.transform(np.asarray(geometries, dtype=object),
                             lambda coords: np.round(coords, PRECISION))


def _properties(columns: Mapping[str, Sequence], position: int) -> dict:
    """The properties of one feature (missing values left out), as plain JSON values."""
    props = {}
    for name, values in columns.items():
        value = values[position]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        props[name] = value.item() if hasattr(value, "item") else value
    return props


def features_json(frame: gpd.GeoDataFrame, properties: Sequence[str],
                  tolerance: float = 0.0) -> str:
    """A compact FeatureCollection (JSON text) of the frame's rows that have a geometry:
    coordinates simplified (`tolerance`, degrees: see REGION_TOLERANCE), rounded and
    serialised by GEOS in one vectorised call, properties as given (missing values left
    out)."""
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    shapes = frame.geometry.values
    if tolerance:
        shapes = shapely.simplify(np.asarray(shapes, dtype=object), tolerance,
                                  preserve_topology=True)
    geometries = shapely.to_geojson(rounded(shapes))
    columns = {name: frame[name].tolist() for name in properties}
    features = []
    for position, geometry in enumerate(geometries):
        props = _properties(columns, position)
        features.append('{"type":"Feature","properties":' + compact_json(props)
                        + ',"geometry":' + geometry + "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def properties_json(frame, properties: Sequence[str], ids: Sequence[str]) -> str:
    """A compact FeatureCollection of the frame's rows with properties and an `id` but no
    geometry (`FetchedGeometry` joins the polygons by `id` in the browser)."""
    columns = {name: list(frame[name]) for name in properties}
    features = []
    for position, identifier in enumerate(ids):
        props = _properties(columns, position)
        features.append('{"type":"Feature","id":' + compact_json(str(identifier))
                        + ',"properties":' + compact_json(props) + ',"geometry":null}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def geometry_collection_json(ids: Sequence[str], geometries, tolerance: float = 0.0) -> str:
    """A FeatureCollection of bare geometries identified by `id` (a territory code): the
    resource `FetchedGeometry` fetches, simplified by `tolerance` and rounded."""
    shapes = np.asarray(list(geometries), dtype=object)
    if tolerance and len(shapes):
        shapes = shapely.simplify(shapes, tolerance, preserve_topology=True)
    texts = shapely.to_geojson(rounded(shapes)) if len(shapes) else []
    features = ['{"type":"Feature","id":' + compact_json(str(identifier))
                + ',"properties":{},"geometry":' + text + "}"
                for identifier, text in zip(ids, texts, strict=True)]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def class_breaks(values: Sequence[int], classes: int = len(BLUES)) -> list[int]:
    """Lower bounds of at most `classes` classes of positive counts, as round numbers people
    read at a glance: 1, 2, 3–4, 5–9, 10+... adapted to the largest count."""
    top = max((v for v in values if v > 0), default=0)
    if top == 0:
        return []
    candidates = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000]
    usable = [c for c in candidates if c <= top]
    if len(usable) <= classes:
        return usable
    # Keep the first (1) and spread the others over the range.
    picks = np.linspace(0, len(usable) - 1, classes).round().astype(int)
    return sorted({usable[i] for i in picks})


def class_of(value: int, breaks: Sequence[int]) -> int:
    """Class index of a count: 0 for none, 1..len(breaks) otherwise."""
    index = 0
    for position, lower in enumerate(breaks, start=1):
        if value >= lower:
            index = position
    return index


def palette(classes: int) -> list[str]:
    """`classes` colours of BLUES, spread so that two classes still contrast."""
    if classes <= 0:
        return []
    if classes == 1:
        return [BLUES[3]]
    picks = np.linspace(0, len(BLUES) - 1, classes).round().astype(int)
    return [BLUES[i] for i in picks]


def class_labels(breaks: Sequence[int]) -> list[str]:
    labels = []
    for position, lower in enumerate(breaks):
        upper = breaks[position + 1] - 1 if position + 1 < len(breaks) else None
        if upper is None:
            labels.append(_("%(n)s or more") % {"n": lower} if position else str(lower))
        elif upper == lower:
            labels.append(str(lower))
        else:
            labels.append(f"{lower}–{upper}")
    return labels


def escape_js_template(text: str) -> str:
    """HTML-escaped text that is also safe inside folium's JS template literals."""
    return html.escape(text).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def bounds_of(frames: Sequence[gpd.GeoDataFrame], markers: Sequence[MarkerSpec] = ()):
    """[[south, west], [north, east]] of everything drawn, or None."""
    boxes = []
    for frame in frames:
        if frame is not None and not frame.empty:
            shapes = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
            if not shapes.empty:
                boxes.append(shapes.total_bounds)
    if markers:
        lons = [m.lon for m in markers]
        lats = [m.lat for m in markers]
        boxes.append([min(lons), min(lats), max(lons), max(lats)])
    if not boxes:
        return None
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    return [[float(south), float(west)], [float(north), float(east)]]


def bbox_bounds(bbox: Sequence[float] | None, min_span: float = 0.0):
    """[[south, west], [north, east]] of a stored bbox ([west, south, east, north]),
    widened around its centre to at least `min_span` degrees of latitude (and as much
    longitude, corrected for the latitude) so that a small commune shows its neighbours."""
    if not bbox or len(bbox) != 4:
        return None
    west, south, east, north = (float(v) for v in bbox)
    lon_min = min_span / max(math.cos(math.radians((south + north) / 2)), .1)
    if north - south < min_span:
        middle = (south + north) / 2
        south, north = middle - min_span / 2, middle + min_span / 2
    if east - west < lon_min:
        middle = (west + east) / 2
        west, east = middle - lon_min / 2, middle + lon_min / 2
    return [[south, west], [north, east]]


def base_map(options: MapOptions, bounds=None) -> folium.Map:
    """A map with our assets (per instance), our tiles, fitted to `bounds`; a single point
    (a place abroad) gets a town-level zoom instead of the maximum."""
    if bounds and bounds[0] == bounds[1]:
        location, zoom = bounds[0], POINT_ZOOM
    elif bounds:
        location = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        zoom = 8
    else:  # Nothing to show: the region.
        location, zoom = [49.9, 2.8], 7
    fmap = folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True)
    assets = options.assets
    fmap.default_js = [("leaflet", assets.leaflet_js), ("jquery", assets.jquery_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    folium.TileLayer(tiles=options.tiles_url, attr=options.tiles_attribution,
                     name=_("Background map"), control=False).add_to(fmap)
    if bounds and bounds[0] != bounds[1]:
        fmap.fit_bounds(bounds, padding=(10, 10))
    fmap.get_root().title = options.title
    fmap.add_child(DefaultIconPaths(assets))
    return fmap


def _add_markers(parent, markers: Sequence[MarkerSpec]) -> None:
    parent.add_child(MarkerList(markers))


def _marker_cluster(options: MapOptions, name: str) -> MarkerCluster:
    label = compact_json(_("Group of {n} projects: zoom in to see them"))
    cluster = MarkerCluster(name=name, icon_create_function=CLUSTER_ICON % {"label": label})
    assets = options.assets
    cluster.default_js = [("markerclusterjs", assets.markercluster_js)]
    cluster.default_css = [("markerclustercss", assets.markercluster_css),
                           ("markerclusterdefaultcss", assets.markercluster_default_css)]
    return cluster


def _layer_control(fmap: folium.Map) -> None:
    folium.LayerControl(collapsed=False).add_to(fmap)


# --------------------------------------------------------------------------- builders


def territory_map(
    areas: gpd.GeoDataFrame,
    options: MapOptions,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    places: Sequence[MarkerSpec] = (),
) -> folium.Map:
    """The territories a project covers (polygons, or a dot for a place known only by its
    point), the enclosing EPCI or département as a dashed outline, and its places as pins.

    `areas` and `outlines`: columns `name`, `label` (e.g. "EPCI") and `geometry`.
    """
    outlines = outlines if outlines is not None else gpd.GeoDataFrame(
        {"name": [], "label": []}, geometry=[], crs="EPSG:4326")
    bounds = bounds_of([areas], places) or bounds_of([outlines])
    fmap = base_map(options, bounds)
    if not outlines.empty:
        frame = outlines.assign(k=0, t=[escape_js_template(f"{n} ({lab})") for n, lab in
                                        zip(outlines["name"], outlines["label"], strict=True)])
        shared = SharedFeatures(features_json(frame, ["k", "t"]))
        fmap.add_child(shared)
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Enclosing territories"), interactive=False,
            styles=[{"color": "#3a3a3a", "weight": 2, "dashArray": "6 4", "fill": False}],
        )))
    if not areas.empty:
        frame = areas.assign(k=0, t=[escape_js_template(f"{n} ({lab})") for n, lab in
                                     zip(areas["name"], areas["label"], strict=True)])
        shared = SharedFeatures(features_json(frame, ["k", "t"]))
        fmap.add_child(shared)
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Territories covered"), tooltip="{t}",
            styles=[{"color": COVERED, "weight": 2, "fillColor": COVERED, "fillOpacity": 0.25}],
        )))
    if places:
        group = folium.FeatureGroup(name=_("Places"))
        _add_markers(group, places)
        group.add_to(fmap)
    _layer_control(fmap)
    return fmap


def choropleth_map(
    areas: gpd.GeoDataFrame,
    options: MapOptions,
    *,
    markers: Sequence[MarkerSpec] = (),
    layer_name: str,
    bounds=None,
    focus: gpd.GeoDataFrame | None = None,
    broad: gpd.GeoDataFrame | None = None,
    tolerance: float = 0.0,
    geometry_url: str | None = None,
) -> folium.Map:
    """Number of projects per territory (classes of `count`), with the projects as clustered
    markers whose popups link to their pages (polygons simplified by `tolerance`).

    `areas`: columns `code`, `name`, `count`, optional `url` (a link for the popup), and
    `geometry`. `bounds`: the framing ([[south, west], [north, east]], e.g. the region's or
    the filtered territory's box); by default everything drawn.
    `focus`: the territory the map is about (`name`, `geometry`), outlined on top.
    `broad`: the départements or region that broad projects cover whole (`geometry`, and
    `whole`, true for the region: outlined, not hatched, since it is the whole map): in
    their own layer, apart from the counts, so that six region-wide projects do not paint
    every EPCI the same colour (the page lists those projects apart).
    `geometry_url`: a GeoJSON resource of the areas' polygons, identified by their `code`
    (`geometry_collection_json`): the document then embeds only their counts and names, and
    the browser fetches the polygons (the same resource for every selection, cached).
    """
    counts = [int(c) for c in areas["count"]] if not areas.empty else []
    breaks = class_breaks(counts)
    fmap = base_map(options, bounds or bounds_of([areas, focus], markers))
    entries: list[tuple[str, str]] = []
    if not areas.empty:
        names = [escape_js_template(n) for n in areas["name"]]
        tips = [ngettext("%(name)s: %(n)s project", "%(name)s: %(n)s projects", c)
                % {"name": n, "n": c} for n, c in zip(names, counts, strict=True)]
        columns = {"k": [class_of(c, breaks) for c in counts], "t": tips}
        properties = ["k", "t"]
        if "url" in areas:
            columns["u"] = [html.escape(u) if u else None for u in areas["url"]]
            properties.append("u")
        if geometry_url:
            shared = SharedFeatures(properties_json(areas.assign(**columns), properties,
                                                    list(areas["code"])))
        else:
            shared = SharedFeatures(features_json(areas.assign(**columns), properties,
                                                  tolerance))
        fmap.add_child(shared)
        styles = [{"color": "#929292", "weight": 0.6, "fillColor": NO_PROJECT, "fillOpacity": 0.5}]
        styles += [{"color": "#3a3a3a", "weight": 0.6, "fillColor": color, "fillOpacity": 0.75}
                   for color in palette(len(breaks))]
        popup = "{t}"
        if "url" in areas:
            popup += '<br><a href="{u}" target="_top">' + escape_js_template(
                _("See these projects")) + "</a>"
        layer = FeatureLayer(shared, LayerSpec(name=layer_name, styles=styles,
                                               tooltip="{t}", popup=popup))
        fmap.add_child(layer)
        if geometry_url:
            fmap.add_child(FetchedGeometry(shared, [layer], geometry_url))
        entries = [(NO_PROJECT, _("no project"))]
        entries += list(zip(palette(len(breaks)), class_labels(breaks), strict=True))
    if broad is not None and not broad.empty:
        whole = broad["whole"] if "whole" in broad else [False] * len(broad)
        shared = SharedFeatures(features_json(
            broad.assign(k=[int(bool(w)) for w in whole]), ["k"], tolerance))
        fmap.add_child(shared)
        fmap.add_child(HatchPattern())
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Département- or region-wide projects"),
            interactive=False,  # on top of the choropleth: its popups stay clickable
            styles=[{"color": HATCH, "weight": 2.5, "dashArray": "8 6",
                     "fillColor": f"url(#{HATCH_ID})", "fillOpacity": 0.35},
                    {"color": HATCH, "weight": 3, "dashArray": "8 6", "fill": False}])))
        if not all(whole):
            entries.append((hatch_swatch(), _("whole département (not counted)")))
        if any(whole):
            entries.append((f"#fff;border:3px dashed {HATCH}",
                            _("whole region (not counted)")))
    if focus is not None and not focus.empty:
        frame = focus.assign(k=0, t=[escape_js_template(n) for n in focus["name"]])
        shared = SharedFeatures(features_json(frame, ["k", "t"]))
        fmap.add_child(shared)
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Territory chosen"), tooltip="{t}",
            styles=[{"color": FOCUS, "weight": 4, "fill": False}])))
        entries.append((f"#fff;border:3px solid {FOCUS}", _("territory chosen")))
    if entries:
        fmap.add_child(Legend(_("Number of projects"), entries))
    if markers:
        cluster = _marker_cluster(options, _("Projects"))
        _add_markers(cluster, markers)
        cluster.add_to(fmap)
    _layer_control(fmap)
    return fmap


def coverage_map(
    communes: gpd.GeoDataFrame,
    options: MapOptions,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    rates: Sequence[str] = (),
) -> folium.Map:
    """Communes covered / not covered by a selection of projects, in two layers over the
    same embedded geometry, with population and poverty rate in the tooltips.

    `communes`: columns `code`, `name`, `population`, `covered` (bool), `rate` (index into
    `rates`, the poverty rate labels, or None) and `geometry`. `outlines`: départements
    (`name`, `geometry`), drawn as borders.
    """
    fmap = base_map(options, bounds_of([communes]))
    if outlines is not None and not outlines.empty:
        shared = SharedFeatures(features_json(outlines.assign(k=0), ["k"]))
        fmap.add_child(shared)
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Départements"), interactive=False,
            styles=[{"color": "#161616", "weight": 1.5, "fill": False}])))
    if not communes.empty:
        columns = {
            "n": [escape_js_template(n) for n in communes["name"]],
            "p": [f"{int(p):,}".replace(",", "\u202f") if p == p and p is not None else "?"
                  for p in communes["population"]],
            "c": [int(bool(c)) for c in communes["covered"]],
            "r": [None if r is None or r != r else int(r) for r in communes["rate"]],
        }
        shared = SharedFeatures(features_json(communes.assign(**columns), list(columns)))
        fmap.add_child(shared)
        tooltip = "<strong>{n}</strong><br>" + escape_js_template(_("Population")) + " : {p}"
        if rates:
            tooltip += "<br>" + escape_js_template(_("Poverty rate")) + " : {r}"
        lookups = {"r": [escape_js_template(r) for r in rates]} if rates else {}
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Communes without a project"), where=("c", 0), tooltip=tooltip,
            lookups=lookups,
            styles=[{"color": "#7b7b7b", "weight": 0.3, "fillColor": UNCOVERED,
                     "fillOpacity": 0.6}])))
        fmap.add_child(FeatureLayer(shared, LayerSpec(
            name=_("Communes covered"), where=("c", 1), tooltip=tooltip, lookups=lookups,
            styles=[{"color": "#7b7b7b", "weight": 0.3, "fillColor": COVERED,
                     "fillOpacity": 0.35}])))
        fmap.add_child(Legend(_("Communes"), [(COVERED, _("covered by a project")),
                                              (UNCOVERED, _("without a project"))]))
    _layer_control(fmap)
    return fmap


def render_html(fmap: folium.Map, lang: str = "fr") -> str:
    """The standalone HTML document of a map (for its own URL, in an iframe)."""
    document = fmap.get_root().render().replace("<html>", f'<html lang="{lang}">', 1)
    # Folium writes its scripts between </body> and </html> (invalid HTML: "stray start tag
    # script") and a viewport that forbids zooming (WCAG 1.4.4): put both right.
    body_end, html_end = document.rfind("</body>"), document.rfind("</html>")
    if -1 < body_end < html_end:
        trailing = document[body_end + len("</body>"):html_end]
        document = document[:body_end] + trailing + "</body>\n" + document[html_end:]
    return re.sub(r'(<meta name="viewport" content=")[^"]*(")',
                  r"\1width=device-width, initial-scale=1\2", document, count=1)

