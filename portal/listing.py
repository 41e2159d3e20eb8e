"""The project listing shared by /projets/, the programme pages and the territory pages:
filters, counts per option, sort, pagination, level groups, and the links that carry the same
filters to the map, the exports and the API.

The number of SQL queries is constant whatever the page size: the cards' relations are
prefetched, and each facet is one aggregate query.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from maps.models import Territory
from projects.filters import CARRIER, MAX_YEAR, MIN_YEAR, ProjectFilter, status_q, year_q
from projects.models import (
    ProgrammeAxis,
    ProgrammePage,
    ProjectContact,
    ProjectOrganisation,
    ProjectPage,
    ProjectStatus,
    ProjectTerritory,
    Public,
    Theme,
)
from projects.territory import is_broad, level_label, territory_key

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CARRIERS = 200
#: Parameters that shape the page rather than the selection of projects.
PAGE_PARAMS = ("page", "par_page")


def listing_queryset(programme: ProgrammePage | None = None):
    queryset = ProjectPage.objects.live()
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    return queryset


def with_card_data(queryset):
    """What a project card shows (carrier, publics, territories, published contacts),
    fetched in a fixed number of queries."""
    return queryset.select_related("programme").prefetch_related(
        Prefetch("organisation_roles",
                 queryset=ProjectOrganisation.objects.select_related("organisation")),
        # Territories without their geometry: a region's outline is heavy, and cards show names.
        Prefetch("territory_links", queryset=ProjectTerritory.objects.select_related("territory")
                 .defer("territory__geometry", "territory__bbox")),
        Prefetch("contacts", queryset=ProjectContact.objects.filter(publish=True)
                 .select_related("organisation")),
        "publics", "themes",
    )


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


def facet_options(project_filter: ProjectFilter) -> dict[str, list[Option]]:
    """For each filter with options, how many projects each option would give, every other
    filter being applied (disjunctive facets): one aggregate query per facet."""
    fields = project_filter.form.fields
    base = project_filter.queryset
    facets: dict[str, list[Option]] = {}

    def ids_without(name):
        return project_filter.filtered(without=(name,)).values("pk")

    def selected(name):
        """Chosen options stay visible (and can be unticked) even with no project."""
        return project_filter.data.getlist(name) if project_filter.is_bound else []

    if "programme" in fields:
        programmes = ProgrammePage.objects.live().filter(
            Exists(base.filter(programme=OuterRef("pk")))).annotate(
            n=Count("projects_in_programme",
                    filter=Q(projects_in_programme__in=ids_without("programme")))
        ).order_by("title")
        facets["programme"] = [Option(p.slug, p.label, p.n) for p in programmes]
    for name, model, through in (("public", Public, ProjectPage.publics.through),
                                 ("thematique", Theme, ProjectPage.themes.through)):
        in_listing = Exists(through.objects.filter(
            **{model._meta.model_name: OuterRef("pk")}, projectpage__in=base.values("pk")))
        rows = model.objects.filter(in_listing | Q(code__in=selected(name))).annotate(
            n=Count("projects", filter=Q(projects__in=ids_without(name))))
        facets[name] = [Option(r.code, r.label, r.n) for r in rows.order_by("label")]
    axes = ProgrammeAxis.objects.select_related("programme").filter(
        Exists(ProjectPage.axes.through.objects.filter(
            programmeaxis=OuterRef("pk"), projectpage__in=base.values("pk")))
    ).annotate(n=Count("projects", filter=Q(projects__in=ids_without("axe")))).order_by(
        "programme__title", "sort_order", "pk")
    if project_filter.fixed_programme is not None:
        facets["axe"] = [Option(a.code, a.label, a.n) for a in axes]
    else:
        facets["axe"] = [Option(f"{a.programme.slug}:{a.code}", a.label, a.n, a.programme.label)
                         for a in axes]
    today = project_filter.today
    statuses = list(ProjectStatus)
    counts = ids_without("statut").aggregate(**{
        f"s{i}": Count("pk", filter=status_q(s, today)) for i, s in enumerate(statuses)})
    facets["statut"] = [Option(s.value, s.label, counts[f"s{i}"])
                        for i, s in enumerate(statuses)]
    years = year_range(base)
    if years:
        counts = ids_without("annee").aggregate(**{
            f"y{year}": Count("pk", filter=year_q(year)) for year in years})
        facets["annee"] = [Option(str(y), str(y), counts[f"y{y}"]) for y in reversed(years)]
    else:
        facets["annee"] = []
    # Carriers: those of the current selection only, and at most the MAX_CARRIERS with the
    # most projects (a select of thousands helps nobody and costs seconds to render); any
    # carrier key stays valid in a shared address.
    carriers = (ProjectOrganisation.objects.filter(role=CARRIER,
                                                   project__in=ids_without("porteur"))
                .values("organisation__key", "organisation__name", "organisation__acronym")
                .annotate(n=Count("project_id", distinct=True))
                .order_by("-n", "organisation__name")[:MAX_CARRIERS])
    facets["porteur"] = sorted(
        (Option(c["organisation__key"], c["organisation__acronym"] or c["organisation__name"],
                c["n"]) for c in carriers), key=lambda o: o.label.casefold())
    chosen = project_filter.cleaned("porteur")
    if chosen is not None and chosen.key not in {o.value for o in facets["porteur"]}:
        facets["porteur"].insert(0, Option(chosen.key, chosen.acronym or chosen.name, 0))
    return facets


def year_range(queryset) -> list[int]:
    """Every year a project of the listing was funded or ran, bounded to a sane span."""
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
    data = project_filter.form.cleaned_data
    found = []
    for name in ProjectFilter.SELECTING:
        if name not in data or data[name] is None:
            continue
        labels = {o.value: o.label for o in facets.get(name, [])}
        raw_values = params.getlist(name)
        for raw in raw_values:
            text = str(project_filter.territory) if name == "territoire" else labels.get(raw, raw)
            remaining = params.copy()
            remaining.setlist(name, [v for v in raw_values if v != raw])
            remaining.pop("page", None)
            found.append({"field": project_filter.form.fields[name].label, "text": text,
                          "remove": remaining.urlencode()})
    return found


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


def project_listing(request, programme: ProgrammePage | None = None,
                    territory: Territory | None = None) -> dict:
    project_filter = ProjectFilter(request.GET or None, queryset=listing_queryset(programme),
                                   programme=programme, territory=territory, request=request)
    # The ordered ids (and levels) of the whole selection in one query: the count, the level
    # groups and the page come from it, and the page's cards from one prefetched query.
    with_level = project_filter.scope is not None
    rows = list(project_filter.qs.values_list("pk", "level") if with_level
                else project_filter.qs.values_list("pk"))
    per_page = page_size(request.GET.get("par_page", PAGE_SIZE))
    paginator = Paginator(rows, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    ids = [row[0] for row in page_obj.object_list]
    cards = {p.pk: p for p in with_card_data(ProjectPage.objects.filter(pk__in=ids))}
    projects = [cards[pk] for pk in ids if pk in cards]
    current = project_filter.territory
    levels = dict(page_obj.object_list) if with_level else {}
    for project in projects:
        project.level = levels.get(project.pk)
        project.level_label = level_label(project.level) if current else ""
        project.is_broad = is_broad(project.level, current) if current else False
    facets = facet_options(project_filter)
    chips = active_filters(project_filter, request.GET, facets)
    apply_facets(project_filter.form, facets)
    query = request.GET.copy()
    query.pop("page", None)
    resolution = project_filter.resolution
    return {
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
    }
