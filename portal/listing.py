"""The project listing shared by /projets/, the programme pages and the territory pages:
filters, counts per option, sort, pagination, level groups, and the links that carry the same
filters to the map, the exports and the API.

The number of SQL queries is constant whatever the page size (and small): the selection is
read once, every facet count comes from it in one grouped statement, the cards from plain
rows in two statements (`projects.selection`), and only when one of the page's cards is not
in the fragment cache yet (`PageCards`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maps.models import Scale, Territory, normalize_name
from portal.records import PageUrls
from portal.search import TYPED_PARAM, search_notice
from portal.territory_page import ancestors_of
from projects.coverage import Perimeter
from projects.filters import PERIMETER_CHOICES, ProjectFilter
from projects.models import ProgrammePage
from projects.selection import STATUSES, cards, data_version, facet_counts, listing_base
from projects.territory import (
    is_broad,
    level_label,
    read_search,
    suggest_territories,
    territory_key,
)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CARRIERS = 200
#: Parameters that shape the page rather than the selection of projects ("recherche" is the
#: text typed in the search box, kept to say how it was read; "vue" the view of the results).
PAGE_PARAMS = ("page", "par_page", TYPED_PARAM, "vue")
KEYWORDS_PLACE_TIMEOUT = 60 * 60
#: Longest keyword text also tried as a place name on the listing ("Denain" typed as keywords).
MAX_PLACE_WORDS = 3
#: `vue=contacts`: the results as a list of who to contact (referral), every result at once
#: up to MAX_PAGE_SIZE.
CONTACTS_VIEW = "contacts"


def listing_queryset(programme: ProgrammePage | None = None):
    return listing_base(programme)


def page_size(value) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(value)))
    except (TypeError, ValueError):
        return PAGE_SIZE


@dataclass
class Option:
    value: str
    label: str
    count: int
    group: str = ""
    level: int = 0  # 1: a member of the family above it (two-level vocabularies)
    universal: bool = False  # « tous publics »
    family: bool = False  # a family that has members


def facet_options(project_filter: ProjectFilter,
                  selection_ids: list[int] | None = None) -> dict[str, list[Option]]:
    """For each filter with options, how many projects each option would give, every other
    filter being applied (disjunctive facets). The options come from the choices cached
    under the data version; every count from ONE grouped statement over the selection
    (`projects.selection.facet_counts`)."""
    if selection_ids is None:
        selection_ids = list(project_filter.qs.values_list("pk", flat=True))
    fields = project_filter.form.fields
    cached = project_filter.choices
    counts = facet_counts(project_filter, selection_ids, cached, MAX_CARRIERS)
    facets: dict[str, list[Option]] = {}

    def selected(name):
        """Chosen options stay visible (and can be unticked) even with no project."""
        return set(project_filter.data.getlist(name)) if project_filter.is_bound else set()

    if "perimetre" in fields:
        facets["perimetre"] = perimeter_options(project_filter, counts["perimetre"])
    if "programme" in fields:
        facets["programme"] = [Option(slug, label, counts["programme"].get(pk, 0))
                               for pk, slug, label in cached.programmes]
    for name, rows, used in (("public", cached.publics, cached.used_publics),
                             ("thematique", cached.themes, cached.used_themes)):
        facets[name] = vocabulary_options(name, rows, used, selected(name), counts, cached)
    axes = [a for a in cached.axes if a[0] in cached.used_axes]
    if project_filter.fixed_programme is not None:
        facets["axe"] = [Option(code, label, counts["axe"].get(pk, 0))
                         for pk, code, label, _slug, _p in axes]
    else:
        facets["axe"] = [Option(f"{slug}:{code}", label, counts["axe"].get(pk, 0), p_label)
                         for pk, code, label, slug, p_label in axes]
    facets["statut"] = [Option(s.value, s.label, counts["statut"].get(i, 0))
                        for i, s in enumerate(STATUSES)]
    facets["annee"] = [Option(str(y), str(y), counts["annee"].get(y, 0))
                       for y in reversed(cached.years)]
    # Carriers: those of the current selection only, and at most the MAX_CARRIERS with the
    # most projects (a select of thousands helps nobody and costs seconds to render); any
    # carrier key stays valid in a shared address.
    carriers = []
    for pk, n in counts["porteur"].items():
        key, name, acronym = cached.carriers.get(pk, (str(pk), str(pk), ""))
        carriers.append(Option(key, acronym or name, n))
    facets["porteur"] = sorted(carriers, key=lambda o: o.label.casefold())
    chosen = project_filter.cleaned("porteur")
    if chosen is not None and chosen.key not in {o.value for o in facets["porteur"]}:
        facets["porteur"].insert(0, Option(chosen.key, chosen.acronym or chosen.name, 0))
    return facets


def vocabulary_options(name: str, rows, used: set[int], chosen: set[str], counts: dict,
                       cached) -> list[Option]:
    """The options of a two-level vocabulary, each family followed by its members (« tous
    publics » first): an option is offered when it or one of its members has projects in
    the listing, or when it is chosen. Its count is what ticking it gives: its projects,
    its members' for a family, and the « tous publics » ones (`facet_counts`)."""
    family_of = cached.families.get(name, {})
    # « tous publics » is a public: a theme whose pk happens to be that of a universal
    # public is neither listed first nor marked as such.
    universal_pks = cached.universal if name == "public" else set()
    members: dict[int, list] = {}
    for row in rows:
        members.setdefault(family_of.get(row[0]), []).append(row)
    universal = counts.get(f"{name}:universal", {}).get(0, 0)
    options = []

    def option(pk, code, label, level):
        own = counts[f"{name}:family"] if level == 0 else counts[name]
        return Option(code, label, own.get(pk, 0) + universal, level=level,
                      universal=pk in universal_pks, family=level == 0 and pk in members)

    heads = sorted(members.get(None, []), key=lambda r: (r[0] not in universal_pks,
                                                         normalize_name(r[2])))
    for pk, code, label in heads:
        group = members.get(pk, [])
        shown = [(p, c, lbl) for p, c, lbl in group if p in used or c in chosen]
        if shown or pk in used or code in chosen:
            options.append(option(pk, code, label, 0))
            options += [option(p, c, lbl, 1) for p, c, lbl in shown]
    return options


