"""Roles per programme and review before publication (#13), as staff use them in the admin:
a « Rédaction FAAD » editor creates and submits a FAAD project, cannot touch a 1000 premiers
jours page, cannot publish, cannot validate; a FAAD reviewer approves and the project is
public."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page, PageLogEntry, WorkflowState

from indicators.models import IndicatorDefinition, IndicatorValue
from portal.roles import setup_roles
from projects.models import ProgrammePage, ProjectPage
from tests.portal.staff_helpers import (
    ADMIN_GROUP,
    VALIDATION_GROUP,
    add_form_row,
    editor_group_name,
    form_data,
    form_errors,
    reviewer_group_name,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lenient_admin_templates(monkeypatch):
    """Wagtail's admin templates rely on optional variables (not ours to check)."""
    from django.template import engines

    monkeypatch.setattr(engines["django"].engine, "string_if_invalid", "")


@pytest.fixture
def roles():
    setup_roles()


@pytest.fixture
def faad():
    return ProgrammePage.objects.get(slug="faad")


@pytest.fixture
def editor(roles, django_user_model, client):
    user = staff_user(django_user_model, "redac-faad", editor_group_name("FAAD"))
    client.force_login(user)
    return user


def new_faad_project(client, faad, title="Épicerie solidaire de Raismes", **extra):
    url = reverse("wagtailadmin_pages:add", args=("projects", "projectpage", faad.pk))
    data = form_data(client, url, "page-edit-form")
    data["title"] = title
    data["slug"] = ""
    data["summary"] = "Une épicerie solidaire pour les familles du Denaisis."
    data["territory_paste"] = "59491\n59172"
    data.update(extra)
    return url, data


def test_setup_roles_is_idempotent_and_french():
    first = setup_roles()
    second = setup_roles()
    assert second.created == [] and "déjà en place" in second.summary()
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Rédaction 1000 premiers jours", "Rédaction Santé des femmes Bassin minier",
            "Rédaction FAAD", "Relecture FAAD", VALIDATION_GROUP, ADMIN_GROUP} <= names
    assert first.missing_programmes == []
    faad = ProgrammePage.objects.get(slug="faad")
    assert faad.get_workflow().name == "Relecture puis publication — FAAD"
    task = faad.get_workflow().tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Relecture FAAD"]


def test_faad_editor_creates_and_submits_a_faad_project(editor, client, faad):
    url, data = new_faad_project(client, faad)
    data["action-submit"] = "action-submit"
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    page = ProjectPage.objects.get(title="Épicerie solidaire de Raismes")
    assert page.slug == "epicerie-solidaire-de-raismes"  # ASCII, like the seed's slugs
    assert not page.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == "in_progress" and state.requested_by == editor
    draft = page.get_latest_revision_as_object()
    assert sorted(link.territory.code for link in draft.territory_links.all()) == [
        "59172", "59491"]


def test_faad_editor_cannot_publish(editor, client, faad):
    url, data = new_faad_project(client, faad, title="Projet publié sans relecture")
    data["action-publish"] = "action-publish"
    client.post(url, data)
    page = ProjectPage.objects.get(title="Projet publié sans relecture")
    assert not page.live and page.live_revision is None


def test_faad_editor_cannot_open_a_1000_jours_page(editor, client):
    other = ProjectPage.objects.filter(programme__slug="1000-premiers-jours").first()
    response = client.get(reverse("wagtailadmin_pages:edit", args=(other.pk,)))
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/admin/" in response["Location"]
    programme = other.get_parent()
    add = reverse("wagtailadmin_pages:add", args=("projects", "projectpage", programme.pk))
    assert client.get(add).status_code in (302, 403)
    # nor see its drafts in the page explorer of that programme
    explorer = client.get(reverse("wagtailadmin_explore", args=(programme.pk,)))
    assert explorer.status_code in (302, 403)


