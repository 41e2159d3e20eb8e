"""What the maps of projects draw, as plain records for `maps.services.render`: which projects
the listing filters select, how many of them cover each territory, where to pin them.

The same `ProjectFilter` and GET parameters as /projets/ (DESIGN.md §3): the explorer map, its
table and the listing always show the same projects. Counts come from the precomputed commune
coverage (`ProjectCoverage`), so each count is one grouped query, whatever the level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from maps.models import Scale, Territory
from maps.services import render
from maps.services.gaps import region_communes
from maps.services.render import LEVELS, MarkerSpec, RenderedMap
from portal.listing import listing_queryset
from portal.records import PageUrls
from projects import coverage
from projects.filters import ProjectFilter
from projects.models import ProjectPage, ProjectPlace, ProjectTerritory

LEVEL_PARAM = "niveau"
DEFAULT_LEVEL = "epci"
LEVEL_CHOICES = [("epci", _("EPCI")), ("departement", _("Département")),
                 ("commune", _("Commune"))]
#: Which projects count for coverage gaps, by the broadest territory they cover. Locally
#: rooted projects by default: a region-wide project (a supply network for the whole
#: region) formally covers every commune, and would leave no gap to see.
SCOPE_PARAM = "portee"
DEFAULT_SCOPE = "locale"
SCOPE_CHOICES = [
    ("locale", _("Local projects (communes, EPCI, local areas)")),
    ("departement", _("Also projects covering a whole département")),
    ("toutes", _("All projects, including region-wide ones")),
]
SCOPE_SCALES = {
    "locale": [Scale.COMMUNE, Scale.CUSTOM, Scale.EPCI],
    "departement": [Scale.COMMUNE, Scale.CUSTOM, Scale.EPCI, Scale.DEPARTEMENT],
    "toutes": None,
}
#: Scales of the territories that make a project "broad" on the explorer map: it covers a
#: whole département or the region, is hatched and listed apart, and is counted in the
#: choropleth only when asked (`portee`).
BROAD_SCALES = [Scale.DEPARTEMENT, Scale.REGION]
#: Params of the listing that do not change which projects are selected.
NOT_SELECTING = {"tri", "page", "par_page", LEVEL_PARAM, SCOPE_PARAM}


@dataclass
class Selection:
    """The projects selected by the listing filters of a request, and the map options."""

    filterset: ProjectFilter
    level: str  # choropleth level of the explorer map
    scope: str  # which projects count for coverage gaps
    params: dict  # the selecting GET params, for cache keys
    querystring: str  # the same filters, for links to /projets/ and to the map URL

    @property
    def projects(self) -> QuerySet:
        return self.filterset.qs

    @property
    def ids(self) -> QuerySet:
        return self.filterset.qs.values("pk")

    @property
    def scoped_ids(self) -> QuerySet:
        return self.scoped_projects.values("pk")

    @property
    def scoped_projects(self) -> QuerySet:
        """The projects the counts of a map include: by default the local ones only."""
        scales = SCOPE_SCALES[self.scope]
        projects = self.filterset.qs
        if scales is not None:
            projects = projects.filter(broadest_scale__in=scales)
        return projects

    @property
    def regional(self) -> QuerySet:
        """The selected projects of the home region: what a map of the region pins, lists
        apart and sums up, whatever perimeter the listing filters ask for (the examples
        elsewhere in France are never drawn nor counted on it)."""
        return self.filterset.qs.filter(coverage.scope_q(coverage.Perimeter.REGION))

    @property
    def broad_projects(self) -> QuerySet:
        """The selected projects of the region that cover a whole département or the
        region."""
        return self.regional.filter(broadest_scale__in=BROAD_SCALES)

    @property
    def map_params(self) -> dict:
        """What a map's cache key needs: the filters and the counting scope."""
        return {**self.params, SCOPE_PARAM: self.scope}