def perimeter_options(project_filter: ProjectFilter, counts: dict) -> list[Option]:
    """The three perimeters with their counts, the one in force by default first with an
    empty value (so that the form does not add `perimetre=` to every address it writes)."""
    region, elsewhere = counts.get(1, 0), counts.get(0, 0)
    number = {Perimeter.REGION: region, Perimeter.ELSEWHERE: elsewhere,
              Perimeter.ALL: region + elsewhere}
    default = project_filter.implicit_perimeter
    options = [Option("" if value == default else value, label, number[value])
               for value, label in PERIMETER_CHOICES]
    return sorted(options, key=lambda o: o.value != "")


def perimeter_summary(project_filter: ProjectFilter, options: list[Option],
                      query: QueryDict) -> dict:
    """What the results say about their perimeter: the one in force, how many projects the
    others hold, and the addresses that show them (the notice above the results)."""
    counts = {(o.value or project_filter.implicit_perimeter): o.count for o in options}

    def url(value):
        params = query.copy()
        params["perimetre"] = value
        return params.urlencode()

    return {"value": project_filter.perimeter,
            "region": counts.get(Perimeter.REGION, 0),
            "elsewhere": counts.get(Perimeter.ELSEWHERE, 0),
            "elsewhere_query": url(Perimeter.ELSEWHERE), "all_query": url(Perimeter.ALL),
            "region_query": url(Perimeter.REGION)}


def apply_facets(form, facets: dict[str, list[Option]]) -> None:
    """Show each option with its count; options are those of the listing (a programme page
    offers its own axes and carriers only)."""
    empty = {
        "programme": _("All programmes"), "axe": _("All axes and priorities"),
        "statut": _("Any status"), "annee": _("Any year"), "porteur": _("All carriers"),
    }
    for name, options in facets.items():
        if name not in form.fields:
            continue
        choices = [(o.value, f"{o.label} ({o.count})") for o in options]
        if any(o.group for o in options):
            choices = _grouped(options)
        if name in empty:
            choices = [("", empty[name]), *choices]
        field = form.fields[name]
        if name == "annee":
            # A free number input elsewhere (map pages); here the years that have projects.
            field.widget = forms.Select()
        # Rendering reads the widget's choices; the field keeps its own for validation.
        field.widget.choices = choices
        if hasattr(field.widget, "option_attrs"):
            field.widget.option_attrs = {o.value: {"member": o.level == 1, "family": o.family,
                                                   "universal": o.universal} for o in options}


def _grouped(options: list[Option]) -> list:
    """Options under one <optgroup> per group (the axes of each programme)."""
    groups: dict[str, list] = {}
    for option in options:
        groups.setdefault(option.group, []).append(
            (option.value, f"{option.label} ({option.count})"))
    return list(groups.items())


def level_groups(project_filter: ProjectFilter, rows: list[tuple] | None = None) -> list[dict]:
    """How many projects cover the territory at each level (commune, EPCI, département…),
    from the (pk, level) rows of the listing when it has them."""
    territory = project_filter.territory
    if territory is None:
        return []
    if rows is None:
        rows = list(project_filter.qs.values_list("pk", "level"))
    counts = Counter(level for _pk, level in rows)
    return [{"level": level, "label": level_label(level), "count": counts[level],
             "broad": is_broad(level, territory)} for level in sorted(counts)]


