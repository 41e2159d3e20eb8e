"""/cartes/couverture/: coverage gaps of a selection, on the real seed."""

import json
import re

import pytest

from indicators.territory_figures import figure_labels
from maps.models import Scale, Territory
from maps.services.gaps import region_communes
from projects.models import ProjectCoverage, ProjectPage
from tests.caches import clear_caches

pytestmark = pytest.mark.django_db

CDN = re.compile(r"cdn\.|jsdelivr|cloudflare|unpkg|code\.jquery|bootstrapcdn|fontawesome",
                 re.IGNORECASE)
LOCAL = [Scale.COMMUNE, Scale.CUSTOM, Scale.EPCI]


@pytest.fixture(autouse=True)
def empty_cache():
    clear_caches()
    yield
    clear_caches()


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u202f", " ")


def uncovered(projects):
    covered = ProjectCoverage.objects.filter(project__in=projects).values("commune")
    return region_communes().exclude(pk__in=covered)


def test_faad_coverage_lists_the_most_populated_uncovered_communes(
        client, django_assert_max_num_queries):
    local_faad = ProjectPage.objects.live().filter(programme__slug="faad",
                                                   broadest_scale__in=LOCAL)
    gaps = uncovered(local_faad)
    population = sum(t.population or 0 for t in gaps)
    with django_assert_max_num_queries(20):
        response = client.get("/cartes/couverture/?programme=faad")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    people = f"{population:,}".replace(",", " ")
    assert f"{gaps.count()} communes, {people} habitants sans projet de cette sélection." in text
    table = html[html.index('id="coverage-table"'):]
    names = re.findall(r'<a href="/territoires/commune-(\d+)/">', table)
    expected = list(gaps.exclude(population=None).order_by("-population")
                    .values_list("code", flat=True)[:20])
    assert names == expected
    assert 'src="/cartes/couverture/carte/?programme=faad&amp;portee=locale"' in html
    assert not CDN.search(html)


def test_poverty_rate_is_the_most_local_known(client):
    """A Nord commune without a figure of its own (nor of its EPCI) shows the Nord's rate."""
    labels = figure_labels()
    nord = Territory.objects.get(scale=Scale.DEPARTEMENT, code="59")
    assert labels[nord.pk].startswith("18,4")
    with_own_figure = {t.code for t in Territory.objects.filter(pk__in=list(labels))}
    html = client.get("/cartes/couverture/?programme=faad").content.decode()
    table = html[html.index('id="coverage-table"'):]
    rows = re.findall(r'commune-(\d+)/.*?</tr>', table, re.DOTALL)
    code = next(c for c in rows if c.startswith("59") and c not in with_own_figure)
    commune = Territory.objects.get(scale=Scale.COMMUNE, code=code)
    assert not commune.parents.filter(pk__in=list(labels), scale=Scale.EPCI).exists()
    row = re.search(rf"commune-{code}/.*?</tr>", table, re.DOTALL).group(0)
    assert text_of(labels[nord.pk]) in text_of(row)


def test_counting_region_wide_projects_covers_everything_for_faad(client):
    """Two FAAD projects cover the whole region: with them, no commune is left out."""
    html = client.get("/cartes/couverture/?programme=faad&portee=toutes").content.decode()
    assert "0 commune, 0 habitants sans projet" in text_of(html)
    assert "Toutes les communes de la région sont couvertes par cette sélection." in text_of(html)


def test_coverage_map_of_the_region_fits_its_budget_and_shares_geometry(client):
    response = client.get("/cartes/couverture/carte/?programme=faad")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) <= 5_000_000
    collections = [json.loads(m) for m in
                   re.findall(r"var shared_features_\w+ = (\{.*?\});\n", html)]
    departements, communes = collections
    assert len(departements["features"]) == 5
    assert len(communes["features"]) == 3782
    gaps = uncovered(ProjectPage.objects.live().filter(programme__slug="faad",
                                                       broadest_scale__in=LOCAL))
    assert sum(1 for f in communes["features"] if f["properties"]["c"] == 0) == gaps.count()
    assert html.count("L.geoJSON(shared_features") == 3
    assert not CDN.search(html)
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_theme_filter_narrows_the_selection(client):
    theme = ProjectPage.objects.live().filter(programme__slug="faad").values_list(
        "themes__code", flat=True).exclude(themes__code=None).first()
    html = client.get(f"/cartes/couverture/?programme=faad&thematique={theme}").content.decode()
    selected = ProjectPage.objects.live().filter(programme__slug="faad", themes__code=theme,
                                                 broadest_scale__in=LOCAL)
    assert f"{uncovered(selected).count()} communes" in text_of(html)
