"""The French translation is complete and up to date: re-extracting the strings of the code
gives exactly the msgids of locale/fr, and every one of them is translated."""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
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


# --- rendered pages: no English visible text ----------------------------------------------

ENGLISH_WORDS = {
    "the", "of", "and", "per", "with", "which", "this", "from", "by", "is", "are", "yet",
    "project", "projects", "received", "selected", "region-wide", "download", "validated",
    "declared", "indicator", "indicators", "year", "years", "calls", "call", "envelope",
    "applications", "carrier", "missing", "reported", "shared", "totals", "targets", "see",
    "skip", "map", "summary", "none", "programmes", "monitoring", "figures", "budget", "known",
    "lines", "other", "every", "campaign", "state", "period", "status", "source",
}
# Words that are also French, or names, when they stand alone in our pages.
FRENCH_TOO = {"source", "budget", "total", "programmes", "figures", "status", "none"}
WORD = re.compile(r"[A-Za-zÀ-ÿœŒ’'-]+")


class VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes outside scripts and styles, and the
    attributes read aloud or shown (title, aria-label, alt, placeholder)."""

    SKIP = {"script", "style", "template"}
    SPOKEN = ("title", "aria-label", "alt", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def english_in(html: str, catalogue: dict[str, str]) -> list[str]:
    """Visible fragments that are an English source string of the catalogue left
    untranslated, or that read as English (two English function words or more)."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.parts:
        if text in catalogue and catalogue[text] != text:
            found.append(text)
            continue
        words = [w.lower() for w in WORD.findall(text)]
        english = [w for w in words if w in ENGLISH_WORDS and w not in FRENCH_TOO]
        if len(english) >= 2 or (english and len(words) <= 2):
            found.append(text)
    return found


def catalogue_entries() -> dict[str, str]:
    text = PO.read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n")[1:]:
        ids = msgids(block + "\n")
        strs = re.findall(r'^msgstr(?:\[0\])? "(.*)"\n((?:".*"\n?)*)', block + "\n", re.M)
        if ids and strs:
            first, rest = strs[0]
            entries[ids.pop()] = first + "".join(line.strip()[1:-1] for line in rest.splitlines())
    return entries


def monitoring_paths() -> list[str]:
    from indicators.models import IndicatorAggregate
    from projects.models import ProgrammePage

    paths = ["/suivi/", "/suivi/carte/"]
    for programme in ProgrammePage.objects.live().order_by("path"):
        paths += [f"/suivi/{programme.slug}/", f"/suivi/{programme.slug}/carte/",
                  f"/suivi/{programme.slug}/2024/", f"/suivi/{programme.slug}/2025/"]
        aggregate = (IndicatorAggregate.objects.filter(programme=programme, year=None,
                                                       territory=None)
                     .select_related("definition").first())
        if aggregate:
            paths.append(f"/suivi/{programme.slug}/indicateurs/{aggregate.definition.code}/")
    return paths


@pytest.mark.django_db
def test_monitoring_pages_show_no_english(client):
    """Renders every monitoring page (overview, programmes, maps, year campaigns, a
    drill-down) in French and fails on any visible English text."""
    catalogue = catalogue_entries()
    problems = {}
    for path in monitoring_paths():
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, path
        english = english_in(response.content.decode(), catalogue)
        if english:
            problems[path] = english[:8]
    assert problems == {}


def test_the_english_detector_sees_english():
    catalogue = {"Projects per département": "Projets par département"}
    html = ("<h2>Projects per département</h2><p title='Skip the map'>Carte</p>"
            "<script>var the_and_of = 1;</script><p>Projets par département</p>")
    assert english_in(html, catalogue) == ["Projects per département", "Skip the map"]
