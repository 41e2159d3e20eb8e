"""The open data pages people and programs reach: /donnees/ and its files, the data·inclusion
export and its staff report, the Atom feed, the sitemap, the GeoJSON precision flags and
the provenance shown on project pages."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest

from projects.models import ProgrammePage, ProjectPage

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_opendata_page_lists_datasets_licence_producer_and_date(client):
    response = client.get("/donnees/")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "Licence Ouverte" in html and "DREETS Hauts-de-France" in html
    assert "datapackage.json" in html and "services.json" in html
    assert "<time datetime=" in html
    for name in ("projets", "projets-territoires", "organisations", "chiffres-cles",
                 "valeurs-indicateurs"):
        assert f"/donnees/{name}.csv" in html and f"/donnees/schemas/{name}.json" in html


def test_served_files(client):
    package = client.get("/donnees/datapackage.json").json()
    assert package["licenses"][0]["name"] == "etalab-2.0"
    paths = [r["path"] for r in package["resources"]]
    assert "http://testserver/donnees/projets.csv" in paths
    csv = client.get("/donnees/chiffres-cles.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0].startswith("id,project_id,indicator,")
    schema = client.get("/donnees/schemas/organisations.json").json()
    assert next(f for f in schema["fields"] if f["name"] == "siren")["type"] == "string"
    assert client.get("/donnees/nope.csv").status_code == 404
    assert client.post("/donnees/datapackage.json").status_code == 405


def test_data_inclusion_files_and_staff_report(client, staff_client):
    services = client.get("/donnees/data-inclusion/services.json").json()
    assert any(s["code_insee"] == "60612" for s in services)
    assert all(s["source"] == "portail-projets-hdf" for s in services)
    structures = client.get("/donnees/data-inclusion/structures.json").json()
    assert {s["id"] for s in structures} >= {s["structure_id"] for s in services}
    report = staff_client.get("/admin/data-inclusion/")
    assert report.status_code == 200
    text = report.content.decode()
    assert "Itiner" in text and "commune" in text


def test_atom_feed_per_programme(client):
    faad = client.get("/projets/flux.atom?programme=faad")
    assert faad.status_code == 200 and "atom" in faad["Content-Type"]
    entries = ET.fromstring(faad.content).findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 28
    titles = {e.find(f"{ATOM}title").text for e in entries}
    assert "Nutri-chèques" in titles
    programme = ProgrammePage.objects.get(slug="faad")
    assert all(e.find(f"{ATOM}link").get("href").startswith(f"http://testserver{programme.url}")
               for e in entries)
    everything = ET.fromstring(client.get("/projets/flux.atom").content)
    assert len(everything.findall(f"{ATOM}entry")) == 50
    assert client.get("/projets/flux.atom?programme=nope").status_code == 404


def test_sitemap_has_pages_listing_territories_and_monitoring(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    # Wagtail's pages use the Site's own address, the other sections the request's host.
    paths = {urlparse(el.text).path for el in ET.fromstring(response.content).iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    page = ProjectPage.objects.live().get(slug="faad-nutri-cheques-aptahr")
    assert page.url in paths
    assert {"/projets/", "/suivi/", "/suivi/faad/", "/territoires/", "/donnees/",
            "/territoires/epci-200042190/", "/cartes/couverture/", "/api/docs/"} <= paths


def test_geojson_says_how_each_point_was_obtained(client):
    data = json.loads(client.get("/projets/export.geojson").content)
    precisions = {f["properties"]["location_precision"] for f in data["features"]}
    assert precisions <= {"venue", "commune-centroid", "territory-centroid", "none"}
    assert "territory-centroid" in precisions
    for feature in data["features"]:
        if feature["geometry"] is None:
            assert feature["properties"]["location_precision"] == "none"
            assert feature["properties"]["location_note"]


def test_project_page_shows_provenance_discreetly(client):
    faad = ProjectPage.objects.live().filter(programme__slug="faad", axes__isnull=False).first()
    html = client.get(faad.url).content.decode()
    assert "axe déduit" in html
    example = ProjectPage.objects.live().filter(title_provenance="inferred").first()
    assert "Titre rédigé par les rédacteurs" in client.get(example.url).content.decode()
    grandvilliers = ProjectPage.objects.live().get(slug="faad-bien-manger-rural-grandvilliers")
    assert "territoire déduit" in client.get(grandvilliers.url).content.decode()
