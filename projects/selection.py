"""How a listing is computed, once per request: the ordered selection of project ids, every
facet count from it in ONE grouped statement, the choices of the filters cached under the
data version, and the cards from plain rows (two statements, no page object).

Why: at national scale (10,000 projects, 1.2 M coverage rows) the listing spent half its time
re-applying every filter but one for each facet (eight aggregate queries joining whole link
tables even when eight projects were selected), building Wagtail page objects only to list
axis names, and planning statements of thousands of parameters. Here:

- the selection is read once (`project_filter.qs`, ordered ids and levels), and passed back
  to the database as ONE array parameter (`= ANY(%s)` on PostgreSQL, `json_each` on SQLite);
- every facet count is a `GROUP BY` over a link table restricted to that selection, all of
  them in one `UNION ALL` statement; an *exclusive* count ("all filters but this one", what a
  person gets by ticking another option) is computed from the filters without that one, and
  only for facets that have an active value: otherwise it is the selection itself;
- the choices (programmes, publics, themes, axes, years, carriers of the listing) change only
  when data changes: they are cached under `DataVersion`.

What the filters *mean* stays in `projects.filters` (`ProjectFilter.filtered`, `status_q`,
`year_q`): nothing here decides which project matches.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from maps.models import CATALOGUE, SCALE_RANK, DataVersion
from projects.models import (
    Organisation,
    ProgrammeAxis,
    ProgrammePage,
    ProjectContact,
    ProjectOrganisation,
    ProjectPage,
    ProjectStatus,
    ProjectTerritory,
    Public,
    Theme,
    describe_period,
)

CARRIER = ProjectOrganisation.Role.CARRIER
#: The columns `describe_period` reads, in its order: a card says when, as the page does.
PERIOD_FIELDS = ("start_date", "start_precision", "end_date", "end_precision", "duration_text",
                 "call_text", "call_year")
#: How long cached choices live at most (they are keyed on the data version anyway).
CHOICES_TIMEOUT = 24 * 3600


# -- the selection as one parameter ---------------------------------------------------------


class _IdsMarker(list):
    """Stands for "the ids" in a statement compiled once and reused with other ids."""


IDS = _IdsMarker()


class Slot(_IdsMarker):
    """Stands for the ids of one named filter (`Slot("thematique")`) in a statement compiled
    once per shape and bound at each request with that filter's ids (`bind_slots`). Equal,
    and hashed, by name: Django compares expressions by their arguments."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Slot) and other.name == self.name

    def __hash__(self):
        return hash(("slot", self.name))

    def __repr__(self):
        return f"Slot({self.name!r})"


