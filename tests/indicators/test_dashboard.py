"""Monitoring dashboards on the sample catalogue."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_overview_lists_every_programme_with_its_dashboard(client, catalogue):
    response = client.get("/suivi/")
    html = response.content.decode()
    assert response.status_code == 200
    for programme in (catalogue.faad, catalogue.thousand_days):
        assert f'href="/suivi/{programme.slug}/"' in html
    assert 'role="img"' in html and "<caption>" in html
    assert "cdn" not in html.lower()
    assert client.get("/suivi/nope/").status_code == 404