def test_faad_editor_cannot_validate_a_figure(editor, client, faad):
    beneficiaires = IndicatorDefinition.objects.get(code="beneficiaires-aide-alimentaire")
    url, data = new_faad_project(client, faad, title="Projet aux chiffres validés")
    add_form_row(data, "indicator_values", definition=beneficiaires.pk, kind="output",
                 value="120", status="validated", period_start="01/01/2026",
                 period_end="31/12/2026")
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    draft = ProjectPage.objects.get(title="Projet aux chiffres validés") \
        .get_latest_revision_as_object()
    figure = draft.indicator_values.get()
    assert figure.value == 120
    assert figure.status == "declared" and figure.validated_by is None
    # nor from the values list, which is not theirs at all
    assert client.get("/admin/indicator_values/").status_code in (302, 403)


def test_a_validator_of_the_programme_validates_and_is_recorded(roles, django_user_model,
                                                                 client, faad):
    validator = staff_user(django_user_model, "valid-faad", editor_group_name("FAAD"),
                           VALIDATION_GROUP)
    client.force_login(validator)
    beneficiaires = IndicatorDefinition.objects.get(code="beneficiaires-aide-alimentaire")
    url, data = new_faad_project(client, faad, title="Projet validé par la DREETS")
    add_form_row(data, "indicator_values", definition=beneficiaires.pk, kind="output",
                 value="120", status="validated")
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    page = ProjectPage.objects.get(title="Projet validé par la DREETS")
    figure = page.get_latest_revision_as_object().indicator_values.get()
    assert figure.status == "validated"
    assert figure.validated_by == validator and figure.validated_at is not None
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert "valid-faad" in edit  # who validated is shown on the figure


def test_a_validator_of_another_programme_cannot_validate(roles, django_user_model):
    """The values list's form, posted by a 1000 premiers jours validator for a FAAD figure:
    the status stays « déclaré » whatever was posted."""
    from indicators.forms import can_validate
    from indicators.wagtail_hooks import IndicatorValueViewSet

    other = staff_user(django_user_model, "valid-1000j",
                       editor_group_name("1000 premiers jours"), VALIDATION_GROUP)
    figure = IndicatorValue.objects.filter(project__programme__slug="faad",
                                           status="declared").first()
    assert not can_validate(other, figure.project)
    form_class = IndicatorValueViewSet("indicator_values").get_form_class()
    form = form_class(instance=figure, for_user=other, data={
        "project": figure.project_id, "definition": figure.definition_id,
        "kind": figure.kind, "value": "5", "status": "validated"})
    assert form.fields["status"].disabled
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.status == "declared" and saved.validated_by is None


def test_reviewer_approves_and_the_project_is_public(editor, client, faad,
                                                     django_user_model):
    url, data = new_faad_project(client, faad, title="Tiers-lieu alimentaire de Denain")
    data["action-submit"] = "action-submit"
    assert client.post(url, data).status_code == 302
    page = ProjectPage.objects.get(title="Tiers-lieu alimentaire de Denain")
    reviewer = staff_user(django_user_model, "relect-faad", reviewer_group_name("FAAD"))
    client.force_login(reviewer)
    dashboard = client.get("/admin/").content.decode()
    assert "Tiers-lieu alimentaire de Denain" in dashboard  # waiting for my review
    task_state = page.current_workflow_task_state
    action = reverse("wagtailadmin_pages:workflow_action",
                     args=(page.pk, "approve", task_state.pk))
    response = client.post(action, {"comment": "Relu, conforme au dossier."})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.coverage.count() == 2
    client.logout()
    listing = client.get("/projets/?programme=faad&par_page=100").content.decode()
    assert "Tiers-lieu alimentaire de Denain" in listing
    assert client.get(page.url).status_code == 200
    assert "Tiers-lieu alimentaire de Denain" in client.get(
        "/cartes/projets/?programme=faad").content.decode()
    assert client.get("/suivi/faad/").status_code == 200
    # the reviewer still cannot edit the published page nor create one
    client.force_login(reviewer)
    assert client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).status_code in (
        302, 403)
    actions = set(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= actions


def test_administrators_publish_directly(roles, django_user_model, client, faad):
    admin = staff_user(django_user_model, "admin-portail", ADMIN_GROUP)
    client.force_login(admin)
    url, data = new_faad_project(client, faad, title="Publié par l'administration")
    data["action-publish"] = "action-publish"
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert ProjectPage.objects.get(title="Publié par l'administration").live
    assert Page.objects.filter(title="Publié par l'administration").count() == 1
