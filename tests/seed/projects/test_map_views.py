"""The project map, the explorer map page and its map document, on the real seed."""

import json
import re

import pytest

from maps.models import Scale, Territory
from projects.models import ProjectCoverage, ProjectPage
from tests.caches import clear_caches

pytestmark = pytest.mark.django_db

CDN = re.compile(r"cdn\.|jsdelivr|cloudflare|unpkg|code\.jquery|bootstrapcdn|fontawesome|"
                 r"googleapis|netdna", re.IGNORECASE)


@pytest.fixture(autouse=True)
def empty_cache():
    clear_caches()
    yield
    clear_caches()


def project(slug):
    return ProjectPage.objects.get(slug=slug)


def shared_collections(html):
    return [json.loads(m) for m in re.findall(r"var shared_features_\w+ = (\{.*?\});\n", html)]


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_project_map_shows_the_epci_and_the_four_venues(client):
    page = project("1000-jours-pour-savourer-la-vie")
    response = client.get(f"/cartes/projet/{page.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    outline, areas = shared_collections(html)
    assert [f["properties"]["t"] for f in areas["features"]] == [
        "CA de la Porte du Hainaut (EPCI)"]
    assert areas["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert outline["features"][0]["properties"]["t"] == "Nord (Département)"
    assert html.count("L.marker(") == 4
    for venue in ("Médiathèque", "Maison des 1000 Premiers Jours", "Maison des Projets",
                  "Espace Jean Ferrat"):
        assert venue in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert not CDN.search(html)
    assert "/static/maps/vendor/leaflet/leaflet.js" in html


def test_project_map_answers_304_while_the_data_is_unchanged(client):
    page = project("1000-jours-pour-savourer-la-vie")
    first = client.get(f"/cartes/projet/{page.pk}/")
    again = client.get(f"/cartes/projet/{page.pk}/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_project_abroad_gets_a_point_and_a_town_zoom(client):
    page = ProjectPage.objects.get(territory_links__territory__scale=Scale.FOREIGN)
    html = client.get(f"/cartes/projet/{page.pk}/").content.decode()
    jette = Territory.objects.get(scale=Scale.FOREIGN, code="be-jette")
    assert f"center: [{jette.centroid_lat}, {jette.centroid_lon}]" in html
    assert '"zoom": 11' in html
    (areas,) = shared_collections(html)
    assert areas["features"][0]["geometry"]["type"] == "Point"


def test_every_kind_of_project_gets_something_drawn(client):
    """One project per broadest scale (commune, custom area, EPCI, département, region,
    abroad): each map has its covered territories."""
    by_scale = {}
    for page in ProjectPage.objects.live().exclude(broadest_scale="").order_by("pk"):
        by_scale.setdefault(page.broadest_scale, page)
    assert {Scale.COMMUNE, Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION, Scale.FOREIGN} <= set(
        by_scale)
    for scale, page in by_scale.items():
        html = client.get(f"/cartes/projet/{page.pk}/").content.decode()
        areas = shared_collections(html)[-1]
        assert areas["features"], (scale, page.slug)
        assert ("fitBounds" in html) or ('"zoom": 11' in html), page.slug


def test_unknown_or_unpublished_project_map_is_404(client):
    assert client.get("/cartes/projet/999999/").status_code == 404
    page = project("1000-jours-pour-savourer-la-vie")
    page.unpublish()
    assert client.get(f"/cartes/projet/{page.pk}/").status_code == 404


def test_explorer_page_of_faad(client, django_assert_max_num_queries):
    faad = ProjectPage.objects.live().filter(programme__slug="faad")
    communes = ProjectCoverage.objects.filter(project__in=faad).values("commune").distinct()
    region = communes.filter(commune__ancestors__scale=Scale.REGION, commune__ancestors__code="32")
    # 26: the broad projects listed apart are one more query than before (issue 14 §6).
    with django_assert_max_num_queries(26):
        response = client.get("/cartes/projets/?programme=faad")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    regional = faad.filter(in_home_region=True).count()
    assert f"{regional} projets de la région couvrent {region.count()} de ses communes." in text
    assert 'src="/cartes/projets/carte/?programme=faad&amp;niveau=epci&amp;portee=locale"' \
        in html
    assert 'href="/projets/?programme=faad"' in html
    projects_table = html[html.index('id="explorer-projects"'):html.index('id="explorer-broad"')]
    broad_lists = html[html.index('id="explorer-broad"'):]
    for page in faad:
        if page.broadest_scale in ("departement", "region"):
            assert page.url in broad_lists and page.url not in projects_table
        else:
            assert page.url in projects_table
    assert project("1000-jours-pour-savourer-la-vie").url not in projects_table
    assert 'id="id_niveau"' in html  # the level is chosen in the filter form
    assert not CDN.search(html)


def test_explorer_table_counts_projects_per_epci(client):
    caph = Territory.objects.get(scale=Scale.EPCI, code="200042190")
    faad = ProjectPage.objects.live().filter(programme__slug="faad")
    # The local projects only: the region-wide FAAD projects are listed apart.
    expected = faad.filter(coverage__commune__ancestors=caph, broadest_scale__in=[
        "commune", "custom", "epci"]).distinct().count()
    assert expected > 0
    html = client.get("/cartes/projets/?programme=faad").content.decode()
    table = html[html.index('id="explorer-territories"'):html.index('id="explorer-projects"')]
    row = re.search(r"CA de la Porte du Hainaut</a></th><td>(\d+)</td>", table)
    assert int(row.group(1)) == expected


def test_explorer_map_draws_the_faad_projects(client):
    faad = list(ProjectPage.objects.live().filter(programme__slug="faad"))
    response = client.get("/cartes/projets/carte/?programme=faad")
    assert response.status_code == 200
    html = response.content.decode()
    epcis = shared_collections(html)[0]
    assert len(epcis["features"]) == 92
    assert "L.markerClusterGroup(" in html
    for page in faad:
        pinned = f'href="{page.url}" target="_top"' in html
        # A project covering only a département or the region is hatched, not pinned on
        # its centroid (a place where it is not); its places or local territories are.
        local = page.places.exists() or page.territory_links.exclude(
            territory__scale__in=("departement", "region")).exists()
        assert pinned == local, page.slug
    assert any(not page.places.exists() and page.broadest_scale == "region" for page in faad)
    assert "1 000 jours pour savourer la vie" not in html
    assert not CDN.search(html)
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_explorer_map_of_all_seed_projects_fits_its_budget(client):
    html = client.get("/cartes/projets/carte/").content
    assert len(html) <= 1_500_000


def test_explorer_map_fetches_its_polygons_from_a_versioned_cached_resource(client):
    """The document carries counts and names; the polygons of the level come from
    /cartes/geometrie/<level>.geojson, the same for every selection, gzipped, immutable
    under its versioned URL and revalidated by ETag otherwise."""
    html = client.get("/cartes/projets/carte/?niveau=commune").content.decode()
    url = json.loads('"' + re.search(r'fetch\("([^"]+)"', html).group(1) + '"')
    assert url.startswith("/cartes/geometrie/commune.geojson?v=")
    counted = shared_collections(html)[0]["features"]
    assert counted and all(f["geometry"] is None for f in counted)
    answer = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status_code == 200 and answer["Content-Encoding"] == "gzip"
    assert answer["Content-Type"] == "application/geo+json"
    assert "immutable" in answer["Cache-Control"] and "Accept-Encoding" in answer["Vary"]
    plain = client.get(url)
    polygons = {f["id"]: f["geometry"] for f in json.loads(plain.content)["features"]}
    assert len(polygons) == Territory.objects.filter(
        scale=Scale.COMMUNE, ancestors__scale=Scale.REGION, ancestors__code="32").count()
    assert {f["id"] for f in counted} <= set(polygons)  # every count finds its polygon
    assert polygons["59172"]["type"] in {"Polygon", "MultiPolygon"}
    assert client.get(url, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304
    unversioned = client.get("/cartes/geometrie/epci.geojson")
    assert unversioned.status_code == 200 and "no-cache" in unversioned["Cache-Control"]
    assert len(json.loads(unversioned.content)["features"]) == 92
    assert client.get("/cartes/geometrie/region.geojson").status_code == 404


def test_explorer_levels(client):
    html = client.get("/cartes/projets/carte/?programme=faad&niveau=departement").content.decode()
    departements = shared_collections(html)[0]
    names = {f["properties"]["t"].split(":")[0].strip() for f in departements["features"]}
    assert {"Aisne", "Nord", "Oise", "Pas-de-Calais", "Somme"} <= names
    page = client.get("/cartes/projets/?programme=faad&niveau=commune").content.decode()
    assert "Nombre de projets sélectionnés par Commune" in text_of(page)
    assert "Amiens" in page


def test_explorer_shares_the_listing_filters(client):
    """A territory filter selects the same projects as /projets/."""
    html = client.get("/cartes/projets/?territoire=59491").content.decode()
    listing = client.get("/projets/?territoire=59491&par_page=100").content.decode()
    table = html[html.index('id="explorer-projects"'):]
    urls = set(re.findall(r'<th scope="row"><a href="([^"]+)"', table))
    assert urls
    assert all(url in listing for url in urls)
    assert project("1000-jours-pour-savourer-la-vie").url in urls


def test_explorer_table_is_bounded_and_links_to_the_listing(client):
    """The whole catalogue selected: the table lists PROJECTS_SHOWN projects and says how
    many more the listing has (the page no longer grows with the catalogue)."""
    from portal.map_data import PROJECTS_SHOWN

    total = ProjectPage.objects.live().count()
    # The table lists every project but the region's département- or region-wide ones.
    local = ProjectPage.objects.live().exclude(broadest_scale__in=["departement", "region"],
                                               in_home_region=True)
    assert local.count() > PROJECTS_SHOWN
    # every project (the region alone is under PROJECTS_SHOWN): perimetre=tous
    html = client.get("/cartes/projets/?perimetre=tous").content.decode()
    table = html[html.index('id="explorer-projects"'):]
    table = table[:table.index("</table>")]
    assert table.count('<th scope="row">') == PROJECTS_SHOWN
    assert f"{local.count() - PROJECTS_SHOWN} autres projets ne sont pas listés ici." \
        in text_of(html)
    regional = ProjectPage.objects.live().filter(in_home_region=True).count()
    assert f"{regional} projets de la région couvrent" in text_of(html)
    assert f"{total - regional} exemples ailleurs en France sont listés ci-dessous mais ne " \
        "sont pas dessinés sur cette carte de la région." in text_of(html)