class InIds(Func):
    """`field IN (ids)` with the ids as ONE parameter, whatever their number: an array on
    PostgreSQL, a JSON list read by `json_each` on SQLite. A list of 10,000 `%s` would cost
    more to compile and plan than to run. With `IDS` the parameter is left as a marker, for
    a statement compiled once (`compiled`) and bound at each request (`bind`)."""

    output_field = BooleanField()

    def __init__(self, expression, ids: Iterable[int]):
        super().__init__(expression)
        self.ids = ids if isinstance(ids, _IdsMarker) else [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        value = _ids_param(self.ids, connection.vendor)
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(%s::integer[])", [*params, value]
        return f"{sql} IN (SELECT value FROM json_each(%s))", [*params, value]


class InLinks(Func):
    """`field IN (SELECT <owner> FROM <link table> WHERE <target> IN (ids) [AND <column> =
    value])`, written as SQL with the ids as ONE parameter (`InIds`): the filters of the
    listing on a link table (publics, themes, axes, carriers). As Django sub-queries each was
    a whole query compiled twice per request (in the selection's WHERE and in its facet bit),
    the largest part of the Python time of the selection statement."""

    output_field = BooleanField()

    def __init__(self, expression, through, owner: str, target: str, ids: Iterable[int],
                 where: tuple[str, str] | None = None):
        super().__init__(expression)
        self.through, self.owner, self.target, self.where = through, owner, target, where
        self.ids = ids if isinstance(ids, _IdsMarker) else [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        meta, quote = self.through._meta, connection.ops.quote_name
        column = {f.name: f.column for f in meta.concrete_fields}
        table = quote(meta.db_table)
        if connection.vendor == "postgresql":
            test = f"{quote(column[self.target])} = ANY(%s::integer[])"
        else:
            test = f"{quote(column[self.target])} IN (SELECT value FROM json_each(%s))"
        inner = [_ids_param(self.ids, connection.vendor)]
        if self.where:
            test += f" AND {quote(column[self.where[0]])} = %s"
            inner.append(self.where[1])
        return (f"{sql} IN (SELECT {table}.{quote(column[self.owner])} FROM {table} "
                f"WHERE {test})", [*params, *inner])


def _ids_param(ids: list[int], vendor: str) -> str | _IdsMarker:
    """The ids as the text of one parameter: an array literal (`{1,2,3}`, cast by the
    statement) on PostgreSQL, a JSON list on SQLite. Written here in one join: psycopg's
    client-side binding quoted a Python list element by element, a tenth of the CPU time of
    a territory's listing (a département is covered by a thousand projects). A marker
    (`IDS`, a `Slot`) stays in the parameters, for `bind` or `bind_slots`."""
    if isinstance(ids, _IdsMarker):
        return ids
    if vendor == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(ids)


def in_ids(field: str, ids: Iterable[int]) -> InIds:
    return InIds(F(field), ids)


def linked_to(through, owner: str, target: str, ids: Iterable[int],
              where: tuple[str, str] | None = None) -> InLinks:
    """The projects (`pk`) that a link table joins to one of `ids` (`InLinks`)."""
    return InLinks(F("pk"), through, owner, target, ids, where)


_COMPILED: dict[tuple, tuple[str, tuple]] = {}


def compiled(key: tuple, build: Callable[[], QuerySet]) -> tuple[str, tuple]:
    """The SQL of a queryset that depends only on the ids (built with `IDS`), compiled once
    per process and key: Django's compiler cost more than the statements themselves."""
    key = (connection.vendor, *key)
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) > 500:
            _COMPILED.clear()
        sql, params = build().query.sql_with_params()
        found = _COMPILED[key] = (sql, tuple(params))
    return found


def bind(params: Iterable, ids: Sequence[int]) -> list:
    value = _ids_param([int(pk) for pk in ids], connection.vendor)
    return [value if p is IDS else p for p in params]


def rebind(params: Iterable, values: dict) -> list:
    """The parameters of a statement compiled with stand-in values (a negative id, a code
    with a NUL), each stand-in replaced by this run's value."""
    return [values.get(p, p) if isinstance(p, int | str) else p for p in params]


def bind_slots(params: Iterable, ids_of: Callable[[str], Sequence[int]]) -> list:
    """The parameters of a statement compiled with `Slot`s, each slot replaced by the ids
    `ids_of(its name)` (read once per name)."""
    values: dict[str, str] = {}

    def value(slot: Slot) -> str:
        if slot.name not in values:
            values[slot.name] = _ids_param([int(pk) for pk in ids_of(slot.name)],
                                           connection.vendor)
        return values[slot.name]

    return [value(p) if isinstance(p, Slot) else p for p in params]


def data_version(request=None, programme: str | None = None) -> str:
    """The named data version of the catalogue, or of one programme's projects
    (`DataVersion.scoped`), read once per request and scope (the page cache, the choices,
    the maps and the resolutions all key on it)."""
    memo = getattr(request, "_data_versions", None) if request is not None else None
    if memo is not None and programme in memo:
        return memo[programme]
    version = DataVersion.scoped(programme)
    if request is not None:
        if memo is None:
            memo = request._data_versions = {}
        memo[programme] = version
        if version.startswith(f"{CATALOGUE}="):  # read in the same query: the catalogue's
            memo[None] = version
    return version


# -- cached choices ------------------------------------------------------------------------


@dataclass
class Choices:
    """What the filters of a listing (all projects, or one programme's) can offer, with
    labels; the same whatever the selection, so cached under the data version."""

    programmes: list[tuple[int, str, str]]  # (pk, slug, label) with projects in the listing
    publics: list[tuple[int, str, str]]  # (pk, code, label) of every public, by label
    themes: list[tuple[int, str, str]]
    used_publics: set[int]
    used_themes: set[int]
    axes: list[tuple[int, str, str, str, str]]  # (pk, code, label, programme slug, label)
    used_axes: set[int]
    years: list[int]
    carriers: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # pk → key, name,
    # acronym of every carrier organisation
    families: dict[str, dict[int, int | None]] = field(default_factory=dict)  # "public" /
    # "thematique" → {pk: family pk or None}
    universal: set[int] = field(default_factory=set)  # pks of the « tous publics » entries

    def label_of(self, rows, value, key_index=1, label_index=2):
        for row in rows:
            if row[key_index] == value:
                return row[label_index]
        return value


_MEMO: dict[str, object] = {}
MEMO_SIZE = 200


def remembered(key: str, build: Callable[[], object], timeout: int):
    """`cache.get_or_set`, also remembered by this process: the key carries the data
    version, so an entry is never stale, and unpickling the choices (every carrier of the
    catalogue) or a département's levels at each request cost more than the statements
    that use them. The value is shared between requests: read-only. Keyed on the cache's
    prefix too (the tests give every test a prefix of its own)."""
    memo_key = f"{cache.key_prefix}:{key}"
    found = _MEMO.get(memo_key)
    if found is None:
        found = cache.get_or_set(key, build, timeout)
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[memo_key] = found
    return found


def forget_remembered() -> None:
    """Empty this process's memo (`remembered`): a cold start, for the bench and the tests
    that clear the cache (an entry is never stale, so nothing else needs it)."""
    _MEMO.clear()


def choices(programme: ProgrammePage | None = None, request=None) -> Choices:
    version = data_version(request, programme.slug if programme else None)
    key = f"listing-choices:{programme.pk if programme else 'all'}:{version}:{get_language()}"
    return remembered(key, lambda: _build_choices(programme), CHOICES_TIMEOUT)


def listing_base(programme: ProgrammePage | None = None) -> QuerySet:
    """The projects a listing starts from: every live project, or a programme's. Marked
    with what it is (`listing_base`), so that a filter's selection statement compiled on it
    is reused only on the same base (`ProjectFilter.selection_rows`)."""
    queryset = ProjectPage.objects.live()
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    queryset.listing_base = ("listing", programme.pk if programme is not None else None)
    return queryset


def year_range(queryset) -> list[int]:
    """Every year a project of the listing was funded or ran, bounded to a sane span."""
    from projects.filters import MAX_YEAR, MIN_YEAR

    bounds = queryset.aggregate(
        call_min=Min("call_year"), call_max=Max("call_year"), start_min=Min("start_date"),
        start_max=Max("start_date"), end_min=Min("end_date"), end_max=Max("end_date"))
    years = [bounds["call_min"], bounds["call_max"]]
    years += [d.year for d in (bounds["start_min"], bounds["start_max"], bounds["end_min"],
                               bounds["end_max"]) if isinstance(d, datetime.date)]
    years = [y for y in years if y is not None]
    if not years:
        return []
    first, last = max(MIN_YEAR, min(years)), min(MAX_YEAR, max(years))
    first = max(first, last - 30)
    return list(range(first, last + 1))


def _build_choices(programme: ProgrammePage | None) -> Choices:
    base = listing_base(programme).values("pk")
    programmes = [(p.pk, p.slug, p.label) for p in ProgrammePage.objects.live().filter(
        Exists(ProjectPage.objects.live().filter(pk__in=base, programme=OuterRef("pk"))))
        .only("pk", "slug", "title", "short_title").order_by("title")]

    def used(through, column):
        return set(through.objects.filter(projectpage_id__in=base)
                   .values_list(column, flat=True).distinct())

    axes = ProgrammeAxis.objects.select_related("programme").only(
        "pk", "code", "label", "sort_order", "programme__slug", "programme__title",
        "programme__short_title").order_by("programme__title", "sort_order", "pk")
    if programme is not None:
        axes = axes.filter(programme=programme)
    carriers = {pk: (key, name, acronym) for pk, key, name, acronym in Organisation.objects.filter(
        Exists(ProjectOrganisation.objects.filter(organisation=OuterRef("pk"), role=CARRIER))
    ).values_list("pk", "key", "name", "acronym")}
    # (pk, code, label, family pk[, universal]): one query per vocabulary, families included
    publics = list(Public.objects.order_by("label", "pk").values_list(
        "pk", "code", "label", "family_id", "universal"))
    themes = list(Theme.objects.order_by("label", "pk").values_list(
        "pk", "code", "label", "family_id"))
    return Choices(
        programmes=programmes,
        publics=[row[:3] for row in publics],
        themes=[row[:3] for row in themes],
        used_publics=used(ProjectPage.publics.through, "public_id"),
        used_themes=used(ProjectPage.themes.through, "theme_id"),
        axes=[(a.pk, a.code, a.label, a.programme.slug, a.programme.label) for a in axes],
        used_axes=used(ProjectPage.axes.through, "programmeaxis_id"),
        years=year_range(listing_base(programme)),
        carriers=carriers,
        families={"public": {row[0]: row[3] for row in publics},
                  "thematique": {row[0]: row[3] for row in themes}},
        universal={row[0] for row in publics if row[4]},
    )


# -- facet counts in one statement ----------------------------------------------------------


def _grouped(queryset: QuerySet, key) -> QuerySet:
    """`key, COUNT(*)` of a queryset, as the columns `k`, `n`."""
    return queryset.annotate(k=key).values("k").annotate(n=Count("*")).order_by()


def _status_key(today) -> object:
    """The status of a project as a small integer, from `projects.filters.status_q` (the
    single definition of what each status means)."""
    from django.db.models import Case, When

    from projects.filters import status_q

    return Case(*[When(status_q(status, today), then=Value(i))
                  for i, status in enumerate(STATUSES) if status != ProjectStatus.UNKNOWN],
                default=Value(STATUSES.index(ProjectStatus.UNKNOWN)),
                output_field=IntegerField())


#: Order of the status options (and of their integer keys in the facet statement).
STATUSES = list(ProjectStatus)


def facet_counts(project_filter, selection_ids: Sequence[int], choices_: Choices,
                 max_carriers: int) -> dict[str, dict]:
    """{facet: {key: count}} for perimetre (1 in the region, 0 elsewhere), programme
    (programme pk), public, thematique, axe (pks),
    statut (index in STATUSES), annee (year), porteur (organisation pk): one statement.

    A facet whose filter is active counts over the selection *without* that filter (the
    count next to an option says what ticking it would give); every other facet counts over
    the selection itself, passed as one array parameter."""
    from projects.filters import year_q

    fields = project_filter.form.fields
    today = project_filter.today
    # The facets counted without their own filter, over the ids the selection statement
    # set apart for each (`ProjectFilter.selection_rows`); every other over the selection.
    active = set(project_filter.exclusive_facets())

    def ids_for(name: str) -> Sequence[int]:
        name = name.partition(":")[0]
        return project_filter.exclusive_ids(name) if name in active else selection_ids

    def base(name: str, column_model, column: str):
        """Rows of `column_model` restricted to the projects counted for facet `name`
        (`IDS`, bound per facet by `ids_for`)."""
        return column_model.objects.filter(in_ids(f"{column}_id", IDS))

    def projects_for(name: str):
        return ProjectPage.objects.filter(in_ids("pk", IDS))

    builders: list[tuple[str, tuple, Callable[[], QuerySet]]] = []
    if "perimetre" in fields:
        builders.append(("perimetre", (), lambda: _grouped(
            projects_for("perimetre"), Cast(F("in_home_region"), IntegerField()))))
    if "programme" in fields:
        builders.append(("programme", (), lambda: _grouped(projects_for("programme"),
                                                           F("programme_id"))))
    builders.append(("axe", (), lambda: _grouped(
        base("axe", ProjectPage.axes.through, "projectpage"), F("programmeaxis_id"))))
    # Two-level vocabularies (issue 14): the count of an option is what ticking it gives,
    # its members (for a family) and the « tous publics » projects included. Counted as:
    # the projects with no universal public, per entry ("public") and per family ("public:
    # family", an entry without family being its own), plus the universal ones once
    # ("public:universal"), which are disjoint from the first two.
    for name, through, column in (("public", ProjectPage.publics.through, "public"),
                                  ("thematique", ProjectPage.themes.through, "theme")):
        universal = column == "public"

        def rows(name=name, through=through, universal=universal):
            found = base(name, through, "projectpage")
            if universal:
                found = found.exclude(projectpage_id__in=through.objects.filter(
                    public__universal=True).values("projectpage_id"))
            return found

        builders.append((name, (), lambda rows=rows, column=column: _grouped(
            rows(), F(f"{column}_id"))))
        builders.append((f"{name}:family", (), lambda rows=rows, column=column: rows().annotate(
            k=Coalesce(f"{column}__family_id", f"{column}_id")).values("k").annotate(
            n=Count("projectpage_id", distinct=True)).order_by()))
        if universal:
            builders.append((f"{name}:universal", (), lambda name=name, through=through: base(
                name, through, "projectpage").filter(public__universal=True).annotate(
                k=Value(0, output_field=IntegerField())).values("k").annotate(
                n=Count("projectpage_id", distinct=True)).order_by()))
    builders.append(("statut", (today,), lambda: _grouped(projects_for("statut"),
                                                         _status_key(today))))
    for year in choices_.years:
        builders.append(("annee", (year,), lambda year=year: projects_for("annee").filter(
            year_q(year)).annotate(k=Value(year, output_field=IntegerField())).values("k")
            .annotate(n=Count("*")).order_by()))
    builders.append(("porteur", (max_carriers,), lambda: base(
        "porteur", ProjectOrganisation, "project").filter(role=CARRIER).values(
        k=F("organisation_id")).annotate(n=Count("project_id", distinct=True)).order_by(
        "-n", "organisation__name")[:max_carriers]))
    # Every part depends on the ids only: compiled once per process, bound per request.
    parts = [(name, *_bound(compiled(("facet", name, *key), build), ids_for(name)))
             for name, key, build in builders]
    return run_grouped(parts)


def _bound(found: tuple[str, tuple], ids: Sequence[int]) -> tuple[str, list]:
    sql, params = found
    return sql, bind(params, ids)


def run_grouped(parts: list[tuple[str, str, list]]) -> dict[str, dict]:
    """Run `(name, SQL of columns k, n, params)` parts as ONE `UNION ALL` statement."""
    sqls, params = [], []
    for i, (name, sql, part_params) in enumerate(parts):
        sqls.append(f"SELECT '{name}' AS facet, f{i}.k, f{i}.n FROM ({sql}) f{i}")
        params.extend(part_params)
    counts: dict[str, dict] = {name: {} for name, _sql, _params in parts}
    if not sqls:
        return counts
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        for name, key, n in cursor.fetchall():
            counts[name][key] = n
    return counts


# -- cards from rows -----------------------------------------------------------------------


@dataclass
class Card:
    """What a project card shows, from plain rows (no Wagtail page object)."""

    pk: int
    slug: str
    title: str
    url: str
    summary: str
    status: str
    programme_label: str
    carriers: list[str] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)
    territories: list[tuple[int, str]] = field(default_factory=list)  # (scale rank, name)
    published_contacts: list[dict] = field(default_factory=list)
    in_home_region: bool = True
    open_to_everyone: bool = False  # has a « tous publics » public
    how_to_join: str = ""
    programme_contact: tuple[str, str] = ("", "")  # the programme team's (text, e-mail)
    level: int | None = None
    level_label: str = ""
    is_broad: bool = False

    when: str = ""

    @property
    def status_label(self):
        return ProjectStatus(self.status).label

    @property
    def status_known(self) -> bool:
        return self.status != ProjectStatus.UNKNOWN

    @property
    def covered_territories(self) -> list[str]:
        return [name for _rank, name in sorted(self.territories)]


