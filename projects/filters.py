"""The FilterSet of the project listings. The same GET parameters drive /projets/, the
programme pages, the territory pages, the explorer map, the exports and the JSON API (public
addresses in DESIGN.md §3): q, programme, territoire, public, thematique, axe, statut, annee,
porteur, tri.

A parameter that does not validate (an unknown code, a malformed year) is shown as a form
error and ignored, never a server error; an unknown territory empties the result instead,
because "everything" is not an honest answer to "what exists in Zzz?".

Every filter is a `pk IN (sub-query)`, never a join on the listing query itself: no duplicate
rows, no DISTINCT, and the facet counts can re-apply all filters but one (disjunctive facets:
the count next to a public says how many projects ticking it would add or keep).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
from typing import NamedTuple

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from maps.models import Territory
from projects.coverage import Perimeter, scope_q
from projects.models import (
    Organisation,
    ProgrammePage,
    ProjectOrganisation,
    ProjectPage,
    ProjectStatus,
)
from projects.search import MAX_QUERY_LENGTH, search_ids
from projects.selection import Slot, bind_slots, compiled, data_version, in_ids, linked_to
from projects.selection import choices as listing_choices
from projects.territory import Resolution, TerritoryScope, resolve_territory

#: Years a project may be filtered on: anything else is a form error, not a crash.
MIN_YEAR, MAX_YEAR = 1990, 2100

SORT_CHOICES = [
    ("pertinence", _("Relevance (with keywords)")),
    ("proximite", _("Local projects first (with a territory)")),
    ("titre", _("Title")),
    ("recent", _("Most recent first")),
    ("programme", _("Programme")),
]

CARRIER = ProjectOrganisation.Role.CARRIER

PERIMETER_CHOICES = [
    (Perimeter.REGION, _("Hauts-de-France")),
    (Perimeter.ELSEWHERE, _("Examples elsewhere in France")),
    (Perimeter.ALL, _("Hauts-de-France and examples elsewhere")),
]


def status_q(status: str, today: datetime.date) -> Q:
    """The status of a project as a condition on its dates (so that it can be filtered and
    counted in SQL); mirrors `ProjectPage.status_on`."""
    if status == ProjectStatus.UPCOMING:
        return Q(start_date__gt=today)
    if status == ProjectStatus.FINISHED:
        return Q(end_date__lt=today) & ~Q(start_date__gt=today)
    if status == ProjectStatus.ONGOING:
        return (Q(start_date__isnull=False) | Q(end_date__isnull=False)) & ~Q(
            start_date__gt=today) & ~Q(end_date__lt=today)
    if status == ProjectStatus.UNKNOWN:
        return Q(start_date__isnull=True, end_date__isnull=True)
    return Q()


def year_q(year: int) -> Q:
    """Funded by that year's call, or running during that year."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    dated = Q(start_date__isnull=False) | Q(end_date__isnull=False)
    overlaps = dated & (Q(start_date__lte=end) | Q(start_date__isnull=True)) & (
        Q(end_date__gte=start) | Q(end_date__isnull=True))
    return Q(call_year=year) | overlaps


def _empty(value) -> bool:
    """What a filter method ignores: no value, or no chosen object (an evaluated queryset
    of the chosen publics or themes)."""
    if isinstance(value, QuerySet):
        return not value
    return value in EMPTY_VALUES


class TerritoryField(forms.CharField):
    """A commune, EPCI, département, region or custom area, by code or by name; cleans to a
    `Resolution` and refuses what matches nothing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", None)
        super().__init__(*args, **kwargs)

    #: Set by `ProjectFilter.form`: the request whose data version keys the cached reading.
    request = None

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        resolution = cached_resolution(value, self.request)
        if resolution.territory is None:
            raise ValidationError(
                _("No commune, EPCI, département or region matches “%(value)s”."),
                code="unknown_territory", params={"value": resolution.query},
            )
        return resolution


#: How long a territory reading stays cached (keyed on the data version anyway).
RESOLUTION_TIMEOUT = 6 * 3600


def cached_resolution(value: str, request=None) -> Resolution:
    """`resolve_territory`, cached per text under the data version (a territory import
    bumps it): the same few names and codes are typed again and again, and each reading is
    a query of its own."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"territory-resolution:{data_version(request)}:{digest}"
    return cache.get_or_set(key, lambda: resolve_territory(value), RESOLUTION_TIMEOUT)


