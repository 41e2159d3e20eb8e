"""The real-seed tests: everything under tests/seed/ reads the 36,000 reference territories
and the whole seed (the 135 projects of the five source documents), loaded once.

Put a test here only when it checks a fact of the real data (a project's communes, a
programme's figures, the EPCI polygons of the region); anything else builds its own data
with the factories, outside this folder.

PostgreSQL: the real data is loaded once into the template `test_<name>_seed` (a copy of the
migrated template), kept between runs while its fingerprint holds (tests/databases.py); each
process (each xdist worker) copies it into a database of its own, `test_<name>` or
`test_<name>_gw0`, the first time it runs a test of this folder, and switches to it for
the folder's tests (the small tests use `…_small`). The data is committed there, so the
browser tests' gunicorn reads it too; the browser tests, which commit, run on one worker
(xdist group "browser") and the copy is made again after them. Other databases (SQLite): the
data is loaded inside a transaction rolled back after the folder's last test."""

from __future__ import annotations

import os

import pytest
from django.db import connection, transaction

from maps.services.import_territories import load_reference_territories
from portal.seeding import load_seed
from tests import databases

SEED_DIR = os.path.dirname(__file__)
BROWSER_DIR = os.path.join(SEED_DIR, "browser")


def pytest_collection_modifyitems(items):
    """Marks the seed tests, and keeps the browser tests together: pytest-django sorts the
    tests with a django_db mark before the others, which split them in two and started their
    servers twice (≈30 s). Under xdist they are also one group, on one worker (one gunicorn,
    one Chromium, and the commits of their fixtures seen by no other test; see
    `pytest_xdist_make_scheduler` in tests/conftest.py)."""
    for item in items:
        if str(item.path).startswith(SEED_DIR + os.sep):
            item.add_marker(pytest.mark.seed)
    browser = [item for item in items if str(item.path).startswith(BROWSER_DIR + os.sep)]
    if browser:
        first = items.index(browser[0])
        together = set(browser)
        rest = [item for item in items if item not in together]
        items[:] = rest[:first] + browser + rest[first:]


def _load_real_data():
    load_reference_territories()
    # PORTAL_SEED_DIR: a developer's partial seed while files are being written.
    seed_dir = os.environ.get("PORTAL_SEED_DIR")
    load_seed(seed_dir) if seed_dir else load_seed()


def _build_seed_template(names: dict, scratch: str) -> None:
    server: databases.Server = names["server"]
    server.copy(names["migrated_template"], scratch)
    databases.switch_to(scratch)
    try:
        _load_real_data()
    finally:
        databases.switch_to(names["small"])


@pytest.fixture(scope="session")
def seed_copy(request, django_db_setup, django_db_blocker):
    """This process's copy of the seed template (PostgreSQL), made once per run; yields
    a function that makes it again (after tests that commit)."""
    names = request.getfixturevalue("test_databases")
    server: databases.Server = names["server"]

    def renew():
        databases.switch_to(names["small"])  # no session left on the copy
        server.copy(names["seed_template"], names["seed"])
        databases.switch_to(names["seed"])

    with django_db_blocker.unblock():
        server.ensure_template(names["seed_template"], databases.seed_fingerprint(),
                               lambda scratch: _build_seed_template(names, scratch))
        renew()
    yield renew
    with django_db_blocker.unblock():
        databases.switch_to(names["small"])
        if not names["keep"]:
            server.drop(names["seed"])


@pytest.fixture(scope="package", autouse=True)
def real_seed(request, django_db_setup, django_db_blocker):
    """The real territories and seed, for the tests of this folder only."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            with transaction.atomic():
                _load_real_data()
                yield
                transaction.set_rollback(True)
            return
        request.getfixturevalue("seed_copy")
        names = request.getfixturevalue("test_databases")
        databases.switch_to(names["seed"])
        try:
            yield
        finally:
            databases.switch_to(names["small"])


@pytest.fixture(autouse=True)
def _search_as_in_production(search_auto_update):
    """The real-seed tests publish and search as staff do: saved objects are indexed."""
