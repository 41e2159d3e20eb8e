"""Exports of the filtered listing: they parse back, with the right rows and every
structured field, in a constant number of queries."""

import csv
import datetime
import hashlib
import io
import json

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from portal.exports import COLUMNS, _csv_cell
from portal.listing import listing_queryset
from projects.filters import ProjectFilter
from projects.models import ProjectPage

pytestmark = pytest.mark.django_db

CAPH_PROJECT = "1000-jours-pour-savourer-la-vie"


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


def test_csv_of_everything_and_of_a_programme(client):
    # the same default perimeter as the listing: the region; perimetre=tous for everything
    assert len(csv_rows(client)) == ProjectPage.objects.live().filter(in_home_region=True).count()
    assert len(csv_rows(client, "perimetre=tous")) == ProjectPage.objects.live().count()
    faad = csv_rows(client, "programme=faad")
    assert len(faad) == ProjectPage.objects.live().filter(programme__slug="faad").count()
    assert {row[column("programme_slug")] for row in faad} == {"faad"}


def test_csv_row_has_every_structured_field(client):
    rows = csv_rows(client, "territoire=59491")
    row = next(r for r in rows if r[column("url")].endswith(f"/{CAPH_PROJECT}/"))
    assert row[column("territories_codes")] == "epci-200042190"
    assert row[column("territories")] == "CA de la Porte du Hainaut"
    assert row[column("covered_communes")] == "47"
    assert row[column("start_date")] == "2026-03-17"
    assert row[column("end_date")] == "2026-12-31"
    assert "femmes-enceintes" in row[column("publics_codes")].split(" | ")
    assert set(row[column("axes_codes")].split(" | ")) == {"priorite-2", "priorite-5"}
    assert "Communauté d’Agglomération de La Porte du Hainaut" in row[column("carriers")]
    assert "200042190" in row[column("carriers_siren")]
    funders = ProjectPage.objects.get(slug=CAPH_PROJECT).funders
    assert len(funders) == 3
    assert all(role.organisation.name in row[column("funders")] for role in funders)
    assert "ajendrzezak@agglo-porteduhainaut.fr" in row[column("contacts")]
    assert row[column("key_figures")]  # figures as text
    assert row[column("programme_slug")] == "1000-premiers-jours"


def test_xlsx_parses_back_with_typed_cells(client):
    response = client.get("/projets/export.xlsx?programme=faad")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c.label) for c in COLUMNS]
    assert len(rows) - 1 == ProjectPage.objects.live().filter(programme__slug="faad").count()
    ids = {row[column("id")] for row in rows[1:]}
    assert all(isinstance(i, int) for i in ids)
    counts = [row[column("covered_communes")] for row in rows[1:]]
    assert all(isinstance(n, int) for n in counts)
    filters = workbook.worksheets[1]
    assert any("programme=faad" in str(cell) for row in filters.iter_rows(values_only=True)
               for cell in row)


def test_geojson_has_a_point_per_project(client):
    response = client.get("/projets/export.geojson?territoire=200042190")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    expected = ProjectFilter(QueryDict("territoire=200042190"), queryset=listing_queryset()).qs
    assert len(data["features"]) == expected.count()
    caph = next(f for f in data["features"] if f["properties"]["url"].endswith(f"/{CAPH_PROJECT}/"))
    lon, lat = caph["geometry"]["coordinates"]
    assert 3.2 < lon < 3.7 and 50.2 < lat < 50.5  # around Raismes and Wallers
    assert caph["properties"]["point_source"] == "place"
    assert caph["properties"]["territories"] == ["epci-200042190"]
    assert caph["properties"]["covered_communes"] == 47


def test_export_query_count_is_constant(client, django_assert_max_num_queries):
    for url in ("/projets/export.csv", "/projets/export.xlsx", "/projets/export.geojson"):
        client.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as few:
            client.get(f"{url}?territoire=commune-59491")
        with CaptureQueriesContext(connection) as many:
            client.get(f"{url}?territoire=region-32")
        assert len(few) == len(many), url
        with django_assert_max_num_queries(16):
            client.get(url)


@pytest.mark.parametrize("params", ["annee=abc", "territoire=zzz", "public=unknown", "page=abc",
                                    "q=" + "x" * 1000, "tri=x", "axe=nope"])
def test_exports_survive_malformed_parameters(client, params):
    for ext in ("csv", "xlsx", "geojson"):
        assert client.get(f"/projets/export.{ext}?{params}").status_code == 200


def test_exports_only_show_published_contacts(client):
    page = ProjectPage.objects.get(slug=CAPH_PROJECT)
    page.contacts.update(publish=False)
    row = next(r for r in csv_rows(client, "territoire=59491")
               if r[column("url")].endswith(f"/{CAPH_PROJECT}/"))
    assert row[column("contacts")] == ""


def test_formula_cells_are_neutralised():
    assert _csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _csv_cell("@cmd") == "'@cmd"
    assert _csv_cell("Épicerie") == "Épicerie"


# -- the exports say exactly what they said before their speed-up --------------------------

#: The day the statuses are computed for (they depend on it: « à venir », « en cours »...).
EXPORTED_ON = datetime.date(2026, 6, 1)

#: sha256 of each export of the real seed on EXPORTED_ON, page ids replaced by slugs (ids
#: depend on how the test database was built, not on the export), taken from the exports
#: as they were before records() read its relations with one array parameter, reversed
#: page addresses once per root and translated statuses once per export (commit ec56257).
#: A project's axes in their programme's order, then in the order they were created (the seed
#: leaves `sort_order` empty: without that second key the order was the database's).
#: A change of the seed or of the columns changes them on purpose: the failure message
#: prints the new values.
EXPORT_DIGESTS = {
    ("csv", "perimetre=tous"):
        "3a3c1a50bada95a9ee7d93a3803a5792b40084c7e5bf66eb197a9663e9c00d78",
    ("csv", "territoire=59491"):
        "fcda166941fb9f4c98e2c0c2edcfce71e5f99f7519aebb19fb00fab7cbcc416d",
    ("csv", "programme=faad&statut=en-cours"):
        "3c9e1825a49f37eb7a239754bd44c0c07b359121ed7596d9cc42bf447214d450",
    ("xlsx", "perimetre=tous"):
        "f76755d1ffa6fca6f865019358caeb2c946fe37057d03010e65d9e9c6ec8ddcd",
    ("geojson", "perimetre=tous"):
        "3be1101b3c877df02376481ae48b503f86b6f9627665b9f5059be90230158195",
}


def _export_digest(client, kind: str, query: str) -> str:
    slugs = {str(pk): slug for pk, slug in ProjectPage.objects.values_list("pk", "slug")}
    content = client.get(f"/projets/export.{kind}?{query}").content
    if kind == "csv":
        assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        data = [rows[0], *([slugs[r[0]], *r[1:]] for r in rows[1:])]
    elif kind == "xlsx":
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        data = [rows[0], *([slugs[r[0]], *r[1:]] for r in rows[1:])]
    else:
        data = json.loads(content)
        for feature in data["features"]:
            feature["id"] = feature["properties"]["id"] = slugs[str(feature["id"])]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def test_exports_are_unchanged(client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: EXPORTED_ON)
    found = {key: _export_digest(client, *key) for key in EXPORT_DIGESTS}
    assert found == EXPORT_DIGESTS, "new digests:\n" + "\n".join(
        f"    {key!r}: {digest!r}," for key, digest in found.items())