class TerritoryFilter(django_filters.Filter):
    field_class = TerritoryField


class KeywordsField(forms.CharField):
    """Free text, cut to a sensible length instead of refused: a pasted paragraph still
    searches for its beginning."""

    def to_python(self, value):
        return " ".join(super().to_python(value).split())[:MAX_QUERY_LENGTH]


class KeywordsFilter(django_filters.CharFilter):
    field_class = KeywordsField


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class AxisField(django_filters.fields.ChoiceField):
    """An axis as "programme-slug:code" (axis codes repeat across programmes), or a bare
    code, as the programme pages write it, which stays valid when their filters are carried
    to /projets/, the map or the exports along with programme=<slug>."""

    def valid_value(self, value):
        if super().valid_value(value):
            return True
        value = str(value)
        keys = {str(key) for key, _label in self._flat_choices()}
        if ":" in value:  # "slug:code" on a programme page, whose choices are bare codes
            return value.rpartition(":")[2] in keys
        return any(key.endswith(f":{value}") for key in keys)

    def _flat_choices(self):
        for key, label in self.choices:
            if isinstance(label, list | tuple):
                yield from label
            else:
                yield key, label


class AxisFilter(django_filters.ChoiceFilter):
    field_class = AxisField


class Entry(NamedTuple):
    """A chosen public or theme, as the cached vocabulary knows it."""

    pk: int
    code: str
    label: str

    def __str__(self):
        return self.label


class VocabularyField(forms.MultipleChoiceField):
    """Codes of a vocabulary (publics, themes) checked against the vocabulary cached under
    the data version (`projects.selection.Choices`), not read again at each request; cleans
    to the chosen entries, in the order they were given."""

    def __init__(self, *args, entries=(), **kwargs):
        self.entries = {code: Entry(pk, code, label) for pk, code, label in entries}
        kwargs["choices"] = [(code, label) for _pk, code, label in entries]
        super().__init__(*args, **kwargs)

    def clean(self, value):
        return [self.entries[code] for code in super().clean(value)]


class VocabularyFilter(django_filters.MultipleChoiceFilter):
    field_class = VocabularyField


class FamilyCheckboxes(forms.CheckboxSelectMultiple):
    """The checkboxes of a two-level vocabulary: each option carries, in `option_attrs`,
    whether it is a family, a member of the family above it, or « tous publics », so that
    the template can indent the members under their family."""

    option_attrs: dict[str, dict] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_attrs.get(str(value), {}))
        return option


