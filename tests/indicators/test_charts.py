"""Server-side SVG charts: accessible, labelled, safe, and drawn to scale."""

import re
from decimal import Decimal

import pytest

from indicators.charts import Bar, BarGroup, bar_chart, format_number, simple_bars


@pytest.mark.smoke
def test_bar_chart_is_an_accessible_image_with_its_numbers_written():
    svg = simple_bars([("2023", Decimal("1997734")), ("2024", Decimal("2939413"))],
                      chart_id="c1", unit="€", title="Envelope by year",
                      description="One bar per year.")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Envelope by year</title>' in svg
    assert '<desc id="c1-desc">One bar per year.</desc>' in svg
    assert "1\xa0997\xa0734 €" in svg and "2\xa0939\xa0413 €" in svg  # French grouping
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_bars_are_drawn_to_scale_and_the_biggest_fills_the_plot():
    svg = simple_bars([("a", 50), ("b", 100), ("c", 0)], chart_id="c2", title="t",
                      description="d")
    widths = [float(w) for w in re.findall(r'<rect class="portal-chart__bar[^"]*" x="[\d.]+" '
                                           r'y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(widths) == 3
    assert widths[0] == pytest.approx(widths[1] / 2, abs=0.2)
    assert widths[2] == 0


def test_grouped_bars_name_their_series_in_text_not_only_in_colour():
    svg = bar_chart([BarGroup("2023", (Bar(97, "97 received", 0), Bar(17, "17 selected", 1)))],
                    chart_id="c3", title="t", description="d",
                    legend=("Applications received", "Applications selected"))
    assert ">97 received<" in svg and ">17 selected<" in svg
    assert "Applications received" in svg and "portal-chart__bar--s1" in svg


def test_labels_are_escaped_and_long_ones_shortened_with_the_full_text_kept():
    long_label = "Développement d'alliances locales de solidarité <entre> acteurs & partenaires"
    svg = simple_bars([(long_label, 3)], chart_id="c4", title="<b>t</b>", description="d")
    assert "<entre>" not in svg and "&lt;entre&gt;" in svg
    assert "<b>" not in svg
    assert "…</text>" in svg  # shortened on the chart, full in its <title> and the table


def test_empty_and_zero_charts_do_not_divide_by_zero():
    assert 'role="img"' in simple_bars([("a", 0), ("b", None)], chart_id="c5", title="t",
                                       description="d")
    assert format_number(None) == ""
    assert format_number(Decimal("18.40"), "%") == "18,4 %"
