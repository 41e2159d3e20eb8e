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
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction

from maps.models import Territory
from projects.models import ProgrammePage, ProjectPage
from tests import databases
from tests.caches import clear_caches
from tests.maps.factories import Sample, build_sample
from tests.projects.factories import Catalogue, build_catalogue

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


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get(
        "reset_sequences"))) or "transactional_db" in fixtures or "live_server" in fixtures


def _shares_catalogue(item) -> bool:
    return "catalogue" in getattr(item, "fixturenames", []) and not _is_transactional(item)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each run of tests of one module, the tests sharing the module's catalogue
    (`_module_catalogue`) last: once built, it is seen by every later test of the module,
    so none of those may be a test that expects an empty database. After pytest-django's
    own sort (database tests first), which keeps a module's tests together within each kind;
    an xdist worker runs a subsequence of this order, a module never split among workers.

    Those tests also get `_module_catalogue` as their first fixture, before pytest-django's
    transaction of the test: requested from `catalogue` (it must not be built for a
    transactional test), it would be built inside that transaction and rolled back with it."""
    for item in items:
        if _shares_catalogue(item) and "_module_catalogue" not in item.fixturenames:
            item.fixturenames.insert(0, "_module_catalogue")
    ordered, start = [], 0
    while start < len(items):
        end = start
        while end < len(items) and items[end].module is items[start].module:
            end += 1
        run = items[start:end]
        ordered += [i for i in run if not _shares_catalogue(i)] + [
            i for i in run if _shares_catalogue(i)]
        start = end
    items[:] = ordered


@dataclass
class _Built:
    """What the module's shared catalogue is made of, by primary key."""

    territories: dict[tuple[str, str], int]
    programmes: dict[str, int]
    projects: dict[str, int]


def _sample_from(keys: dict[tuple[str, str], int]) -> Sample:
    rows = Territory.objects.in_bulk(keys.values())
    return Sample(by_key={key: rows[pk] for key, pk in keys.items()})


@pytest.fixture(scope="module")
def _module_catalogue(django_db_setup, django_db_blocker):
    """The sample territories and catalogue, built once per module (and per xdist worker)
    in a transaction left open until the module's last test and rolled back then; each test
    runs in pytest-django's own transaction nested in it (a savepoint), rolled back after
    it, so it finds the catalogue as built. Building it was most of the time of the tests
    that read it (≈1 s each, sixty tests). Its own cache key prefix: nothing it caches is
    read by a test (see `_cache_key_prefix`). The database is blocked again between the
    build and the rollback, as for any test without the django_db mark."""
    outer = transaction.atomic()
    with django_db_blocker.unblock(), _cache_prefix(f"module{next(_test_numbers)}"):
        outer.__enter__()
        try:
            sample = build_sample()
            catalogue = build_catalogue(sample)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield _Built(territories={key: t.pk for key, t in sample.by_key.items()},
                 programmes={"faad": catalogue.faad.pk,
                             "thousand_days": catalogue.thousand_days.pk},
                 projects={slug: p.pk for slug, p in catalogue.projects.items()})
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        clear_caches()


def _shared(request) -> _Built | None:
    """The module's catalogue when this test may share it (not a transactional test: its
    commits would end the shared transaction)."""
    if not _shares_catalogue(request.node):
        return None
    return request.getfixturevalue("_module_catalogue")


@pytest.fixture
def territories(request, db):
    """The sample territories (tests/maps/factories.py): a few départements, EPCIs (one
    straddling two départements), communes, a custom area and a place abroad. Built for
    the test, or, with `catalogue`, those of the module's catalogue read again (objects of
    the test's own: a test may change them)."""
    built = _shared(request)
    return build_sample() if built is None else _sample_from(built.territories)


@pytest.fixture
def catalogue(request, territories):
    """Two programmes and eight projects covering the sample at every scale
    (tests/projects/factories.py, SAMPLE_PROJECTS): the module's, read again (three
    queries), or built for a transactional test."""
    built = _shared(request)
    if built is None:
        return build_catalogue(territories)
    programmes = ProgrammePage.objects.in_bulk(built.programmes.values())
    projects = ProjectPage.objects.in_bulk(built.projects.values())
    return Catalogue(faad=programmes[built.programmes["faad"]],
                     thousand_days=programmes[built.programmes["thousand_days"]],
                     projects={slug: projects[pk] for slug, pk in built.projects.items()})


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


@contextmanager
def _cache_prefix(prefix: str):
    previous = {}
    for cache in caches.all():
        previous[cache] = cache.key_prefix
        cache.key_prefix = prefix
    try:
        yield
    finally:
        for cache, value in previous.items():
            cache.key_prefix = value


@pytest.fixture(autouse=True)
def _cache_key_prefix():
    """A cache key prefix of its own for every test: the data version is rolled back with
    each test, so two tests could otherwise read each other's cached map or table under the
    same version."""
    with _cache_prefix(f"test{next(_test_numbers)}"):
        yield


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
