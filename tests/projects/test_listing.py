"""/projets/ and the programme pages on the sample catalogue: containment both ways, order by
level, filters and their counts, sharing by URL, malformed parameters, constant query count."""

import re
from html import unescape

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from maps.models import SCALE_RANK, Scale
from portal.listing import listing_queryset
from projects.filters import ProjectFilter
from projects.territory import LEVEL_LABELS, is_broad

pytestmark = pytest.mark.django_db


def selected(query: str, **kwargs):
    return list(ProjectFilter(QueryDict(query), queryset=listing_queryset(), **kwargs).qs)


def slugs(query: str, **kwargs) -> list[str]:
    return [p.slug for p in selected(query, **kwargs)]


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


@pytest.mark.smoke
def test_listing_shows_every_live_project_with_accessible_filters(client, catalogue):
    response = client.get("/projets/")
    assert response.status_code == 200
    # the region by default (issue 14): Jette (abroad) is an example elsewhere
    assert response.context["result_count"] == len(catalogue.projects) - 1
    raw = response.content.decode()
    assert raw.count("<fieldset") >= 2 and raw.count("<legend") >= 2
    for control_id in re.findall(r'<(?:input|select) [^>]*id="(id_[a-z_]+)"', raw):
        assert f'for="{control_id}"' in raw, control_id
    for name in ("q", "programme", "territoire", "public", "thematique", "axe", "statut",
                 "annee", "porteur", "tri"):
        assert f'name="{name}"' in raw, name


@pytest.mark.smoke
def test_a_commune_gets_what_covers_it_local_first(catalogue):
    found = slugs("territoire=59491")
    assert found == ["raismes-local", "caph-epci", "nord-wide", "region-wide"]


def test_the_listing_groups_projects_by_level(client, catalogue):
    html = text(client.get("/projets/?territoire=59491"))
    assert "Raismes (59491)" in html

    def heading(scale):
        return f'<h3 class="fr-h5 portal-level">{LEVEL_LABELS[SCALE_RANK[scale]]}</h3>'

    commune, epci = html.index(heading(Scale.COMMUNE)), html.index(heading(Scale.EPCI))
    region = html.index(heading(Scale.REGION))
    assert commune < html.index(catalogue["raismes-local"].title) < epci
    assert epci < html.index(catalogue["caph-epci"].title) < region
    assert "Association de test" in html and "Femmes enceintes" in html


def test_a_departement_filter_goes_both_ways_and_flags_the_broad_ones(catalogue, territories):
    projects = selected("territoire=59")
    assert {p.slug for p in projects} == {"raismes-local", "caph-epci", "denaisis-area",
                                          "nord-wide", "region-wide"}
    broad = {p.slug for p in projects if is_broad(p.level, territories.nord)}
    assert broad == {"region-wide"}


def test_the_straddling_epci_is_found_from_both_departements(catalogue):
    assert "villes-soeurs" in slugs("territoire=80")
    assert "villes-soeurs" in slugs("territoire=76")
    assert "villes-soeurs" in slugs("territoire=76255")  # Eu, Seine-Maritime
    assert "region-wide" not in slugs("territoire=76255")  # Eu is not in Hauts-de-France


def test_bare_codes_prefer_the_home_region_and_scale_prefix_disambiguates(territories):
    assert ProjectFilter(QueryDict("territoire=32"), queryset=listing_queryset()
                         ).territory.scale == Scale.REGION
    gers = ProjectFilter(QueryDict("territoire=departement-32"), queryset=listing_queryset())
    assert gers.territory.name == "Gers"


def test_an_unknown_territory_is_an_error_and_an_empty_list(client, catalogue):
    assert slugs("territoire=zzzz") == []
    response = client.get("/projets/?territoire=zzzz")
    assert response.context["result_count"] == 0
    assert response.context["territory_error"]
    assert 'id="filters-errors"' in response.content.decode()


