"""Context figures of territories for maps: the poverty rate known for a territory, as a
label ("18,4 % (Nord, 2021)") keyed by territory id, for `maps.services.gaps` to give each
commune its most local known figure."""

from __future__ import annotations

from django.db.models import F
from django.utils.formats import number_format

from indicators.models import IndicatorValue

POVERTY_RATE = "taux-pauvrete"


def figure_labels(code: str = POVERTY_RATE) -> dict[int, str]:
    """{territory id: label} of the values of one shared definition recorded for a territory.
    When several values exist for a territory: validated first, then the latest period."""
    values = (
        IndicatorValue.objects.filter(definition__code=code, territory__isnull=False,
                                      value__isnull=False)
        .select_related("definition")
        .only("value", "period_start", "period_end", "status", "territory_id",
              "definition__unit", "territory__name")
        .select_related("territory")
        .order_by("territory_id",
                  F("status").desc(),  # "validated" sorts after "declared"
                  F("period_end").desc(nulls_last=True), "-pk")
    )
    labels: dict[int, str] = {}
    for value in values:
        if value.territory_id in labels:
            continue
        number = number_format(value.value.normalize())
        unit = value.definition.unit
        where = value.territory.name
        if value.period_label:
            where += f", {value.period_label}"
        labels[value.territory_id] = f"{number}\u00a0{unit} ({where})".replace("\u00a0 (", " (")
    return labels
