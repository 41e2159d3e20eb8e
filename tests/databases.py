"""PostgreSQL test databases made once and copied: building them is most of the suite's fixed
cost (migrations ≈1 min, the reference territories and the seed several minutes), copying a
built one takes a second or two (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`).

Two templates, both kept between runs and named after the test database:

- `test_<name>_migrated`: every migration applied, nothing else. Each process (each xdist
  worker) gets its own copy for the small tests: `test_<name>_small` (`_gw0_small`, …).
- `test_<name>_seed`: the migrated template plus the reference territories and the whole seed.
  A process copies it, the first time it needs it, into `test_<name>` (`test_<name>_gw0`, …)
  for the tests of tests/seed/.

A template is trusted only if the fingerprint stored as its COMMENT is the fingerprint of what
it is made of now (`fingerprint`): the migrations of every installed app and Django's
version, and for the seed the fixtures and the code that loads them. Otherwise it is built
again, under a PostgreSQL advisory lock so that two workers never build it at once, into a
scratch database renamed at the end (an interrupted build leaves no template that looks finished).
`--create-db` builds both again, once per run (the run id of xdist is in the comment).

Copies are made afresh for every run, --reuse-db or not: a copy may hold what an interrupted
run committed (the browser tests commit), and copying costs less than checking."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import django
import psycopg
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from psycopg import sql

from tests.caches import clear_caches

BASE_DIR = Path(settings.BASE_DIR)

#: What the migrated template is made of (besides the installed distributions).
MIGRATION_SOURCES = ["*/migrations/*.py"]
#: What the seed template adds: the data files and the code that turns them into rows (the
#: models' save() and signals, the import services, the geometry and coverage computed at
#: import). Anything else the loaders call is below these or in a migration; when in doubt,
#: `--create-db`.
SEED_SOURCES = [
    "fixtures/**/*", "*/models.py", "*/signals.py", "*/services/*.py", "portal/seeding.py",
    "portal/settings/base.py", "portal/settings/test.py", "maps/geometry.py",
    "projects/coverage.py", "projects/territory.py", "projects/selection.py",
    "indicators/precomputed.py", "indicators/aggregation.py",
]


def _hash_files(digest, paths: Iterable[Path], root: Path) -> None:
    for path in sorted(p for p in paths if p.is_file() and ".venv" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def fingerprint(patterns: list[str], *, extra_dirs: Iterable[Path] = (), base: str = "") -> str:
    """A hash of the files matching `patterns` under the project and of every file under
    `extra_dirs`, chained to `base`."""
    digest = hashlib.sha256(base.encode())
    for pattern in patterns:
        _hash_files(digest, BASE_DIR.glob(pattern), BASE_DIR)
    for directory in extra_dirs:
        _hash_files(digest, Path(directory).rglob("*.py") if Path(directory).name == "migrations"
                    else Path(directory).rglob("*"), Path(directory))
    return digest.hexdigest()[:32]


def migrations_fingerprint() -> str:
    """The migrations of every installed app (Wagtail's, Django's, ours) and Django's version.
    Not every installed distribution: the virtualenv is shared, and an unrelated install
    rebuilt both templates."""
    from django.apps import apps

    folders = sorted(Path(app.path) / "migrations" for app in apps.get_app_configs())
    return fingerprint(MIGRATION_SOURCES, extra_dirs=[f for f in folders if f.is_dir()],
                       base=f"Django {django.get_version()}")


def seed_fingerprint() -> str:
    seed_dir = os.environ.get("PORTAL_SEED_DIR")
    return fingerprint(SEED_SOURCES, extra_dirs=[seed_dir] if seed_dir else [],
                       base=migrations_fingerprint() + (seed_dir or ""))


def switch_to(name: str) -> None:
    """Point Django's connection at database `name` (closing the current session, so that
    nothing stays connected to a database about to be copied, renamed or dropped)."""
    connection.close()
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()
    clear_caches()


class Server:
    """The PostgreSQL server of the test settings, through a maintenance session of its own
    (autocommit, on the `postgres` database; CREATE/DROP DATABASE cannot run in a
    transaction, and this session never connects to the databases it copies)."""

    def __init__(self, settings_dict: dict, run_id: str, rebuild: bool):
        self.run_id, self.rebuild = run_id, rebuild
        self.session = psycopg.connect(
            dbname="postgres", autocommit=True, host=settings_dict.get("HOST") or None,
            port=settings_dict.get("PORT") or None, user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None)

    def close(self) -> None:
        self.session.close()

    @staticmethod
    def _quote(name: str) -> str:
        return connection.ops.quote_name(name)

    def comment(self, name: str) -> str | None:
        row = self.session.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name]).fetchone()
        return row[0] if row else None

    def set_comment(self, name: str, text: str) -> None:
        self.session.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(text)))

    def drop(self, name: str) -> None:
        self.session.execute(f"DROP DATABASE IF EXISTS {self._quote(name)} WITH (FORCE)")

    def create(self, name: str, template: str | None = None) -> None:
        self.drop(name)
        if template is None:
            self.session.execute(f"CREATE DATABASE {self._quote(name)}")
        else:
            self.session.execute(f"CREATE DATABASE {self._quote(name)} TEMPLATE "
                                 f"{self._quote(template)} STRATEGY FILE_COPY")

    @contextmanager
    def lock(self, name: str, *, shared: bool = False) -> Iterator[None]:
        """An advisory lock on `name`: exclusive to check and build a template, shared to
        copy it (copies may run together, never during a build)."""
        kind = "pg_advisory_lock_shared" if shared else "pg_advisory_lock"
        self.session.execute(f"SELECT {kind}(hashtext(%s))", [name])
        try:
            yield
        finally:
            self.session.execute(f"SELECT {kind.replace('lock', 'unlock')}(hashtext(%s))",
                                 [name])

    def ensure_template(self, name: str, fingerprint: str,
                        build: Callable[[str], None]) -> None:
        """`name` made with `build(scratch_name)` unless it already carries `fingerprint`
        (and, with --create-db, was built by this very run)."""
        with self.lock(name):
            comment = (self.comment(name) or "").split()
            if comment[:1] == [fingerprint] and (not self.rebuild
                                                 or comment[1:2] == [self.run_id]):
                return
            scratch = f"{name}_building"
            build(scratch)
            self.drop(name)
            self.session.execute(f"ALTER DATABASE {self._quote(scratch)} RENAME TO "
                                 f"{self._quote(name)}")
            self.set_comment(name, f"{fingerprint} {self.run_id}")

    def copy(self, template: str, name: str) -> None:
        with self.lock(template, shared=True):
            self.create(name, template)
        self.set_comment(name, f"copy of {template}: {self.comment(template)}")


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]
