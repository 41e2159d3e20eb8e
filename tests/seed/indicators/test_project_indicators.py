"""The project page's key figures: grouped by indicator, targets and actuals by period,
progress in words as well as in a bar, declared and validated apart."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django.utils.translation import gettext

from indicators.aggregation import project_key_figures
from indicators.models import IndicatorDefinition, IndicatorValue
from projects.models import ProjectPage

pytestmark = pytest.mark.django_db


def page_text(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


def test_project_page_shows_its_targets_grouped_by_indicator(client):
    page = ProjectPage.objects.get(slug="1000-jours-pour-savourer-la-vie")
    html = page_text(client, page)
    assert 'id="key-figures"' in html
    assert f"{gettext('Target')} : 80 personnes" in html
    assert "« accompagner 80 femmes enceintes du territoire »" in html
    groups, _context = project_key_figures(page)
    titles = [g.label for g in groups]
    assert titles.count("Participantes par session") == 1  # two targets, one group
    assert html.count('class="portal-indicator"') == len(groups)


def test_yearly_actuals_show_progress_validated_and_declared_apart(client):
    page = ProjectPage.objects.get(slug="1000-jours-pour-savourer-la-vie")
    participants = IndicatorDefinition.objects.get(code="participants")
    year_2026 = {"period_start": datetime.date(2026, 3, 17),
                 "period_end": datetime.date(2026, 12, 31)}
    IndicatorValue.objects.create(project=page, definition=participants, kind="output",
                                  value=Decimal(40), status="validated", **year_2026)
    IndicatorValue.objects.create(project=page, definition=participants, kind="output",
                                  value=Decimal(20), status="declared",
                                  period_start=datetime.date(2026, 9, 1),
                                  period_end=datetime.date(2026, 12, 31))
    html = page_text(client, page)
    progress = gettext("%(a)s of %(t)s %(unit)s, %(pc)s%% of the target")
    validated = progress % {"a": 40, "t": 80, "unit": "personnes", "pc": 50}
    declared = progress % {"a": 20, "t": 80, "unit": "personnes", "pc": 25}
    assert f"{gettext('Validated figures')} : {validated} (2026)" in html
    assert f"{gettext('Declared figures, not yet validated')} : {declared}" in html
    assert 'style="width: 50%"' in html and "portal-progress__bar--declared" in html
    assert 'aria-hidden="true"' in html  # the bar is decoration; the sentence carries it


def test_context_figures_of_a_project_are_listed_apart_and_never_as_progress(client):
    value = (IndicatorValue.objects.filter(kind="context", value__isnull=False,
                                           project__live=True, territory__isnull=False)
             .select_related("project", "territory").first())
    html = page_text(client, value.project.specific)
    assert gettext("Context of the territories") in html
    assert value.territory.name in html


def test_key_figures_read_unsaved_edits_for_previews():
    page = ProjectPage.objects.get(slug="1000-jours-pour-savourer-la-vie")
    participants = IndicatorDefinition.objects.get(code="participants")
    values = list(page.indicator_values.all())
    page.indicator_values = [*values, IndicatorValue(definition=participants, kind="output",
                                                     value=Decimal(12), status="validated")]
    groups, _context = project_key_figures(page)
    group = next(g for g in groups if g.code == "participants")
    assert [f.value for f in group.actuals] == [Decimal(12)]
    assert not IndicatorValue.objects.filter(project=page, value=12).exists()


def test_project_page_query_count_does_not_grow_with_its_figures(client):
    page = ProjectPage.objects.get(slug="1000-jours-pour-savourer-la-vie")
    client.get(page.url)
    with CaptureQueriesContext(connection) as before:
        client.get(page.url)
    definitions = IndicatorDefinition.objects.filter(is_shared=True, kind="output")[:5]
    for definition in definitions:
        IndicatorValue.objects.create(project=page, definition=definition, kind="output",
                                      value=Decimal(3), status="validated")
    with CaptureQueriesContext(connection) as after:
        html = page_text(client, page)
    assert all(escape(d.label) in html for d in definitions)
    assert len(after.captured_queries) == len(before.captured_queries)