def _public_contact(name, role, organisation, phone, email, basis, document_id,
                    document_title, date, collected_by) -> dict:
    """A contact of a card as the public may see it: a named person's details only with a
    recorded basis (`projects.consent`, the same rules as the project page and exports)."""
    from projects.consent import basis_recorded, public_fields

    date = datetime.date.fromisoformat(date) if date else None
    recorded = basis_recorded(basis or "", document_id or None, date, collected_by or "")
    name, email, phone = public_fields(basis=basis or "", recorded=recorded, name=name or "",
                                       email=email or "", phone=phone or "")
    return {"name": name, "role": role, "organisation": organisation, "phone": phone,
            "email": email}


def _card_details() -> QuerySet:
    """Carriers, publics, territories and published contacts of the projects `IDS`, as
    rows (project, kind, sort, a…f) of one `UNION ALL`."""
    text = CharField()

    columns = "abcdefghijk"

    def part(queryset, kind: str, sort, *values):
        def col(value):
            if isinstance(value, str) and not value:
                return Value("", output_field=text)
            return Cast(value, text) if not isinstance(value, Value) else value
        values = [*values, *[""] * (len(columns) - len(values))]
        return queryset.annotate(
            kind=Value(kind, output_field=text), s=sort,
            **{name: col(value) for name, value in zip(columns, values, strict=True)},
        ).values_list("project_pk", "kind", "s", *columns).order_by()

    roles = ProjectOrganisation.objects.filter(
        in_ids("project_id", IDS), role=CARRIER).annotate(project_pk=F("project_id"))
    through = ProjectPage.publics.through
    publics = through.objects.filter(in_ids("projectpage_id", IDS)).annotate(
        project_pk=F("projectpage_id"))
    links = ProjectTerritory.objects.filter(
        in_ids("project_id", IDS)).annotate(project_pk=F("project_id"))
    contacts = ProjectContact.objects.filter(
        in_ids("project_id", IDS), publish=True).annotate(project_pk=F("project_id"))
    return part(roles, "carrier", F("sort_order"), F("organisation__name")).union(
        part(publics, "public", Value(0, output_field=IntegerField()), F("public__label"),
             F("public__universal")),
        part(links, "territory", F("sort_order"), F("territory__name"), F("territory__scale")),
        part(contacts, "contact", F("sort_order"), F("name"), F("role"),
             F("organisation__name"), F("organisation__acronym"), F("phone"), F("email"),
             F("consent_basis"), F("consent_document_id"), F("consent_document__title"),
             F("consent_date"), F("consent_collected_by")),
        all=True)


