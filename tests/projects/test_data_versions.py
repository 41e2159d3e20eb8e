"""Data versions per programme (`maps.models.DataVersion`, `projects.versions`): a change to
one programme's projects invalidates what shows that programme or the whole catalogue, and
leaves the other programmes' cached pages and maps valid (issue 16, « publish cost
bounded »)."""

import pytest

from maps.models import CATALOGUE, TERRITORIES, DataVersion, programme_scope
from maps.services.render import cache_key
from portal.page_cache import HEADER
from tests.indicators.factories import IndicatorValueFactory

pytestmark = pytest.mark.django_db

FAAD, DAYS = programme_scope("faad"), programme_scope("1000-premiers-jours")


def versions():
    names = (CATALOGUE, FAAD, DAYS, TERRITORIES)
    found = dict(DataVersion.objects.filter(name__in=names).values_list("name", "version"))
    return {name: found.get(name, 0) for name in names}


def publish(page):
    page.title += " (modifié)"
    page.save_revision().publish()


@pytest.mark.smoke
def test_a_scope_moves_with_the_catalogue_and_alone(catalogue):
    before = versions()
    DataVersion.bump(FAAD)
    after = versions()
    assert after[FAAD] == before[FAAD] + 1 and after[CATALOGUE] == before[CATALOGUE] + 1
    assert after[DAYS] == before[DAYS] and after[TERRITORIES] == before[TERRITORIES]
    DataVersion.bump_all()
    assert all(value == after[name] + 1 for name, value in versions().items())


@pytest.mark.smoke
def test_a_slug_without_a_version_keys_on_the_catalogue(catalogue):
    catalogue_token = DataVersion.scoped()
    assert catalogue_token.startswith("catalogue=")
    assert DataVersion.scoped("not-a-programme") == catalogue_token
    assert DataVersion.scoped("faad").startswith("programme:faad=")
    # One programme chosen: its version; two, or an unknown value the filters may ignore:
    # the catalogue's.
    assert DataVersion.for_params({"programme": ["faad"]}) == DataVersion.scoped("faad")
    assert DataVersion.for_params({"programme": ["faad", "1000-premiers-jours"]}) \
        == catalogue_token
    assert DataVersion.for_params({"programme": ["zzz"]}) == catalogue_token


@pytest.mark.smoke
def test_publishing_a_project_moves_its_programme_only(catalogue):
    faad_map = cache_key("explorer", {"programme": ["faad"]})
    days_map = cache_key("explorer", {"programme": ["1000-premiers-jours"]})
    all_map = cache_key("explorer", {})
    before = versions()
    publish(catalogue["amiens-only"])  # a FAAD project
    after = versions()
    assert after[FAAD] > before[FAAD] and after[CATALOGUE] > before[CATALOGUE]
    assert after[DAYS] == before[DAYS] and after[TERRITORIES] == before[TERRITORIES]
    assert cache_key("explorer", {"programme": ["faad"]}) != faad_map
    assert cache_key("explorer", {}) != all_map
    assert cache_key("explorer", {"programme": ["1000-premiers-jours"]}) == days_map


def test_publishing_another_page_moves_every_version(catalogue):
    before = versions()
    publish(catalogue.faad)  # a programme page: its title is in every menu
    assert all(value > before[name] for name, value in versions().items())


def test_moving_a_project_moves_both_programmes(catalogue):
    before = versions()
    catalogue["amiens-only"].move(catalogue.thousand_days, pos="last-child")
    after = versions()
    assert after[FAAD] > before[FAAD] and after[DAYS] > before[DAYS]
    assert after[TERRITORIES] == before[TERRITORIES]


def test_a_saved_figure_moves_its_programme(catalogue, django_capture_on_commit_callbacks):
    before = versions()
    with django_capture_on_commit_callbacks(execute=True):
        IndicatorValueFactory(project=catalogue["raismes-local"])
    after = versions()
    assert after[DAYS] > before[DAYS] and after[FAAD] == before[FAAD]


def test_another_programmes_cached_pages_stay_cached_and_right(catalogue, client, settings):
    """After a FAAD publish, the 1000 premiers jours programme and monitoring pages are
    still served from the cache, and are what a fresh rendering gives byte for byte; FAAD's
    and the whole listing are recomputed."""
    settings.PAGE_CACHE_ENABLED = True
    days, faad = catalogue.thousand_days.url, catalogue.faad.url
    paths = [days, f"/suivi/{catalogue.thousand_days.slug}/", faad, "/projets/"]
    for path in paths:
        assert client.get(path)[HEADER] == "miss"
    publish(catalogue["amiens-only"])
    served = {path: client.get(path) for path in paths}
    assert served[days][HEADER] == served[paths[1]][HEADER] == "hit"
    assert served[faad][HEADER] == served["/projets/"][HEADER] == "miss"
    assert "Amiens only (modifié)" in served[faad].content.decode()
    settings.PAGE_CACHE_ENABLED = False
    for path in paths[:2]:
        assert client.get(path).content == served[path].content


def test_cards_come_from_the_fragment_cache_until_a_publish(client, catalogue):
    """The cards of the listing are rendered once per process under the catalogue's version
    and today's date (portal/templates/projects/includes/project_results.html): the second
    listing shows the cached card, a publish shows the new text at once."""
    from django.core.cache import caches

    page = catalogue["raismes-local"]
    first = client.get("/projets/", {"territoire": "59491"}).content.decode()
    assert page.summary in first
    keys = set(caches["fragments"]._cache)
    client.get("/projets/", {"territoire": "59491", "par_page": "50"})
    assert set(caches["fragments"]._cache) == keys  # every card (and header, footer) reused
    page.summary = "Un tout autre résumé de la carte."
    page.save_revision().publish()
    after = client.get("/projets/", {"territoire": "59491"}).content.decode()
    assert "Un tout autre résumé de la carte." in after and page.title in after


def test_cached_cards_are_not_read_again(client, catalogue):
    """A page of results whose cards are all in the fragment cache runs no card statement
    (`portal.listing.PageCards`) and shows the same page as the first visitor's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.caches import forget_cards

    client.get("/projets/", {"territoire": "59491"})  # the route, the reading, the choices
    forget_cards()
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/projets/", {"territoire": "59491"}).content
    with CaptureQueriesContext(connection) as warm:
        again = client.get("/projets/", {"territoire": "59491"}).content
    card_statements = [q["sql"] for q in cold.captured_queries
                       if q not in warm.captured_queries]
    assert again == first
    assert len(warm) == len(cold) - 2
    assert any("projects_projectcontact" in sql for sql in card_statements)


@pytest.mark.parametrize("where", ["listing", "programme"])
def test_a_page_made_private_is_no_longer_served_from_a_cache(catalogue, client, settings,
                                                              where):
    """A password set on a page served from the whole-page cache (a programme page) or from
    the cached route with its view restrictions (/projets/) asks for the password at the
    next visit; removing it shows the page again (every data version moves with a
    restriction, `projects.signals.on_restriction_change`)."""
    from wagtail.models import Page, PageViewRestriction

    settings.PAGE_CACHE_ENABLED = True
    path = "/projets/" if where == "listing" else catalogue.faad.url
    page = Page.objects.get(url_path__endswith="/projets/") if where == "listing" \
        else catalogue.faad
    assert client.get(path).status_code == 200
    assert client.get(path)[HEADER] == "hit"
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret")
    asked = client.get(path)
    assert 'name="password"' in asked.content.decode()
    assert asked.get(HEADER) != "hit"
    restriction.delete()
    shown = client.get(path)
    assert shown.status_code == 200 and 'name="password"' not in shown.content.decode()
