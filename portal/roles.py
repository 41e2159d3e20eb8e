"""Staff roles and the review workflow, created idempotently by `manage.py setup_roles`
(run by `make seed`).

Groups (in French, as staff read them in the admin):

- « Rédaction <programme> » (one per programme): create and edit the programme's projects,
  submit them for review; never publish. Edit organisations, themes and publics; read the
  indicator catalogue and the territories.
- « Relecture <programme> »: the reviewers of that programme's « Relecture puis
  publication » workflow; they approve (which publishes) or ask for changes with a comment.
  They cannot edit or create pages: Wagtail opens the page to them only while it waits for
  their review. They hold the "publish" page permission on their programme because Wagtail
  8 publishes an approved page in the approver's name and checks that permission.
- « Validation des indicateurs »: may mark a figure « validé » — on the projects they may
  edit (so a validator also belongs to the Rédaction or Relecture group of a programme).
- « Administration du portail »: everything on the whole tree, publishes directly, edits
  the indicator catalogue, sources and territories.

Lives in `portal/` because it grants permissions of every app (projects and indicators).
It never removes a permission staff added by hand, and never deletes a group or workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from indicators.models import IndicatorDefinition, IndicatorValue
from maps.models import Territory
from projects.models import HomePage, Organisation, ProgrammePage, Public, SourceDocument, Theme

#: Programme slug → the name staff use for it in group names.
PROGRAMMES = {
    "1000-premiers-jours": "1000 premiers jours",
    "sante-des-femmes-bassin-minier": "Santé des femmes Bassin minier",
    "faad": "FAAD",
}
VALIDATION_GROUP = "Validation des indicateurs"
ADMIN_GROUP = "Administration du portail"
WORKFLOW_NAME = "Relecture puis publication"

EDITOR_PAGE_PERMISSIONS = ["add", "change"]
REVIEWER_PAGE_PERMISSIONS = ["publish"]
ADMIN_PAGE_PERMISSIONS = ["add", "change", "publish", "bulk_delete", "lock", "unlock"]


def editor_group_name(label: str) -> str:
    return f"Rédaction {label}"


def reviewer_group_name(label: str) -> str:
    return f"Relecture {label}"


def workflow_name(label: str) -> str:
    return f"{WORKFLOW_NAME} — {label}"


@dataclass
class RolesReport:
    created: list[str] = field(default_factory=list)
    missing_programmes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        created = ", ".join(self.created) if self.created else "rien (déjà en place)"
        text = f"Rôles du personnel : créé {created}."
        if self.missing_programmes:
            text += " Programmes absents : " + ", ".join(self.missing_programmes) + "."
        return text


def model_permissions(model, actions) -> list[Permission]:
    content_type = ContentType.objects.get_for_model(model)
    codenames = [f"{action}_{model._meta.model_name}" for action in actions]
    return list(Permission.objects.filter(content_type=content_type, codename__in=codenames))


def admin_access() -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def page_permission(action: str) -> Permission:
    return Permission.objects.get(content_type=ContentType.objects.get_for_model(Page),
                                  codename=f"{action}_page")


class _Setup:
    def __init__(self, report: RolesReport):
        self.report = report

    def group(self, name: str, permissions: list[Permission]) -> Group:
        group, created = Group.objects.get_or_create(name=name)
        if created:
            self.report.created.append(f"groupe « {name} »")
        group.permissions.add(admin_access(), *permissions)
        return group

    def page_permissions(self, group: Group, page: Page, actions: list[str]) -> None:
        for action in actions:
            GroupPagePermission.objects.get_or_create(
                group=group, page=page, permission=page_permission(action))

    def workflow(self, label: str, programme: ProgrammePage, reviewers: Group) -> None:
        name = workflow_name(label)
        task, created = GroupApprovalTask.objects.get_or_create(name=f"Relecture {label}")
        if created:
            self.report.created.append(f"tâche « {task.name} »")
        task.groups.add(reviewers)
        workflow, created = Workflow.objects.get_or_create(name=name)
        if created:
            self.report.created.append(f"workflow « {name} »")
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task,
                                           defaults={"sort_order": 0})
        WorkflowPage.objects.update_or_create(page=programme, defaults={"workflow": workflow})


@transaction.atomic
def setup_roles() -> RolesReport:
    """Create or complete the staff groups, their permissions and the review workflows."""
    report = RolesReport()
    setup = _Setup(report)
    vocabularies = [
        *model_permissions(Organisation, ["add", "change", "view"]),
        *model_permissions(Theme, ["add", "change", "view"]),
        *model_permissions(Public, ["add", "change", "view"]),
        *model_permissions(SourceDocument, ["view"]),
        *model_permissions(IndicatorDefinition, ["view"]),
        *model_permissions(Territory, ["view"]),
    ]
    setup.group(VALIDATION_GROUP, [
        *model_permissions(IndicatorValue, ["validate", "view", "change"]),
    ])
    for slug, label in PROGRAMMES.items():
        programme = ProgrammePage.objects.filter(slug=slug).first()
        if programme is None:
            report.missing_programmes.append(slug)
            continue
        editors = setup.group(editor_group_name(label), vocabularies)
        setup.page_permissions(editors, programme, EDITOR_PAGE_PERMISSIONS)
        reviewers = setup.group(reviewer_group_name(label), model_permissions(
            IndicatorDefinition, ["view"]))
        setup.page_permissions(reviewers, programme, REVIEWER_PAGE_PERMISSIONS)
        setup.workflow(label, programme, reviewers)
    everything = [
        permission
        for model in (Organisation, Theme, Public, SourceDocument, IndicatorDefinition,
                      IndicatorValue, Territory)
        for permission in model_permissions(model, ["add", "change", "delete", "view"])
    ]
    admins = setup.group(ADMIN_GROUP, [
        *everything, *model_permissions(IndicatorValue, ["validate"])])
    root = HomePage.objects.first() or Page.get_first_root_node()
    setup.page_permissions(admins, root, ADMIN_PAGE_PERMISSIONS)
    return report
