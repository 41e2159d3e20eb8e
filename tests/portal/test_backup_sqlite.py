"""`make backup` / `make restore` on the embedded SQLite default (issue 12 §7; the PostgreSQL
path is tested in tests/seed/portal/test_backup.py): `manage.py backup` and `manage.py
restore --yes` run as the Makefile runs them, on a SQLite file holding a small catalogue,
and bring back every table's rows, the same published pages and the media, after the live
file and the media were damaged."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PUBLISHED_PAGES = """
    SELECT p.id, p.title, p.url_path, coalesce(r.content, '')
    FROM wagtailcore_page p LEFT JOIN wagtailcore_revision r ON r.id = p.live_revision_id
    WHERE p.live ORDER BY p.id"""


def facts(path: Path) -> tuple[dict, int, str]:
    """Rows per table, and the number and a checksum of the published pages."""
    with closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        pages = db.execute(PUBLISHED_PAGES).fetchall()
    return counts, len(pages), hashlib.sha256(repr(pages).encode()).hexdigest()


def manage(*args, database: Path, media: Path) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": str(media)}
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_backup_then_restore_brings_back_a_damaged_sqlite_site(catalogue, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path (PostgreSQL: tests/seed/portal/test_backup.py)")
    live, media = tmp_path / "site.sqlite3", tmp_path / "media"
    connection.ensure_connection()
    # The test database (in memory, its transaction open: the backup API would wait on it
    # forever) written out as a file, catalogue included.
    copy = sqlite3.connect(live)
    copy.executescript(";\n".join(connection.connection.iterdump()))
    copy.close()
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "rapport.pdf").write_bytes(b"%PDF-1.4 test")
    original = facts(live)
    assert original[1] >= 10  # home, listing, two programmes, eight projects

    out = manage("backup", "--to", str(tmp_path / "backups"), database=live, media=media)
    (folder,) = (tmp_path / "backups").iterdir()
    assert str(folder) in out
    assert {p.name for p in folder.iterdir()} == {"db.sqlite3", "media.tar.gz", "manifest.json"}

    with closing(sqlite3.connect(live)) as db:  # damage: pages unpublished, revisions lost
        db.execute("UPDATE wagtailcore_page SET live = 0")
        db.execute("DELETE FROM wagtailcore_revision")
        db.commit()
    (media / "documents" / "rapport.pdf").unlink()
    assert facts(live) != original

    manage("restore", str(folder), "--yes", database=live, media=media)
    assert facts(live) == original
    assert (media / "documents" / "rapport.pdf").read_bytes() == b"%PDF-1.4 test"
