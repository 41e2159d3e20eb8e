"""A project page's key figures, built with the factories: targets grouped by indicator,
actuals with progress, validated and declared apart."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from indicators.aggregation import project_key_figures
from tests.indicators.factories import IndicatorDefinitionFactory, IndicatorValueFactory
from tests.projects.factories import ProjectPageFactory

pytestmark = pytest.mark.django_db


def page_text(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


@pytest.fixture
def project():
    return ProjectPageFactory(title="Ateliers des 1000 jours")


@pytest.fixture
def participants():
    return IndicatorDefinitionFactory(code="participants", label="Participantes par session",
                                      unit="personnes")


@pytest.mark.smoke
def test_project_page_shows_its_targets_grouped_by_indicator(client, project, participants):
    IndicatorValueFactory(project=project, definition=participants, kind="target", value=None,
                          target=Decimal(80), value_text="accompagner 80 femmes enceintes")
    IndicatorValueFactory(project=project, definition=participants, kind="target", value=None,
                          target=Decimal(12), period_start=datetime.date(2025, 1, 1),
                          period_end=datetime.date(2025, 12, 31))
    html = page_text(client, project)
    assert 'id="key-figures"' in html
    assert f"{gettext('Target')} : 80 personnes" in html
    assert "« accompagner 80 femmes enceintes »" in html
    groups, _context = project_key_figures(project)
    assert [g.label for g in groups] == ["Participantes par session"]  # two targets, one group
    assert html.count('class="portal-indicator"') == 1


def test_yearly_actuals_show_progress_validated_and_declared_apart(client, project,
                                                                 participants):
    IndicatorValueFactory(project=project, definition=participants, kind="target", value=None,
                          target=Decimal(80))
    IndicatorValueFactory(project=project, definition=participants, value=Decimal(40),
                          status="validated")
    IndicatorValueFactory(project=project, definition=participants, value=Decimal(20),
                          status="declared", period_start=datetime.date(2024, 9, 1))
    html = page_text(client, project)
    progress = gettext("%(a)s of %(t)s %(unit)s, %(pc)s%% of the target")
    validated = progress % {"a": 40, "t": 80, "unit": "personnes", "pc": 50}
    declared = progress % {"a": 20, "t": 80, "unit": "personnes", "pc": 25}
    assert f"{gettext('Validated figures')} : {validated} (2024)" in html
    assert f"{gettext('Declared figures, not yet validated')} : {declared}" in html
    assert 'style="width: 50%"' in html and "portal-progress__bar--declared" in html
