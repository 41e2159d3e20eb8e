"""Whole-page cache of anonymous GETs (portal.page_cache): a second identical visit is
served from the cache with an ETag and the right Cache-Control / Vary; a publish (data
version bump) invalidates it; logged-in agents, pages with a CSRF token and other paths are
never cached."""

import pytest
from django.test import override_settings

from maps.models import DataVersion
from portal.page_cache import HEADER
from tests.caches import clear_caches

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_cache_on():
    clear_caches()
    with override_settings(PAGE_CACHE_ENABLED=True):
        yield
    clear_caches()


def test_second_anonymous_visit_is_a_hit_with_etag_and_vary(client,
                                                             django_assert_max_num_queries):
    first = client.get("/projets/?statut=en-cours&programme=faad")
    assert first.status_code == 200 and first[HEADER] == "miss"
    # the same filters in another order are the same page
    with django_assert_max_num_queries(1):  # the data versions
        second = client.get("/projets/?programme=faad&statut=en-cours")
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"] and "max-age=" in second["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in second["Vary"].split(",")}
    again = client.get("/projets/?programme=faad&statut=en-cours",
                       HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # Browsers and proxies send weak or listed validators: Django's conditional rules apply.
    listed = client.get("/projets/?programme=faad&statut=en-cours",
                        HTTP_IF_NONE_MATCH=f'"other", W/{first["ETag"]}')
    assert listed.status_code == 304
    stale = client.get("/projets/?programme=faad&statut=en-cours", HTTP_IF_NONE_MATCH='"other"')
    assert stale.status_code == 200 and stale.content


def test_a_publish_invalidates_the_cached_pages(client):
    assert client.get("/territoires/commune-59491/")[HEADER] == "miss"
    assert client.get("/territoires/commune-59491/")[HEADER] == "hit"
    DataVersion.bump()
    assert client.get("/territoires/commune-59491/")[HEADER] == "miss"


@pytest.mark.parametrize("path", ["/faad/", "/cartes/projets/?programme=faad", "/suivi/"])
def test_programme_explorer_and_monitoring_pages_are_cached(client, path):
    assert client.get(path).status_code == 200
    assert client.get(path)[HEADER] == "hit"


def test_logged_in_agents_are_never_served_a_cached_page(staff_client):
    staff_client.get("/projets/")
    response = staff_client.get("/projets/")
    assert response.status_code == 200
    assert HEADER not in response


def test_a_page_with_a_csrf_token_or_a_message_is_not_stored(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from portal.page_cache import PageCacheMiddleware

    def with_token(request):
        get_token(request)
        return HttpResponse("<form>…</form>", content_type="text/html")

    def with_message(request):
        request._messages.add(20, "Enregistré")
        return HttpResponse("<p>…</p>", content_type="text/html")

    for view in (with_token, with_message):
        middleware = PageCacheMiddleware(view)
        for _ in range(2):
            request = rf.get("/projets/")
            request.user = AnonymousUser()
            request.session = {}
            request._messages = FallbackStorage(request)
            assert HEADER not in middleware(request), view.__name__


def test_other_paths_are_not_cached(client):
    client.get("/admin/login/")
    assert HEADER not in client.get("/admin/login/")
    client.get("/api/projets/")
    assert HEADER not in client.get("/api/projets/")
    client.get("/projets/export.csv")
    assert HEADER not in client.get("/projets/export.csv")


def test_map_documents_keep_their_framing_policy_on_every_request(client):
    """A map document is framed by our pages: a whole-page cache hit would replay it without
    its policy (X-Frame-Options SAMEORIGIN, frame-ancestors 'self'), and browsers would
    refuse to show the map. The map service caches these documents itself."""
    for _ in range(3):
        response = client.get("/suivi/carte/")
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert HEADER not in response