def _choice(data: QueryDict, name: str, choices, default: str) -> str:
    value = data.get(name)
    return value if value in dict(choices) else default


def selection(data: QueryDict, *, only: tuple[str, ...] | None = None) -> Selection:
    """Filters of a request's GET parameters (all of the listing's, or `only` those), and
    the map options (level, scope)."""
    filterset = ProjectFilter(data or None, queryset=listing_queryset())
    if only is not None:
        for name in list(filterset.filters):
            if name not in only:
                del filterset.filters[name]
    names = set(filterset.filters) - NOT_SELECTING
    params = {name: sorted(data.getlist(name)) for name in sorted(names)
              if any(v.strip() for v in data.getlist(name))}
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    return Selection(filterset, _choice(data, LEVEL_PARAM, LEVEL_CHOICES, DEFAULT_LEVEL),
                     _choice(data, SCOPE_PARAM, SCOPE_CHOICES, DEFAULT_SCOPE),
                     params, query.urlencode())


def add_option_field(selection: Selection, name: str) -> None:
    """A map option (level or scope) as a field of the filter form, so that one form sets
    filters and option. Added once the filtered queryset is built: the FilterSet would
    otherwise try to filter on it."""
    label, choices, value = {
        LEVEL_PARAM: (_("Map level"), LEVEL_CHOICES, selection.level),
        SCOPE_PARAM: (_("Projects counted"), SCOPE_CHOICES, selection.scope),
    }[name]
    selection.filterset.qs  # noqa: B018 - built (lazily, no query) and cached before the field
    form = selection.filterset.form
    form.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False,
                                          initial=value)
    if form.is_bound:
        form.data = form.data.copy()
        form.data[name] = value


def cached_counts(selection: Selection) -> dict[int, int]:
    """Counts per territory of the selection's level, shared by the map and its table:
    the local projects only, unless the scope asks for the broad ones too."""
    return render.cached_value(
        "territory_counts", {**selection.map_params, LEVEL_PARAM: selection.level},
        lambda: territory_counts(selection.scoped_ids, selection.level))


def broad_territory_ids(project_ids) -> list[int]:
    """The départements and regions that these projects cover whole (hatched on a map)."""
    return list(ProjectTerritory.objects.filter(
        project__in=project_ids, territory__scale__in=BROAD_SCALES
    ).values_list("territory_id", flat=True).distinct())


def territory_counts(project_ids, level: str) -> dict[int, int]:
    """{territory id: number of selected projects covering at least one of its communes}."""
    return {pk: count.projects
            for pk, count in coverage.projects_per_territory(project_ids, LEVELS[level]).items()}


def counted_territories(counts: Mapping[int, int]) -> list[tuple[Territory, int]]:
    """Territories of the region with at least one project, most projects first (without
    geometry): the table equivalent of the map, which draws the region only."""
    territories = Territory.objects.filter(render.in_home_region_q(), pk__in=list(counts)).defer(
        "geometry", "bbox", "search_name").distinct()
    return sorted(((t, counts[t.pk]) for t in territories), key=lambda p: (-p[1], p[0].name))


def place_markers(project_ids) -> dict[int, list[MarkerSpec]]:
    """Pins of the projects' places: their own point, else their commune's centroid."""
    markers: dict[int, list[MarkerSpec]] = {}
    rows = ProjectPlace.objects.filter(project__in=project_ids).values_list(
        "project_id", "name", "address", "longitude", "latitude", "commune__name",
        "commune__centroid_lon", "commune__centroid_lat").order_by("project_id", "sort_order")
    for project, name, address, lon, lat, commune, c_lon, c_lat in rows:
        if lon is None or lat is None:
            lon, lat = c_lon, c_lat
        if lon is None or lat is None:
            continue
        detail = ", ".join(part for part in (address, commune) if part)
        markers.setdefault(project, []).append(MarkerSpec(lat, lon, name, detail=detail))
    return markers


