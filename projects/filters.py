"""FilterSets of the project listings. The same GET parameters drive /projets/, the
programme pages, the explorer map and the exports (public addresses in DESIGN.md §3)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from maps.models import SCALE_RANK, Scale, Territory
from projects.models import (
    Organisation,
    ProgrammeAxis,
    ProgrammePage,
    ProjectOrganisation,
    ProjectPage,
    ProjectStatus,
    Public,
    Theme,
)
from projects.search import search_ids

#: Bare codes are read in this order; "region-32" / "departement-59" remove any ambiguity
#: (32 is both the Hauts-de-France region and the Gers département).
CODE_SCALES = [Scale.COMMUNE, Scale.EPCI, Scale.DEPARTEMENT, Scale.REGION, Scale.CUSTOM,
               Scale.FOREIGN]


def resolve_territory(value: str) -> Territory | None:
    """A territory from a code as people share it: "59491", "200042190", "59",
    "region-32", or a commune name ("Denain", "st amand")."""
    value = (value or "").strip()
    if not value:
        return None
    scale, _sep, code = value.partition("-")
    if scale in Scale.values and code:
        return Territory.objects.filter(scale=scale, code=code).first()
    candidates = {t.scale: t for t in Territory.objects.filter(code=value.upper())}
    for scale in CODE_SCALES:
        if scale in candidates:
            return candidates[scale]
    matches = Territory.objects.matching(value).order_by("scale", "-population")
    exact = [t for t in matches[:20] if t.search_name.startswith(Territory.normalize(value))]
    return (exact or list(matches[:1]) or [None])[0]


def status_q(status: str, today: datetime.date) -> Q:
    if status == ProjectStatus.UPCOMING:
        return Q(start_date__gt=today)
    if status == ProjectStatus.FINISHED:
        return Q(end_date__lt=today)
    if status == ProjectStatus.ONGOING:
        return (Q(start_date__isnull=False) | Q(end_date__isnull=False)) & ~Q(
            start_date__gt=today) & ~Q(end_date__lt=today)
    if status == ProjectStatus.UNKNOWN:
        return Q(start_date__isnull=True, end_date__isnull=True)
    return Q()


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Keywords"), method="filter_q")
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), field_name="programme", to_field_name="slug",
        queryset=ProgrammePage.objects.live().order_by("title"), empty_label=_("All programmes"),
    )
    territoire = django_filters.CharFilter(
        label=_("Territory (commune, EPCI, département…)"), method="filter_territory",
        help_text=_("A name or an official code: Denain, 59172, 200042190, 59…"),
    )
    public = django_filters.ModelMultipleChoiceFilter(
        label=_("Target public"), field_name="publics", to_field_name="code",
        queryset=Public.objects.all(), widget=forms.CheckboxSelectMultiple, distinct=True,
    )
    thematique = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"), field_name="themes", to_field_name="code",
        queryset=Theme.objects.all(), widget=forms.CheckboxSelectMultiple, distinct=True,
    )
    axe = django_filters.ChoiceFilter(label=_("Axis or priority"), method="filter_axis",
                                      empty_label=_("All axes"))
    statut = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices,
                                         method="filter_status", empty_label=_("Any status"))
    annee = django_filters.NumberFilter(label=_("Year"), method="filter_year")
    porteur = django_filters.ModelChoiceFilter(
        label=_("Carrier"), to_field_name="key", method="filter_carrier",
        queryset=Organisation.objects.filter(
            project_roles__role=ProjectOrganisation.Role.CARRIER).distinct().order_by("name"),
        empty_label=_("All carriers"),
    )
    tri = django_filters.ChoiceFilter(
        label=_("Sort by"), method="filter_sort", empty_label=_("Relevance / proximity"),
        choices=[("titre", _("Title")), ("recent", _("Most recent first")),
                 ("programme", _("Programme"))],
    )

    class Meta:
        model = ProjectPage
        fields: list[str] = []

    def __init__(self, data=None, *args, programme: ProgrammePage | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.territory: Territory | None = None
        self.search_order: list[int] = []
        self.fixed_programme = programme
        axes = ProgrammeAxis.objects.select_related("programme").order_by("programme__title",
                                                                           "sort_order")
        if programme is not None:
            del self.filters["programme"]
            axes = axes.filter(programme=programme)
        self.filters["axe"].extra["choices"] = [
            (f"{a.programme.slug}:{a.code}", f"{a.programme.short_title or a.programme.title} — {a.label}")
            for a in axes
        ] if programme is None else [(a.code, a.label) for a in axes]

    @property
    def qs(self):
        queryset = super().qs
        sort = (getattr(self.form, "cleaned_data", None) or {}).get("tri")
        if self.search_order and not sort and self.territory is None:
            relevance = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(self.search_order)],
                             default=Value(len(self.search_order)), output_field=IntegerField())
            queryset = queryset.order_by(relevance)
        if self.territory is not None and not sort:
            rank = Case(*[When(broadest_scale=s, then=Value(r)) for s, r in SCALE_RANK.items()],
                        default=Value(9), output_field=IntegerField())
            queryset = queryset.order_by(rank, "title")
        return queryset

    def filter_q(self, queryset, name, value):
        self.search_order = search_ids(value)
        return queryset.filter(pk__in=self.search_order)

    def filter_territory(self, queryset, name, value):
        self.territory = resolve_territory(value)
        if self.territory is None:
            return queryset.none()
        return queryset.filter(
            territory_links__territory__in=self.territory.containment_ids()
        ).distinct()

    def filter_axis(self, queryset, name, value):
        programme_slug, _sep, code = value.rpartition(":")
        queryset = queryset.filter(axes__code=code)
        if programme_slug:
            queryset = queryset.filter(axes__programme__slug=programme_slug)
        return queryset.distinct()

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, datetime.date.today()))

    def filter_year(self, queryset, name, value):
        year = int(value)
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        overlaps = Q(start_date__lte=end) & (Q(end_date__gte=start) | Q(end_date__isnull=True))
        return queryset.filter(Q(call_year=year) | overlaps)

    def filter_carrier(self, queryset, name, value):
        return queryset.filter(organisation_roles__organisation=value,
                               organisation_roles__role=ProjectOrganisation.Role.CARRIER).distinct()

    def filter_sort(self, queryset, name, value):
        order = {"titre": ["title"], "recent": ["-start_date", "-call_year", "title"],
                 "programme": ["programme__title", "title"]}.get(value)
        return queryset.order_by(*order) if order else queryset
