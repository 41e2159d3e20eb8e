"""/projets/ and the programme pages: filters on the real seed, counts per option, order by
level, sharing by URL, robustness to malformed parameters, constant query count."""

import re
from html import unescape

import pytest
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from maps.models import SCALE_RANK, Scale, Territory
from portal.listing import listing_queryset
from projects.filters import ProjectFilter
from projects.models import ProjectPage, ProjectStatus
from projects.territory import LEVEL_LABELS, is_broad

pytestmark = pytest.mark.django_db

CAPH_PROJECT = "1000-jours-pour-savourer-la-vie"
REGION_WIDE = {"faad-approvisionnement-produits-locaux-solaal",
               "faad-acces-alimentation-bio-locale-bio-en-hdf"}


def selected(query: str, **kwargs) -> list[ProjectPage]:
    return list(ProjectFilter(QueryDict(query), queryset=listing_queryset(), **kwargs).qs)


def slugs(query: str, **kwargs) -> list[str]:
    return [p.slug for p in selected(query, **kwargs)]


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


def amiens_only_projects() -> set[str]:
    amiens = Territory.objects.get(scale=Scale.COMMUNE, code="80021")
    return {p.slug for p in ProjectPage.objects.live()
            if {link.territory_id for link in p.territory_links.all()} == {amiens.pk}}


def test_listing_shows_every_live_project_with_accessible_filters(client):
    response = client.get("/projets/")
    assert response.status_code == 200
    # the region by default (issue 14): the national examples are one choice away
    assert response.context["result_count"] == ProjectPage.objects.live().filter(
        in_home_region=True).count()
    everything = client.get("/projets/?perimetre=tous")
    assert everything.context["result_count"] == ProjectPage.objects.live().count()
    raw = response.content.decode()
    # checkbox groups are fieldsets with a legend; every other control has its label
    assert raw.count("<fieldset") >= 2 and raw.count("<legend") >= 2
    for control_id in re.findall(r'<(?:input|select) [^>]*id="(id_[a-z_]+)"', raw):
        assert f'for="{control_id}"' in raw, control_id
    for name in ("q", "perimetre", "programme", "territoire", "public", "thematique", "axe",
                 "statut", "annee", "porteur", "tri"):
        assert f'name="{name}"' in raw, name


def test_raismes_gets_the_porte_du_hainaut_project_and_the_region_wide_ones():
    found = slugs("territoire=59491")
    assert CAPH_PROJECT in found
    assert REGION_WIDE <= set(found)
    amiens = amiens_only_projects()
    assert amiens and not amiens & set(found)
    # local first: the EPCI project comes before every region-wide one
    assert found.index(CAPH_PROJECT) < min(found.index(s) for s in REGION_WIDE)


def test_raismes_listing_groups_projects_by_level_with_carrier_and_contact(client):
    html = text(client.get("/projets/?territoire=59491&par_page=100"))
    assert "Raismes (59491)" in html

    def heading(scale):
        return f'<h3 class="fr-h5 portal-level">{LEVEL_LABELS[SCALE_RANK[scale]]}</h3>'

    epci = html.index(heading(Scale.EPCI))
    region = html.index(heading(Scale.REGION), epci)
    title = ProjectPage.objects.get(slug=CAPH_PROJECT).title
    assert epci < html.index(title) < region
    assert "Communauté d’Agglomération de La Porte du Hainaut" in html  # carrier
    assert "Femmes enceintes" in html  # public
    assert "ajendrzezak@agglo-porteduhainaut.fr" in html  # published contact


@pytest.mark.parametrize("typed,code", [("Denain", "59172"), ("st amand", "59526"),
                                        ("roeulx", "59504"), ("RAISMES", "59491")])
def test_a_commune_typed_as_people_write_it(typed, code):
    project_filter = ProjectFilter(QueryDict(f"territoire={typed}"), queryset=listing_queryset())
    assert project_filter.qs is not None
    assert project_filter.territory.code == code
    assert project_filter.territory.scale == Scale.COMMUNE


def test_roeulx_finds_its_local_project_first():
    found = slugs("territoire=roeulx")
    assert found[0] == "femmes-on-vous-aime"


def test_a_departement_filter_goes_both_ways_and_flags_the_broad_ones():
    projects = selected("territoire=59")
    found = {p.slug for p in projects}
    assert "femmes-on-vous-aime" in found  # communes of the Nord
    assert CAPH_PROJECT in found  # an EPCI of the Nord
    assert REGION_WIDE <= found  # the region, flagged broad
    assert not amiens_only_projects() & found
    nord = Territory.objects.get(scale=Scale.DEPARTEMENT, code="59")
    broad = {p.slug for p in projects if is_broad(p.level, nord)}
    assert REGION_WIDE <= broad
    assert CAPH_PROJECT not in broad and "femmes-on-vous-aime" not in broad


