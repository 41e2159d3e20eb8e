"""Territory pages: what covers a commune, by level; context figures; what it contains;
reading what people type."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maps.models import Scale
from projects.models import ProjectPage
from projects.territory import resolve_territory

pytestmark = pytest.mark.django_db

CAPH_PROJECT = "1000-jours-pour-savourer-la-vie"


@pytest.mark.parametrize("typed,scale,code", [
    ("Denain", Scale.COMMUNE, "59172"),
    ("st amand", Scale.COMMUNE, "59526"),
    ("roeulx", Scale.COMMUNE, "59504"),
    ("Marly", Scale.COMMUNE, "59383"),  # the one of the Nord, not of Moselle
    ("Lens", Scale.COMMUNE, "62498"),  # the commune before "CA de Lens - Liévin"
    ("Douai", Scale.COMMUNE, "59178"),  # the town before the Douaisis area
    ("porte du hainaut", Scale.EPCI, "200042190"),
    ("Nord", Scale.DEPARTEMENT, "59"),
    ("32", Scale.REGION, "32"),  # Hauts-de-France before the Gers
    ("departement-32", Scale.DEPARTEMENT, "32"),
    ("region-32", Scale.REGION, "32"),
    ("commune-59491", Scale.COMMUNE, "59491"),
    ("custom-douaisis", Scale.CUSTOM, "douaisis"),
    ("be-jette", Scale.FOREIGN, "be-jette"),
])
def test_territories_are_read_as_people_type_them(typed, scale, code):
    territory = resolve_territory(typed).territory
    assert (territory.scale, territory.code) == (scale, code)


def test_ambiguous_input_keeps_the_alternatives():
    resolution = resolve_territory("32")
    assert any(t.name == "Gers" for t in resolution.alternatives)


@pytest.mark.parametrize("code", ["59491", "commune-59491", "raismes"])
def test_raismes_page_by_code_or_name(client, code):
    response = client.get(f"/territoires/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Raismes</h1>" in html
    assert 'href="/territoires/epci-200042190/"' in html  # its EPCI
    assert 'href="/territoires/departement-59/"' in html
    assert 'href="/territoires/region-32/"' in html
    assert "12" in html and response.context["territory"].population == 12199
    assert ProjectPage.objects.get(slug=CAPH_PROJECT).title in html
    assert 'href="/cartes/couverture/' in html
    assert '<link rel="canonical" href="/territoires/commune-59491/">' in html


def test_raismes_page_groups_by_level_local_first(client):
    response = client.get("/territoires/commune-59491/?par_page=100")
    groups = response.context["level_groups"]
    levels = [g["level"] for g in groups]
    assert levels == sorted(levels)
    assert [p.slug for p in response.context["projects"]][0] == CAPH_PROJECT
    assert {g["broad"] for g in groups if g["level"] >= 3} == {True}
    assert not any(g["broad"] for g in groups if g["level"] < 3)


def test_context_figures_of_a_commune(client):
    html = client.get("/territoires/commune-80021/").content.decode()
    assert "Revenu médian de 21 560 € à Amiens" in html


def test_region_page_summarises_its_children_and_coverage(client):
    response = client.get("/territoires/region-32/")
    assert response.status_code == 200
    summary = {row["scale"]: row["count"] for row in response.context["children_summary"]}
    assert summary[Scale.DEPARTEMENT] == 5
    assert summary[Scale.COMMUNE] >= 3782
    children = response.context["children"]
    assert all(child.scale != Scale.COMMUNE for child in children)
    coverage = response.context["coverage"]
    assert coverage["total"] >= 3782
    assert coverage["covered"] == coverage["total"]  # region-wide projects cover everything
    assert 0 < coverage["covered_locally"] < coverage["total"]
    assert coverage["uncovered"]


def test_children_of_a_departement_are_paginated(client):
    first = client.get("/territoires/departement-59/").context["children"]
    second = client.get("/territoires/departement-59/?enfants=2").context["children"]
    assert first.paginator.count > 600  # 17 EPCI + 651 communes
    assert not {t.pk for t in first} & {t.pk for t in second}


def test_unknown_territory_is_a_404(client):
    assert client.get("/territoires/zzzz/").status_code == 404
    # A control character is refused before routing (security middleware): a 400, not a 500.
    assert client.get("/territoires/%00/").status_code == 400


def test_territory_search_redirects_to_the_page(client):
    response = client.get("/territoires/?q=Denain")
    assert response.status_code == 302
    assert response["Location"] == "/territoires/commune-59172/"
    listing = client.get("/territoires/?q=saint")
    assert listing.status_code == 200 and listing.context["candidates"]


def test_territory_page_query_count_does_not_depend_on_the_territory(client):
    client.get("/territoires/commune-59491/")
    with CaptureQueriesContext(connection) as commune:
        client.get("/territoires/commune-59491/?par_page=100")
    with CaptureQueriesContext(connection) as region:
        client.get("/territoires/region-32/?par_page=100")
    assert len(commune) <= 32 and len(region) <= 32


@pytest.mark.parametrize("code", ["foreign-be-jette", "custom-douaisis", "epci-200042190",
                                  "departement-62", "region-32", "commune-80021"])
def test_every_scale_has_a_page(client, code):
    response = client.get(f"/territoires/{code}/")
    assert response.status_code == 200
    assert response.context["territory_key"] == code
    api = client.get(f"/api/territoires/{code}/")
    assert api.status_code == 200 and api.json()["key"] == code


def test_jette_page_lists_its_project(client):
    response = client.get("/territoires/foreign-be-jette/")
    assert "1000-jours-pour-mon-enfant-jette" in {p.slug for p in response.context["projects"]}


@pytest.mark.parametrize(("scale", "code"), [("region", "32"), ("departement", "59"),
                                             ("commune", "59172")])
def test_coverage_summary_agrees_with_the_coverage_rows(scale, code):
    """One statement (EXISTS per commune) gives the same numbers as distinct coverage rows
    of live projects, and the largest uncovered communes have no local project."""
    from maps.models import Territory
    from portal.territory_page import LOCAL_SCALES, communes_of, coverage_summary
    from projects.models import ProjectCoverage

    territory = Territory.objects.get(scale=scale, code=code)
    communes = communes_of(territory)
    rows = ProjectCoverage.objects.filter(commune__in=communes.values("pk"), project__live=True)
    local = rows.filter(project__broadest_scale__in=LOCAL_SCALES)
    summary = coverage_summary(territory)
    assert summary["total"] == communes.count()
    assert summary["covered"] == rows.values("commune_id").distinct().count()
    assert summary["covered_locally"] == local.values("commune_id").distinct().count()
    assert not local.filter(commune__in=[c.pk for c in summary["uncovered"]]).exists()
