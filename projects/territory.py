"""How projects relate to territories: reading what a person typed or shared ("Denain",
"st amand", "59491", "region-32"), the containment filter ("what covers this territory, and
what lies inside it"), and the level at which each project covers it, so that local projects
come first.

The single source of truth is the precomputed commune coverage (`ProjectCoverage`) plus the
territory links themselves (for projects without communes, such as a place abroad): both
directions of containment are then two indexed sub-queries, whatever the scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from maps.models import SCALE_RANK, Scale, Territory, home_region_code
from projects.models import ProjectCoverage, ProjectPage, ProjectTerritory
from projects.selection import compiled, rebind, remembered

#: Bare codes are read in this order when several scales share a code and none is in the
#: home region; "region-32" / "departement-59" always remove the ambiguity.
CODE_SCALES = [Scale.COMMUNE, Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION, Scale.CUSTOM,
               Scale.FOREIGN]

#: Longest text read from a territory parameter (the longest French commune name is 45).
MAX_LENGTH = 100
#: How long the covering projects of a territory stay cached (keyed on the data version).
PROJECT_IDS_TIMEOUT = 6 * 3600

#: Heading of each level of coverage, from the most local to the broadest.
LEVEL_LABELS = {
    SCALE_RANK[Scale.COMMUNE]: _("Local projects (commune)"),
    SCALE_RANK[Scale.CUSTOM]: _("Projects of a local area (health contract, arrondissement…)"),
    SCALE_RANK[Scale.EPCI]: _("Intercommunal projects (EPCI)"),
    SCALE_RANK[Scale.DEPARTEMENT]: _("Département-wide projects"),
    SCALE_RANK[Scale.REGION]: _("Region-wide projects"),
    SCALE_RANK[Scale.FOREIGN]: _("Projects abroad"),
}
UNKNOWN_LEVEL = 9
#: Longest list of ids sent as query parameters (PostgreSQL accepts 65,535 per statement).
MAX_ID_LIST = 20_000


@dataclass
class Resolution:
    """The territory read from a parameter, and the other candidates a person may have
    meant (shown as "did you mean" links)."""

    query: str
    territory: Territory | None = None
    alternatives: list[Territory] = field(default_factory=list)


def territory_key(territory: Territory) -> str:
    """The unambiguous public code of a territory: "commune-59491", "region-32"."""
    return f"{territory.scale}-{territory.code}"


def resolve_territory(value: str) -> Resolution:
    """Read a territory as people share it: "59491", "200042190", "59", "region-32",
    "custom-douaisis", or a name ("Denain", "st amand", "roeulx").

    Names: the home region first, then names that are or begin with the words typed (so
    "Douai" is the town, not the "Douaisis" area), the most populated first ("st amand" is
    Saint-Amand-les-Eaux, 16,000 inhabitants, before the village of Saint-Amand); the
    runners-up are kept as alternatives ("did you mean")."""
    value = "".join(c for c in (value or "")[:MAX_LENGTH] if c.isprintable())
    value = " ".join(value.split())
    resolution = Resolution(query=value)
    if not value:
        return resolution
    prefix, _sep, code = value.partition("-")
    if prefix in Scale.values and code:
        resolution.territory = Territory.objects.filter(
            scale=prefix, code__in={code, code.upper(), code.lower()}).defer("geometry").first()
        return resolution
    candidates = _code_candidates([value]).get(value, [])
    if not candidates and not value.isdigit():
        candidates = _name_candidates(value)
    if candidates:
        resolution.territory, resolution.alternatives = candidates[0], candidates[1:6]
        if is_exact(resolution.territory, value):
            # "Denain" means Denain: "did you mean Wavrechain-sous-Denain?" would be noise.
            # Homonyms ("Marly" of the Nord and of Moselle) stay offered.
            resolution.alternatives = [t for t in resolution.alternatives if is_exact(t, value)]
    return resolution


def resolve_territories(values) -> dict[str, Resolution]:
    """`resolve_territory` of many values at once (a spreadsheet's territories): the codes
    among them are read in one query, the rest (names, prefixed codes) one by one."""
    values = {" ".join("".join(c for c in (v or "")[:MAX_LENGTH] if c.isprintable()).split())
              for v in values} - {""}
    by_code = _code_candidates(values)
    resolutions = {}
    for value in values:
        candidates = by_code.get(value)
        if candidates:
            resolutions[value] = Resolution(value, candidates[0], candidates[1:6])
        else:
            resolutions[value] = resolve_territory(value)
    return resolutions


def _code_candidates(values) -> dict[str, list[Territory]]:
    """{value: the territories whose code it is, the likeliest first} for the values that
    are a code; one indexed query (case variants rather than a case-insensitive match). A
    value sharing its variants with another one is left to be read alone."""
    variants = {variant: value for value in values
                for variant in (value, value.upper(), value.lower())}
    found: dict[str, list[Territory]] = {}
    for territory in territories_with_codes(list(variants)):
        found.setdefault(variants[territory.code], []).append(territory)
    for candidates in found.values():
        candidates.sort(key=lambda t: (t.is_obsolete, not t.in_home, CODE_SCALES.index(t.scale)))
    return found


#: Stand for the codes of one typed value (itself, upper- and lower-case) in the statement
#: `territories_with_codes` compiles once: no code holds a NUL character.
CODE_STAND_INS = ("\x00code-0", "\x00code-1", "\x00code-2")


def territories_with_codes(codes: list[str]) -> list[Territory]:
    """The territories whose code is one of `codes`, flagged `in_home`, without geometry.
    For one typed value (up to 3 variants) the statement is compiled once per process and
    number of codes, with stand-ins, and run with the codes: Django's compiler (the home
    flag's CASE and EXISTS) cost more CPU than the indexed lookup, at every territory typed
    for the first time. Many codes at once (a spreadsheet's) are read by the ORM as is."""
    if len(codes) > len(CODE_STAND_INS):
        return list(with_home_flag(Territory.objects.filter(code__in=codes).defer("geometry")))
    stand_ins = list(CODE_STAND_INS[:len(codes)])
    sql, params = compiled(
        ("territories-with-codes", len(codes), home_region_code()),
        lambda: with_home_flag(Territory.objects.filter(code__in=stand_ins).defer("geometry")))
    found = list(Territory.objects.raw(
        sql, rebind(params, dict(zip(stand_ins, codes, strict=True)))))
    for territory in found:
        territory.in_home = bool(territory.in_home)  # SQLite answers 0 or 1
    return found


def suggest_territories(value: str, limit: int = 5) -> list[Territory]:
    """The territories a misspelt name probably means ("denin" → Denain), closest first and,
    among equally close ones, the home region's first: the "did you mean" of a name that
    resolves to nothing. One SELECT (`TerritoryQuerySet.similar`)."""
    value = " ".join("".join(c for c in (value or "")[:MAX_LENGTH] if c.isprintable()).split())
    found = with_home_flag(Territory.objects.active().defer("geometry")).similar(
        value, limit=limit * 4)
    found.sort(key=lambda t: (-round(t.closeness, 1), not t.in_home, -(t.population or 0)))
    return found[:limit]


#: Longest run of words read as a place inside a search ("CA de la Porte du Hainaut").
MAX_PLACE_WORDS = 6


@dataclass
class SearchReading:
    """What a search box text means: a place (applied as the territory filter), the other
    words (searched as keywords), and whether the place was only guessed from a misspelling
    (then the page says so)."""

    text: str
    territory: Territory | None = None
    keywords: str = ""
    alternatives: list[Territory] = field(default_factory=list)

    @property
    def guessed(self) -> bool:
        """Whether the territory was guessed from a misspelling: no run of the words typed
        names it ("denin" for Denain)."""
        if self.territory is None:
            return False
        words = self.text.split()
        return not any(names_place(self.territory, " ".join(run)) for run, _r in word_runs(words))


def names_place(territory: Territory, words: str) -> bool:
    """Whether `words` name this territory, not merely occur in its name: "denain" names
    Denain, "st amand" Saint-Amand-les-Eaux and "porte du hainaut" the CA de la Porte du
    Hainaut (whole words of its name); "sante" does not name Santes."""
    typed = Territory.normalize(words)
    return is_exact(territory, words) or f" {typed} " in f" {Territory.normalize(territory.name)} "


def word_runs(words: list[str]):
    """The runs of words a place may occupy, most likely first: the whole text, then the
    longest runs at its end ("epicerie denain") or its beginning ("denain epicerie")."""
    yield words, []
    for size in range(min(len(words) - 1, MAX_PLACE_WORDS), 0, -1):
        yield words[-size:], words[:-size]
        yield words[:size], words[size:]


def read_search(text: str) -> SearchReading:
    """Read what a professional types in the one search box: "Denain", "st amand", "59",
    "epicerie denain" (the place as territory, "epicerie" as keywords), or only keywords
    ("restos du coeur"). A place is a run of words at either end that names a territory
    (`names_place`), read by `resolve_territory`; nothing else is guessed here (the fuzzy
    "denin" → Denain is `suggest_territories`, which the caller asks for when the keywords
    find nothing)."""
    text = " ".join("".join(c for c in (text or "")[:MAX_LENGTH * 2] if c.isprintable()).split())
    reading = SearchReading(text=text, keywords=text)
    words = text.split()
    if not words:
        return reading
    for run, rest in word_runs(words):
        place = " ".join(run)
        resolution = resolve_territory(place)
        found = resolution.territory
        # Beside keywords, a place is named in full, or by the first words of its name
        # ("epicerie st amand"), never by one word that merely begins it: "restos du
        # coeur" is not about "Coeur de Drôme".
        if found is not None and rest and not (
                is_exact(found, place) or (len(run) > 1 and Territory.normalize(
                    found.name).startswith(Territory.normalize(place) + " "))):
            continue
        if found is not None and names_place(found, place):
            reading.territory = found
            reading.alternatives = resolution.alternatives
            reading.keywords = " ".join(rest)
            break
    return reading


def is_exact(territory: Territory, value: str) -> bool:
    """Whether what was typed names or codes this territory exactly (not just part of it)."""
    typed = Territory.normalize(value)
    return typed in {Territory.normalize(territory.name), Territory.normalize(territory.code),
                     Territory.normalize(territory_key(territory))}


def with_home_flag(queryset: QuerySet) -> QuerySet:
    """Flag the territories of the home region (`in_home`): on an ambiguous code ("32" is
    both the Hauts-de-France region and the Gers département) or name ("Marly"), they win."""
    home = Territory.ancestors.through.objects.filter(
        from_territory=OuterRef("pk"), to_territory__scale=Scale.REGION,
        to_territory__code=home_region_code(),
    )
    return queryset.annotate(in_home=Case(
        When(scale=Scale.REGION, code=home_region_code(), then=Value(True)),
        default=Exists(home), output_field=BooleanField(),
    ))


def _name_candidates(value: str) -> list[Territory]:
    normalized = Territory.normalize(value)
    if not normalized:
        return []
    queryset = with_home_flag(
        Territory.objects.active().matching(value).defer("geometry")).order_by(
        "-in_home", "-population", "name")
    candidates = list(queryset[:40])

    def key(t: Territory):
        name = Territory.normalize(t.name)
        exact = name == normalized
        leading = exact or name.startswith(normalized + " ")  # "st amand" → "saint amand les eaux"
        return (not t.in_home, not leading, -(t.population or 0), not exact)

    return sorted(candidates, key=key)


def related_territory_ids(territory: Territory) -> list[int]:
    """The territory, every territory enclosing it (EPCI, département, region, custom areas)
    and every territory it encloses: the links that relate a project to it. One query."""
    Closure = Territory.ancestors.through
    pairs = Closure.objects.filter(
        Q(from_territory_id=territory.pk) | Q(to_territory_id=territory.pk)
    ).values_list("from_territory_id", "to_territory_id")
    return sorted({territory.pk} | {a if b == territory.pk else b for a, b in pairs})


def covering_q(territory: Territory, related_ids: list[int] | None = None) -> Q:
    """Projects that cover at least part of `territory`, in both directions: for a commune,
    the projects of the commune, its EPCI, département, region and custom areas; for a
    département, also the projects of its communes and EPCIs (and of areas that straddle
    its border). One indexed sub-query on the commune coverage, one on the links."""
    if territory.scale == Scale.COMMUNE:
        coverage = ProjectCoverage.objects.filter(commune_id=territory.pk)
    else:
        coverage = ProjectCoverage.objects.filter(
            commune_id__in=Territory.ancestors.through.objects.filter(
                to_territory_id=territory.pk).values("from_territory_id"))
    if related_ids is None:
        related_ids = related_territory_ids(territory)
    links = ProjectTerritory.objects.filter(territory_id__in=related_ids)
    return Q(pk__in=coverage.values("project_id")) | Q(pk__in=links.values("project_id"))


#: Stands for a territory's id in a statement compiled once and run with the real one
#: (`TerritoryScope._covering_levels`): no id is negative, no other parameter is this value.
STAND_IN_PK = -987_654_321


class TerritoryScope:
    """What one request needs to know about a territory, computed once: the related
    territories and the ids of the projects covering it. Every count, facet and page of the
    listing then filters on a list of ids instead of re-running the containment join (a
    département at national scale: hundreds of communes, tens of thousands of coverage
    rows)."""

    def __init__(self, territory: Territory, version: int | None = None):
        self.territory = territory
        #: The data version the covering projects are cached under (None: not cached).
        self.version = version
        self._related: list[int] | None = None
        self._levels: dict[int, int] | None = None

    @property
    def related_ids(self) -> list[int]:
        if self._related is None:
            self._related = related_territory_ids(self.territory)
        return self._related

    @property
    def project_ids(self) -> list[int]:
        return list(self.levels)

    @property
    def levels(self) -> dict[int, int]:
        """{project id: level} of every project covering the territory (`level`), in one
        statement, cached under the data version when there is one: which projects cover a
        territory, and at which level, changes only with a publish or an import (both bump
        it). For a département at national scale it was the costliest part of the listing
        (the coverage of its 664 communes, 18,748 rows, and a level sub-query per row)."""
        if self._levels is None:
            if self.version is None:
                self._levels = self._covering_levels()
            else:
                key = f"territory-levels:{self.version}:{self.territory.pk}"
                self._levels = remembered(key, self._covering_levels, PROJECT_IDS_TIMEOUT)
        return self._levels

    def _covering_levels(self) -> dict[int, int]:
        """`covering_statement`, compiled once per process for communes and once for the
        other territories with a stand-in id, run with this territory's: Django's compiler
        (a level sub-query, two CASEs over every scale) cost more CPU than the statement,
        at every territory nobody had asked for yet."""
        kind = "commune" if self.territory.scale == Scale.COMMUNE else "area"
        stand_in = Territory(pk=STAND_IN_PK, scale=self.territory.scale)
        sql, params = compiled(("territory-levels", kind),
                               lambda: TerritoryScope(stand_in).covering_statement())
        with connection.cursor() as cursor:
            cursor.execute(sql, rebind(params, {STAND_IN_PK: self.territory.pk}))
            return dict(cursor.fetchall())

    def covering_statement(self) -> QuerySet:
        """(project id, level) of every project covering the territory. Unordered: the
        default ordering of pages (their tree path) would join and sort the page table for
        a set that is only ever used as a filter."""
        return (ProjectPage.objects.filter(covering_q(self.territory, self.related))
                .annotate(level=self.level()).order_by().values_list("pk", "level"))

    @property
    def related(self) -> QuerySet:
        """The same territories as `related_ids`, as a sub-query (the closure both ways and
        the territory itself), not a list: a region relates to thousands of territories,
        and as parameters they cost more to compile and plan than the query costs to run."""
        Closure = Territory.ancestors.through.objects
        pk = self.territory.pk
        return Closure.filter(from_territory_id=pk).values("to_territory_id").order_by().union(
            Closure.filter(to_territory_id=pk).values("from_territory_id").order_by(),
            Territory.objects.filter(pk=pk).values("pk").order_by(), all=True)

    def level(self):
        """The level at which a project covers the territory: the rank of its most local
        territory among the related ones (a project linked to Denain and to the region is
        local), or of its broadest territory when only its commune coverage relates it (a
        custom area straddling a border)."""
        nearest = (
            ProjectTerritory.objects.filter(project=OuterRef("pk"),
                                            territory_id__in=self.related)
            .annotate(rank=_rank_case("territory__scale")).order_by("rank").values("rank")[:1]
        )
        return Coalesce(Subquery(nearest, output_field=IntegerField()),
                        _rank_case("broadest_scale"))


def _rank_case(field_name: str) -> Case:
    return Case(*[When(**{field_name: scale}, then=Value(rank))
                  for scale, rank in SCALE_RANK.items()],
                default=Value(UNKNOWN_LEVEL), output_field=IntegerField())


def level_label(level: int | None):
    return LEVEL_LABELS.get(level, _("Other projects"))


#: From this level up, a project covering a smaller territory is flagged as broad: its
#: intercommunality is still local for a commune, its département or region is not.
BROAD_FROM = SCALE_RANK[Scale.DEPARTEMENT]


def is_broad(level: int | None, territory: Territory) -> bool:
    """A département-, region-wide (or wider) project found for a smaller territory (a
    region-wide project in a département search): still listed, but flagged."""
    return (level is not None and level != UNKNOWN_LEVEL and level > territory.rank
            and level >= BROAD_FROM)
