"""Exports of the filtered listing on the sample catalogue: CSV for French Excel, XLSX,
GeoJSON, every structured field, constant query count."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.exports import COLUMNS
from portal.records import PageUrls

pytestmark = pytest.mark.django_db


def column(key):
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


def csv_rows(client, query=""):
    response = client.get(f"/projets/export.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [str(c.label) for c in COLUMNS]
    return rows[1:]


@pytest.mark.smoke
def test_csv_of_everything_and_of_a_programme(client, catalogue):
    # the listing's default perimeter (the region: not Jette); perimetre=tous for all
    assert len(csv_rows(client)) == len(catalogue.projects) - 1
    assert len(csv_rows(client, "perimetre=tous")) == len(catalogue.projects)
    faad = csv_rows(client, "programme=faad")
    assert {row[column("programme_slug")] for row in faad} == {"faad"}
    assert len(faad) == 4


def test_csv_row_has_the_structured_fields(client, catalogue):
    row = next(r for r in csv_rows(client, "territoire=59491")
               if r[column("url")].endswith("/caph-epci/"))
    assert row[column("territories_codes")] == "epci-200042190"
    # Official codes apart, raw, with their scale: what another tool joins on.
    assert row[column("territories_official_codes")] == "200042190"
    assert row[column("territories_scales")] == "epci"
    assert row[column("covered_communes")] == "3"
    assert row[column("carriers")] == "Association de test"
    assert set(row[column("publics_codes")].split(" | ")) == {"femmes-enceintes", "parents"}


def test_xlsx_and_geojson_parse_back(client, catalogue):
    response = client.get("/projets/export.xlsx?programme=faad")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True)
                .worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == 4 and all(isinstance(r[column("id")], int) for r in rows[1:])
    features = json.loads(client.get("/projets/export.geojson?perimetre=tous").content)[
        "features"]
    assert len(features) == len(catalogue.projects)
    jette = next(f for f in features if f["id"] == catalogue["jette-abroad"].pk)
    assert jette["geometry"]["coordinates"] == [4.33, 50.88]


def test_export_query_count_is_constant(client, catalogue, django_assert_max_num_queries):
    # One statement per table the rows gather (projects, roles, axes, themes, publics,
    # territories, places, contacts, figures, coverage) plus the filter's choice lists and
    # the data version: a fixed number, whatever the size of the catalogue.
    with django_assert_max_num_queries(22):
        client.get("/projets/export.csv")


def test_page_urls_are_what_reverse_gives(rf, catalogue):
    """Addresses are built from each site root's address reversed once: for plain slugs and
    for slugs `reverse()` has to quote (Unicode), the same as reversing every page."""
    request = rf.get("/")
    urls = PageUrls(request)
    root = urls.roots[0].root_path
    for rest in ("projets/", "faad/un-projet_2/", "faad/été-2024/", "ça/"):
        expected = request.build_absolute_uri(reverse("wagtail_serve", args=(rest,)))
        assert urls(root + rest) == expected
    assert urls(root) == request.build_absolute_uri(reverse("wagtail_serve", args=("",)))