def active_filters(project_filter: ProjectFilter, params: QueryDict,
                   facets: dict[str, list[Option]]) -> list[dict]:
    """The valid filters in force, each with the address that removes it (DSFR dismissible
    tags), so that a shared link says what it shows."""
    if not project_filter.is_bound:
        return []
    # Only filters that restrict the selection: a submitted form sends every field, and
    # "Keywords: ×" for an empty box is a tag that removes nothing.
    in_force = project_filter.active_filters()
    found = []
    for name in ProjectFilter.SELECTING:
        if name not in in_force:
            continue
        labels = {o.value: o.label for o in facets.get(name, [])}
        raw_values = params.getlist(name)
        for raw in raw_values:
            if not raw.strip():
                continue
            text = str(project_filter.territory) if name == "territoire" else labels.get(raw, raw)
            remaining = params.copy()
            remaining.setlist(name, [v for v in raw_values if v != raw])
            remaining.pop("page", None)
            found.append({"field": project_filter.form.fields[name].label, "text": text,
                          "remove": remaining.urlencode()})
    return found


def place_hints(project_filter: ProjectFilter, keywords: str, count: int) -> dict:
    """The places a person may have meant: the closest names of an unknown territory
    ("denin" → Denain), and, with keywords but no territory, the place they name ("Denain"
    typed as keywords finds the one project that mentions it; the 15 covering it are one
    link away) or, when they find nothing, the place they resemble."""
    hints = {"territory_suggestions": [], "keywords_place": None}
    if project_filter.territory_error:
        raw = project_filter.data.get("territoire", "")
        hints["territory_suggestions"] = suggest_territories(raw)
    elif keywords and project_filter.territory is None and (
            len(keywords.split()) <= MAX_PLACE_WORDS):
        hints["keywords_place"] = keywords_place(keywords, count == 0,
                                                 getattr(project_filter, "request", None))
    return hints


#: Levels offered as a wider search when a territory has no result.
WIDER_SCALES = (Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION)


def wider_searches(project_filter: ProjectFilter, params: QueryDict, count: int) -> list[dict]:
    """For an empty result in a territory, the same search in its EPCI, département and
    region (one query, only then): "nothing in Wallers" is often "something in the CAPH"."""
    territory = project_filter.territory
    if count or territory is None:
        return []
    wider = [t for t in ancestors_of(territory) if t.scale in WIDER_SCALES]
    found = []
    for other in wider:
        query = params.copy()
        for key in (*PAGE_PARAMS, "territoire"):
            query.pop(key, None)
        query["territoire"] = territory_key(other)
        found.append({"territory": other, "query": query.urlencode()})
    return found


def keywords_place(keywords: str, guess: bool, request=None) -> Territory | None:
    """The place that keywords name (or, with `guess`, resemble), cached per text and data
    version: the listing's query budget stays that of a plain keyword search."""
    digest = hashlib.sha256(f"{guess}:{keywords.casefold()}".encode()).hexdigest()[:32]
    key = f"keywords-place:{data_version(request)}:{digest}"
    found = cache.get(key)
    if found is None:
        reading = read_search(keywords)
        place = reading.territory if not reading.keywords else None
        if place is None and guess:
            place = next(iter(suggest_territories(keywords, limit=1)), None)
        found = (place,)
        cache.set(key, found, KEYWORDS_PLACE_TIMEOUT)
    return found[0]


def shared_params(request, programme: ProgrammePage | None = None,
                  territory: Territory | None = None) -> QueryDict:
    """The filters of this page as GET parameters valid on /projets/, /projets/export.*,
    /cartes/projets/ and /api/projets/ (a programme or territory page adds its own)."""
    params = request.GET.copy()
    for key in PAGE_PARAMS:
        params.pop(key, None)
    if programme is not None:
        params["programme"] = programme.slug
    if territory is not None:
        params["territoire"] = territory_key(territory)
    return params


class PageCards:
    """The cards of one page of results, read from the database only if one of them is
    rendered: each card's HTML is cached per process under the catalogue's version (the
    results template's fragment cache), so a page whose cards were all shown before runs no
    card statement. When one is needed, every card of the page is read at once, in the two
    statements of `projects.selection.cards` (constant whatever the page size)."""

    def __init__(self, ids: list[int], today):
        self.ids, self.today = ids, today
        self._found: dict[int, object] | None = None

    def of_page(self, places: list[tuple]) -> list[PageCard]:
        """One card per id, in order, with its (level, level label, wider area) in the
        selection."""
        return [PageCard(pk, self, *place) for pk, place in zip(self.ids, places, strict=True)]

    def card(self, pk: int):
        if self._found is None:
            # paths, as {% pageurl %} writes them on a single site
            self._found = {card.pk: card for card in cards(self.ids, PageUrls(None),
                                                            self.today)}
        return self._found.get(pk)


