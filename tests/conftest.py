"""Shared fixtures. The reference territories and the whole seed are loaded once per test
session into the test database (committed), so every test reads the real data; each test
then runs in a transaction that is rolled back. Do not use `transactional_db` here: it would
flush that shared data for the tests after it."""

import os

import pytest
from django.db import connection

from maps.services.import_territories import load_reference_territories
from portal.seeding import load_seed


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_territories()
        # PORTAL_SEED_DIR: a developer's partial seed while files are being written.
        seed_dir = os.environ.get("PORTAL_SEED_DIR")
        load_seed(seed_dir) if seed_dir else load_seed()


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("agent", "agent@example.org", "pw-test-1234")
    client.force_login(user)
    return client
