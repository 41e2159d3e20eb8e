"""The project listing shared by /projets/ and the programme pages: filters, facet counts,
pagination, with a constant number of SQL queries whatever the page size."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q

from projects.filters import ProjectFilter
from projects.models import ProgrammePage, ProjectOrganisation, ProjectPage, Public, Theme

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def listing_queryset(programme: ProgrammePage | None = None):
    queryset = ProjectPage.objects.live().order_by("title")
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    return queryset


def with_card_data(queryset):
    """What a project card shows, fetched in a fixed number of queries."""
    return queryset.select_related("programme").prefetch_related(
        Prefetch("organisation_roles",
                 queryset=ProjectOrganisation.objects.select_related("organisation")),
        "publics", "themes", "territory_links__territory", "contacts",
    )


def facet_counts(filtered_ids, programme: ProgrammePage | None = None) -> dict:
    """How many of the filtered projects fall under each public, theme and programme: one
    aggregate query per facet."""
    in_set = Q(projects__in=filtered_ids)
    facets = {
        "public": {p.code: p.n for p in Public.objects.annotate(n=Count("projects", filter=in_set))},
        "thematique": {t.code: t.n for t in Theme.objects.annotate(n=Count("projects", filter=in_set))},
    }
    if programme is None:
        facets["programme"] = {
            p.slug: p.n for p in ProgrammePage.objects.live().annotate(
                n=Count("projects_in_programme",
                        filter=Q(projects_in_programme__in=filtered_ids)))
        }
    return facets


def project_listing(request, programme: ProgrammePage | None = None) -> dict:
    project_filter = ProjectFilter(request.GET or None, queryset=listing_queryset(programme),
                                   programme=programme, request=request)
    filtered = project_filter.qs
    try:
        per_page = max(1, min(MAX_PAGE_SIZE, int(request.GET.get("par_page", PAGE_SIZE))))
    except ValueError:
        per_page = PAGE_SIZE
    paginator = Paginator(filtered, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    projects = list(with_card_data(ProjectPage.objects.filter(
        pk__in=[p.pk for p in page_obj.object_list])))
    order = {p.pk: i for i, p in enumerate(page_obj.object_list)}
    projects.sort(key=lambda p: order[p.pk])
    query = request.GET.copy()
    query.pop("page", None)
    facets = facet_counts(filtered.values("pk"), programme)
    form = project_filter.form
    for name in ("public", "thematique", "programme"):
        if name in form.fields:
            counts = facets.get(name, {})
            field = form.fields[name]
            field.label_from_instance = _with_count(counts, field)
    return {
        "filter": project_filter,
        "projects": projects,
        "page_obj": page_obj,
        "paginator": paginator,
        "result_count": paginator.count,
        "territory": project_filter.territory,
        "querystring": query.urlencode(),
        "facets": facets,
    }


def _with_count(counts: dict, field):
    key = "slug" if field.to_field_name == "slug" else "code"

    def label(obj):
        return f"{obj} ({counts.get(getattr(obj, key), 0)})"

    return label
