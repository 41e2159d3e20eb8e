"""Cached map services and coverage gaps, on the real territories."""

import pytest
from django.db.models import Q

from maps.builders import MarkerSpec
from maps.models import DataVersion, Scale, Territory, programme_scope
from maps.services import gaps, render
from tests.caches import clear_caches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    clear_caches()
    yield
    clear_caches()


def territory(scale, code):
    return Territory.objects.get(scale=scale, code=code)


def test_cache_key_changes_with_the_data_version_and_ignores_param_order():
    key = render.cache_key("choropleth_map", {"programme": "faad", "thematique": ["b", "a"]})
    same = render.cache_key("choropleth_map", {"thematique": ["a", "b"], "programme": "faad"})
    assert key == same
    assert key.startswith("maps:choropleth_map:")
    assert render.cache_key("coverage_map", {"programme": "faad"}) != render.cache_key(
        "choropleth_map", {"programme": "faad"})
    assert render.cache_key("choropleth_map", {"programme": "x"}) != key
    DataVersion.bump(programme_scope("faad"))
    assert render.cache_key("choropleth_map", {"programme": "faad", "thematique": ["a", "b"]}) \
        != key


def test_cached_map_builds_once_per_data_version():
    caph = territory(Scale.EPCI, "200042190")
    calls = []

    def territories():
        calls.append(1)
        return render.project_territories(Territory.objects.filter(pk=caph.pk))

    def draw():
        return render.project_map(-1, title="Test", territories=territories, places=list)

    first = draw()
    second = draw()
    assert len(calls) == 1
    assert second.html == first.html and second.etag == first.etag
    assert "CA de la Porte du Hainaut" in first.html
    DataVersion.bump()  # any change to the catalogue
    third = draw()
    assert len(calls) == 2
    assert third.key != first.key and third.etag != first.etag


def test_cache_hit_costs_one_query(django_assert_num_queries):
    render.project_map(-2, title="T", territories=list, places=list)
    with django_assert_num_queries(1):  # the data version
        render.project_map(-2, title="T", territories=list, places=list)


def test_outline_is_the_next_official_level_up():
    caph = territory(Scale.EPCI, "200042190")
    wingles = territory(Scale.COMMUNE, "62895")
    nord = territory(Scale.DEPARTEMENT, "59")
    outlines = render.enclosing_outlines([caph])
    assert [(t.scale, t.code) for t in outlines] == [(Scale.DEPARTEMENT, "59")]
    outlines = render.enclosing_outlines([wingles])
    assert [(t.scale, t.code) for t in outlines] == [(Scale.EPCI, "246200364")]
    assert [t.code for t in render.enclosing_outlines([nord])] == ["32"]
    assert render.enclosing_outlines([territory(Scale.REGION, "32")]) == []


def test_project_map_of_a_place_abroad_is_its_point_at_town_zoom():
    jette = Territory.objects.get(scale=Scale.FOREIGN, code="be-jette")
    html = render.project_map(
        -3, title="Jette", territories=lambda: [jette],
        places=lambda: [MarkerSpec(50.8776, 4.3256, "Maison")]).html
    assert "center: [50.8776, 4.3256]" in html
    assert '"zoom": 11' in html


def test_explorer_level_territories_include_the_region_without_projects():
    counts = {territory(Scale.EPCI, "200042190").pk: 3}
    epcis = render.level_territories("epci", counts)
    assert epcis.filter(geometry__isnull=False).count() == 92
    departements = render.level_territories("departement", {})
    assert sorted(departements.values_list("code", flat=True)) == ["02", "59", "60", "62", "80"]
    assert list(render.level_territories("commune", {}).values_list("pk")) == []


def test_region_communes_are_the_3782_of_the_five_departements():
    communes = gaps.region_communes()
    assert communes.count() == 3782
    # Aumale (Seine-Maritime) belongs to an EPCI that straddles the Somme: not in the region.
    assert not communes.filter(code="76035").exists()
    assert communes.filter(code="59491").exists()


def test_most_local_figure_wins():
    raismes = territory(Scale.COMMUNE, "59491")
    denain = territory(Scale.COMMUNE, "59172")
    lens = territory(Scale.COMMUNE, "62498")
    figures = {territory(Scale.DEPARTEMENT, "59").pk: "Nord",
               territory(Scale.EPCI, "200042190").pk: "CAPH",
               raismes.pk: "Raismes",
               territory(Scale.REGION, "32").pk: "Région"}
    result = gaps.most_local([raismes.pk, denain.pk, lens.pk], figures)
    assert result == {raismes.pk: "Raismes", denain.pk: "CAPH", lens.pk: "Région"}


def test_coverage_rows_and_summary():
    caph_communes = set(territory(Scale.EPCI, "200042190").descendants.filter(
        scale=Scale.COMMUNE).values_list("pk", flat=True))
    rows = gaps.coverage_rows(caph_communes)
    summary = gaps.summarize(rows, top=3)
    assert summary.communes == 3782
    assert summary.covered_communes == 47
    population = sum(t.population or 0 for t in gaps.region_communes())
    covered_population = sum(t.population or 0 for t in Territory.objects.filter(
        pk__in=caph_communes))
    assert summary.population == population
    assert summary.uncovered_population == population - covered_population
    assert [r.name for r in summary.most_populated_uncovered] == [
        t.name for t in gaps.region_communes().exclude(pk__in=caph_communes).exclude(
            Q(population__isnull=True)).order_by("-population")[:3]]
    assert summary.most_populated_uncovered[0].name == "Lille"
