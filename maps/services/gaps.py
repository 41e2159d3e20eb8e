"""Coverage gaps ("zones blanches"): which communes of Hauts-de-France a selection of projects
covers, how many people live in the others, and what is known of them (poverty rate).

Plain data in and out (commune ids, figures by territory id): the selection of projects
comes from `projects`, the figures from `indicators`; the same rows feed the coverage map,
its table and its summary sentence, so the three always agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from maps.models import SCALE_RANK, Scale, Territory, home_region_code

T = TypeVar("T")


def region_departements():
    return Territory.objects.filter(scale=Scale.DEPARTEMENT, ancestors__scale=Scale.REGION,
                                    ancestors__code=home_region_code())


def region_communes():
    """The communes whose own département (a direct parent) is in the region. Not
    "descendants" of the region or of its départements: through an EPCI that straddles two
    départements, a commune of Seine-Maritime is a descendant of the Somme too."""
    return Territory.objects.filter(scale=Scale.COMMUNE, is_obsolete=False,
                                    parents__in=region_departements())


@dataclass(frozen=True)
class CommuneRow:
    id: int
    code: str
    name: str
    population: int | None
    covered: bool
    figure: str = ""


@dataclass(frozen=True)
class CoverageSummary:
    communes: int
    population: int
    uncovered_communes: int
    uncovered_population: int
    most_populated_uncovered: Sequence[CommuneRow]

    @property
    def covered_communes(self) -> int:
        return self.communes - self.uncovered_communes


def most_local(commune_ids: Collection[int], figures: Mapping[int, T]) -> dict[int, T]:
    """For each commune, the figure of the most local territory that holds it (the commune
    itself, then a custom area, its EPCI, département, region): one query. Direct parents,
    not the closure: through an EPCI straddling two départements, the closure would also
    give a commune the other département's figure."""
    wanted = set(commune_ids)
    result: dict[int, T] = {cid: figures[cid] for cid in wanted if cid in figures}
    best: dict[int, int] = dict.fromkeys(result, -1)
    links = Territory.parents.through.objects.filter(
        to_territory_id__in=list(figures), from_territory__scale=Scale.COMMUNE,
    ).values_list("from_territory_id", "to_territory_id", "to_territory__scale")
    for commune, holder, scale in links:
        if commune not in wanted:
            continue
        rank = SCALE_RANK[scale]
        if commune not in best or rank < best[commune]:
            best[commune] = rank
            result[commune] = figures[holder]
    return result


def coverage_rows(covered_ids: Collection[int], figures: Mapping[int, str] | None = None
                  ) -> list[CommuneRow]:
    """Every commune of the region, covered or not, with its most local figure label."""
    communes = list(region_communes().values_list("id", "code", "name", "population")
                    .order_by("code"))
    covered = set(covered_ids)
    labels = most_local([c[0] for c in communes], figures) if figures else {}
    return [CommuneRow(pk, code, name, population, pk in covered, labels.get(pk, ""))
            for pk, code, name, population in communes]


def summarize(rows: Sequence[CommuneRow], top: int = 20) -> CoverageSummary:
    uncovered = [r for r in rows if not r.covered]
    ranked = sorted(uncovered, key=lambda r: (-(r.population or 0), r.name))
    return CoverageSummary(
        communes=len(rows),
        population=sum(r.population or 0 for r in rows),
        uncovered_communes=len(uncovered),
        uncovered_population=sum(r.population or 0 for r in uncovered),
        most_populated_uncovered=ranked[:top],
    )
