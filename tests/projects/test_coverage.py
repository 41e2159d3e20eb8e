"""One answer to "how many projects cover this territory": the explorer map and its table,
the dashboard tables and the territory page give the same count (on the sample)."""

import pytest
from django.http import QueryDict

from indicators.dashboard import Scope, build_table
from maps.models import Scale
from portal import map_data
from portal.territory_page import coverage_summary
from projects.coverage import projects_per_territory
from projects.models import ProjectPage

pytestmark = pytest.mark.django_db

#: The sample catalogue's projects covering at least one commune of each territory.
EXPECTED = {
    ("departement", "59"): 5,  # raismes, caph, denaisis, nord-wide, region-wide
    ("departement", "80"): 3,  # amiens-only, villes-soeurs, region-wide
    ("departement", "76"): 1,  # villes-soeurs (Eu): region-wide stops at the region
    ("epci", "200042190"): 5,  # raismes, caph, denaisis, nord-wide, region-wide
    ("epci", "247600786"): 2,  # villes-soeurs, region-wide (Allenay, Mers)
}


def _explorer(level: str, scope: str = "toutes") -> dict[int, int]:
    """The explorer's counts with the broad projects included (`portee=toutes`): the
    figure the dashboard and the territory page give."""
    return map_data.cached_counts(map_data.selection(QueryDict(f"niveau={level}&portee={scope}")))


def _dashboard(scale: str) -> dict[str, int]:
    table = build_table(Scope(), "departements" if scale == Scale.DEPARTEMENT else "epci")
    code = "code" if scale == Scale.DEPARTEMENT else "siren"
    return {row[code]: row["projets"] for row in table.rows}


@pytest.mark.smoke
def test_map_dashboard_and_territory_page_agree(catalogue, territories):
    for (scale, code), expected in EXPECTED.items():
        territory = territories.get(scale, code)
        assert projects_per_territory(ProjectPage.objects.live().values("pk"), scale)[
            territory.pk].projects == expected, (scale, code)
        assert _explorer(scale)[territory.pk] == expected, (scale, code)
        assert _dashboard(scale)[code] == expected, (scale, code)
        assert coverage_summary(territory)["projects"] == expected, (scale, code)


def test_the_explorer_counts_local_projects_unless_asked(catalogue, territories):
    """By default the choropleth counts the local projects only: the Nord-wide and the
    region-wide projects would otherwise colour every EPCI of the Nord the same."""
    caph, eu = territories.caph.pk, territories.villes_soeurs.pk
    assert _explorer("epci", "locale")[caph] == 3  # raismes, caph, denaisis
    assert _explorer("epci", "departement")[caph] == 4  # + nord-wide
    assert _explorer("epci", "toutes")[caph] == 5  # + region-wide
    assert _explorer("epci", "locale")[eu] == 1  # villes-soeurs only
    assert map_data.selection(QueryDict("")).scope == "locale"


def test_the_territory_page_states_the_count(client, catalogue):
    html = client.get("/territoires/departement-59/").content.decode()
    assert "5 projets couvrent au moins une de ses communes" in html


def test_regional_projects_and_covered_communes_are_counted_apart(catalogue, territories):
    counts = projects_per_territory(ProjectPage.objects.live().values("pk"), Scale.DEPARTEMENT)
    nord = counts[territories.nord.pk]
    assert (nord.projects, nord.regional, nord.communes) == (5, 1, 4)
    assert territories.departement("32").pk not in counts  # the Gers: nothing there
