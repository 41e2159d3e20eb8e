"""Shared fixtures. Tests are small: each builds what it reads with the factories of
`tests/<app>/factories.py` (the `territories` and `catalogue` fixtures give a small sample of
both), in a test database holding nothing but the migrations, in a transaction rolled back
after the test.

Tests that check the real seed's facts (the 135 projects, their figures, their territories)
live in `tests/seed/` only: that folder switches to a database with the real territories and
seed, loaded once (see tests/seed/conftest.py)."""

import inspect
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from tests.maps.factories import build_sample
from tests.projects.factories import build_catalogue

SMALL_SUFFIX = "_small"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL the small test database is `test_<name>_small`; `test_<name>` is the
    real-seed database of tests/seed/ (the one the territories and seed were loaded into)."""
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("postgresql"):
        test = default.setdefault("TEST", {})
        test["NAME"] = (test.get("NAME") or f"test_{default['NAME']}") + SMALL_SUFFIX


@pytest.fixture
def territories(db):
    """The sample territories (tests/maps/factories.py): a few départements, EPCIs (one
    straddling two départements), communes, a custom area and a place abroad."""
    return build_sample()


@pytest.fixture
def catalogue(territories):
    """Two programmes and eight projects covering the sample at every scale
    (tests/projects/factories.py, SAMPLE_PROJECTS)."""
    return build_catalogue(territories)


@pytest.fixture
def search_auto_update(settings):
    """Index objects as they are saved, as in production (the test settings turn it off:
    indexing costs a third of the time of building a page)."""
    backends = {name: {**config, "AUTO_UPDATE": True}
                for name, config in settings.WAGTAILSEARCH_BACKENDS.items()}
    settings.WAGTAILSEARCH_BACKENDS = backends


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("agent", "agent@example.org", "pw-test-1234")
    client.force_login(user)
    return client


_test_numbers = itertools.count()


@pytest.fixture(autouse=True)
def _cache_key_prefix():
    """A cache key prefix of its own for every test: the data version is rolled back with
    each test, so two tests could otherwise read each other's cached map or table under the
    same version."""
    prefix = f"test{next(_test_numbers)}"
    previous = {}
    for cache in caches.all():
        previous[cache] = cache.key_prefix
        cache.key_prefix = prefix
    yield
    for cache, value in previous.items():
        cache.key_prefix = value


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