def project_markers(projects) -> list[MarkerSpec]:
    """One pin per place of each project, or, for a project without places, one per
    local territory it covers (its centroid, a point abroad): popups link to the project
    page. A project covering a département or the region gets no pin on its centroid (a
    place it is not at): maps hatch what it covers and pages list it apart."""
    projects = list(projects.select_related("programme").only(
        "id", "title", "url_path", "programme__title", "programme__short_title"))
    ids = [p.pk for p in projects]
    places = place_markers(ids)
    territories: dict[int, list[tuple]] = {}
    for project, name, lon, lat in ProjectTerritory.objects.filter(
            project__in=ids).exclude(territory__scale__in=BROAD_SCALES).values_list(
            "project_id", "territory__name", "territory__centroid_lon", "territory__centroid_lat"
    ).order_by("project_id", "sort_order"):
        if lon is not None and lat is not None:
            territories.setdefault(project, []).append((name, lon, lat))
    markers = []
    for project in projects:
        url = project.get_url()
        programme = project.programme.short_title or project.programme.title \
            if project.programme else ""
        for place in places.get(project.pk, []):
            markers.append(MarkerSpec(place.lat, place.lon, project.title, url,
                                      f"{programme} — {place.title}"))
        if project.pk not in places:
            for name, lon, lat in territories.get(project.pk, []):
                markers.append(MarkerSpec(lat, lon, project.title, url, f"{programme} — {name}"))
    return markers


def projects_with_territories(projects) -> list[ProjectPage]:
    """The selected projects for the table under the map, each with `commune_count`
    (constant number of queries; counted apart: a join on the coverage would multiply rows)."""
    links = ProjectTerritory.objects.select_related("territory").defer(
        "territory__geometry", "territory__bbox", "territory__search_name")
    projects = list(projects.select_related("programme").prefetch_related(
        Prefetch("territory_links", queryset=links)))
    counts = coverage.communes_per_project([p.pk for p in projects])
    for project in projects:
        project.commune_count = counts.get(project.pk, 0)
    return projects


# --------------------------------------------------------------------------- per page


def project_map(project: ProjectPage) -> RenderedMap:
    """The map of one project: its territories, their outline, its places."""
    return render.project_map(
        project.pk,
        title=gettext("Territories covered by %(title)s") % {"title": project.title},
        territories=lambda: render.project_territories(
            Territory.objects.filter(project_links__project=project).order_by("name")),
        places=lambda: place_markers([project.pk]).get(project.pk, []),
    )


def draft_project_map(territory_ids: list[int], title: str) -> RenderedMap:
    """The map of a draft's territories (admin preview), cached by the territory set."""
    ids = sorted(set(territory_ids))
    return render.project_map(
        0,
        title=gettext("Territories covered by %(title)s") % {"title": title},
        territories=lambda: render.project_territories(
            Territory.objects.filter(pk__in=ids).order_by("name")),
        places=lambda: [],
        cache_params={"draft": ",".join(map(str, ids))},
    )


#: Most projects pinned on the explorer map: the markers were most of a 10 MB document at
#: national scale. The choropleth and the table count every selected project.
MAX_MARKERS = 300


def explorer_map(selection: Selection) -> RenderedMap:
    link = "/projets/?territoire={scale}-{code}"
    if selection.querystring:
        link += "&" + selection.querystring.replace("{", "{{").replace("}", "}}")
    return render.explorer_map(
        selection.map_params, level=selection.level, title=gettext("Map of the projects"),
        counts=lambda: cached_counts(selection),
        markers=lambda: project_markers(selection.regional[:MAX_MARKERS]),
        link=link, focus=selection.filterset.territory,
        broad=lambda: broad_territory_ids(selection.broad_projects.values("pk")),
        geometry_url=geometry_url,
    )


