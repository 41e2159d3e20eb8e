"""The one search box (header and home page) on the sample: reading a place and keywords,
the fuzzy "did you mean", the JSON suggestions of the combobox, and what the listing says."""

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.search import search_ids, spellings
from projects.territory import read_search, resolve_territory, suggest_territories
from tests.caches import clear_caches
from tests.maps.factories import TerritoryFactory
from tests.projects.factories import ProjectPageFactory

pytestmark = pytest.mark.django_db

DENAIN = "/projets/?territoire=commune-59172"


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


# -- reading the text typed ------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize("typed,place,keywords", [
    ("Denain", "59172", ""),
    ("denain", "59172", ""),
    ("epicerie denain", "59172", "epicerie"),
    ("Denain épicerie solidaire", "59172", "épicerie solidaire"),
    ("aide alimentaire mers les bains", "80533", "aide alimentaire"),
    ("epicerie mers les", "80533", "epicerie"),  # the first words of a name
    ("porte du hainaut", "200042190", ""),
    ("59", "59", ""),
    ("femmes enceintes", None, "femmes enceintes"),
    ("Restos du coeur", None, "Restos du coeur"),
    ("lens", "62498", ""),
])
def test_a_place_is_read_at_either_end_of_the_text(territories, typed, place, keywords):
    reading = read_search(typed)
    assert (reading.territory.code if reading.territory else None) == place
    assert reading.keywords == keywords


def test_a_word_inside_a_longer_name_beside_keywords_is_not_a_place(territories):
    TerritoryFactory(code="26999", name="Coeur de Drôme")
    TerritoryFactory(code="59999", name="Santes")
    assert read_search("Restos du coeur").territory is None  # one word beginning a name
    assert read_search("sante des femmes").territory is None  # "sante" is not "Santes"
    assert read_search("lieux coeur de drome").territory.name == "Coeur de Drôme"


def test_an_exact_name_proposes_no_longer_name_containing_it(territories):
    TerritoryFactory(code="59640", name="Wavrechain-sous-Denain", population=1_800)
    resolution = resolve_territory("Denain")
    assert resolution.territory.code == "59172"
    assert resolution.alternatives == []
    homonym = TerritoryFactory(code="57999", name="Denain", population=300)
    assert resolve_territory("Denain").alternatives == [homonym]  # homonyms stay offered


@pytest.mark.smoke
@pytest.mark.parametrize("typed,expected", [("denin", "Denain"), ("Rasmes", "Raismes"),
                                            ("mers les bain", "Mers-les-Bains"),
                                            ("amien", "Amiens")])
def test_a_misspelt_place_is_suggested_on_both_databases(territories, typed, expected):
    """PostgreSQL: the trigram index; SQLite: the normalised fallback; same answer."""
    found = suggest_territories(typed)
    assert found and found[0].name == expected


@pytest.mark.smoke
def test_nothing_is_guessed_for_gibberish_or_codes(territories):
    assert suggest_territories("zzkqwx") == []
    assert suggest_territories("5917") == []
    assert suggest_territories("d") == []


@pytest.mark.smoke
@pytest.mark.usefixtures("search_auto_update")
def test_ligatures_fold_like_accents_in_keyword_search(catalogue):
    restos = ProjectPageFactory(title="Les Restos du Cœur", summary="Repas chauds.",
                                parent=catalogue.faad)
    heart = ProjectPageFactory(title="Coeur de ville", summary="Ateliers.", parent=catalogue.faad)
    other = ProjectPageFactory(title="Ateliers cuisine", summary="Cuisiner.",
                               parent=catalogue.faad)
    assert spellings("coeur") == ["coeur", "cœur"]
    for query in ("Restos du coeur", "Restos du Cœur", "RESTOS DU COEUR"):
        assert search_ids(query)[:1] == [restos.pk], query
    both = set(search_ids("coeur"))
    assert both == set(search_ids("cœur")) and {restos.pk, heart.pk} <= both
    assert other.pk not in both


