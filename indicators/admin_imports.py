"""The admin page of the indicator values import (upload, preview, confirm), built on the
laureate import's admin view; registered from `indicators/wagtail_hooks.py`."""

from django.utils.translation import gettext_lazy

from indicators.services.import_values import import_values, plan_values
from projects.admin_imports import SpreadsheetImport

INDICATOR_VALUES = SpreadsheetImport(
    slug="valeurs-indicateurs", title=gettext_lazy("Import indicator values"),
    template="modele-valeurs-indicateurs", plan=plan_values, write=import_values,
    can_publish=False, permission="edit")
