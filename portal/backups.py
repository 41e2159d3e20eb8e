"""Backups that restore: the database (pg_dump custom format on PostgreSQL, a consistent file
copy through SQLite's backup API for the embedded default) and the media folder (uploaded
images and documents), written together in one dated folder:

    backups/2026-12-01_231500/  db.dump (or db.sqlite3)  media.tar.gz  manifest.json

`make backup` / `make restore BACKUP=backups/<folder>` call these functions (manage.py backup /
restore). Restore replaces the database's content and the media folder with the backup's.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update({"PGHOST": db.get("HOST") or "127.0.0.1", "PGPORT": str(db.get("PORT") or 5432),
                "PGUSER": db.get("USER") or "postgres", "PGDATABASE": db["NAME"]})
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def backup(target_root: Path, alias: str = "default", media_root: Path | None = None) -> Path:
    """Write a backup folder under `target_root` and return it."""
    db = connections[alias].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    folder = Path(target_root) / datetime.datetime.now().strftime("%Y-%m-%d_%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    if connections[alias].vendor == "postgresql":
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file",
                        str(folder / "db.dump")], env=_pg_env(db), check=True)
        database = "db.dump"
    else:
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(folder / "db.sqlite3") as copy:
            source.backup(copy)  # consistent even while the site writes
        database = "db.sqlite3"
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {"created": datetime.datetime.now().isoformat(timespec="seconds"),
                "engine": connections[alias].vendor, "database": database,
                "media": "media.tar.gz"}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def restore(folder: Path, alias: str = "default", media_root: Path | None = None,
            database: str | None = None) -> None:
    """Replace the database content and the media folder with those of `folder`
    (`database`: another database of the same server, e.g. a fresh one to check a backup)."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    db = dict(connections[alias].settings_dict)
    if database:
        db["NAME"] = database
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not database:
        connections[alias].close()
    if manifest["engine"] == "postgresql":
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--dbname", db["NAME"],
                        str(folder / manifest["database"])],
                       env=_pg_env(db), check=True)
    else:
        with sqlite3.connect(folder / manifest["database"]) as source, \
                sqlite3.connect(db["NAME"]) as live:
            source.backup(live)
    if media_root.exists():
        shutil.rmtree(media_root)
    with tarfile.open(folder / manifest["media"]) as archive:
        archive.extractall(media_root.parent, filter="data")
        extracted = media_root.parent / "media"
        if extracted != media_root and extracted.exists():
            extracted.rename(media_root)