def cards(ids: Sequence[int], url_of: Callable[[str], str], today=None) -> list[Card]:
    """The cards of these projects, in this order, in two statements: the project rows, then
    carriers, publics, territories and published contacts in one `UNION ALL`. `url_of`
    turns a page's `url_path` into its address (the caller knows the sites)."""
    if not ids:
        return []
    today = today or timezone.localdate()
    sql, params = compiled(("card-rows", today), lambda: ProjectPage.objects.filter(
        in_ids("pk", IDS)).annotate(status_key=_status_key(today)).values_list(
        "pk", "slug", "title", "url_path", "summary", "status_key", "programme__title",
        "programme__short_title", "in_home_region", "how_to_join",
        "programme__contact_text", "programme__contact_email", *PERIOD_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(sql, bind(params, ids))
        rows = cursor.fetchall()
    found = {}
    for (pk, slug, title, url_path, summary, status, p_title, p_short, home, join,
         contact_text, contact_email, *period) in rows:
        found[pk] = Card(pk, slug, title, url_of(url_path), summary, STATUSES[status].value,
                         p_short or p_title or "", in_home_region=home, how_to_join=join,
                         programme_contact=(contact_text or "", contact_email or ""),
                         when=describe_period(*period))
    sql, params = compiled(("card-details",), _card_details)
    with connection.cursor() as cursor:
        cursor.execute(sql, bind(params, ids))
        union = cursor.fetchall()
    details = sorted(union, key=lambda r: (r[0], r[1], r[2], r[3] or ""))
    for pk, kind, _sort, a, b, c, d, e, f, *consent in details:
        card = found.get(pk)
        if card is None:
            continue
        if kind == "carrier":
            card.carriers.append(a)
        elif kind == "public":
            card.publics.append(a)
            card.open_to_everyone = card.open_to_everyone or b in ("true", "1", "True")
        elif kind == "territory":
            card.territories.append((SCALE_RANK.get(b, 99), a))
        else:
            card.published_contacts.append(_public_contact(a, b, d or c or "", e, f, *consent))
    return [found[pk] for pk in ids if pk in found]
