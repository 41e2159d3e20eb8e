"""The real-seed tests: everything under tests/seed/ reads the 36,000 reference territories
and the whole seed (the 135 projects of the five source documents), loaded once.

Put a test here only when it checks a fact of the real data (a project's communes, a
programme's figures, the EPCI polygons of the region); anything else builds its own data
with the factories, outside this folder.

PostgreSQL: the tests of this folder run in their own database, `test_<name>` (the small
suite uses `test_<name>_small`), created from the small one when missing. The loaders are
idempotent: with --reuse-db, on a database that has the data they change nothing (≈30–60 s);
without it (CI) the database is made again and loaded from scratch. The data is
committed there, so the browser tests' gunicorn reads it too. Other databases (SQLite): the
data is loaded inside a transaction rolled back after the folder's last test."""

from __future__ import annotations

import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from maps.services.import_territories import load_reference_territories
from portal.seeding import load_seed
from tests.caches import clear_caches
from tests.conftest import SMALL_SUFFIX

SEED_DIR = os.path.dirname(__file__)


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).startswith(SEED_DIR + os.sep):
            item.add_marker(pytest.mark.seed)


def _load_real_data():
    load_reference_territories()
    # PORTAL_SEED_DIR: a developer's partial seed while files are being written.
    seed_dir = os.environ.get("PORTAL_SEED_DIR")
    load_seed(seed_dir) if seed_dir else load_seed()


def _switch_to(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()
    clear_caches()


def _create_from(template: str, name: str, *, fresh: bool) -> None:
    """`name` as a copy of the migrated `template` when missing (or when `fresh`: without
    --reuse-db, as in CI, the real data is loaded from scratch)."""
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        if fresh:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")


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
        small = connection.settings_dict["NAME"]
        name = small.removesuffix(SMALL_SUFFIX)
        _switch_to(small)  # no session left on the template
        reuse = request.config.getvalue("reuse_db") and not request.config.getvalue("create_db")
        _create_from(small, name, fresh=not reuse)
        _switch_to(name)
        try:
            call_command("migrate", interactive=False, verbosity=0)
            _load_real_data()
            yield
        finally:
            _switch_to(small)


@pytest.fixture(autouse=True)
def _search_as_in_production(search_auto_update):
    """The real-seed tests publish and search as staff do: saved objects are indexed."""