# -- /recherche/ -----------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize("typed,expected", [
    ("Denain", DENAIN + "&recherche=Denain"),
    ("st  amand ", None),
    ("epicerie denain", DENAIN + "&recherche=epicerie+denain&q=epicerie"),
    ("denin", DENAIN + "&recherche=denin"),  # keywords find nothing: the closest place
    ("zzkqwx", "/projets/?q=zzkqwx"),
    ("", "/projets/"),
])
def test_the_search_box_leads_to_the_territory_or_the_keywords(client, catalogue, typed,
                                                                 expected):
    response = client.get("/recherche/", {"q": typed})
    assert response.status_code == 302
    if expected:
        assert response["Location"] == expected


def test_denain_from_the_header_lists_what_covers_denain(client, catalogue):
    response = client.get("/recherche/", {"q": "Denain"}, follow=True)
    assert response.context["territory"].code == "59172"
    assert response.context["result_count"] == 4 == len(
        client.get(DENAIN).context["projects"])
    html = text(response)
    assert "« Denain » a été compris comme le territoire Denain (59172)." in html
    assert 'href="/projets/?q=Denain">Chercher plutôt « Denain » comme mots-clés' in html


@pytest.mark.usefixtures("search_auto_update")
def test_a_mixed_search_says_how_it_was_read(client, catalogue, territories):
    grocery = ProjectPageFactory(title="Épicerie solidaire", parent=catalogue.faad,
                                 territories=[territories.commune("59172")])
    ProjectPageFactory(title="Épicerie de Lille", parent=catalogue.faad,
                       territories=[territories.commune("59350")])
    response = client.get("/recherche/", {"q": "epicerie denain"}, follow=True)
    html = text(response)
    assert ("« Denain (59172) » a été compris comme le territoire et « epicerie » comme "
            "mots-clés.") in html
    assert 'href="/projets/?q=epicerie+denain"' in html
    assert [p.pk for p in response.context["projects"]] == [grocery.pk]  # not Lille's
    assert "recherche" not in response.context["shared_querystring"]  # not in exports


def test_a_guess_says_it_was_a_guess(client, catalogue):
    html = text(client.get("/recherche/", {"q": "denin"}, follow=True))
    assert ("Aucun projet ne mentionne « denin » : voici les projets qui couvrent Denain "
            "(59172)") in html


# -- /recherche/suggestions/ -------------------------------------------------------------


