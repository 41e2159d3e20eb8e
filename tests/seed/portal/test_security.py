"""Security headers, bad input answered 400, French error pages, a cache that may fail."""

import json
import logging
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.test import override_settings

from portal.settings.base import BASE_DIR

pytestmark = [pytest.mark.django_db]


def _csp(response) -> dict[str, list[str]]:
    policy = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


# -- headers ---------------------------------------------------------------------------


def test_portal_pages_have_a_strict_policy_and_are_never_framed(client):
    response = client.get("/")
    policy = _csp(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src-elem"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_map_documents_allow_folium_inline_script_and_only_our_frames(client):
    from projects.models import ProjectPage

    project = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie")
    response = client.get(f"/cartes/projet/{project.pk}/")
    assert response.status_code == 200
    policy = _csp(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script>" in response.content.decode()  # folium's inline script, allowed here
    # The page that frames it keeps the strict policy.
    page = client.get(project.url)
    assert _csp(page)["script-src"] == ["'self'"]


def test_portal_templates_have_no_inline_script():
    """The rule of NOTES.md: JS only from static files (or with a nonce)."""
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)(?![^>]*nonce=)"
                        r"[^>]*>|\son[a-z]+=\"|javascript:", re.I)
    offenders = []
    for app in ("portal", "projects", "indicators", "maps"):
        for path in (BASE_DIR / app / "templates").rglob("*.html"):
            if inline.search(path.read_text()):
                offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []


def test_check_deploy_is_clean_with_production_settings():
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings.production", "DEBUG": "0",
           "SECRET_KEY": "x7#kq9!vR2@mZ4$wL8^pT1&nB6*cY3(hJ5)dF0-gS_aE+uQ=iO~lK.zXjWbNvMcH",
           "ALLOWED_HOSTS": "projets.example.gouv.fr", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_https_is_on_by_default_and_switchable(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DEBUG", "0")
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    sys.modules.pop("portal.settings.production", None)
    sys.modules.pop("portal.settings.base", None)
    production = importlib.import_module("portal.settings.production")
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "0")
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "0")
    sys.modules.pop("portal.settings.production", None)
    production = importlib.import_module("portal.settings.production")
    assert production.SECURE_SSL_REDIRECT is False and production.SECURE_HSTS_SECONDS == 0
    sys.modules.pop("portal.settings.production", None)
    sys.modules.pop("portal.settings.base", None)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "/projets/?thematique=a%00b",
    "/projets/?public=a%00b",
    "/faad/?thematique=%00",
    "/territoires/commune-59491/?q=a%00b",
    "/projets/export.xlsx?q=a%0Bb",
    "/projets/?q%01=x",
    "/territoires/a%00b/",
    "/api/projets/?q=%1f",
])
def test_control_characters_are_a_french_400(client, address):
    response = client.get(address)
    assert response.status_code == 400
    if address.startswith("/api/"):  # the API answers its 400 in JSON, naming the parameter
        assert "caractères de contrôle" in response.json()["detail"]
        return
    html = response.content.decode()
    assert "Requête invalide" in html
    assert "caractères de contrôle" in html
    assert 'action="/projets/"' in html  # a way back to the search


def test_control_characters_in_a_form_are_a_400_but_newlines_pass(client):
    response = client.post("/admin/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    response = client.post("/admin/login/", {"username": "a\nb", "password": "x"})
    assert response.status_code == 200  # the login form's own error


# -- error pages -----------------------------------------------------------------------


def test_404_is_french_dsfr_with_the_search(client):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and "Erreur 404" in html
    assert "fr-header" in html and "dsfr.min.css" in html
    assert 'action="/projets/"' in html and 'name="q"' in html


def test_403_and_400_pages_are_french():
    from django.core.exceptions import PermissionDenied, SuspiciousOperation
    from django.test import RequestFactory
    from django.views import defaults

    request = RequestFactory().get("/")
    forbidden = defaults.permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403 and "Accès refusé" in forbidden.content.decode()
    bad = defaults.bad_request(request, SuspiciousOperation())
    assert bad.status_code == 400 and "Requête invalide" in bad.content.decode()


def test_500_page_needs_no_database(django_db_blocker):
    """Django renders 500.html with an empty context; with the database blocked, any query
    would raise here."""
    from django.test import RequestFactory
    from django.views import defaults

    with django_db_blocker.block():
        response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Erreur 500" in html and "erreur inattendue" in html
    assert "dsfr.min.css" in html and 'action="/projets/"' in html


# -- health and cache ------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@pytest.fixture
def cache_at_a_closed_port():
    """The production cache configuration (django-redis, and the process's own fragment
    cache), pointed at a port nobody listens on."""
    from django.core.cache import caches

    location = f"redis://127.0.0.1:{_closed_port()}/0"
    config = {**settings.CACHES,
              "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location,
                          "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25,
                                      "SOCKET_TIMEOUT": 0.5}}}
    with override_settings(CACHES=config, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True,
                           DJANGO_REDIS_LOGGER="portal.cache"):
        caches._settings = caches.settings = config
        caches._connections.__dict__.pop("default", None)  # drop the cached backend
        yield location
    caches._connections.__dict__.pop("default", None)
    caches._settings = caches.settings = settings.CACHES


def test_pages_are_served_when_redis_is_down(client, cache_at_a_closed_port, caplog):
    from django.core.cache import cache

    from projects.models import ProjectPage

    assert cache.set("probe", 1) is None and cache.get("probe") is None  # really down
    project = ProjectPage.objects.live().get(slug="1000-jours-pour-savourer-la-vie")
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for address in ("/", "/projets/", project.url, f"/cartes/projet/{project.pk}/",
                        "/suivi/", "/api/projets/", "/cartes/projets/?programme=faad"):
            assert client.get(address).status_code == 200, address
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "degraded"}
    assert cache_at_a_closed_port.split(":")[-1].split("/")[0] not in response.content.decode()


def test_cache_errors_are_logged_once_per_interval():
    from portal.logging import OncePerInterval

    records = [logging.LogRecord("portal.cache", logging.ERROR, __file__, 1, "Exception ignored",
                                 None, None) for _ in range(50)]
    once = OncePerInterval(seconds=60)
    assert [once.filter(r) for r in records].count(True) == 1
    once._next = 0  # the interval is over
    later = logging.LogRecord("portal.cache", logging.ERROR, __file__, 1, "Exception ignored",
                              None, None)
    assert once.filter(later) and "49 similar messages suppressed" in later.getMessage()


def test_healthz_body_shows_no_database_detail(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise DatabaseError('connection to server at "10.0.0.5", port 5433 failed')

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.content.decode()
    assert json.loads(body)["database"] == "error"
    assert "10.0.0.5" not in body and "5433" not in body and "failed" not in body
