"""`make backup` / `make restore` on PostgreSQL: dump the test database, restore it into a
fresh database, and find the same rows and the same published pages; media come back too."""

import pytest
from django.db import connection

from portal import backups

pytestmark = [pytest.mark.django_db]

PUBLISHED_PAGES = """
    SELECT count(*), md5(string_agg(p.id || ':' || p.title || ':' || p.url_path || ':'
                                    || coalesce(r.content::text, ''), '|' ORDER BY p.id))
    FROM wagtailcore_page p LEFT JOIN wagtailcore_revision r ON r.id = p.live_revision_id
    WHERE p.live"""


def _facts(cursor) -> tuple[dict, tuple]:
    cursor.execute("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute(PUBLISHED_PAGES)
    return counts, cursor.fetchone()


def test_backup_restores_into_a_fresh_database(is_postgres, tmp_path):
    if not is_postgres:
        pytest.skip("pg_dump/pg_restore: PostgreSQL only")
    import psycopg

    media = tmp_path / "media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "rapport.pdf").write_bytes(b"%PDF-1.4 test")
    folder = backups.backup(tmp_path / "backups", media_root=media)
    assert {p.name for p in folder.iterdir()} == {"db.dump", "media.tar.gz", "manifest.json"}

    settings_dict = connection.settings_dict
    fresh = f"{settings_dict['NAME']}_restore"
    dsn = {"host": settings_dict.get("HOST") or "127.0.0.1",
           "port": settings_dict.get("PORT") or 5432,
           "user": settings_dict.get("USER") or "postgres",
           "password": settings_dict.get("PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_media = tmp_path / "restored" / "media"
        restored_media.parent.mkdir()
        backups.restore(folder, media_root=restored_media, database=fresh)
        with connection.cursor() as cursor:
            original = _facts(cursor)
        with psycopg.connect(dbname=fresh, **dsn) as restored, restored.cursor() as cursor:
            copy = _facts(cursor)
        assert copy[0] == original[0]  # every table, same number of rows
        assert copy[1] == original[1] and original[1][0] > 135  # same published pages
        assert (restored_media / "documents" / "rapport.pdf").read_bytes() == b"%PDF-1.4 test"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
