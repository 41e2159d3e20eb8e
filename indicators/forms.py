"""The admin form of an indicator value, used both inline in a project page and in the
values list: only validators may mark a figure « validé », and who validated it and when
is recorded on the figure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

#: The permission of the « Validation des indicateurs » group (see `portal/roles.py`).
VALIDATE_PERMISSION = "indicators.validate_indicatorvalue"


def can_validate(user, project=None) -> bool:
    """A user validates a figure when they hold the validation permission and may edit the
    project it belongs to: a validator of the FAAD team validates FAAD figures only."""
    if user is None or not user.has_perm(VALIDATE_PERMISSION):
        return False
    if project is None or user.is_superuser:
        return True
    return project.permissions_for_user(user).can_edit()


class IndicatorValueForm(WagtailAdminModelForm):
    """Refuses, on the server, a status change to or from « validé » by a user who may not
    validate, whatever the browser sent (the select is only a convenience)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial_status = self.instance.status if self.instance.pk else None
        field = self.fields.get("status")
        if field is not None and self.for_user is not None and not self.user_can_validate():
            # Read-only for others: a disabled field keeps its stored value whatever is posted.
            field.disabled = True
            field.help_text = _("Only a member of « Validation des indicateurs » can validate "
                                "a figure.")

    def user_can_validate(self, project=None) -> bool:
        if project is None and self.instance.project_id:
            project = self.instance.project
        return can_validate(self.for_user, project)

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        validated = self.instance.Status.VALIDATED
        initial = self.initial_status or self.instance.Status.DECLARED
        changes_validation = status is not None and (status == validated) != (initial == validated)
        if changes_validation and self.for_user is not None and not self.user_can_validate(
                cleaned.get("project")):
            self.add_error("status", ValidationError(
                _("You cannot change the validation of this figure: only a member of "
                  "« Validation des indicateurs » who may edit this project can."),
                code="not_a_validator"))
        return cleaned

    def save(self, commit=True):
        value = self.instance
        if value.status == value.Status.VALIDATED and self.initial_status != value.status:
            value.validated_by = self.for_user
            value.validated_at = timezone.now()
        elif value.status != value.Status.VALIDATED:
            value.validated_by = None
            value.validated_at = None
        return super().save(commit=commit)
