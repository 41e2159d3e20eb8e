"""The base every page stands on: French DSFR pages, health check, admin, no CDN."""

import re

import pytest
from django.db import DatabaseError

pytestmark = [pytest.mark.django_db]

CDN = re.compile(r"cdn\.|unpkg|jsdelivr|cdnjs|googleapis|bootstrapcdn", re.I)


@pytest.mark.smoke
def test_home_is_french_dsfr_and_lists_the_programmes(client, catalogue):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert "fr-header" in html and "fr-footer" in html and "fr-skiplinks" in html
    assert "dsfr.min.css" in html
    for programme in (catalogue.faad, catalogue.thousand_days):
        assert f'href="{programme.url}"' in html
    assert not CDN.search(html)


@pytest.mark.smoke
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}
    assert "refused" not in response.content.decode()


@pytest.mark.smoke
def test_admin_login_is_french(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Connexion" in response.content.decode() or "Se connecter" in response.content.decode()


@pytest.mark.smoke
def test_staff_reach_the_admin_dashboard(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert "Tableau de bord" in response.content.decode()


def test_production_settings_refuse_the_default_secret_key(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("SECRET_KEY", raising=False)
    sys.modules.pop("portal.settings.production", None)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("portal.settings.production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DEBUG", "1")
    sys.modules.pop("portal.settings.production", None)
    sys.modules.pop("portal.settings.base", None)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("portal.settings.production")
    sys.modules.pop("portal.settings.base", None)
    sys.modules.pop("portal.settings.production", None)


def test_french_search_configuration_exists_on_postgres(is_postgres):
    from django.db import connection

    if not is_postgres:
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('french_unaccent', 'Épiceries solidaires, dépistages')"
            " @@ plainto_tsquery('french_unaccent', 'epicerie solidaire depistage')"
        )
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT to_tsvector('french', 'Épiceries')"
                       " @@ plainto_tsquery('french', 'epicerie')")
        assert cursor.fetchone()[0] is False  # what the plain French configuration misses