def suggestions(client, q, **extra):
    response = client.get("/recherche/suggestions/", {"q": q}, **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert "max-age=300" in response["Cache-Control"]
    return json.loads(response.content)["suggestions"]


@pytest.mark.smoke
def test_suggestions_propose_places_with_code_and_departement(client, catalogue):
    found = suggestions(client, "den")
    assert found[0] == {"kind": "place", "label": "Denain",
                        "detail": "Commune · 59172 · Nord", "url": DENAIN}
    assert suggestions(client, "59")[0]["label"] == "Nord"
    assert [s["label"] for s in suggestions(client, "denin")] == ["Denain"]  # the guess
    assert suggestions(client, "d") == [] and suggestions(client, "") == []


def test_suggestions_propose_projects_and_carriers(client, catalogue):
    project = ProjectPageFactory(title="Épicerie solidaire itinérante", parent=catalogue.faad)
    found = suggestions(client, "epicerie sol")
    assert {"kind": "project", "label": project.title, "detail": "FAAD",
            "url": project.url} in found
    carriers = [s for s in suggestions(client, "association") if s["kind"] == "carrier"]
    assert carriers and carriers[0]["url"].startswith("/projets/?porteur=")


@pytest.mark.smoke
@pytest.mark.parametrize("params,message", [
    ({"q": "x" * 101}, "trop long"),
    ({"q": ["den", "lens"]}, "une seule fois"),
])
def test_bad_suggestion_requests_are_a_400_in_words(client, params, message):
    response = client.get("/recherche/suggestions/", params)
    assert response.status_code == 400
    assert message in json.loads(response.content)["detail"]


def test_suggestion_queries_are_constant_and_cached(client, catalogue):
    suggestions(client, "ra")  # warms the catalogue list and the data version

    def count(q):
        with CaptureQueriesContext(connection) as queries:
            suggestions(client, q)
        return len(queries)

    one, two, short = count("wallers"), count("lens"), count("l")  # 1 and 2 places
    assert one == two == count("raismes") <= 3  # version, places, their départements
    assert short == 0  # too short: nothing read
    count("denain")
    assert count("denain") == 1  # the same text again: only the data version is read
    clear_caches()
    cold = count("denain")  # + the cached lists of projects and carriers, built once
    ProjectPageFactory.create_batch(3, parent=catalogue.faad)
    clear_caches()
    assert count("denain") == cold  # whatever the size of the catalogue


# -- the listing --------------------------------------------------------------------------


@pytest.mark.smoke
def test_empty_filters_show_no_tag(client, catalogue):
    response = client.get("/projets/?q=&territoire=&public=&statut=&annee=&axe=&porteur="
                          "&programme=faad")
    chips = response.context["active_filters"]
    assert [c["field"] for c in chips] == ["Programme"]
    assert "Mots-clés : " not in text(response)


@pytest.mark.smoke
def test_empty_results_offer_a_reset_and_no_export(client, catalogue):
    html = text(client.get("/projets/?q=zzkqwx&programme=faad"))
    assert "Aucun projet ne correspond à ces filtres." in html
    assert 'href="/projets/">Réinitialiser les filtres</a>' in html
    assert "Retirez un filtre" in html
    results = html[html.index('id="results"'):html.index('id="footer"')]
    assert "/projets/export.csv?" not in results and "/cartes/projets/?" not in results
    full = text(client.get("/projets/"))
    assert "/projets/export.csv?" in full and "data-portal-copy-link" in full


def test_an_unknown_territory_suggests_the_closest(client, catalogue):
    html = text(client.get("/projets/?territoire=denin"))
    assert "Ce territoire est inconnu" in html
    assert re.search(r'Vouliez-vous dire : <a href="\?territoire=commune-59172#results">'
                     r'Denain', html)


def test_keywords_naming_a_place_link_to_its_projects(client, catalogue):
    html = text(client.get("/projets/?q=Denain"))
    assert '<a href="?territoire=commune-59172#results">Les projets qui couvrent Denain' in html


@pytest.mark.smoke
def test_exports_are_named_after_their_filters(client, catalogue):
    public = catalogue["caph-epci"].publics.first()
    response = client.get(f"/projets/export.xlsx?territoire=denain&public={public.code}")
    disposition = response["Content-Disposition"]
    name = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert re.fullmatch(rf"projets-denain-{public.label.lower().replace(' ', '-')}"
                        r"-\d{4}-\d\d-\d\d\.xlsx", name), name
    long = client.get("/projets/export.csv?q=" + "+".join(["solidarite"] * 30))
    name = re.search(r'filename="([^"]+)"', long["Content-Disposition"]).group(1)
    assert len(name) <= 110 and name.endswith(".csv") and "--" not in name
    plain = client.get("/projets/export.geojson")
    assert re.search(r'filename="projets-\d{4}-\d\d-\d\d\.geojson"', plain["Content-Disposition"])


def test_the_territory_search_suggests_the_closest_names(client, territories):
    html = text(client.get("/territoires/", {"q": "denin"}))
    assert "Aucun territoire ne correspond à « denin »." in html
    assert 'Vouliez-vous dire : <a href="/territoires/commune-59172/">Denain (59172)</a>' in html


def test_an_empty_territory_search_offers_its_wider_territories(client, catalogue):
    response = client.get("/projets/?territoire=59632&q=zzkqwx")
    assert response.context["result_count"] == 0
    wider = [w["territory"].code for w in response.context["wider_searches"]]
    assert wider == ["200042190", "59", "32"]  # its EPCI, département, region
    html = text(response)
    assert 'href="?q=zzkqwx&territoire=epci-200042190#results">CA de la Porte du Hainaut' in html
    assert client.get("/projets/?territoire=59632").context["wider_searches"] == []


def test_control_characters_in_a_suggestion_request_are_a_json_400(client):
    response = client.get("/recherche/suggestions/", {"q": "den\x00ain"})
    assert response.status_code == 400
    assert "contrôle" in json.loads(response.content)["detail"]