def geometry_url(level: str, detail: bool) -> str:
    """The versioned address of a level's polygons (portal.views.project_maps.map_geometry)."""
    url = f"{reverse('map-geometry', args=[level])}?v={render.geometry_version()}"
    return url + "&detail=1" if detail else url


def summary_sentence(projects: int, communes: int) -> str:
    """« 12 projets de la région couvrent 48 de ses communes »: the one-sentence
    equivalent of a map of the region (its projects and its communes only: an example
    elsewhere in France adds nothing to it)."""
    covered = ngettext("%(n)s of its communes", "%(n)s of its communes",
                       communes) % {"n": communes}
    return ngettext("%(n)s project of the region covers %(communes)s.",
                    "%(n)s projects of the region cover %(communes)s.",
                    projects) % {"n": projects, "communes": covered}


#: Projects listed in the table under the map; the others are one link away (the listing).
PROJECTS_SHOWN = 50


def broad_groups(rows: list[tuple[str, str, str]]) -> list[dict]:
    """The selected projects that cover the whole region, then those covering a whole
    département (`rows` of broadest scale, title, url_path): listed apart from the local
    ones (« couvrent toute la région »), at most PROJECTS_SHOWN each."""
    url_of = PageUrls(None)
    groups = []
    headings = {
        Scale.REGION: lambda n: ngettext("%(n)s project covers the whole region",
                                         "%(n)s projects cover the whole region", n),
        Scale.DEPARTEMENT: lambda n: ngettext("%(n)s project covers a whole département",
                                              "%(n)s projects cover a whole département", n),
    }
    for scale, heading in headings.items():
        projects = [(title, url_of(path)) for kind, title, path in rows if kind == scale]
        if projects:
            n = len(projects)
            groups.append({"scale": scale, "heading": heading(n) % {"n": n},
                           "projects": projects[:PROJECTS_SHOWN],
                           "hidden": max(0, len(projects) - PROJECTS_SHOWN)})
    return groups


def explorer_context(selection: Selection, table_limit: int = 200) -> dict:
    """Everything the explorer page shows besides the map: the same data as the map. The
    local projects' table is bounded (the first PROJECTS_SHOWN, then a link to the
    listing): at national scale the whole selection made a page of megabytes. The broad
    projects are listed apart, as the map hatches them apart."""
    rows = counted_territories(cached_counts(selection))
    total = selection.projects.count()
    regional = total if selection.filterset.perimeter == coverage.Perimeter.REGION \
        else selection.regional.count()
    broad = list(selection.broad_projects.order_by("title", "pk").values_list(
        "broadest_scale", "title", "url_path"))
    local_total = total - len(broad)
    projects = projects_with_territories(selection.projects.exclude(
        broadest_scale__in=BROAD_SCALES, in_home_region=True)[:PROJECTS_SHOWN])
    communes = coverage.covered_commune_count(selection.ids, communes=region_communes())
    map_query = "&".join(filter(None, [selection.querystring,
                                       f"{LEVEL_PARAM}={selection.level}",
                                       f"{SCOPE_PARAM}={selection.scope}"]))
    return {
        "filter": selection.filterset,
        "level": selection.level,
        "level_label": dict(LEVEL_CHOICES)[selection.level],
        "scope": selection.scope,
        "territory": selection.filterset.territory,
        "territory_rows": rows[:table_limit],
        "territory_rows_hidden": max(0, len(rows) - table_limit),
        "projects": projects,
        "projects_hidden": max(0, local_total - len(projects)),
        "broad_groups": broad_groups(broad),
        "markers_capped": regional > MAX_MARKERS,
        "elsewhere": total - regional,
        "max_markers": MAX_MARKERS,
        "summary": summary_sentence(regional, communes),
        "querystring": selection.querystring,
        "map_url": f"/cartes/projets/carte/?{map_query}",
        "listing_url": f"/projets/?{selection.querystring}" if selection.querystring
        else "/projets/",
    }
