"""Staff edit a project's key figures in the Wagtail editor (panel added by indicators)."""

import re

import pytest

from tests.indicators.factories import IndicatorValueFactory
from tests.projects.factories import ProjectPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lenient_admin_templates(monkeypatch):
    """Wagtail's own admin templates rely on optional variables (`|default:`), which
    --fail-on-template-vars breaks: not our templates to check."""
    from django.template import engines

    monkeypatch.setattr(engines["django"].engine, "string_if_invalid", "")


@pytest.mark.smoke
def test_staff_open_the_project_edit_page_with_its_figures(staff_client):
    project = ProjectPageFactory()
    IndicatorValueFactory(project=project)
    IndicatorValueFactory(project=project)
    response = staff_client.get(f"/admin/pages/{project.pk}/edit/")
    html = response.content.decode()
    assert response.status_code == 200
    total = re.search(r'<input[^>]*id="id_indicator_values-TOTAL_FORMS"[^>]*>', html)
    assert total and 'value="2"' in total.group(0)
