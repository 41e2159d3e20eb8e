"""Pages that read well (issue 18): legal pages and footer, page titles, project content
presented rather than pasted, dates as the source gives them, and the seed's fidelity fixes."""

import datetime
import re

import pytest

from portal.accessibility import audit_summary
from projects.models import ContentPage, DatePrecision, ProjectPage, describe_period
from projects.services.import_seed import paragraphs_html

pytestmark = pytest.mark.django_db

LEGAL_SLUGS = ["declaration-accessibilite", "mentions-legales", "donnees-personnelles",
               "gestion-des-cookies", "plan-du-site"]


def test_source_bullets_become_lists_and_text_is_escaped():
    html = paragraphs_html("Les bénéficiaires :\n- Ménages <900\n- 18-25 ans\n\nPartenaires : A, B")
    assert html == ("<p>Les bénéficiaires :</p><ul><li>Ménages &lt;900</li><li>18-25 ans</li>"
                    "</ul><p>Partenaires : A, B</p>")


@pytest.mark.parametrize(("args", "expected"), [
    ((datetime.date(2026, 3, 17), "day", datetime.date(2026, 12, 31), "month"),
     "du 17 mars 2026 à décembre 2026"),
    ((datetime.date(2023, 1, 1), "year", datetime.date(2025, 12, 31), "year"), "2023 à 2025"),
    ((datetime.date(2024, 1, 1), "year", datetime.date(2024, 12, 31), "year"), "2024"),
    ((None, "day", None, "day", "3 ans"), "durée : 3 ans"),
    ((None, "day", None, "day", "", "Appel à projet 1000 premiers jours en Bretagne"),
     "Appel à projet 1000 premiers jours en Bretagne"),
    ((None, "day", None, "day", "", "", 2023), "appel à projets 2023"),
    ((None, "day", None, "day"), "dates non précisées par la source"),
])
def test_period_is_described_as_precisely_as_the_source_allows(args, expected):
    assert describe_period(*args) == expected


def test_precision_choices_are_the_three_the_seed_uses():
    assert set(DatePrecision.values) == {"day", "month", "year"}


def test_audit_has_the_106_rgaa_criteria_and_a_rate():
    audit = audit_summary()
    numbers = [c.number for c in audit.criteria]
    assert len(numbers) == 106 and len(set(numbers)) == 106
    assert audit.compliant + audit.non_compliant + audit.not_applicable == 106
    assert audit.rate == audit.compliant * 100 // (audit.compliant + audit.non_compliant)


def test_legal_pages_exist_and_the_footer_links_them(client):
    assert set(ContentPage.objects.live().values_list("slug", flat=True)) >= set(LEGAL_SLUGS)
    html = client.get("/").content.decode()
    footer = html[html.index('<footer'):]
    for slug in LEGAL_SLUGS:
        assert f'href="/{slug}/"' in footer
    for host in ("info.gouv.fr", "service-public.fr", "legifrance.gouv.fr", "data.gouv.fr"):
        assert f'href="https://{host}"' in footer
    assert "Accessibilité : partiellement conforme</a>" in footer


def test_accessibility_statement_states_the_rate_of_the_self_audit(client):
    audit = audit_summary()
    html = client.get("/declaration-accessibilite/").content.decode()
    assert f"<strong>{audit.rate}%</strong>" in html
    assert "Défenseur des droits" in html
    assert html.count('<th scope="row">') >= 106


@pytest.mark.parametrize("slug", LEGAL_SLUGS)
def test_legal_pages_render_in_french_with_the_portal_title(client, slug):
    response = client.get(f"/{slug}/")
    assert response.status_code == 200
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
    assert title.endswith("— Portail des projets financés Hauts-de-France")


def test_site_map_lists_every_programme_project_and_section(client):
    html = client.get("/plan-du-site/").content.decode()
    for project in ProjectPage.objects.live()[:20]:
        assert f'href="{project.url}"' in html
    for path in ("/cartes/projets/", "/cartes/couverture/", "/territoires/", "/suivi/", "/api/"):
        assert f'href="{path}"' in html


def test_home_title_is_the_site_name_once(client):
    title = re.search(r"<title>(.*?)</title>", client.get("/").content.decode(), re.S).group(1)
    assert title.strip() == "Portail des projets financés Hauts-de-France"


def test_navigation_labels_a_newcomer_understands(client):
    html = client.get("/").content.decode()
    for label in ("Carte des projets", "Zones sans projet", "Suivi des programmes"):
        assert f">{label}</a>" in html
