"""Browser tests against the PRODUCTION settings: collectstatic into a temporary STATIC_ROOT,
then gunicorn serving this process's copy of the seed database (tests/seed/conftest.py),
driven by the Debian Chromium through Playwright. Never `playwright install`:
/usr/bin/chromium is the browser.

Skipped on SQLite (gunicorn would need the same file, and the data lives in a test
transaction there) and when /usr/bin/chromium is missing (CI installs it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    return (f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{db['NAME']}")


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="package")
def seed_copy_made_again_after(seed_copy, django_db_blocker):
    """The browser tests' fixtures commit (accounts, pages) and delete what they made, but
    ids, tree paths and sequences moved: this process's copy of the seed is made again after
    them, for the seed tests that follow on the same worker."""
    yield
    with django_db_blocker.unblock():
        seed_copy()


@pytest.fixture(scope="package")
def production_env(real_seed, tmp_path_factory, request) -> dict:
    """The environment of the production-settings servers (static files collected once)."""
    if connection.vendor != "postgresql":
        pytest.skip("browser tests need PostgreSQL (the server reads the test database)")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    request.getfixturevalue("seed_copy_made_again_after")  # torn down after the servers
    workdir = tmp_path_factory.mktemp("production")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DEBUG": "0",
        "SECRET_KEY": "test",
        "SECURE_COOKIES": "0",  # plain http on the loopback
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "STATIC_ROOT": str(workdir / "static"),
    }
    env.pop("CACHE_URL", None)  # each server its own local cache: only the database is shared
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   env=env, cwd=BASE_DIR, check=True)
    return env


@contextmanager
def gunicorn(env: dict, log: Path, workers: int = 2):
    """A gunicorn of portal.wsgi on a free loopback port; yields its base URL."""
    port = _free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "120"],
            env=env, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
def production_server(production_env, tmp_path_factory):
    """Base URL of gunicorn running portal.settings.production on the test database."""
    with gunicorn(production_env, tmp_path_factory.mktemp("server") / "gunicorn.log") as url:
        yield url


@pytest.fixture(scope="package")
def seed_facts(real_seed, django_db_blocker) -> dict:
    """What the pages must show, read before the browser starts: Playwright's sync API runs
    an event loop in this thread, and Django then refuses database queries."""
    from maps.models import Scale, Territory
    from maps.services.gaps import region_communes
    from projects.models import ProjectPage

    with django_db_blocker.unblock():
        return {
            "region_epcis": Territory.objects.filter(
                scale=Scale.EPCI, geometry__isnull=False, ancestors__scale=Scale.REGION,
                ancestors__code="32").count(),
            "projects": ProjectPage.objects.live().count(),
            "regional_projects": ProjectPage.objects.live().filter(in_home_region=True).count(),
            "region_communes": region_communes().count(),
            "savourer_url": ProjectPage.objects.get(
                slug="1000-jours-pour-savourer-la-vie").url,
            "abroad_url": ProjectPage.objects.get(
                territory_links__territory__scale=Scale.FOREIGN).url,
            # (pk, url) of every live project, in a stable order: the RGAA sample's source.
            "live_projects": [(p.pk, p.url) for p in
                              ProjectPage.objects.live().order_by("programme__slug", "pk")],
        }


@pytest.fixture(scope="package")
def browser(production_server, seed_facts):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose JavaScript errors and outgoing requests are recorded. Tile requests get
    an empty 204 (no network in tests); any other request leaving 127.0.0.1 is recorded and
    aborted."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.tiles: list[str] = []
        self.tile_host = urlparse(settings.MAP_TILES_URL).hostname
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)
        page.context.route("**/*", self._route)

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} {message.location}")

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).hostname
        if host == "127.0.0.1":
            return route.continue_()
        if host == self.tile_host:
            self.tiles.append(url)
            return route.fulfill(status=204, body="")
        self.outside.append(url)
        return route.abort()


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    yield Watched(page)
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page ready for axe-core: bypass_csp, since the portal's own policy (rightly)
    refuses the injected checker script; every request leaving 127.0.0.1 (tiles) gets an
    empty answer."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR",
                                  bypass_csp=True)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url
               else route.fulfill(status=204, body=""))
    yield page
    context.close()
