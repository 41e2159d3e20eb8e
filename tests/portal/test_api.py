"""The read-only JSON API on the sample catalogue: the listing's filters and pagination."""

import pytest

pytestmark = pytest.mark.django_db



def test_projects_filtered_and_paginated_like_the_listing(client, catalogue):
    data = client.get("/api/projets/?territoire=59491&par_page=3").json()
    assert data["count"] == 4 and data["pages"] == 2
    assert [r["slug"] for r in data["results"]] == ["raismes-local", "caph-epci", "nord-wide"]
    assert data["next"] and data["previous"] is None
    assert data["territory"]["key"] == "commune-59491"
    caph = data["results"][1]
    assert caph["territories"][0]["code"] == "200042190"
    assert caph["covered_communes"] == 3
    assert caph["level"] == 2 and caph["broad"] is False
    second = client.get(data["next"]).json()
    assert [r["slug"] for r in second["results"]] == ["region-wide"]
    assert second["results"][0]["broad"] is True


def test_one_project_and_one_territory(client, catalogue):
    project = catalogue["caph-epci"]
    data = client.get(f"/api/projets/{project.pk}/").json()
    assert data["slug"] == "caph-epci" and data["programme"]["slug"] == "1000-premiers-jours"
    assert client.get("/api/projets/999999/").status_code == 404
    territory = client.get("/api/territoires/epci-200042190/").json()
    assert territory["projects_count"] == 5  # raismes, caph, denaisis, nord, region
    assert {a["code"] for a in territory["ancestors"]} == {"59", "32"}
    assert client.get("/api/territoires/zzz/").status_code == 404
