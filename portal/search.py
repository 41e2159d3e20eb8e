"""The one search box of the portal (header and home page): what it proposes while a person
types, and where it leads once submitted.

- Suggestions: places (commune, EPCI, département, with their code and département) read by
  `TerritoryQuerySet.matching`, or by `projects.territory.suggest_territories` when nothing
  matches ("denin" → Denain); projects and carriers from a short list cached under the data
  version. Bounded (a few rows of each kind) and cached per normalised text.
- Submission: `projects.territory.read_search` splits the text into a place (the territory
  filter) and keywords; the listing then says how it read the text (`search_notice`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.http import QueryDict
from django.utils.translation import gettext as _

from maps.models import Scale, Territory, normalize_name
from portal.context_processors import legal_links
from portal.records import PageUrls
from projects.models import ProjectPage
from projects.search import search_ids
from projects.selection import choices as listing_choices
from projects.selection import data_version
from projects.territory import (
    SearchReading,
    read_search,
    suggest_territories,
    territory_key,
    with_home_flag,
)

#: Shortest text worth proposing anything for, longest accepted (a longer one is a 400).
MIN_LENGTH = 2
MAX_LENGTH = 100
#: At most this many suggestions of each kind.
MAX_PLACES = 6
MAX_PROJECTS = 5
MAX_CARRIERS = 3
SUGGESTIONS_TIMEOUT = 60 * 60
#: Parameter of /projets/ that remembers the text typed in the search box, so that the
#: listing can say how it was read ("Denain" as the territory, "epicerie" as keywords).
TYPED_PARAM = "recherche"


def listing_address() -> str:
    """/projets/, the listing page (a Wagtail page: its cached address, not a literal)."""
    return legal_links()["projects"]


@dataclass
class Suggestion:
    kind: str  # "place", "project" or "carrier"
    label: str
    detail: str
    url: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "detail": self.detail, "url": self.url}


def _place_detail(territory: Territory) -> str:
    """"Commune · 59172 · Nord": what tells two Saint-Amand apart."""
    parts = [str(territory.get_scale_display())]
    if territory.scale in (Scale.COMMUNE, Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION):
        parts.append(territory.code)
    parts += [d.name for d in getattr(territory, "departements", [])][:2]
    return " · ".join(parts)


#: Territories read before keeping those whose words begin with the words typed.
PLACE_CANDIDATES = 40


def _departements() -> Prefetch:
    return Prefetch("ancestors", to_attr="departements", queryset=Territory.objects.filter(
        scale=Scale.DEPARTEMENT).only("pk", "name", "code").order_by("code"))


def _place(territory: Territory) -> Suggestion:
    return Suggestion("place", territory.name, _place_detail(territory),
                      f"{listing_address()}?territoire={territory_key(territory)}")


def place_suggestions(text: str) -> list[Suggestion]:
    """Territories whose code begins with what was typed, or whose name has words beginning
    with each word typed ("den" → Denain, Saint-Denis; not Ardennes), the home region's and
    the most populated first. Two statements (the territories, then their départements)."""
    words = normalize_name(text).split()
    candidates = with_home_flag(Territory.objects.active()).only(
        "pk", "scale", "code", "name", "search_name", "population").matching(text).exclude(
        scale=Scale.CUSTOM).order_by("-in_home", "-population", "name")[:PLACE_CANDIDATES]
    found = [t for t in candidates if text.isdigit()
             or all(f" {w}" in f" {t.search_name}" for w in words)][:MAX_PLACES]
    prefetch_related_objects(found, _departements())
    return [_place(t) for t in found]


def guessed_places(text: str) -> list[Suggestion]:
    """The closest place names, when nothing begins with what was typed ("denin")."""
    found = suggest_territories(text, limit=MAX_PLACES)
    prefetch_related_objects(found, _departements())
    return [_place(t) for t in found]


def _catalogue_entries(request) -> dict[str, list[tuple[str, str, str, str]]]:
    """(normalised text, label, detail, address) of every live project and carrier, cached
    under the data version: matching them is a loop over a few hundred strings."""
    version = data_version(request)
    key = f"search-catalogue:{version}"
    found = cache.get(key)
    if found is None:
        urls = PageUrls(None)
        projects = [
            (normalize_name(f"{title} {short or programme}"), title, short or programme,
             urls(url_path))
            for title, url_path, short, programme in ProjectPage.objects.live().order_by(
                "title").values_list("title", "url_path", "programme__short_title",
                                     "programme__title")]
        carriers = [
            (normalize_name(f"{name} {acronym}"), acronym or name, name if acronym else "",
             f"{listing_address()}?porteur={key_}")
            for key_, name, acronym in sorted(listing_choices(None, request).carriers.values(),
                                              key=lambda c: c[1].casefold())]
        found = {"project": projects, "carrier": carriers}
        cache.set(key, found, SUGGESTIONS_TIMEOUT)
    return found


def _matches(entries, words: list[str], limit: int, kind: str) -> list[Suggestion]:
    found = []
    for normalised, label, detail, url in entries:
        haystack = f" {normalised}"
        if all(f" {w}" in haystack for w in words):  # each word begins a word of the text
            found.append(Suggestion(kind, label, detail, url))
            if len(found) == limit:
                break
    return found


def suggestions(text: str, request=None) -> list[dict]:
    """What the search box proposes for `text` (already checked for length): places first,
    then projects and carriers. Cached per normalised text and data version."""
    normalised = normalize_name(text)
    if len(normalised) < MIN_LENGTH:
        return []
    digest = hashlib.sha256(normalised.encode()).hexdigest()[:32]
    key = f"search-suggestions:{data_version(request)}:{digest}"
    found = cache.get(key)
    if found is None:
        words = normalised.split()
        entries = _catalogue_entries(request)
        found = (place_suggestions(text)
                 + _matches(entries["project"], words, MAX_PROJECTS, "project")
                 + _matches(entries["carrier"], words, MAX_CARRIERS, "carrier"))
        if not found and not normalised.replace(" ", "").isdigit():
            found = guessed_places(text)
        found = [s.as_dict() for s in found]
        cache.set(key, found, SUGGESTIONS_TIMEOUT)
    return found


def search_destination(text: str) -> str:
    """Where the search box leads: the territory's results when the text names a place (the
    other words as keywords), the keyword results otherwise; and when the keywords find
    nothing but the text looks like a place name ("denin"), that place's results, the page
    saying it was a guess."""
    reading = read_search(text)
    params = QueryDict(mutable=True)
    if reading.territory is None and reading.text and not search_ids(reading.text):
        guesses = suggest_territories(reading.text, limit=1)
        if guesses:
            reading.territory, reading.keywords = guesses[0], ""
    if reading.territory is not None:
        params["territoire"] = territory_key(reading.territory)
        params[TYPED_PARAM] = reading.text
    if reading.keywords:
        params["q"] = reading.keywords
    return f"{listing_address()}?{params.urlencode()}" if params else listing_address()


def search_notice(params: QueryDict, territory: Territory | None, keywords: str) -> dict | None:
    """How the listing read the text typed in the search box, when it applied a place: the
    territory, the keywords left, and the address that searches the whole text as keywords
    instead (a commune named like a word, "Long", must not trap anyone)."""
    typed = " ".join(params.get(TYPED_PARAM, "").split())[:MAX_LENGTH * 2]
    if not typed or territory is None:
        return None
    reading = SearchReading(text=typed, territory=territory, keywords=keywords)
    guessed = reading.guessed
    as_keywords = QueryDict(mutable=True)
    as_keywords["q"] = typed
    if guessed:
        text = _("No project mentions “%(typed)s”: showing the projects covering "
                 "%(place)s, the closest place name.") % {"typed": typed, "place": territory}
    elif keywords:
        text = _("“%(place)s” was read as the territory and “%(keywords)s” as keywords.") % {
            "place": territory, "keywords": keywords}
    else:
        text = _("“%(typed)s” was read as the territory %(place)s.") % {
            "typed": typed, "place": territory}
    return {"reading": reading, "text": text, "guessed": guessed,
            "keywords_url": f"{listing_address()}?{as_keywords.urlencode()}"}
