"""Maps that answer "around here", on the real seed: the explorer and monitoring maps frame
Hauts-de-France, a territory filter frames and outlines that territory, region-wide
projects do not paint every EPCI, and the programme, territory and home pages embed their
map (issue 14 §6)."""

import re

import pytest

from maps.models import Scale, Territory
from tests.maps.map_html import fitted_bounds, km_between, shared_collections
from tests.seed.maps.test_render import empty_cache  # noqa: F401 - the same fresh cache

pytestmark = pytest.mark.django_db


def region_bounds():
    west, south, east, north = Territory.objects.get(scale=Scale.REGION, code="32").bbox
    return [[south, west], [north, east]]


@pytest.mark.parametrize("value", ["59172", "Denain", "commune-59172"])
def test_a_territory_filter_frames_and_outlines_it(client, value):
    denain = Territory.objects.get(scale=Scale.COMMUNE, code="59172")
    html = client.get(f"/cartes/projets/carte/?territoire={value}").content.decode()
    (south, west), (north, east) = fitted_bounds(html)
    for lat, lon in ((south, west), (north, east), (south, east), (north, west)):
        assert km_between(lat, lon, denain.centroid_lat, denain.centroid_lon) < 50
    outlined = shared_collections(html)[-1]  # drawn last, on top
    assert [f["properties"]["t"] for f in outlined["features"]] == ["Denain"]


@pytest.mark.parametrize("url", ["/cartes/projets/carte/", "/cartes/projets/carte/?programme="
                                 "1000-premiers-jours", "/suivi/carte/"])
def test_maps_of_the_region_frame_the_region_not_the_world(client, url):
    """91 of the 98 « 1000 premiers jours » projects are examples elsewhere in France: they
    neither widen the frame nor add polygons outside the region."""
    html = client.get(url).content.decode()
    assert fitted_bounds(html) == region_bounds()
    (south, west), (north, east) = region_bounds()
    for feature in shared_collections(html)[0]["features"]:
        name = feature["properties"]["t"]
        assert "Bouches-du-Rhône" not in name and "Guyane" not in name and "Réunion" not in name


def test_region_wide_projects_do_not_paint_every_epci(client):
    """With the broad projects counted, every EPCI of the region has at least one project;
    by default (local projects) most of them show none, and the region and départements
    covered whole are hatched in a layer of their own."""
    default = client.get("/cartes/projets/carte/").content.decode()
    everything = client.get("/cartes/projets/carte/?portee=toutes").content.decode()
    painted = [sum(1 for f in shared_collections(html)[0]["features"] if f["properties"]["k"])
               for html in (default, everything)]
    epcis = len(shared_collections(default)[0]["features"])
    assert epcis == 92
    assert painted[1] == epcis  # the six region-wide projects reach every EPCI
    assert painted[0] < epcis / 2
    hatched = shared_collections(default)[1]["features"]
    assert {f["properties"]["k"] for f in hatched} == {0, 1}  # départements, region
    assert "url(#portal-hatch)" in default


def test_region_wide_projects_are_listed_apart_and_not_pinned(client):
    page = client.get("/cartes/projets/?territoire=59172").content.decode()
    broad = page[page.index('id="explorer-broad"'):]
    assert re.search(r"\d+ projets couvrent toute la région", broad)
    assert re.search(r"\d+ projets? couvre(nt)? tout un département", broad)
    region = Territory.objects.get(scale=Scale.REGION, code="32")
    html = client.get("/cartes/projets/carte/").content.decode()
    pinned = re.findall(r"L\.marker\(\s*\[([\d.\-]+), ([\d.\-]+)\]", html)
    assert pinned
    assert (f"{region.centroid_lat}", f"{region.centroid_lon}") not in pinned


def test_summary_counts_the_region_only(client):
    from projects.models import ProjectCoverage, ProjectPage

    communes = ProjectCoverage.objects.filter(
        commune__ancestors__scale=Scale.REGION, commune__ancestors__code="32"
    ).values("commune").distinct().count()
    region_communes = Territory.objects.filter(
        scale=Scale.COMMUNE, ancestors__scale=Scale.REGION, ancestors__code="32").count()
    assert communes <= region_communes < 12123
    page = client.get("/cartes/projets/").content.decode()
    regional = ProjectPage.objects.live().filter(in_home_region=True).count()
    assert regional < ProjectPage.objects.live().count()  # 91 examples elsewhere left out
    assert f"{regional} projets de la région couvrent {communes} de ses communes." in page
    everything = client.get("/cartes/projets/?perimetre=tous").content.decode()
    assert f"{regional} projets de la région couvrent {communes} de ses communes." \
        in everything


def test_examples_elsewhere_are_never_pinned_on_the_map_of_the_region(client):
    """Even when the listing filters ask for them (perimetre=tous, ailleurs)."""
    from projects.models import ProjectPage

    examples = ProjectPage.objects.live().filter(in_home_region=False)
    assert examples.count() == 91
    for query in ("perimetre=tous", "perimetre=ailleurs", "programme=1000-premiers-jours"
                  "&perimetre=tous"):
        html = client.get(f"/cartes/projets/carte/?{query}").content.decode()
        for page in examples:
            assert f'href="{page.url}"' not in html, (query, page.slug)
    # Nor counted in the table of the map (its equivalent): the region's EPCIs only.
    page = client.get("/cartes/projets/?perimetre=tous").content.decode()
    table = page[page.index('id="explorer-territories"'):page.index('id="explorer-projects"')]
    assert "Marseille" not in table and "CA de la Porte du Hainaut" in table


@pytest.mark.parametrize(("url", "query"), [
    ("/", ""),
    ("/faad/", "programme=faad"),
    ("/territoires/commune-59172/", "territoire=commune-59172"),
])
def test_pages_embed_their_map_lazily_with_its_table_one_link_away(client, url, query):
    html = client.get(url).content.decode()
    iframe = re.search(r'<iframe class="portal-map-frame[^"]*" id="[\w-]+-map" [^>]*>', html)
    src = "/cartes/projets/carte/?" + (f"{query}&" if query else "") + "niveau=epci&portee=locale"
    assert iframe and f'src="{src.replace("&", "&amp;")}"' in iframe.group(0)
    assert 'loading="lazy"' in iframe.group(0) and 'title="' in iframe.group(0)
    assert f'href="/cartes/projets/{"?" + query if query else ""}"' in html  # its tables
    document = client.get(src)
    # Small documents: the region's polygons are simplified under a pixel at its zoom.
    budget = 650_000 if "territoire" in query else 450_000
    assert document.status_code == 200 and len(document.content) < budget
    again = client.get(src, HTTP_IF_NONE_MATCH=document["ETag"])
    assert again.status_code == 304  # cached under the data version
