"""The laureate import writes new projects in bulk: what it leaves must be what Wagtail's own
`add_child`, `save_revision` and `publish` would have left (a sound page tree, one revision
each, the history, the review, search and reference indexes, the commune coverage), on
PostgreSQL and on SQLite. The spreadsheet formats and messages are tested on the real
territories in tests/seed/projects/test_import_laureates.py."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import (
    GroupApprovalTask,
    Page,
    PageLogEntry,
    ReferenceIndex,
    Revision,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from maps.models import Scale, Territory
from projects.models import Organisation, ProgrammeOrganisation, ProjectPage
from projects.services.import_laureates import import_laureates, plan_laureates
from tests.projects.factories import ProgrammeAxisFactory, ProgrammePageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

HEADER = "numero_dossier;intitule;porteur;territoires;annee_appel;axes;montant_accorde;resume"
ROWS = [
    "L-1;Épicerie solidaire de Raismes;Asso Épi;59491;2025;axe-imp;12 500 €;Une épicerie.",
    "L-2;Ateliers parents du Hainaut;Asso Parents;200042190;2025;;;Des ateliers.",
    "L-3;Café des familles;Asso Épi;Lens;2025;;3000;Un café.",
]


def csv(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def programme(territories):
    page = ProgrammePageFactory(title="Appel à projets test", slug="appel-test")
    ProgrammeAxisFactory(programme=page, code="axe-imp", label="Alimentation")
    funder = Organisation.objects.create(key="financeur-test", name="Financeur test")
    ProgrammeOrganisation.objects.create(programme=page, organisation=funder, role="funder")
    return page


def imported(programme, raw=None, **options):
    plan = plan_laureates(raw or csv(*ROWS), "laureats.csv", programme)
    assert not plan.problems, plan.problems.errors
    return import_laureates(plan, **options)


def test_published_projects_are_whole_wagtail_pages(programme, territories, client):
    assert imported(programme, publish=True).summary() == "3 créés, 0 mis à jour, 0 inchangé"
    assert all(not problems for problems in Page.find_problems())  # paths, depth, numchild
    programme.refresh_from_db()
    assert programme.numchild == 3
    pages = {p.dossier_number: p for p in ProjectPage.objects.child_of(programme).live()}
    assert set(pages) == {"L-1", "L-2", "L-3"}
    first = pages["L-1"]
    assert first.url_path == f"{programme.url_path}epicerie-solidaire-de-raismes/"
    assert (first.live_revision_id == first.latest_revision_id and first.first_published_at
            and not first.has_unpublished_changes and first.programme_id == programme.pk)
    assert Revision.objects.for_instance(first).count() == 1
    content = first.latest_revision.content
    assert content["title"] == first.title and len(content["territory_links"]) == 1
    assert set(PageLogEntry.objects.filter(page=first).values_list("action", flat=True)) == {
        "wagtail.edit", "wagtail.publish"}
    assert [a.code for a in first.axes.all()] == ["axe-imp"]
    assert first.funders[0].amount_eur == 12500
    # Derived data, rebuilt once at the end: coverage (the EPCI's three communes)…
    assert set(pages["L-2"].coverage.values_list("commune__code", flat=True)) == {
        "59491", "59172", "59632"}
    assert pages["L-2"].broadest_scale == Scale.EPCI
    # … Wagtail's reference index ("usage" of an organisation) and the search index.
    carrier = Organisation.objects.get(name="Asso Épi")
    assert ReferenceIndex.get_references_to(carrier).count() == 2
    assert [p.pk for p in ProjectPage.objects.live().search("épicerie")] == [first.pk]
    assert client.get(first.url).status_code == 200


def test_drafts_go_to_review_and_a_changed_row_gets_a_revision(programme, django_user_model):
    group = Group.objects.create(name="Relecture test")
    task = GroupApprovalTask.objects.create(name="Relecture test")
    task.groups.add(group)
    workflow = Workflow.objects.create(name="Relecture puis publication test")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=programme)
    user = django_user_model.objects.create_superuser("importeur", "i@example.org", "pw-1234x")

    report = imported(programme, user=user)
    assert report.submitted == 3
    page = ProjectPage.objects.child_of(programme).get(dossier_number="L-1")
    assert not page.live and page.has_unpublished_changes and page.live_revision is None
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == "in_progress" and state.current_task_state.revision == (
        page.latest_revision)
    assert page.latest_revision.user == user

    assert imported(programme, user=user).summary() == "0 créé, 0 mis à jour, 3 inchangés"
    changed = [ROWS[0].replace("12 500 €", "13 000 €"), *ROWS[1:]]
    assert imported(programme, csv(*changed), user=user).summary() == (
        "0 créé, 1 mis à jour, 2 inchangés")
    assert Revision.objects.for_instance(page).count() == 2
    latest = ProjectPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert latest.funders[0].amount_eur == 13000
    assert ProjectPage.objects.child_of(programme).count() == 3


def test_a_loose_name_with_an_exact_homonym_lists_both(programme, territories):
    """« st amand » reads Saint-Amand-les-Eaux in the public search; in a file, where a
    guess would be written for good, the village called exactly Saint-Amand makes it an
    error naming both."""
    for code, name, population in (("59526", "Saint-Amand-les-Eaux", 16_000),
                                   ("62741", "Saint-Amand", 120)):
        Territory.objects.create(scale=Scale.COMMUNE, code=code, name=name,
                                 population=population, source="test")
    rows = [ROWS[0].replace(";59491;", ";st amand;")]
    plan = plan_laureates(csv(*rows), "laureats.csv", programme)
    (error,) = plan.problems.errors
    assert error.startswith("laureats.csv, ligne 2, colonne « territoires » : ")
    assert "ambigu" in error and "59526" in error and "62741" in error
