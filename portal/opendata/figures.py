"""Key figures as open data publishes them (API, exports, datasets): in numbers — the exact
value, or the two bounds of a range, or nothing when the source gives only words — and in
the words of the source, with one French sentence."""

from __future__ import annotations

from indicators.models import IndicatorValue


def value_fields(value: IndicatorValue) -> dict:
    """What every published figure says: which indicator, of what kind, over which period,
    for which territory, in which words, with which status and source."""
    territory = value.territory
    return {
        "id": value.pk,
        "indicator": value.definition.code,
        "kind": value.kind,
        "period_start": value.period_start,
        "period_end": value.period_end,
        "territory_scale": territory.scale if territory else None,
        "territory_code": territory.code if territory else None,
        "value_text": value.value_text,
        "unit": value.definition.unit,
        "status": value.status,
        "source": value.source_note,
    }


def key_figure(value: IndicatorValue) -> dict:
    """One key figure in numbers and in words: the shape shared by the API and the
    `chiffres-cles` table."""
    number, low, high = value.bounds
    return {
        **value_fields(value),
        "label": value.definition.label,
        "value": number,
        "value_min": low,
        "value_max": high,
        "sentence": value.sentence,
    }