class PageCard:
    """A card of the page: its id and its place in the selection (the fragment cache's key)
    at once, the rest (`projects.selection.Card`) from `PageCards` on first use."""

    __slots__ = ("pk", "level", "level_label", "is_broad", "_cards")

    def __init__(self, pk: int, page_cards: PageCards, level, label: str, broad: bool):
        self.pk, self._cards = pk, page_cards
        self.level, self.level_label, self.is_broad = level, label, broad

    def __getattr__(self, name: str):
        # Only for the fields of `Card` (the slots above are plain attributes); a project
        # unpublished between the selection and the cards reads as an empty card.
        if name.startswith("_"):
            raise AttributeError(name)
        card = self._cards.card(self.pk)
        if card is None:
            raise AttributeError(name)
        return getattr(card, name)


@dataclass
class SelectionPage:
    """One page of a filtered selection, as the listing and the API both paginate it."""

    rows: list[tuple]  # (pk,) or (pk, level) for the whole selection, in order
    page: Page
    with_level: bool

    @property
    def ids(self) -> list[int]:
        return [row[0] for row in self.page.object_list]

    @property
    def levels(self) -> dict[int, int]:
        return dict(self.page.object_list) if self.with_level else {}


def select_page(project_filter: ProjectFilter, number, per_page: int) -> SelectionPage:
    """The ordered ids (and containment levels, with a territory filter) of the whole
    selection in one query, and the requested page of it: the count, the level groups and
    the facets come from these rows, the page's cards or records from one more query.
    Written once, for /projets/ (and the programme and territory pages) and /api/projets/."""
    with_level = project_filter.scope is not None
    rows = project_filter.selection_rows()
    return SelectionPage(rows, Paginator(rows, per_page).get_page(number), with_level)


def project_listing(request, programme: ProgrammePage | None = None,
                    territory: Territory | None = None) -> dict:
    project_filter = ProjectFilter(request.GET or None, queryset=listing_queryset(programme),
                                   programme=programme, territory=territory, request=request)
    view = CONTACTS_VIEW if request.GET.get("vue") == CONTACTS_VIEW else ""
    per_page = page_size(request.GET.get("par_page", MAX_PAGE_SIZE if view else PAGE_SIZE))
    selection = select_page(project_filter, request.GET.get("page"), per_page)
    rows, page_obj, ids = selection.rows, selection.page, selection.ids
    with_level, paginator = selection.with_level, selection.page.paginator
    current = project_filter.territory
    levels = [selection.levels.get(pk) for pk in ids]
    projects = PageCards(ids, project_filter.today).of_page(
        [(level, level_label(level), is_broad(level, current)) if current else (level, "", False)
         for level in levels])
    facets = facet_options(project_filter, [row[0] for row in rows])
    chips = active_filters(project_filter, request.GET, facets)
    apply_facets(project_filter.form, facets)
    query = request.GET.copy()
    query.pop("page", None)
    resolution = project_filter.resolution
    keywords = project_filter.cleaned("q") or ""
    return {
        **place_hints(project_filter, keywords, paginator.count),
        "search_notice": search_notice(request.GET, current, keywords),
        "wider_searches": ([] if territory is not None
                           else wider_searches(project_filter, request.GET, paginator.count)),
        "reset_url": request.path,
        "keywords": keywords,
        "filter": project_filter,
        "projects": projects,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_range": list(paginator.get_elided_page_range(page_obj.number, on_each_side=2,
                                                           on_ends=1)),
        "result_count": paginator.count,
        "territory": current,
        "territory_alternatives": resolution.alternatives if resolution else [],
        "territory_error": project_filter.territory_error,
        "territory_page": territory is not None,
        "level_groups": level_groups(project_filter, rows if with_level else None),
        "grouped_by_level": current is not None and project_filter.sort == "proximite",
        "querystring": query.urlencode(),
        "shared_querystring": shared_params(request, programme, territory).urlencode(),
        "active_filters": chips,
        "facets": facets,
        "sort": project_filter.sort,
        "per_page": per_page,
        "perimeter": perimeter_summary(project_filter, facets.get("perimetre", []), query),
        "view": view,
        "view_queries": view_queries(query),
        # A card shows catalogue data and a status of today: rendered once per process
        # under both (the results template's fragment cache), in the page's language.
        "cards_version": f"{data_version(request)}:{project_filter.today.isoformat()}:"
                         f"{get_language()}",
    }


def view_queries(query: QueryDict) -> dict[str, str]:
    """The addresses of the two views of the same results: cards, and contacts."""
    cards_, contacts = query.copy(), query.copy()
    cards_.pop("vue", None)
    contacts["vue"] = CONTACTS_VIEW
    for params in (cards_, contacts):
        params.pop("par_page", None)
    return {"cards": cards_.urlencode(), "contacts": contacts.urlencode()}