def test_publics_themes_programme_carrier_year_status(catalogue):
    assert set(slugs("public=femmes-enceintes")) == {"raismes-local", "caph-epci"}
    assert set(slugs("public=parents&public=femmes-enceintes")) == {"raismes-local",
                                                                    "caph-epci"}
    assert set(slugs("thematique=alimentation")) == {"raismes-local", "region-wide"}
    assert set(slugs("programme=faad")) == {"denaisis-area", "nord-wide", "region-wide",
                                            "amiens-only"}
    assert len(slugs("porteur=asso-test&perimetre=tous")) == len(catalogue.projects)
    assert "jette-abroad" not in slugs("porteur=asso-test")
    assert slugs("porteur=asso-test&perimetre=ailleurs") == ["jette-abroad"]
    assert len(slugs("annee=2026&perimetre=tous")) == len(catalogue.projects)
    assert slugs("annee=2020") == []
    assert len(slugs("statut=en-cours&perimetre=tous")) == len(catalogue.projects)


def test_the_programme_page_filters_within_its_programme(client, catalogue):
    response = client.get(catalogue.faad.url + "?public=femmes-enceintes")
    assert response.context["result_count"] == 0
    html = text(client.get(catalogue.thousand_days.url + "?public=femmes-enceintes"))
    assert catalogue["caph-epci"].title in html
    assert catalogue["amiens-only"].title not in html
    assert "/projets/export.csv?public=femmes-enceintes&programme=1000-premiers-jours" in html


def test_counts_per_option_are_disjunctive(client, catalogue):
    """The count next to an option is the number of results ticking it would give."""
    response = client.get("/projets/?public=femmes-enceintes")
    labels = dict(response.context["filter"].form.fields["public"].widget.choices)
    assert labels["femmes-enceintes"].endswith("(2)")
    assert labels["parents"].endswith("(1)")
    programmes = {o.value: o.count for o in response.context["facets"]["programme"]}
    assert programmes == {"1000-premiers-jours": 2, "faad": 0}


def test_sort_orders_and_pagination(client, catalogue):
    assert [p.pk for p in selected("tri=titre&perimetre=tous")] == list(
        listing_queryset().order_by("title", "pk").values_list("pk", flat=True))
    first = client.get("/projets/?tri=titre&par_page=3").context["projects"]
    second = client.get("/projets/?tri=titre&par_page=3&page=2").context["projects"]
    assert len(first) == len(second) == 3
    assert not {p.pk for p in first} & {p.pk for p in second}
    last = client.get("/projets/?par_page=3&page=99999").context["page_obj"]
    assert last.number == last.paginator.num_pages == 3


def test_the_address_carries_every_filter(client, catalogue):
    html = client.get("/projets/?territoire=59491&public=femmes-enceintes&page=1").content.decode()
    assert "/cartes/projets/?territoire=59491&amp;public=femmes-enceintes" in html
    assert "/projets/export.xlsx?territoire=59491&amp;public=femmes-enceintes" in html
    assert 'href="?public=femmes-enceintes#results"' in html
    assert 'href="?territoire=59491#results"' in html


NASTY = ["page=abc", "page=99999", "page=-1", "annee=abc", "annee=99999", "annee=1e5",
         "territoire=zzz", "territoire=commune-", "territoire=%00", "public=unknown",
         "thematique=nope&thematique=", "statut=x", "tri=x", "programme=nope", "axe=nope",
         "axe=faad:nope", "porteur=nope", "par_page=abc", "par_page=-5", "par_page=100000",
         "q=" + "x" * 1000, "q=" + "mot " * 300, "q=%22%28", "q=a:*|!", "q=%00",
         "territoire=" + "a" * 500, "inconnu=1"]


def test_malformed_parameters_never_break_the_listing(client, catalogue):
    for params in NASTY:
        for url in ("/projets/", catalogue.faad.url):
            response = client.get(f"{url}?{params}")
            # control characters are refused with a French 400 (portal security), never a 500
            expected = 400 if "%00" in params else 200
            assert response.status_code == expected, (url, params)


