"""Shared fixtures. Tests are small: each builds what it reads with the factories of
`tests/<app>/factories.py` (the `territories` and `catalogue` fixtures give a small sample of
both), in a test database holding nothing but the migrations, in a transaction rolled back
after the test.

Tests that check the real seed's facts (the 135 projects, their figures, their territories)
live in `tests/seed/` only: that folder switches to a database with the real territories and
seed, loaded once (see tests/seed/conftest.py).

PostgreSQL: both databases are copies of templates built once and kept between runs
(tests/databases.py); each xdist worker has its own copies (`make test-postgres` runs
`pytest -n 2 --dist loadgroup`)."""

import inspect
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from tests import databases
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


BROWSER_TESTS = "tests/seed/browser/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup`, with the browser tests (tests/seed/browser/) as one group on one
    worker. The xdist_group mark cannot do it here: xdist 3.8 groups by rewriting
    `item._nodeid`, which pytest 9 no longer reads (the tests were spread over both workers,
    each starting its own servers)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return "browser"
            return super()._split_scope(nodeid)

    return BrowserGroupScheduling(config, log)


def is_postgres_settings() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(scope="session")
def test_databases(request, django_db_modify_db_settings) -> dict:
    """The names of this process's databases and templates, and the maintenance session
    that makes them (PostgreSQL only; see tests/databases.py)."""
    default = settings.DATABASES["default"]
    base = f"test_{default['NAME']}"
    small = default["TEST"]["NAME"]
    workerinput = getattr(request.config, "workerinput", {})
    server = databases.Server(
        default, run_id=workerinput.get("testrunuid") or databases.new_run_id(),
        rebuild=bool(request.config.getvalue("create_db")))
    yield {"server": server, "small": small, "seed": small.removesuffix(SMALL_SUFFIX),
           "migrated_template": f"{base}_migrated", "seed_template": f"{base}_seed",
           "keep": bool(request.config.getvalue("reuse_db"))}
    server.close()


def _migrate_into(server: databases.Server, name: str) -> None:
    server.create(name)
    databases.switch_to(name)
    try:
        call_command("migrate", interactive=False, verbosity=0, run_syncdb=True)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker,
                    django_db_use_migrations, django_db_keepdb, django_db_createdb,
                    django_db_modify_db_settings):
    """PostgreSQL: this process's small database, a copy of the migrated template (made
    when missing or out of date). Other databases: pytest-django's own set-up."""
    if not is_postgres_settings():
        yield from _pytest_django_db_setup(request, django_db_blocker, django_db_use_migrations,
                                           django_db_keepdb, django_db_createdb)
        return
    names = request.getfixturevalue("test_databases")
    server: databases.Server = names["server"]
    original = settings.DATABASES["default"]["NAME"]
    with django_db_blocker.unblock():
        server.ensure_template(names["migrated_template"], databases.migrations_fingerprint(),
                               lambda scratch: _migrate_into(server, scratch))
        server.copy(names["migrated_template"], names["small"])
        databases.switch_to(names["small"])
    yield
    with django_db_blocker.unblock():
        databases.switch_to(original)
        if not names["keep"]:
            server.drop(names["small"])


def _pytest_django_db_setup(request, django_db_blocker, use_migrations, keepdb, createdb):
    """pytest_django.fixtures.django_db_setup (4.14), for other databases; on SQLite with
    migrations, a copy of a migrated file made once (migrating took 20 s of the 60 s smoke
    run)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and use_migrations:
        yield from _sqlite_from_template(request, django_db_blocker, rebuild=createdb)
        return
    if not use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                 aliases=aliases, serialized_aliases=serialized_aliases,
                                 keepdb=keepdb and not createdb)
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def _sqlite_from_template(request, django_db_blocker, *, rebuild: bool):
    """The SQLite test database: a copy, in this process's temporary directory, of a migrated
    file kept in the system's temporary directory under the migrations' fingerprint (built
    under a file lock, into a scratch file renamed at the end)."""
    import fcntl
    import hashlib
    import shutil
    import tempfile

    default = settings.DATABASES["default"]
    original = default["NAME"]
    cache = Path(tempfile.gettempdir()) / "portal-test-databases" / hashlib.sha256(
        str(settings.BASE_DIR).encode()).hexdigest()[:12]
    cache.mkdir(parents=True, exist_ok=True)
    template = cache / f"migrated-{databases.migrations_fingerprint()}.sqlite3"
    copy = request.getfixturevalue("tmp_path_factory").mktemp("db") / "test.sqlite3"
    with django_db_blocker.unblock(), (cache / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if rebuild or not template.exists():
            scratch = template.with_suffix(".building")
            scratch.unlink(missing_ok=True)
            databases.switch_to(str(scratch))
            try:
                call_command("migrate", interactive=False, verbosity=0, run_syncdb=True)
            finally:
                connection.close()
            scratch.replace(template)
            for stale in cache.glob("migrated-*.sqlite3"):
                if stale != template:
                    stale.unlink()
        shutil.copyfile(template, copy)
        fcntl.flock(lock, fcntl.LOCK_UN)
        databases.switch_to(str(copy))
    yield
    with django_db_blocker.unblock():
        databases.switch_to(original)


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
