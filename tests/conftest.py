"""Shared fixtures. The reference territories and the whole seed are loaded once per test
session into the test database (committed), so every test reads the real data; each test
then runs in a transaction that is rolled back. Do not use `transactional_db` here: it would
flush that shared data for the tests after it."""

import inspect
import os
from pathlib import Path

import pytest
from django.conf import settings
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


class _FailOnOurUndefinedVariables(str):
    """pytest-django's --fail-on-template-vars, limited to the project's own templates:
    Wagtail's and django-dsfr's templates rely on undefined variables by design."""

    project = str(Path(settings.BASE_DIR))
    venv = str(Path(settings.BASE_DIR) / ".venv")

    def __contains__(self, key):
        return key == "%s"

    def __mod__(self, var):
        for frame_info in inspect.stack()[1:]:
            if frame_info.function != "render":
                continue
            origin = getattr(frame_info.frame.f_locals.get("self"), "origin", None)
            name = getattr(origin, "name", None)
            if name:
                if name.startswith(self.project) and not name.startswith(self.venv):
                    pytest.fail(f"Undefined template variable '{var}' in '{name}'")
                return ""
        return ""


@pytest.fixture(autouse=True, scope="session")
def _fail_on_undefined_template_variables():
    from django.template import engines

    engine = engines["django"].engine
    previous = engine.string_if_invalid
    engine.string_if_invalid = _FailOnOurUndefinedVariables("")
    yield
    engine.string_if_invalid = previous