def test_malformed_parameters_are_shown_as_errors_and_ignored(client, catalogue):
    response = client.get("/projets/?annee=abc&public=unknown&statut=x")
    assert response.context["filter"].form.errors.keys() == {"annee", "public", "statut"}
    assert response.context["result_count"] == len(catalogue.projects) - 1  # not Jette


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", ["", "territoire=59491&", "public=femmes-enceintes&"])
def test_query_count_does_not_depend_on_page_size(client, catalogue, params,
                                                  django_assert_max_num_queries):
    client.get(f"/projets/?{params}")  # warm the site and content-type caches
    assert _count_queries(client, f"/projets/?{params}par_page=2") == _count_queries(
        client, f"/projets/?{params}par_page=100")
    with django_assert_max_num_queries(30):
        client.get(f"/projets/?{params}par_page=100")


@pytest.mark.parametrize("first, second, rows", [
    ("territoire=80", "territoire=59491", 4),
    ("public=parents&territoire=80", "public=femmes-enceintes&territoire=59491", 2),
    ("public=parents&statut=en-cours", "public=femmes-enceintes&statut=en-cours", 2),
    ("thematique=alimentation&programme=faad",
     "thematique=alimentation&programme=1000-premiers-jours", 1),
    ("q=raismes&tri=titre", "q=alimentation&tri=titre", 0),
    ("porteur=asso-test&perimetre=ailleurs", "porteur=asso-test&perimetre=tous", None),
    ("annee=2020&public=parents", "annee=2026&public=femmes-enceintes", 2),
])
def test_a_selection_compiled_once_is_right_for_other_values(rf, catalogue, monkeypatch,
                                                              first, second, rows):
    """The selection statement is compiled once per shape with its ids as slots
    (`ProjectFilter._selection_statement`): after `first`, `second` gets the same rows, in
    the same order, and the same ids per exclusive facet as a statement compiled for it
    alone."""
    def read(params: str, reuse: bool):
        project_filter = ProjectFilter(QueryDict(params), queryset=listing_queryset(),
                                       request=rf.get(f"/projets/?{params}"))
        if not reuse:
            monkeypatch.setattr(project_filter, "_selection_shape", lambda exclusive: None)
        found = project_filter.selection_rows()
        return found, {name: project_filter.exclusive_ids(name)
                       for name in project_filter.exclusive_facets()}

    read(first, reuse=True)
    alone = read(second, reuse=False)
    assert read(second, reuse=True) == alone
    assert len(alone[0]) == (len(catalogue.projects) if rows is None else rows)


def test_covering_levels_compiled_once_are_right_for_every_territory(catalogue, territories):
    """The covering projects and their levels (`TerritoryScope._covering_levels`) come from
    a statement compiled once per kind of territory with a stand-in id: for communes and
    wider territories asked one after the other, the same rows as the statement built for
    each (`covering_statement`)."""
    from projects.territory import TerritoryScope

    asked = [territories.raismes, territories.amiens, territories.get(Scale.COMMUNE, "76255"),
             territories.nord, territories.caph, territories.get(Scale.DEPARTEMENT, "80"),
             territories.get(Scale.REGION, "32")]
    for territory in asked:
        scope = TerritoryScope(territory)
        assert scope.levels == dict(scope.covering_statement()), territory
        assert scope.levels or territory.code == "76255", territory


@pytest.mark.parametrize("typed", ["59491", "32", "59", "80021", "76255", "200042190",
                                   "nope", "DENAISIS"])
def test_codes_read_by_the_compiled_statement_are_the_orms(territories, typed):
    """`territories_with_codes` runs a statement compiled once per number of codes with
    stand-ins: for codes typed one after the other, the same territories and home flags as
    the ORM's own query, so the same preferred reading (the home region's "32")."""
    from maps.models import Territory
    from projects.territory import CODE_SCALES, _code_candidates, with_home_flag

    _code_candidates(["62"])  # another value of the same shape first
    variants = sorted({typed, typed.upper(), typed.lower()})
    orm = sorted(with_home_flag(Territory.objects.filter(code__in=variants).defer("geometry")),
                 key=lambda t: (t.is_obsolete, not t.in_home, CODE_SCALES.index(t.scale)))
    found = _code_candidates([typed]).get(typed, [])
    assert [(t.pk, t.in_home) for t in found] == [(t.pk, bool(t.in_home)) for t in orm]
    assert bool(found) == (typed != "nope")
