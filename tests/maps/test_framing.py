"""The builders' framing, outlines, hatching and accessible markers, on the factories'
sample territories (tests/maps/factories.py): what makes a map answer "around here"."""

import json
import re

import pytest
from django.utils import translation

from maps import builders
from maps.builders import MapAssets, MapOptions, MarkerSpec
from maps.services import render
from tests.maps.map_html import fitted_bounds, km_between, legend_of, shared_collections

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield

ASSETS = MapAssets(**{name: f"/static/test/{name}" for name in MapAssets.__dataclass_fields__})
OPTIONS = MapOptions("https://tiles.test/{z}/{x}/{y}.png", "© test", ASSETS, "A map")


def frame_of(*territories):
    return render.territories_frame(render.with_geometry(
        type(territories[0]).objects.filter(pk__in=[t.pk for t in territories])))


def test_a_small_commune_is_framed_with_its_neighbours():
    denain = [3.39, 50.33, 3.49, 50.43]  # the sample's square, [west, south, east, north]
    (south, west), (north, east) = builders.bbox_bounds(denain, builders.MIN_FOCUS_SPAN)
    assert north - south == pytest.approx(builders.MIN_FOCUS_SPAN)
    assert (south + north) / 2 == pytest.approx(50.38) and (west + east) / 2 == pytest.approx(3.44)
    assert east - west > builders.MIN_FOCUS_SPAN  # degrees of longitude are shorter up north
    region = [1.38, 48.84, 4.26, 51.09]
    assert builders.bbox_bounds(region, builders.MIN_FOCUS_SPAN) == [[48.84, 1.38],
                                                                     [51.09, 4.26]]
    assert builders.bbox_bounds(None) is None


def test_choropleth_framed_on_a_commune_outlines_it_and_hatches_the_broad_coverage(territories):
    denain = territories.commune("59172")
    epcis = frame_of(territories.caph, territories.epci("200093201")).assign(count=[3, 0])
    broad = frame_of(territories.nord, territories.hdf)
    broad["whole"] = [t == "32" for t in broad["code"]]
    html = builders.render_html(builders.choropleth_map(
        epcis, OPTIONS, layer_name="EPCI",
        bounds=builders.bbox_bounds(denain.bbox, builders.MIN_FOCUS_SPAN),
        focus=frame_of(denain), broad=broad))
    (south, west), (north, east) = fitted_bounds(html)
    for lat, lon in ((south, west), (north, east)):
        assert km_between(lat, lon, denain.centroid_lat, denain.centroid_lon) < 50
    choropleth, hatched, focus = shared_collections(html)
    assert [f["properties"]["k"] > 0 for f in choropleth["features"]] == [True, False]
    # The Nord hatched, the region only outlined (it is the whole map), neither counted.
    assert sorted(f["properties"]["k"] for f in hatched["features"]) == [0, 1]
    assert 'id="portal-hatch"' in html and "url(#portal-hatch)" in html
    assert focus["features"][0]["properties"]["t"] == "Denain"
    legend = legend_of(html)
    assert "département entier (non compté)" in legend and "territoire choisi" in legend
    assert "région entière (non comptée)" in legend
    # Its own layer in the layer control: it can be hidden.
    assert '"Projets d\\u00e9partementaux ou r\\u00e9gionaux" : feature_layer_' in html


def test_markers_and_clusters_have_accessible_names_and_zoom_is_allowed(territories):
    areas = frame_of(territories.caph).assign(count=[1])
    markers = [MarkerSpec(50.35, 3.42, "Épicerie « solidaire »", "/faad/epicerie/", "FAAD")]
    html = builders.render_html(builders.choropleth_map(areas, OPTIONS, markers=markers,
                                                        layer_name="EPCI"))
    options = re.search(r"L\.marker\(\s*\[[^\]]+\],\s*(\{.*?\})\s*\)", html, re.S).group(1)
    options = json.loads(re.sub(r",\s*\}$", "}", options))  # folium's trailing comma
    assert options["alt"] == "Épicerie « solidaire »"  # the <img>'s accessible name
    assert options["title"] == "Épicerie « solidaire »"
    # Cluster icons (role="button" divs) are named by their count.
    assert "iconCreateFunction" in html and 'setAttribute("aria-label", label)' in html
    assert "Groupe de {n} projets : zoomer pour les voir" in html
    assert "user-scalable" not in html and "maximum-scale" not in html


def test_explorer_map_draws_the_region_only_and_frames_it(territories):
    """A count outside the region (Auch, in the Gers: an example elsewhere in France) is
    neither drawn nor framed."""
    auch, caph = territories.commune("32013"), territories.caph
    rendered = render.explorer_map(
        {"test": "region"}, level="epci", title="T", counts=lambda: {caph.pk: 2},
        markers=lambda: [])
    (collection,) = shared_collections(rendered.html)
    names = {f["properties"]["t"].split(":")[0].strip() for f in collection["features"]}
    assert "CA de la Porte du Hainaut" in names
    assert "CA Grand Auch Cœur de Gascogne" not in names
    assert "Métropole Rouen Normandie" not in names
    assert "CC des Villes Sœurs" in names  # straddles the border: part of the region
    west, south, east, north = territories.hdf.bbox
    assert fitted_bounds(rendered.html) == [[pytest.approx(south), pytest.approx(west)],
                                            [pytest.approx(north), pytest.approx(east)]]
    communes = render.explorer_map(
        {"test": "communes"}, level="commune", title="T",
        counts=lambda: {auch.pk: 1, territories.raismes.pk: 1}, markers=lambda: [])
    (collection,) = shared_collections(communes.html)
    drawn = [f["properties"]["t"].split(":")[0].strip() for f in collection["features"]]
    assert drawn == ["Raismes"]


def test_region_maps_simplify_polygons_below_a_pixel(territories):
    """Fewer vertices, same features and classes: a jagged border of 200 points drawn at
    the region's zoom keeps its shape within REGION_TOLERANCE."""
    import shapely
    from shapely.geometry import Polygon

    jagged = Polygon([(3.0 + i / 1000, 50.0 + (i % 2) / 5000) for i in range(200)]
                     + [(3.2, 50.3), (3.0, 50.3)])
    areas = frame_of(territories.caph).assign(count=[2])
    areas["geometry"] = [jagged]
    full = builders.features_json(areas, ["count"])
    small = builders.features_json(areas, ["count"], builders.REGION_TOLERANCE)
    assert len(small) < len(full) / 5
    (feature,) = json.loads(small)["features"]
    assert feature["properties"] == {"count": 2}
    drawn = shapely.geometry.shape(feature["geometry"])
    assert drawn.hausdorff_distance(jagged) <= builders.REGION_TOLERANCE + 1e-4
