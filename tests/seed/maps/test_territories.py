"""Territories with real facts (fixtures/territories/, COG 2026, EPCI at 1 January 2025)."""

import json
import shutil

import pytest

from maps.models import Scale, Territory
from maps.services.import_territories import DEFAULT_DIR, load_reference_territories
from maps.services.locate import commune_at
from maps.services.reports import ImportRejected

pytestmark = pytest.mark.django_db


def territory(scale, code):
    return Territory.objects.get(scale=scale, code=code)


def test_counts_of_the_reference():
    assert Territory.objects.filter(scale=Scale.REGION).count() == 18
    assert Territory.objects.filter(scale=Scale.DEPARTEMENT).count() == 101
    assert Territory.objects.filter(scale=Scale.COMMUNE).count() == 34969
    assert Territory.objects.filter(scale=Scale.EPCI).count() == 1255
    hdf = territory(Scale.REGION, "32")
    assert hdf.descendants.filter(scale=Scale.COMMUNE).count() == 3782
    assert hdf.descendants.filter(scale=Scale.EPCI, geometry__isnull=False).count() == 92


def test_porte_du_hainaut_has_47_communes_including_raismes():
    caph = territory(Scale.EPCI, "200042190")
    members = caph.descendants.filter(scale=Scale.COMMUNE)
    assert members.count() == 47
    assert members.filter(code="59491", name="Raismes").exists()


def test_ancestors_of_raismes_in_one_query(django_assert_num_queries):
    raismes = territory(Scale.COMMUNE, "59491")
    with django_assert_num_queries(1):
        codes = {(t.scale, t.code) for t in raismes.ancestors.all()}
    assert codes == {(Scale.EPCI, "200042190"), (Scale.DEPARTEMENT, "59"), (Scale.REGION, "32")}


def test_wingles_is_in_lens_lievin_not_porte_du_hainaut():
    wingles = territory(Scale.COMMUNE, "62895")
    epcis = set(wingles.ancestors.filter(scale=Scale.EPCI).values_list("code", flat=True))
    assert epcis == {"246200364"}


def test_nord_is_in_region_32():
    nord = territory(Scale.DEPARTEMENT, "59")
    assert list(nord.ancestors.values_list("code", flat=True)) == ["32"]
    assert nord.population > 2_500_000


def test_an_epci_straddling_departements_has_both():
    epci = territory(Scale.EPCI, "200030435")  # CC d'Aire-sur-l'Adour: Gers and Landes
    assert set(epci.ancestors.filter(scale=Scale.DEPARTEMENT).values_list("code", flat=True)) == {
        "32", "40"}


def test_a_point_in_denain_resolves_to_59172():
    assert commune_at(3.38984, 50.33032).code == "59172"
    assert commune_at(-30.0, 10.0) is None


def test_geometry_centroid_and_bbox_are_computed_at_import():
    denain = territory(Scale.COMMUNE, "59172")
    assert denain.geometry["type"] in {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = denain.bbox
    assert minx < denain.centroid_lon < maxx and miny < denain.centroid_lat < maxy
    far = territory(Scale.COMMUNE, "13055")  # Marseille: centroid only
    assert far.geometry is None and far.has_point


@pytest.mark.parametrize("typed,expected", [
    ("st amand", "59526"), ("Saint-Amand-les-Eaux", "59526"), ("roeulx", "59504"),
    ("denain", "59172"), ("porte du hainaut", "200042190"),
])
def test_matching_is_accent_and_abbreviation_insensitive(typed, expected):
    codes = set(Territory.objects.matching(typed).values_list("code", flat=True))
    assert expected in codes


def test_loading_twice_creates_nothing_new():
    report = load_reference_territories()
    assert (report.created, report.updated, report.obsoleted) == (0, 0, 0)
    assert report.links_added == report.links_removed == 0
    assert report.unchanged == 18 + 101 + 1255 + 34969


def test_an_unknown_commune_code_is_rejected_and_nothing_is_written(tmp_path):
    for path in DEFAULT_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    data = json.loads((tmp_path / "communes-hauts-de-france.geojson").read_text())
    data["features"][0]["properties"]["code"] = "99999"
    (tmp_path / "communes-hauts-de-france.geojson").write_text(json.dumps(data))
    csv = (tmp_path / "communes-france.csv").read_text().splitlines()
    csv[5] = csv[5].replace(",01,84,", ",01,XX,", 1)
    (tmp_path / "communes-france.csv").write_text("\n".join(csv) + "\n")
    before = Territory.objects.count()
    with pytest.raises(ImportRejected) as error:
        load_reference_territories(tmp_path)
    message = str(error.value)
    assert "communes-hauts-de-france.geojson" in message and "99999" in message
    assert "communes-france.csv, ligne 6" in message and "« region »" in message
    assert Territory.objects.count() == before


def test_a_malformed_file_is_rejected(tmp_path):
    for path in DEFAULT_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "regions.geojson").write_text("{not json")
    with pytest.raises(ImportRejected, match="regions.geojson"):
        load_reference_territories(tmp_path)
