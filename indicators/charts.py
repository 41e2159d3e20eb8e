"""Server-side SVG bar charts: no JavaScript, no CDN, readable without colour.

Each chart is an inline `<svg role="img">` named by its `<title>` and `<desc>`; every bar
carries its value (and its series name when there are several) as text, so colour is never
the only carrier; the page always shows the same numbers as a table next to the chart.
Colours come from CSS classes (DSFR variables, see indicators/static/indicators/
indicators.css), with presentation attributes as fallback for the page without that CSS.
Pure functions: numbers in, markup out; no ORM, no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 14
TOP = 8
LEGEND_ROW = 22
MAX_LABEL_CHARS = 38
CHAR_WIDTH = 6.6
FALLBACK_FILLS = ("#000091", "#6a6af4", "#c9191e", "#18753c")


def separators() -> dict[int, str]:
    """The thousands and decimal separators of the active language, as a `str.translate`
    table from Python's "," and "."."""
    return {ord(","): get_format("THOUSAND_SEPARATOR"), ord("."): get_format("DECIMAL_SEPARATOR")}


def format_number(value, unit: str = "", table: dict[int, str] | None = None) -> str:
    """A number the French way ("2 939 413 €"): no decimals when it has none. What
    number_format(…, use_l10n=True, force_grouping=True) gives, without its cost per call
    (dashboards format thousands of cells: pass `separators()` once as `table`)."""
    if value is None:
        return ""
    number = Decimal(str(value))
    places = 0
    if number != number.to_integral_value():
        places = min(2, -number.normalize().as_tuple().exponent)
    text = f"{number:,.{places}f}".translate(table or separators())
    return f"{text} {unit}".strip()


@dataclass(frozen=True)
class Bar:
    value: Decimal | int | float | None
    text: str = ""  # what is written next to the bar; defaults to the number and unit
    series: int = 0


@dataclass(frozen=True)
class BarGroup:
    label: str
    bars: Sequence[Bar] = field(default_factory=tuple)


def _truncate(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(groups: Sequence[BarGroup], *, chart_id: str, title: str, description: str,
              unit: str = "", legend: Sequence[str] = ()) -> SafeString:
    """Horizontal bars, one row per group (a year, a département), one bar per series.

    `legend` names the series (dossiers received, selected…): each bar's text repeats its
    series name, so the legend is a help, not the only key.
    """
    values = [float(b.value) for g in groups for b in g.bars if b.value is not None]
    top_value = max([v for v in values if v > 0], default=1.0)
    label_width = min(MAX_LABEL_CHARS * CHAR_WIDTH, max(48, max(
        (len(_truncate(g.label)) for g in groups), default=4) * CHAR_WIDTH)) + 12
    texts = [b.text or format_number(b.value, unit) or "—" for g in groups for b in g.bars]
    value_room = max((len(t) for t in texts), default=4) * CHAR_WIDTH + 16
    plot_width = WIDTH - label_width - value_room
    parts: list[str] = []
    y = TOP
    if len(legend) > 1:
        for index, name in enumerate(legend):
            parts.append(format_html(
                '<rect class="portal-chart__bar portal-chart__bar--s{}" x="{}" y="{}" width="14" '
                'height="14" fill="{}"/><text class="portal-chart__text" x="{}" y="{}">{}</text>',
                index, label_width, y, FALLBACK_FILLS[index % 4], label_width + 20, y + 11, name,
            ))
            y += LEGEND_ROW
        y += 4
    for group in groups:
        rows = max(1, len(group.bars))
        height = rows * BAR_HEIGHT + (rows - 1) * BAR_GAP
        parts.append(format_html(
            '<text class="portal-chart__label" x="{}" y="{}" text-anchor="end"><title>{}</title>'
            "{}</text>",
            label_width - 8, round(y + height / 2 + 4), group.label, _truncate(group.label),
        ))
        for index, bar in enumerate(group.bars):
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            number = float(bar.value) if bar.value is not None else 0.0
            width = round(max(0.0, number) / top_value * plot_width, 1)
            text = bar.text or format_number(bar.value, unit) or "—"
            parts.append(format_html(
                '<rect class="portal-chart__bar portal-chart__bar--s{}" x="{}" y="{}" '
                'width="{}" height="{}" fill="{}"/>'
                '<text class="portal-chart__text" x="{}" y="{}">{}</text>',
                bar.series, label_width, bar_y, width, BAR_HEIGHT,
                FALLBACK_FILLS[bar.series % 4], round(label_width + width + 6, 1),
                bar_y + BAR_HEIGHT - 5, text,
            ))
        y += height + GROUP_GAP
    height = y - GROUP_GAP + TOP
    axis = format_html(
        '<line class="portal-chart__axis" x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#666"/>',
        label_width - 1, TOP, height - TOP,
    )
    return format_html(
        '<svg class="portal-chart" id="{0}" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Marianne, arial, sans-serif" '
        'font-size="12"><title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>'
        "{5}{6}</svg>",
        chart_id, WIDTH, height, title, description, axis, mark_safe("".join(parts)),
    )


def simple_bars(rows: Sequence[tuple[str, object]], **kwargs) -> SafeString:
    """One bar per row: (label, value)."""
    return bar_chart([BarGroup(label, (Bar(value),)) for label, value in rows], **kwargs)

