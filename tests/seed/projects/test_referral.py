"""Referral information (issue 14 §4) on the real seed: every project page says how to
refer someone; projects with no published contact give the programme team's contact when the
programme's document gives one (FAAD), and say so."""

from html import unescape

import pytest

from projects.models import ProjectPage

pytestmark = pytest.mark.django_db

FAAD_MAILBOX = "dreets-hdf.psi-adis-uf-pauvrete@dreets.gouv.fr"


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


def test_every_project_page_has_a_refer_someone_block(client):
    for project in ProjectPage.objects.live().select_related("programme"):
        page = text(client.get(project.url))
        assert "Orienter quelqu’un" in page, project.slug
        assert "Comment y accéder" in page and "Où" in page, project.slug


def test_without_a_published_contact_the_programme_team_is_given_and_said(client):
    faad = ProjectPage.objects.live().filter(programme__slug="faad")
    silent = [p for p in faad if not p.published_contacts]
    assert silent
    page = text(client.get(silent[0].url))
    assert "Aucun contact du projet n’est publié : voici le contact que l’équipe du programme" \
        in page
    assert FAAD_MAILBOX in page
    thousand_days = next(p for p in ProjectPage.objects.live().filter(
        programme__slug="1000-premiers-jours", in_home_region=False)
        if not p.published_contacts)
    assert "les documents du programme n’en donnent pas" in text(client.get(thousand_days.url))


def test_how_to_join_comes_from_the_source(client):
    page = text(client.get(ProjectPage.objects.get(slug="1000-jours-pour-savourer-la-vie").url))
    assert "Sur inscription, par le formulaire en ligne de l’Agglomération" in page
    hophop = text(client.get(ProjectPage.objects.get(
        slug="faad-anti-gaspi-solidaire-hophopfood").url))
    assert "Orientation par un partenaire prescripteur" in hophop


def test_the_contacts_view_lists_who_to_contact_for_every_result(client):
    response = client.get("/projets/?territoire=59172&vue=contacts")
    assert response.context["view"] == "contacts"
    page = text(response)
    assert "Qui contacter pour chaque projet" in page
    assert response.content.decode().count('#orienter"') == 15  # one row per result
    assert FAAD_MAILBOX in page
    # the filters keep the view; exports and the map do not carry it
    assert 'name="vue" value="contacts"' in response.content.decode()
    assert "export.csv?territoire=59172&amp;vue" not in response.content.decode()
