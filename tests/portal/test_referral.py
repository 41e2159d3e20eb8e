"""« Orienter quelqu'un » (issue 14 §4): published contacts (consent rules), how to join,
where, and the programme team's contact when the project publishes none."""

from html import unescape

import pytest

from projects.models import ProjectContact, ProjectPlace
from tests.projects.factories import ProgrammePageFactory, ProjectPageFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


@pytest.fixture
def programme(territories):
    return ProgrammePageFactory(title="Programme test", slug="programme-test",
                                contact_text="Équipe régionale", contact_email="equipe@example.org")


def test_a_project_with_contact_shows_it_and_how_to_join_and_where(client, programme, territories):
    project = ProjectPageFactory(parent=programme, how_to_join="Accès libre, sans rendez-vous.",
                                 territories=[territories.get("commune", "59172")])
    ProjectContact.objects.create(project=project, role="Accueil", email="accueil@example.org",
                                  publish=True)
    ProjectPlace.objects.create(project=project, name="Maison des familles",
                                address="1 rue Test")
    page = text(client.get(project.url))
    assert "Orienter quelqu’un" in page
    assert "accueil@example.org" in page and "equipe@example.org" not in page
    assert "Accès libre, sans rendez-vous." in page
    assert "Maison des familles, 1 rue Test" in page


def test_without_contact_the_programme_team_is_given_with_a_sentence(client, programme,
                                                                     territories):
    project = ProjectPageFactory(parent=programme,
                                 territories=[territories.get("commune", "59172")])
    ProjectContact.objects.create(project=project, name="Jeanne Test", email="jeanne@example.org",
                                  publish=False)  # not published: never shown
    page = text(client.get(project.url))
    assert "jeanne@example.org" not in page
    assert "Aucun contact du projet n’est publié" in page and "equipe@example.org" in page
    assert "Non précisé par la source" in page


def test_the_contacts_view_shows_every_result_with_its_contact(client, programme, territories):
    ProjectPageFactory.create_batch(3, parent=programme,
                                    territories=[territories.get("commune", "59172")])
    response = client.get("/projets/?vue=contacts")
    assert response.context["view"] == "contacts"
    html = response.content.decode()
    assert html.count('#orienter"') == 3  # one row per result
    assert html.count("equipe@example.org") >= 3
    assert "Afficher les résultats en" in text(response)
