"""What a territory page shows besides the project listing: where the territory sits (its
enclosing territories), what it contains (summarised by scale, paginated), how much of it the
projects cover, and its context indicators.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from indicators.models import IndicatorValue
from maps.models import SCALE_RANK, Scale, Territory
from projects.coverage import projects_per_territory
from projects.models import ProjectCoverage, ProjectPage
from projects.territory import _rank_case

CHILDREN_PAGE_SIZE = 60
LOCAL_SCALES = [Scale.COMMUNE, Scale.CUSTOM, Scale.EPCI]
UNCOVERED_SHOWN = 30


def ancestors_of(territory: Territory) -> list[Territory]:
    """Enclosing territories, the nearest first (EPCI, custom areas, département, region)."""
    return sorted(territory.ancestors.active().defer("geometry"),
                  key=lambda t: (SCALE_RANK[t.scale], t.name))


SCALE_COUNTS = {
    Scale.COMMUNE: lambda n: ngettext("%(n)s commune", "%(n)s communes", n),
    Scale.CUSTOM: lambda n: ngettext("%(n)s local area", "%(n)s local areas", n),
    Scale.EPCI: lambda n: ngettext("%(n)s EPCI", "%(n)s EPCI", n),
    Scale.DEPARTEMENT: lambda n: ngettext("%(n)s département", "%(n)s départements", n),
    Scale.REGION: lambda n: ngettext("%(n)s region", "%(n)s regions", n),
    Scale.FOREIGN: lambda n: ngettext("%(n)s place abroad", "%(n)s places abroad", n),
}


def children_summary(territory: Territory) -> list[dict]:
    """What the territory contains, counted by scale ("651 communes · 17 EPCI")."""
    rows = (territory.descendants.active().values("scale").annotate(n=Count("pk"))
            .order_by("scale"))
    counts = {r["scale"]: r["n"] for r in rows}
    return [{"scale": scale, "count": counts[scale],
             "text": SCALE_COUNTS[scale](counts[scale]) % {"n": counts[scale]}}
            for scale in sorted(counts, key=lambda s: -SCALE_RANK[s])]


def children_page(territory: Territory, page_number):
    """Direct children, nearest scale first. A region's communes are only counted (thousands
    of them): its départements and EPCI are listed, each with its own page."""
    children = territory.children.active().only("scale", "code", "name", "country")
    if territory.scale == Scale.REGION:
        children = children.exclude(scale=Scale.COMMUNE)
    children = children.annotate(scale_rank=_rank_case("scale")).order_by("-scale_rank", "name")
    return Paginator(children, CHILDREN_PAGE_SIZE).get_page(page_number)


def communes_of(territory: Territory):
    if territory.scale == Scale.COMMUNE:
        return Territory.objects.filter(pk=territory.pk)
    return Territory.objects.filter(scale=Scale.COMMUNE, ancestors=territory).active()


def coverage_summary(territory: Territory) -> dict:
    """How many projects cover at least one of its communes, and how many of its communes
    published projects cover: any project, and local ones (rooted in a commune, a local area
    or an EPCI). A region-wide project formally covers
    every commune, so the gaps ("zones blanches") are those of local projects, as on the
    coverage map's default.

    The projects and covered communes come from the one grouped count of the coverage
    service; one statement counts the communes and the locally covered ones (an indexed
    EXISTS on the coverage per commune: 3,800 probes for the region, instead of DISTINCT
    counts over all its coverage rows, 35 s at national scale); one lists the largest
    uncovered."""
    if territory.scale == Scale.FOREIGN:
        return {"total": 0, "covered": 0, "covered_locally": 0, "uncovered": [],
                "uncovered_count": 0, "percent": 0, "percent_locally": 0, "projects": 0}
    communes = communes_of(territory)
    live = ProjectPage.objects.live()
    count = projects_per_territory(live.values("pk"), territory.scale, [territory.pk])
    locally = ProjectCoverage.objects.filter(commune=OuterRef("pk"), project__live=True,
                                             project__broadest_scale__in=LOCAL_SCALES)
    totals = communes.aggregate(total=Count("pk"), local=Count("pk", filter=Exists(locally)))
    # its communes covered by any live project: the grouped count above already has them
    totals["covered"] = count[territory.pk].communes if territory.pk in count else 0
    total = totals["total"]
    uncovered = []
    if totals["local"] < total:
        uncovered = list(communes.exclude(Exists(locally)).only("code", "name", "population")
                         .order_by(Coalesce("population", 0).desc(), "name")[:UNCOVERED_SHOWN])
    return {
        "total": total,
        "covered": totals["covered"],
        "covered_locally": totals["local"],
        "uncovered_count": total - totals["local"],
        "uncovered": uncovered,
        "percent": round(totals["covered"] * 100 / total) if total else 0,
        "percent_locally": round(totals["local"] * 100 / total) if total else 0,
        # projects covering at least one of its communes: the explorer map's and the
        # dashboards' count for this territory
        "projects": count[territory.pk].projects if territory.pk in count else 0,
    }


def with_context_figures(territory: Territory) -> Territory:
    """The territory with its figures (poverty rate, births…) prefetched by relation name."""
    return (Territory.objects.filter(pk=territory.pk).defer("geometry").prefetch_related(Prefetch(
        "indicator_values",
        queryset=IndicatorValue.objects.select_related("definition", "project")
        .filter(Q(project__isnull=True) | Q(project__live=True), kind="context")
        .order_by("definition__label", "-period_end", "pk"),
    )).first())
