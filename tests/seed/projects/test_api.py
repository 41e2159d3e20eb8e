"""The read-only JSON API (django-ninja): same filters as the listing, 400 naming the
parameter for invalid values, numeric key figures, provenance, OpenAPI contract."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import ProjectPage

pytestmark = pytest.mark.django_db

CAPH_PROJECT = "1000-jours-pour-savourer-la-vie"


def test_api_documents_itself(client):
    data = client.get("/api/").json()
    paths = {e["path"] for e in data["endpoints"]}
    assert {"/api/projets/", "/api/projets/<id>/", "/api/territoires/<code>/"} <= paths
    assert {"/api/organisations/", "/api/indicateurs/"} <= paths
    assert data["schema"].endswith("/api/schema/") and data["docs"].endswith("/api/docs/")
    params = data["params"]
    assert {"q", "programme", "territoire", "public", "thematique", "axe", "statut", "annee",
            "porteur", "tri", "page", "par_page"} <= set(params)


def test_projects_filtered_and_paginated(client):
    data = client.get("/api/projets/?territoire=59491&par_page=5").json()
    everything = client.get("/api/projets/?territoire=59491&par_page=100").json()
    assert data["count"] == everything["count"] == len(everything["results"])
    assert len(data["results"]) == 5 and data["next"] and data["previous"] is None
    assert data["territory"]["key"] == "commune-59491"
    slugs = [r["slug"] for r in everything["results"]]
    assert CAPH_PROJECT in slugs
    caph = everything["results"][slugs.index(CAPH_PROJECT)]
    assert caph["territories"][0]["code"] == "200042190"
    assert caph["covered_communes"] == 47
    assert caph["level"] == 2 and caph["broad"] is False
    second = client.get(data["next"]).json()
    assert {r["id"] for r in second["results"]}.isdisjoint({r["id"] for r in data["results"]})


@pytest.mark.parametrize("query, names", [
    ("statut=nope", {"statut"}),
    ("annee=abc", {"annee"}),
    ("annee=1200", {"annee"}),
    ("tri=nope", {"tri"}),
    ("page=abc&par_page=x", {"page", "par_page"}),
    ("programme=nope", {"programme"}),
    ("public=nope", {"public"}),
    ("territoire=zzzzzz", {"territoire"}),
    ("axe=nope", {"axe"}),
    ("porteur=nope", {"porteur"}),
])
def test_invalid_values_answer_400_naming_the_parameter(client, query, names):
    response = client.get(f"/api/projets/?{query}")
    assert response.status_code == 400, response.content
    data = response.json()
    assert set(data["errors"]) == names
    assert all(name in data["detail"] for name in names)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_control_characters_answer_json_400(client):
    response = client.get("/api/projets/?q=a%00b")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"q"}


def test_wrong_methods_answer_405(client):
    for path in ("/api/projets/", "/api/organisations/", "/api/indicateurs/"):
        assert client.post(path).status_code == 405
        assert client.delete(path).status_code == 405


def test_the_six_ranges_come_with_both_bounds(client):
    data = client.get("/api/indicateurs/?par_page=100&nature=target").json()
    figures = data["results"]
    while data["next"]:
        data = client.get(data["next"]).json()
        figures += data["results"]
    ranges = {(f["value_min"], f["value_max"]) for f in figures
              if f["value_max"] is not None and f["value_max"] != f["value_min"]}
    assert ranges == {(60, 80), (20, 30), (4, 8), (2, 4), (150, 200), (5, 10)}
    assert all(f["value"] is None for f in figures if (f["value_min"], f["value_max"]) in ranges)
    page = ProjectPage.objects.get(slug="faad-nutri-cheques-aptahr")
    project = client.get(f"/api/projets/{page.pk}/").json()
    figure = next(f for f in project["figures"] if f["indicator"] == "menages-accompagnes")
    assert (figure["value"], figure["value_min"], figure["value_max"]) == (None, 60, 80)
    assert figure["kind"] == "target" and "60 à 80" in figure["value_text"]
    assert figure["sentence"].startswith(figure["label"])


def test_one_in_four_has_no_number(client):
    data = client.get("/api/indicateurs/?territoire=80021&indicateur=taux-pauvrete").json()
    figure = next(f for f in data["results"] if f["value_text"].startswith("1 habitant sur 4"))
    assert figure["value"] is None and figure["value_min"] is None
    assert figure["territory_code"] == "80021" and figure["unit"] == "%"


def test_provenance_and_raw_codes_in_the_api(client):
    page = ProjectPage.objects.get(slug="faad-bien-manger-rural-grandvilliers")
    data = client.get(f"/api/projets/{page.pk}/").json()
    link = data["territories"][0]
    assert (link["code"], link["scale"], link["cog_year"]) == ("246000848", "epci", 2025)
    assert link["provenance"] == "inferred" and link["note"]
    assert data["title_provenance"] == "stated"
    assert all(a["provenance"] == "inferred" and a["note"] for a in data["axes"])


def test_organisations_with_siren_as_text_and_roles(client):
    data = client.get("/api/organisations/?siren=200042190").json()
    assert data["count"] == 1
    caph = data["results"][0]
    assert caph["siren"] == "200042190" and caph["key"] == "ca-porte-du-hainaut"
    assert {r["role"] for r in caph["roles"]} >= {"carrier"}
    funders = client.get("/api/organisations/?role=funder&par_page=100").json()
    assert any(o["key"] == "dreets-hdf" for o in funders["results"])
    assert client.get("/api/organisations/?siren=12").status_code == 400


def test_one_project_with_every_field(client):
    page = ProjectPage.objects.get(slug=CAPH_PROJECT)
    data = client.get(f"/api/projets/{page.pk}/").json()
    assert data["slug"] == CAPH_PROJECT
    assert data["start_date"] == "2026-03-17"
    assert {"actions", "objectives", "events", "resources", "contacts", "key_figures"} <= set(data)
    assert data["events"] and data["events"][0]["date"]
    assert any(c["email"] == "ajendrzezak@agglo-porteduhainaut.fr" for c in data["contacts"])
    page.contacts.update(publish=False)
    assert client.get(f"/api/projets/{page.pk}/").json()["contacts"] == []
    missing = client.get("/api/projets/999999/")
    assert missing.status_code == 404 and missing.json()["detail"]


def test_territory_endpoint(client):
    data = client.get("/api/territoires/59491/").json()
    assert data["key"] == "commune-59491" and data["population"] == 12199
    assert [a["key"] for a in data["ancestors"]] == ["epci-200042190", "departement-59",
                                                     "region-32"]
    assert data["projects_count"] == sum(level["count"] for level in data["projects_by_level"])
    assert data["projects_url"].endswith("/api/projets/?territoire=commune-59491")
    amiens = client.get("/api/territoires/commune-80021/").json()
    assert any(f["indicator"] == "revenu-median" for f in amiens["context_figures"])
    assert all("value_min" in f and "sentence" in f for f in amiens["context_figures"])
    assert client.get("/api/territoires/zzz/").status_code == 404


def test_api_query_count_does_not_depend_on_page_size(client):
    client.get("/api/projets/")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/projets/?par_page=5")
    with CaptureQueriesContext(connection) as large:
        client.get("/api/projets/?par_page=100")
    assert len(small) == len(large) <= 16


def test_openapi_contract_and_french_docs_without_cdn(client):
    schema = client.get("/api/schema/").json()
    assert schema["openapi"].startswith("3.1")
    assert {"/api/projets/", "/api/projets/{pk}/", "/api/territoires/{code}/",
            "/api/organisations/", "/api/indicateurs/"} <= set(schema["paths"])
    statut = next(p for p in schema["paths"]["/api/projets/"]["get"]["parameters"]
                  if p["name"] == "statut")
    assert "400" in schema["paths"]["/api/projets/"]["get"]["responses"]
    assert statut["description"].startswith("Statut")
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200 and 'lang="fr"' in html
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "https://" not in "".join(
        line for line in html.splitlines() if "<script" in line or "stylesheet" in line)