def test_bare_codes_prefer_the_home_region_and_scale_prefix_disambiguates():
    assert ProjectFilter(QueryDict("territoire=32"), queryset=listing_queryset()).territory.scale \
        == Scale.REGION
    gers = ProjectFilter(QueryDict("territoire=departement-32"), queryset=listing_queryset())
    assert gers.territory.name == "Gers"
    epci = ProjectFilter(QueryDict("territoire=200042190"), queryset=listing_queryset())
    assert epci.territory.scale == Scale.EPCI


def test_an_unknown_territory_is_an_error_and_an_empty_list(client):
    assert slugs("territoire=zzzz") == []
    response = client.get("/projets/?territoire=zzzz")
    assert response.context["result_count"] == 0
    assert response.context["territory_error"]
    assert "zzzz" in " ".join(response.context["filter"].form.errors["territoire"])
    assert 'id="filters-errors"' in response.content.decode()


def test_publics_themes_programme_axis_carrier_year_status():
    assert CAPH_PROJECT in slugs("public=femmes-enceintes")
    # « Femmes » is a family (issue 14): its members and the « tous publics » projects count
    assert all(p.publics.filter(Q(code__in=["femmes-enceintes", "femmes"])
                                | Q(family__code="femmes") | Q(universal=True)).exists()
               for p in selected("public=femmes-enceintes&public=femmes"))
    assert "faad-mieux-manger-pour-tous-sambre-avesnois" in slugs(
        "public=femmes-enceintes&public=femmes")  # tous publics
    assert set(slugs("programme=faad")) == set(
        ProjectPage.objects.live().filter(programme__slug="faad").values_list("slug", flat=True))
    assert CAPH_PROJECT in slugs("axe=1000-premiers-jours:priorite-5")
    assert {p.programme.slug for p in selected("axe=faad:axe-1")} == {"faad"}
    # a programme page's bare axis code stays valid on /projets/ next to programme=<slug>
    assert CAPH_PROJECT in slugs("programme=1000-premiers-jours&axe=priorite-5")
    assert set(slugs("porteur=ca-porte-du-hainaut")) >= {CAPH_PROJECT, "femmes-on-vous-aime"}
    assert CAPH_PROJECT in slugs("annee=2026")
    assert CAPH_PROJECT not in slugs("annee=2020")
    for status in ProjectStatus.values:
        assert all(p.status == status for p in selected(f"statut={status}")), status


def test_the_programme_page_filters_within_its_programme(client):
    html = text(client.get("/1000-premiers-jours/?axe=priorite-5#projects"))
    title = ProjectPage.objects.get(slug=CAPH_PROJECT).title
    assert title in html
    assert "/projets/export.csv?axe=priorite-5&amp;programme=1000-premiers-jours" in \
        client.get("/1000-premiers-jours/?axe=priorite-5").content.decode()
    faad_title = ProjectPage.objects.live().filter(programme__slug="faad").first().title
    assert faad_title not in text(client.get("/1000-premiers-jours/?par_page=100"))


def test_counts_per_option_are_disjunctive(client):
    """The count next to an option is the number of results ticking it would give."""
    response = client.get("/projets/?public=femmes-enceintes")
    form = response.context["filter"].form
    labels = dict(form.fields["public"].widget.choices)
    expected = len(slugs("public=femmes-enceintes"))
    assert labels["femmes-enceintes"].endswith(f"({expected})")
    both = len(slugs("public=femmes-enceintes&public=femmes"))
    assert labels["femmes"].endswith(f"({len(slugs('public=femmes'))})")
    assert both >= expected
    programmes = response.context["facets"]["programme"]
    assert sum(o.count for o in programmes) == expected


def test_sort_orders_and_pagination(client):
    assert [p.pk for p in selected("tri=titre")] == list(
        listing_queryset().filter(in_home_region=True).order_by("title", "pk")
        .values_list("pk", flat=True))
    assert [p.pk for p in selected("tri=titre&perimetre=tous")] == list(
        listing_queryset().order_by("title", "pk").values_list("pk", flat=True))
    first = client.get("/projets/?tri=titre&par_page=5").context["projects"]
    second = client.get("/projets/?tri=titre&par_page=5&page=2").context["projects"]
    assert len(first) == len(second) == 5
    assert not {p.pk for p in first} & {p.pk for p in second}
    last = client.get("/projets/?par_page=5&page=99999").context["page_obj"]
    assert last.number == last.paginator.num_pages
    recent = selected("tri=recent")
    dated = [p.start_date for p in recent if p.start_date]
    assert dated == sorted(dated, reverse=True)


