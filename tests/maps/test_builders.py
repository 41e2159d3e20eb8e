"""Map builders on hand-drawn polygons: no database, no request."""

import json
import re

import folium
import geopandas as gpd
import pytest
from folium.plugins import MarkerCluster
from shapely.geometry import MultiPolygon, Point, box

from maps import builders
from maps.builders import MapAssets, MapOptions, MarkerSpec

pytestmark = pytest.mark.smoke

ASSETS = MapAssets(**{name: f"/static/test/{name}" for name in MapAssets.__dataclass_fields__})
OPTIONS = MapOptions("https://tiles.test/{z}/{x}/{y}.png", "© test", ASSETS, "A map")
CDN = re.compile(r"cdn|jsdelivr|cloudflare|unpkg|code\.jquery|bootstrapcdn|fontawesome|googleapis",
                 re.IGNORECASE)


def frame(rows, **columns):
    return gpd.GeoDataFrame(columns, geometry=rows, crs="EPSG:4326")


def squares():
    """Three neighbouring squares, the third as a MultiPolygon."""
    return [box(2.0, 50.0, 2.5, 50.5), box(2.5, 50.0, 3.0, 50.5),
            MultiPolygon([box(3.0, 50.0, 3.2, 50.2), box(3.3, 50.0, 3.5, 50.2)])]


def shared_collections(html):
    """The FeatureCollections embedded by SharedFeatures elements."""
    return [json.loads(m) for m in re.findall(r"var shared_features_\w+ = (\{.*?\});\n", html)]


def script_sources(html):
    return re.findall(r'<script src="([^"]+)"', html) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', html)


def test_territory_map_draws_areas_outline_and_places_with_our_assets_only():
    areas = frame(squares()[:2], name=["Alpha", "Beta"], label=["Commune", "Commune"])
    outline = frame([box(1.9, 49.9, 3.1, 50.6)], name=["Gamma"], label=["EPCI"])
    places = [MarkerSpec(50.2, 2.2, "Médiathèque", detail="Raismes"),
              MarkerSpec(50.3, 2.7, "Maison des projets")]
    html = builders.render_html(builders.territory_map(areas, OPTIONS, outlines=outline,
                                                       places=places))
    outline_data, area_data = shared_collections(html)
    assert [f["properties"]["t"] for f in area_data["features"]] == [
        "Alpha (Commune)", "Beta (Commune)"]
    assert len(outline_data["features"]) == 1
    assert html.count("L.marker(") == 2
    assert "Médiathèque" in html and "Raismes" in html
    assert set(script_sources(html)) == {ASSETS.leaflet_js, ASSETS.jquery_js, ASSETS.leaflet_css}
    assert ASSETS.marker_icon in html  # default pin pointed at our static image
    assert "https://tiles.test/{z}/{x}/{y}.png" in html
    assert not CDN.search(html)
    assert '<html lang="fr">' in html and "<title>A map</title>" in html
    assert "fitBounds" in html


def test_folium_class_defaults_are_left_alone():
    """Assets are set per instance: the classes keep folium's defaults (other users of
    folium in the process are not affected), and our maps never carry them."""
    before = (list(folium.Map.default_js), list(MarkerCluster.default_js))
    builders.choropleth_map(frame(squares()[:1], code=["1"], name=["A"], count=[2]), OPTIONS,
                            markers=[MarkerSpec(50.1, 2.1, "P", "/p/")], layer_name="EPCI")
    assert (list(folium.Map.default_js), list(MarkerCluster.default_js)) == before
    assert "cdn.jsdelivr.net" in folium.Map.default_js[0][1]


def test_a_point_alone_gets_a_town_zoom_not_the_whole_world():
    """A place abroad (Jette) is a point: the map centres on it at a town-level zoom."""
    areas = frame([Point(4.3256, 50.8776)], name=["Jette"], label=["Belgique"])
    html = builders.render_html(builders.territory_map(areas, OPTIONS))
    assert "center: [50.8776, 4.3256]" in html
    assert f'"zoom": {builders.POINT_ZOOM}' in html
    assert "fitBounds" not in html
    (data,) = shared_collections(html)
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [4.3256, 50.8776]}


def test_choropleth_classes_legend_popups_and_clustered_markers():
    areas = frame(squares(), code=["a", "b", "c"], name=["A", "B", "C <&>"], count=[0, 1, 7],
                  url=["/projets/?territoire=epci-a", "/projets/?territoire=epci-b", ""])
    markers = [MarkerSpec(50.2, 2.2, "Projet `un`", "/faad/un/", "FAAD"),
               MarkerSpec(50.3, 2.8, "Projet deux", "/faad/deux/", "FAAD")]
    html = builders.render_html(builders.choropleth_map(areas, OPTIONS, markers=markers,
                                                        layer_name="Projects per EPCI"))
    (data,) = shared_collections(html)
    props = [f["properties"] for f in data["features"]]
    assert [p["k"] for p in props] == [0, 1, 4]  # breaks 1, 2, 3, 5: 7 is in "5 or more"
    assert props[2]["t"].startswith("C &lt;&amp;&gt;")
    assert "u" not in props[2] and props[0]["u"] == "/projets/?territoire=epci-a"
    assert "L.markerClusterGroup(" in html and html.count("L.marker(") == 2
    assert ASSETS.markercluster_js in script_sources(html)
    assert 'href="/faad/un/" target="_top"' in html  # the page opens outside the iframe
    assert "Projet &#96;un&#96;" in html  # no raw backtick inside folium's JS template literal
    assert "portal-legend" in html and "aucun projet" in html
    assert not CDN.search(html)


