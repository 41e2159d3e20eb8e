"""The one search box on the real seed and territories (issue 14 §1): what a professional
types in the header leads to what covers the place."""

import pytest

pytestmark = pytest.mark.django_db


def follow(client, typed):
    response = client.get("/recherche/", {"q": typed}, follow=True)
    assert response.status_code == 200
    return response.context


@pytest.mark.parametrize("typed,code,count", [
    ("Denain", "59172", 15),  # the keyword search found 1
    ("denin", "59172", 15),  # a misspelling: the closest place name
    ("st amand", "59526", 15),  # Saint-Amand-les-Eaux
    ("lievin", "62510", 11),
    ("Lens", "62498", 12),
])
def test_a_place_typed_in_the_header_lists_what_covers_it(client, typed, code, count):
    context = follow(client, typed)
    assert context["territory"].code == code
    assert context["result_count"] == count


def test_denain_exact_is_not_wavrechain(client):
    context = follow(client, "Denain")
    assert context["territory_alternatives"] == []
    assert "Wavrechain" not in client.get("/projets/?territoire=Denain").content.decode()


def test_a_place_and_keywords_split(client):
    context = follow(client, "epicerie denain")
    assert context["territory"].code == "59172" and context["keywords"] == "epicerie"
    assert 0 < context["result_count"] < 15
    assert context["search_notice"]["keywords_url"] == "/projets/?q=epicerie+denain"


def test_ligatures_fold_like_accents(client):
    plain, ligature = follow(client, "Restos du coeur"), follow(client, "Restos du Cœur")
    assert plain["territory"] is None and plain["result_count"] > 0
    assert [p.pk for p in plain["projects"]] == [p.pk for p in ligature["projects"]]


def test_the_header_suggests_denain_for_denin(client):
    found = client.get("/recherche/suggestions/", {"q": "denin"}).json()["suggestions"]
    assert found[0]["label"] == "Denain" and found[0]["detail"] == "Commune · 59172 · Nord"