def test_the_address_carries_every_filter(client):
    html = client.get("/projets/?territoire=59491&public=femmes-enceintes&page=1").content.decode()
    assert "/cartes/projets/?territoire=59491&amp;public=femmes-enceintes" in html
    assert "/projets/export.xlsx?territoire=59491&amp;public=femmes-enceintes" in html
    # each active filter can be removed on its own
    assert 'href="?public=femmes-enceintes#results"' in html
    assert 'href="?territoire=59491#results"' in html


NASTY = ["page=abc", "page=99999", "page=-1", "annee=abc", "annee=99999", "annee=1e5",
         "territoire=zzz", "territoire=commune-", "territoire=%00", "public=unknown",
         "thematique=nope&thematique=", "statut=x", "tri=x", "programme=nope", "axe=nope",
         "axe=faad:nope", "porteur=nope", "par_page=abc", "par_page=-5", "par_page=100000",
         "q=" + "x" * 1000, "q=" + "mot " * 300, "q=%22%28", "q=a:*|!", "q=%00",
         "territoire=" + "a" * 500, "inconnu=1", "perimetre=nope", "perimetre=",
         "perimetre=ailleurs&territoire=59172", "q=zzzqqq&perimetre=ailleurs"]


@pytest.mark.parametrize("params", NASTY)
def test_malformed_parameters_never_break_the_listing(client, params):
    for url in ("/projets/", "/faad/"):
        response = client.get(f"{url}?{params}")
        # control characters are refused with a French 400 (portal security), never a 500
        expected = 400 if "%00" in params else 200
        assert response.status_code == expected, (url, params)


def test_malformed_parameters_are_shown_as_errors_and_ignored(client):
    response = client.get("/projets/?annee=abc&public=unknown&statut=x")
    assert response.context["filter"].form.errors.keys() == {"annee", "public", "statut"}
    assert response.context["result_count"] == ProjectPage.objects.live().filter(
        in_home_region=True).count()
    assert 'id="filters-errors"' in response.content.decode()


def _count_queries(client, url, cold_cards: bool = True):
    """Queries of one listing; `cold_cards`: with no card in the fragment cache, so that
    every card of the page is read (the page cache is off in tests)."""
    from tests.caches import forget_cards

    if cold_cards:
        forget_cards()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", ["", "territoire=59491&", "q=alimentation&programme=faad&",
                                    "public=femmes&statut=inconnu&annee=2023&"])
def test_query_count_does_not_depend_on_page_size(client, params):
    client.get(f"/projets/?{params}")  # warm the site and content-type caches
    small = _count_queries(client, f"/projets/?{params}par_page=5")
    large = _count_queries(client, f"/projets/?{params}par_page=100")
    assert small == large
    # the listing's own ≤ 7 (below); the route to the index page and its view restrictions
    # are cached under the data version (portal.views.catalogue)
    assert large <= 7
    # the same page again: every card comes from the fragment cache, no card statement
    # (a page without results has none to read either way)
    shown = client.get(f"/projets/?{params}par_page=100").context["result_count"]
    assert _count_queries(client, f"/projets/?{params}par_page=100", cold_cards=False) == \
        large - (2 if shown else 0)


@pytest.mark.parametrize("params", ["", "territoire=59491&", "q=alimentation&programme=faad&",
                                    "public=femmes&statut=inconnu&annee=2023&",
                                    "territoire=59&thematique=equipement-et-alimentation--alimentation&statut=en-cours&"])
def test_the_listing_costs_at_most_7_queries_whatever_the_page_size(
        rf, params, django_assert_max_num_queries):
    """Selection and exclusive facet sets in one statement, facets in one grouped
    statement, cards in two: the data version, the keywords, the values to validate, the
    selection, the facets, the cards (the territory's reading, covering projects and
    levels are cached under the data version). The cards are read when the page shows
    one that is not in the fragment cache (`portal.listing.PageCards`): here, by reading a
    field of each."""
    from portal.listing import project_listing

    # the choices cached under the version, the site's root paths (the cards' addresses)
    [card.title for card in project_listing(rf.get(f"/projets/?{params}"))["projects"]]
    counts = []
    for size in (5, 100):
        with CaptureQueriesContext(connection) as queries:
            with django_assert_max_num_queries(7):
                context = project_listing(rf.get(f"/projets/?{params}par_page={size}"))
                titles = [card.title for card in context["projects"]]
        assert len(titles) == min(size, context["result_count"])
        counts.append(len(queries))
    assert counts[0] == counts[1]