@pytest.mark.parametrize(("counts", "breaks"), [
    ([0, 0], []),
    ([1, 1], [1]),
    ([0, 1, 2, 4], [1, 2, 3]),
    ([3, 12], [1, 2, 3, 5, 10]),
    ([1, 135], [1, 3, 10, 20, 100]),
])
def test_class_breaks_are_round_numbers(counts, breaks):
    assert builders.class_breaks(counts) == breaks
    labels = builders.class_labels(breaks)
    assert len(labels) == len(breaks)
    assert len(builders.palette(len(breaks))) == len(breaks)


def test_class_of_and_labels():
    assert [builders.class_of(v, [1, 2, 5]) for v in (0, 1, 2, 4, 5, 99)] == [0, 1, 2, 2, 3, 3]
    assert builders.class_labels([1, 2, 5]) == ["1", "2–4", "5 ou plus"]


def test_coverage_map_embeds_the_geometry_once_for_both_layers():
    communes = frame(squares(), code=["1", "2", "3"], name=["Un", "Deux", "Trois"],
                     population=[1200, None, 30], covered=[True, False, False],
                     rate=[0, None, 1])
    outlines = frame([box(2.0, 50.0, 3.5, 50.5)], name=["Dépt"])
    html = builders.render_html(builders.coverage_map(
        communes, OPTIONS, outlines=outlines, rates=["18,4 % (Nord)", "17,6 % (Pas-de-Calais)"]))
    outline_data, data = shared_collections(html)
    assert len(data["features"]) == 3
    assert [f["properties"]["c"] for f in data["features"]] == [1, 0, 0]
    assert data["features"][1]["properties"]["p"] == "?"
    assert "r" not in data["features"][1]["properties"]
    # Each coordinate string is embedded once, though two layers draw the communes.
    assert html.count("[3.3,50.0]") == 1
    assert html.count("L.geoJSON(") == 3  # départements + not covered + covered
    assert 'return f.properties["c"] === 0;' in html and 'return f.properties["c"] === 1;' in html
    assert "18,4 % (Nord)" in html and "Communes sans projet" in html


def test_coordinates_are_rounded_and_json_is_compact_and_script_safe():
    square = frame([box(2.123456, 50.0, 2.5, 50.987654)], name=["</script>"], label=["x"])
    text = builders.features_json(square.assign(k=0), ["k", "name"])
    collection = json.loads(text)
    coordinates = collection["features"][0]["geometry"]["coordinates"][0]
    assert [2.1235, 50.9877] in coordinates
    assert ", " not in text and ": " not in text
    assert "</script>" not in text and "<\\/script>" in text
    assert collection["features"][0]["properties"]["name"] == "</script>"


def test_empty_inputs_still_give_a_map_of_the_region():
    empty = frame([], code=[], name=[], count=[])
    html = builders.render_html(builders.choropleth_map(empty, OPTIONS, layer_name="EPCI"))
    assert "center: [49.9, 2.8]" in html
    assert "L.geoJSON(" not in html


def test_choropleth_with_fetched_geometry_embeds_counts_and_names_only():
    """Polygons come from a resource the browser fetches and joins by id (the territory
    code): the document carries no coordinate of the areas, only what the selection
    changes."""
    areas = frame([None, None], code=["a", "b"], name=["A", "B"], count=[0, 3])
    geometry = builders.geometry_collection_json(["a", "b"], squares()[:2],
                                                 builders.REGION_TOLERANCE)
    html = builders.render_html(builders.choropleth_map(
        areas, OPTIONS, layer_name="EPCI", bounds=[[50.0, 2.0], [50.5, 3.0]],
        geometry_url="/cartes/geometrie/epci.geojson?v=3"))
    (data,) = shared_collections(html)
    assert [(f["id"], f["geometry"]) for f in data["features"]] == [("a", None), ("b", None)]
    assert [f["properties"]["k"] > 0 for f in data["features"]] == [False, True]
    assert 'fetch("/cartes/geometrie/epci.geojson?v=3"' in html
    assert ".addData(" in html and "[2.5,50.0]" not in html
    fetched = json.loads(geometry)
    assert [f["id"] for f in fetched["features"]] == ["a", "b"]
    assert fetched["features"][0]["geometry"]["type"] == "Polygon"


def test_markers_are_written_without_a_template_each():
    """One line of script per pin: quotes and markup in a title stay text."""
    markers = [MarkerSpec(50.2, 2.2, 'Le « lieu » <b>"x"</b> ${y}', "/p/?a=1&b=2", "D")]
    html = builders.render_html(builders.choropleth_map(
        frame([], code=[], name=[], count=[]), OPTIONS, markers=markers, layer_name="EPCI"))
    line = re.search(r"L\.marker\(.*\n", html).group(0)
    texts = line[line.index(".bindTooltip("):]  # HTML; alt and title are plain attributes
    assert "<b>" not in texts and "&lt;b&gt;" in texts and "${" not in texts
    assert 'href="/p/?a=1&amp;b=2" target="_top"' in line
    assert ".addTo(marker_cluster_" in line
