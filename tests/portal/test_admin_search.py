"""Every admin listing and chooser search answers on SQLite too (#13: three of them answered
500 there or on PostgreSQL). The same addresses and queries as the real-seed test
(tests/seed/portal/test_staff_admin.py), over a small catalogue built with the factories."""

import pytest

from maps.models import Scale, Territory
from tests.indicators.factories import IndicatorDefinitionFactory, IndicatorValueFactory
from tests.portal.staff_helpers import SEARCHES, chooser_html
from tests.projects.factories import OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture(autouse=True)
def lenient_admin_templates(monkeypatch):
    """Wagtail's admin templates rely on optional variables (not ours to check)."""
    from django.template import engines

    monkeypatch.setattr(engines["django"].engine, "string_if_invalid", "")


@pytest.fixture
def searchable(catalogue, search_auto_update):
    """What the searches must find: the catalogue of the sample, an indicator, an
    organisation and the two Saint-Amand communes, indexed as staff save them."""
    OrganisationFactory(key="centres-sociaux", name="Fédération des centres sociaux")
    definition = IndicatorDefinitionFactory(code="beneficiaires-aide-alimentaire",
                                            label="Bénéficiaires de l'aide alimentaire")
    IndicatorValueFactory(definition=definition, project=catalogue["raismes-local"])
    for code, name, population in (("59526", "Saint-Amand-les-Eaux", 16_000),
                                   ("62741", "Saint-Amand", 120)):
        Territory.objects.create(scale=Scale.COMMUNE, code=code, name=name,
                                 population=population, source="test")
    return catalogue


def test_every_admin_search_answers(staff_client, searchable):
    """One catalogue for the 29 searches (built once: seconds, not a minute)."""
    failed = []
    for url, query, expected in SEARCHES:
        response = staff_client.get(url, {"q": query})
        if response.status_code != 200:
            failed.append((url, query, response.status_code))
        elif expected and expected not in chooser_html(response):
            failed.append((url, query, f"no « {expected} »"))
    assert not failed
