"""The French translation is complete and up to date: re-extracting the strings of the code
gives exactly the msgids of locale/fr, and every one of them is translated."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid "(.*)"\n((?:".*"\n)*)', re.M)


def msgids(text: str) -> set[str]:
    ids = set()
    for first, rest in ENTRY.findall(text):
        ids.add(first + "".join(line.strip()[1:-1] for line in rest.splitlines()))
    ids.discard("")
    return ids


def untranslated(text: str) -> list[str]:
    blocks = text.split("\n\n")[1:]
    missing = []
    for block in blocks:
        if block.lstrip().startswith("#~"):
            continue
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n((?:".*"\n?)*)', block, re.M)
        if any(not (first + "".join(rest.split())) .strip('"') for first, rest in strs):
            missing.append(block.strip().splitlines()[-2] if block.strip() else block)
    return missing


def test_every_string_is_translated():
    text = PO.read_text(encoding="utf-8")
    assert msgids(text), "empty catalogue"
    assert untranslated(text) == []
    assert "#, fuzzy\nmsgid" not in text.split("\n\n", 1)[1]


def test_makemessages_leaves_the_catalogue_unchanged(tmp_path):
    if not shutil.which("xgettext"):
        pytest.skip("gettext tools are not installed")
    root = Path(settings.BASE_DIR)
    for name in ("portal", "projects", "indicators", "maps", "locale"):
        shutil.copytree(root / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v0"],
        cwd=tmp_path, check=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path),
                                        "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )
    fresh = msgids((tmp_path / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    committed = msgids(PO.read_text(encoding="utf-8"))
    assert fresh - committed == set(), "strings missing from locale/fr: run make messages"
    assert committed - fresh == set(), "obsolete strings in locale/fr: run make messages"