class FiltersOfOneInstance(dict):
    """`ProjectFilter.base_filters`, whose deep copy (made by django-filter for every
    FilterSet, so once per request) copies each filter and its `extra` dict only: a deep copy
    also copied the whole SQL query of every queryset the filters carry, and the choices of
    every list, for a form that is built anew from them anyway (a tenth of the CPU time of
    an uncached listing)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, base in self.items():
            copied = copy.copy(base)
            copied.__dict__.pop("_field", None)
            copied.extra = dict(base.extra)
            copied.method = base.method  # rebinds its FilterMethod to the copy
            copies[name] = copied
        return copies


class FieldsOfOneForm(dict):
    """The fields of a form class that django-filter builds for one FilterSet (its
    `get_form_class`): they belong to that one form, so Django's deep copy of them at
    instantiation is skipped."""

    def __deepcopy__(self, memo):
        return dict(self)


class ProjectFilter(django_filters.FilterSet):
    q = KeywordsFilter(
        label=_("Keywords"), method="filter_q",
        help_text=_("Words of the title, description, actions, carrier or places: "
                    "“epicerie solidaire”, “femmes enceintes”…"),
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), to_field_name="slug", method="filter_programme",
        queryset=ProgrammePage.objects.live().order_by("title"), empty_label=_("All programmes"),
    )
    territoire = TerritoryFilter(
        label=_("Territory"), method="filter_territory",
        help_text=_("A commune, an EPCI, a département or a region, by name or code: "
                    "Denain, st amand, 59491, 200042190, 59…"),
    )
    perimetre = django_filters.ChoiceFilter(
        label=_("Scope"), choices=PERIMETER_CHOICES, method="filter_perimeter",
        empty_label=None,
        help_text=_("The portal lists the projects of Hauts-de-France; the national document "
                    "of the 1000 premiers jours also gives examples elsewhere in France."),
    )
    public = VocabularyFilter(
        label=_("Target public"), method="filter_publics", widget=FamilyCheckboxes,
        help_text=_("A family includes its publics; projects open to everyone (« Tous "
                    "publics ») are listed whatever public is chosen."),
    )
    thematique = VocabularyFilter(
        label=_("Theme"), method="filter_themes", widget=FamilyCheckboxes,
        help_text=_("A family includes its themes."),
    )
    axe = AxisFilter(label=_("Axis or priority"), method="filter_axis",
                     empty_label=_("All axes and priorities"))
    statut = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices,
                                         method="filter_status", empty_label=_("Any status"))
    annee = YearFilter(label=_("Year"), method="filter_year", min_value=MIN_YEAR,
                       max_value=MAX_YEAR, help_text=_("Year of the call or of activity."))
    porteur = django_filters.ModelChoiceFilter(
        label=_("Carrier"), to_field_name="key", method="filter_carrier",
        queryset=Organisation.objects.filter(
            Exists(ProjectOrganisation.objects.filter(organisation=OuterRef("pk"), role=CARRIER))
        ).order_by("name"),
        empty_label=_("All carriers"),
    )
    tri = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES,
                                      method="filter_sort", empty_label=_("Default order"))

    class Meta:
        model = ProjectPage
        fields: list[str] = []

    #: Filters that select projects (every one but the sort order).
    SELECTING = ("q", "programme", "territoire", "public", "thematique", "axe", "statut",
                 "annee", "porteur")

    def __init__(self, data=None, *args, programme: ProgrammePage | None = None,
                 territory: Territory | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fixed_programme = programme
        self.fixed_territory = territory
        self._search_cache: dict[str, list[int]] = {}
        self.today = timezone.localdate()
        if programme is not None:
            del self.filters["programme"]
        if territory is not None:
            del self.filters["territoire"]
        # The axes change only with the data: read from the choices cached under the data
        # version, not from the database at every request.
        self.choices = listing_choices(programme, getattr(self, "request", None))
        if programme is not None:
            choices = [(code, label) for _pk, code, label, _slug, _p in self.choices.axes]
        else:
            groups: dict[str, list] = {}
            for _pk, code, label, slug, programme_label in self.choices.axes:
                groups.setdefault(programme_label, []).append((f"{slug}:{code}", label))
            choices = list(groups.items())
        self.filters["axe"].extra["choices"] = choices
        self.filters["public"].extra["entries"] = self.choices.publics
        self.filters["thematique"].extra["entries"] = self.choices.themes

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = FieldsOfOneForm(form_class.base_fields)
        return form_class

    @property
    def form(self):
        form = super().form
        if "territoire" in form.fields:
            form.fields["territoire"].request = getattr(self, "request", None)
        return form

    # -- state read by the listing ------------------------------------------------------

    def cleaned(self, name: str):
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 - validates the form once
        return self.form.cleaned_data.get(name)

    def active_filters(self) -> set[str]:
        """The selecting filters that restrict the listing (a valid, non-empty value): the
        facets whose counts must leave their own filter out."""
        if not self.is_bound:
            return set()
        self.errors  # noqa: B018 - validates the form once
        return {name for name, value in self.form.cleaned_data.items()
                if name in self.SELECTING and not _empty(value)}

    @property
    def resolution(self) -> Resolution | None:
        if self.fixed_territory is not None:
            return Resolution(query=self.fixed_territory.code, territory=self.fixed_territory)
        return self.cleaned("territoire")

    @property
    def territory(self) -> Territory | None:
        resolution = self.resolution
        return resolution.territory if resolution else None

    @property
    def scope(self) -> TerritoryScope | None:
        """The territory's related ids and covering projects, computed once per request."""
        territory = self.territory
        if territory is None:
            return None
        if getattr(self, "_scope", None) is None or self._scope.territory != territory:
            self._scope = TerritoryScope(territory, data_version(getattr(self, "request", None)))
        return self._scope

    @property
    def perimeter(self) -> str:
        """The perimeter asked for, else the default: the region, unless a territory is
        chosen (it then decides by itself, so that a shared `?territoire=Marseille` still
        lists the examples of Marseille)."""
        return self.cleaned("perimetre") or self.implicit_perimeter

    @property
    def implicit_perimeter(self) -> str:
        return Perimeter.ALL if self.territory is not None else Perimeter.REGION

    @property
    def per_page_param(self) -> str:
        """The page size asked for, kept by the filter form as a hidden field."""
        value = self.data.get("par_page", "") if self.is_bound else ""
        return value if value.isdigit() else ""

    @property
    def territory_error(self) -> bool:
        return self.is_bound and "territoire" in self.form.errors

    @property
    def sort(self) -> str:
        chosen = self.cleaned("tri")
        if chosen == "pertinence" and not self.cleaned("q"):
            chosen = ""
        if chosen == "proximite" and self.territory is None:
            chosen = ""
        if chosen:
            return chosen
        if self.cleaned("q"):
            return "pertinence"
        return "proximite" if self.territory is not None else "titre"

    # -- querysets ---------------------------------------------------------------------

    def filtered(self, without: tuple[str, ...] = (), queryset=None):
        """The projects selected by every filter except those named in `without`: the base
        of the disjunctive facet counts. Unordered."""
        queryset = (self.queryset if queryset is None else queryset).all()
        if self.territory_error:
            return queryset.none()
        if self.fixed_territory is not None:
            queryset = queryset.filter(self.territoire_condition(None))
        if "perimetre" not in without and self.perimeter != Perimeter.ALL:
            queryset = queryset.filter(scope_q(self.perimeter))
        if not self.is_bound:
            return queryset
        self.errors  # noqa: B018 - validates the form once
        for name, value in self.form.cleaned_data.items():
            if name in self.SELECTING and name not in without:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        return self.order(self.filtered(queryset=queryset))

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.order(self.filtered())
        return self._qs

    #: The filters whose facet counts leave them out ("all filters but this one").
    FACETED = ("perimetre", "programme", "public", "thematique", "axe", "statut", "annee",
               "porteur")

    def exclusive_facets(self) -> list[str]:
        """The facets counted over the selection *without* their own filter: those whose
        filter is in force, and the perimeter whenever it restricts (the region by
        default), so that the other perimeters say how many they would give."""
        active = self.active_filters()
        if (self.perimeter != Perimeter.ALL and not self.territory_error
                and "perimetre" in self.form.fields):
            active.add("perimetre")
        return [name for name in self.FACETED if name in active]

    def selection_rows(self) -> list[tuple]:
        """The listing's selection as ordered rows: (pk,), or (pk, level) with a territory,
        the same rows in the same order as `qs.values_list("pk", "level")`, AND the ids
        each exclusive facet counts over (`exclusive_ids`), from ONE statement.

        The statement selects the projects that pass every filter but the exclusive
        facets', with one bit per exclusive facet whose filter they fail, and keeps those
        that fail at most one: bit 0 is the selection, bit i the projects that ticking
        another option of facet i would show. The facet counts then read plain id arrays
        instead of re-running every filter but one per facet.

        The levels come from the territory's cached scope (`TerritoryScope.levels`), not a
        sub-query per row: the statement orders by the sort's other keys, and the local-
        first sort is a stable sort on the level in Python (ORDER BY level, title, pk).
        The statement is compiled once per shape of the filters (`_selection_statement`)."""
        exclusive = self.exclusive_facets()
        self._exclusive_ids = {name: [] for name in exclusive}
        with_misses = bool(exclusive) and not self.territory_error
        try:
            sql, params = self._selection_statement(exclusive, with_misses)
        except EmptyResultSet:  # an unknown territory: nothing, as the ORM would return
            found = []
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found = cursor.fetchall()
        if with_misses:
            ids = []
            for pk, missed in found:
                if not missed:
                    ids.append(pk)
                    for name in exclusive:
                        self._exclusive_ids[name].append(pk)
                else:
                    self._exclusive_ids[exclusive[missed.bit_length() - 1]].append(pk)
        else:
            ids = [pk for (pk,) in found]
        if self.scope is None:
            return [(pk,) for pk in ids]
        levels = self.scope.levels
        rows = [(pk, levels[pk]) for pk in ids]
        if self.sort == "proximite":
            rows.sort(key=lambda row: row[1])
        return rows

    def _selection_queryset(self, exclusive: list[str], with_misses: bool) -> QuerySet:
        """The selection statement of `selection_rows` as a queryset: (pk, misses) rows, or
        (pk,) rows without exclusive facets."""
        queryset = self.filtered(without=tuple(exclusive))
        if not with_misses:
            return self.order(queryset, with_level=False).values_list("pk")
        misses = sum((Case(When(self.condition(name, self.cleaned(name)), then=Value(0)),
                           default=Value(1 << i), output_field=IntegerField())
                      for i, name in enumerate(exclusive)), Value(0))
        queryset = queryset.annotate(misses=misses).filter(
            misses__in=[0, *(1 << i for i in range(len(exclusive)))])
        return self.order(queryset, with_level=False).values_list("pk", "misses")

    #: The filters whose condition is "one of these ids" (`ids_for`), a `Slot` of the
    #: selection statement compiled once per shape; the others are part of the shape.
    ID_FILTERS = ("q", "territoire", "public", "thematique", "axe", "porteur")

    def _selection_shape(self, exclusive: list[str]) -> tuple | None:
        """What the selection statement's SQL and its parameters other than ids depend on,
        or None when it is compiled for this request only: another base queryset than
        `listing_base`'s, an unknown territory, or the relevance order (one `WHEN` per
        matching project)."""
        base = getattr(self.queryset, "listing_base", None)
        if base is None or self.territory_error or self.sort == "pertinence":
            return None
        values = []
        if self.is_bound:
            self.errors  # noqa: B018 - validates the form once
            for name, value in self.form.cleaned_data.items():
                if name not in self.SELECTING or _empty(value):
                    continue
                if name in self.ID_FILTERS:
                    values.append((name,))
                elif name == "programme":
                    values.append((name, value.pk))
                elif name in ("statut", "annee"):
                    values.append((name, value))
                else:
                    return None
        return ("selection", base, self.fixed_territory is not None, self.perimeter,
                self.sort, self.today, tuple(exclusive), tuple(values))

    def _selection_statement(self, exclusive: list[str], with_misses: bool):
        """The SQL and parameters of the selection: compiled once per process and shape
        (`_selection_shape`) with each id filter as a `Slot`, then bound with this
        request's ids. Django's compiler cost as much CPU as the statement itself."""
        shape = self._selection_shape(exclusive)
        if shape is None:
            return self._selection_queryset(exclusive, with_misses).query.sql_with_params()

        def build():
            self._slots = True
            try:
                return self._selection_queryset(exclusive, with_misses)
            finally:
                self._slots = False

        sql, params = compiled(shape, build)
        return sql, bind_slots(params, lambda name: self.ids_for(name, self.cleaned(name)))

    def ids_for(self, name: str, value) -> list[int]:
        """The projects (`q`, `territoire`) or the vocabulary entries, axes and carriers
        (`public`, `thematique`, `axe`, `porteur`) that filter `name` selects by for
        `value`: its condition is "linked to one of these ids"."""
        if name == "q":
            return self._search(value)
        if name == "territoire":
            return self.scope.project_ids
        if name == "public":
            return self._entries("public", value, universal=True)
        if name == "thematique":
            return self._entries("thematique", value)
        if name == "axe":
            programme_slug, _sep, code = value.rpartition(":")
            return [pk for pk, axis_code, _label, slug, _p in self.choices.axes
                    if axis_code == code and (self.fixed_programme is not None
                                              or not programme_slug or slug == programme_slug)]
        if name == "porteur":
            return [value.pk]
        raise ValueError(name)

    def _ids(self, name: str, value):
        """`ids_for`, or its `Slot` while the selection statement is compiled for reuse."""
        return Slot(name) if getattr(self, "_slots", False) else self.ids_for(name, value)

    def exclusive_ids(self, name: str) -> list[int]:
        """The projects facet `name` counts over when its filter is in force: every filter
        but this one (read by `selection_rows`, else one query)."""
        found = getattr(self, "_exclusive_ids", {})
        if name in found:
            return found[name]
        return list(self.filtered(without=(name,)).order_by().values_list("pk", flat=True))

    def order(self, queryset, with_level: bool = True):
        """The listing's order; `with_level=False` leaves the level out (`selection_rows`
        applies it to the rows)."""
        if self.scope is not None and with_level:
            queryset = queryset.annotate(level=self.scope.level())
        sort = self.sort
        if sort == "pertinence":
            ids = self._search(self.cleaned("q"))
            if not ids:  # nothing matches: a CASE without WHEN would read as ORDER BY 0
                return queryset.order_by("title", "pk")
            relevance = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)],
                             default=Value(len(ids)), output_field=IntegerField())
            return queryset.order_by(relevance, "title", "pk")
        if sort == "proximite":
            return queryset.order_by(*(("level",) if with_level else ()), "title", "pk")
        if sort == "recent":
            return queryset.order_by("-start_date", "-call_year", "title", "pk")
        if sort == "programme":
            return queryset.order_by("programme__title", "title", "pk")
        return queryset.order_by("title", "pk")

    # -- filter methods ----------------------------------------------------------------

    def _search(self, text: str) -> list[int]:
        if text not in self._search_cache:
            self._search_cache[text] = search_ids(text)
        return self._search_cache[text]

    # Each filter is a condition (`condition`), applied by its `filter_*` method: the
    # combined selection statement (`selection_rows`) also reads the conditions of the
    # facets' filters as columns, to tell which projects each exclusive count is over.

    def condition(self, name: str, value=None) -> Q:
        """The condition of one selecting filter (or of the perimeter) for `value`."""
        if name == "perimetre":
            return scope_q(self.perimeter)
        return getattr(self, f"{name}_condition")(value)

    def q_condition(self, value) -> Q:
        # One array parameter, never `IN ()`: no match must stay an SQL condition (the
        # facet counts compile this filter beside others), not Django's EmptyResultSet.
        return Q(in_ids("pk", self._ids("q", value)))

    def programme_condition(self, value) -> Q:
        return Q(programme=value)

    def territoire_condition(self, value) -> Q:
        """The territory's covering projects (its cached scope), as ONE array parameter."""
        return Q(in_ids("pk", self._ids("territoire", value)))

    def public_condition(self, value) -> Q:
        if not value:
            return Q()
        return Q(linked_to(ProjectPage.publics.through, "projectpage", "public",
                           self._ids("public", value)))

    def thematique_condition(self, value) -> Q:
        if not value:
            return Q()
        return Q(linked_to(ProjectPage.themes.through, "projectpage", "theme",
                           self._ids("thematique", value)))

    def _entries(self, name: str, chosen, universal: bool = False) -> list[int]:
        """What ticking entries of a vocabulary means, as ids: the chosen entries, the
        members of the chosen families, and (publics) the « tous publics » entries, open to
        everyone whatever public is chosen. Read from the cached choices (families and
        universal entries), so that the link table is read through its index on the entry
        instead of joined to the vocabulary to test each row's family."""
        picked = {entry.pk for entry in chosen}
        families = self.choices.families.get(name, {})
        ids = picked | {pk for pk, family in families.items() if family in picked}
        if universal:
            ids |= self.choices.universal
        return sorted(ids)

    def axe_condition(self, value) -> Q:
        """An axis code, of the page's programme, of the programme named before it
        ("slug:code"), or of any programme; its ids from the cached choices."""
        return Q(linked_to(ProjectPage.axes.through, "projectpage", "programmeaxis",
                           self._ids("axe", value)))

    def statut_condition(self, value) -> Q:
        return status_q(value, self.today)

    def annee_condition(self, value) -> Q:
        return year_q(value)

    def porteur_condition(self, value) -> Q:
        return Q(linked_to(ProjectOrganisation, "project", "organisation",
                           self._ids("porteur", value), where=("role", CARRIER)))

    def filter_q(self, queryset, name, value):
        return queryset.filter(self.q_condition(value))

    def filter_programme(self, queryset, name, value):
        return queryset.filter(self.programme_condition(value))

    def filter_territory(self, queryset, name, value: Resolution):
        return queryset.filter(self.territoire_condition(value))

    def filter_perimeter(self, queryset, name, value):
        """Applied by `filtered` whatever the data (the region by default)."""
        return queryset

    def filter_publics(self, queryset, name, value):
        return queryset.filter(self.public_condition(value))

    def filter_themes(self, queryset, name, value):
        return queryset.filter(self.thematique_condition(value))

    def filter_axis(self, queryset, name, value):
        return queryset.filter(self.axe_condition(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(self.statut_condition(value))

    def filter_year(self, queryset, name, value):
        return queryset.filter(self.annee_condition(value))

    def filter_carrier(self, queryset, name, value):
        return queryset.filter(self.porteur_condition(value))

    def filter_sort(self, queryset, name, value):
        """Ordering is applied last, by `order`, whatever the filters."""
        return queryset


ProjectFilter.base_filters = FiltersOfOneInstance(ProjectFilter.base_filters)
