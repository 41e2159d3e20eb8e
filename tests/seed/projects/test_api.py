"""The read-only JSON API: documented at /api/, same filters as the listing."""

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
    params = next(e for e in data["endpoints"] if e["path"] == "/api/projets/")["params"]
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


def test_errors_are_reported_not_raised(client):
    response = client.get("/api/projets/?annee=abc&territoire=zzz&page=abc&par_page=x")
    assert response.status_code == 200
    data = response.json()
    assert set(data["errors"]) == {"annee", "territoire"}
    assert data["count"] == 0


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
    assert client.get("/api/projets/999999/").status_code == 404


def test_territory_endpoint(client):
    data = client.get("/api/territoires/59491/").json()
    assert data["key"] == "commune-59491" and data["population"] == 12199
    assert [a["key"] for a in data["ancestors"]] == ["epci-200042190", "departement-59",
                                                     "region-32"]
    assert data["projects_count"] == sum(level["count"] for level in data["projects_by_level"])
    assert data["projects_url"].endswith("/api/projets/?territoire=commune-59491")
    amiens = client.get("/api/territoires/commune-80021/").json()
    assert any(f["indicator"] == "revenu-median" for f in amiens["context_figures"])
    assert client.get("/api/territoires/zzz/").status_code == 404


def test_api_query_count_does_not_depend_on_page_size(client):
    client.get("/api/projets/")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/projets/?par_page=5")
    with CaptureQueriesContext(connection) as large:
        client.get("/api/projets/?par_page=100")
    assert len(small) == len(large) <= 16
