"""Facts of the real seed behind issue 18: descriptions without the source's header lines and
duplicated lists, dates as the source gives them, and the fidelity corrections."""

import pytest

from projects.models import ProjectPage, ProjectStatus

pytestmark = pytest.mark.django_db

HEADER_LINES = ("Porteur :", "Nom du projet :", "Durée du projet :", "Lieu d’intervention :")


def test_faad_project_pages_show_no_source_header_lines_nor_duplicated_lists(client):
    projects = list(ProjectPage.objects.live().filter(programme__slug="faad").order_by("pk")[:10])
    assert len(projects) == 10
    for project in projects:
        html = client.get(project.url).content.decode()
        main = html[html.index('<main'):html.index('</main>')]
        for line in HEADER_LINES:
            assert line not in main, (project.slug, line)
        assert main.count(">Objectifs</h2>") <= 1 and main.count(">Actions</h2>") <= 1
        assert "<li>- " not in main and "<p>- " not in main


def test_unknown_dates_are_the_exception():
    unknown = [p for p in ProjectPage.objects.live() if p.status == ProjectStatus.UNKNOWN
               and p.when == "dates non précisées par la source"]
    assert len(unknown) < 15


def test_sante_des_femmes_projects_run_2023_to_2025_as_the_brochure_says():
    project = ProjectPage.objects.get(
        slug="emancipation-feminine-bassin-minier-sante-sexuelle-eclairee")
    assert project.when == "2023 à 2025"
    assert project.status == ProjectStatus.FINISHED


def test_parents_groups_are_carried_by_the_eight_cafs():
    project = ProjectPage.objects.get(slug="caf-experimentation-groupes-de-parents-1000-jours")
    names = sorted(r.organisation.name for r in project.carriers)
    assert len(names) == 8 and "Caf du Pas-de-Calais" in names and "Caf de La Réunion" in names


def test_brenne_project_has_its_two_carriers():
    project = ProjectPage.objects.get(slug="pnr-brenne-assistants-maternels-sante-environnementale")
    assert {r.organisation.name for r in project.carriers} == {
        "Parc naturel régional de la Brenne", "Réseau d'assistants maternels de la Brenne"}


def test_region_and_departement_wide_examples_are_not_pinned_on_their_seat():
    rheso = ProjectPage.objects.get(slug="rheso-formation-violences-conjugales-veo")
    assert [(t.territory.scale, t.territory.code) for t in rheso.territory_links.all()] == [
        ("region", "93")]
    sapph = ProjectPage.objects.get(slug="sapph-gironde-parentalite-handicap")
    assert [(t.territory.scale, t.territory.code) for t in sapph.territory_links.all()] == [
        ("departement", "33")]
