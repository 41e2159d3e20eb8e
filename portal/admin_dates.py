"""Dates in the admin the French way: « 15/01/2026 », « 15-01-2026 », « 15 janvier 2026 »
or « 1er mars 2026 » are read as such, and a date that cannot be read (« 32/01/2026 ») is a
form error on its field — never silently today.

Wagtail's date picker rewrites a typed value it cannot parse into the current date when the
field loses focus (`validateOnBlur`); here it keeps what was typed and the server decides.
Registered for every admin model form in `PortalConfig.ready()`."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.widgets import AdminDateInput

MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}
WORDS = re.compile(r"^(\d{1,2})(?:er)?\s+([a-zéèûô]+)\.?\s+(\d{4})$")
NUMBERS = re.compile(r"^(\d{1,2})[-.\s](\d{1,2})[-.\s](\d{4})$")


def parse_french_date(text: str) -> datetime.date | None:
    """The date a person typed in words or with dashes, or None if it is not one of those
    forms. Raises ValueError for an impossible day (« 31 février 2026 »)."""
    text = " ".join(text.strip().lower().split())
    words = WORDS.match(text)
    if words and words.group(2) in MONTHS:
        return datetime.date(int(words.group(3)), MONTHS[words.group(2)], int(words.group(1)))
    numbers = NUMBERS.match(text)
    if numbers:
        return datetime.date(int(numbers.group(3)), int(numbers.group(2)),
                             int(numbers.group(1)))
    return None


class FrenchDateField(forms.DateField):
    default_error_messages = {
        "invalid": _("Enter a real date, as 15/01/2026 or 15 janvier 2026."),
    }

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            try:
                day = parse_french_date(str(value))
            except ValueError:
                day = None
            if day is None:
                raise forms.ValidationError(self.error_messages["invalid"],
                                            code="invalid") from error
            return day


class FrenchDateInput(AdminDateInput):
    """Wagtail's date picker, told not to replace an unreadable typed date by today."""

    def get_config(self):
        return {**super().get_config(), "validateOnBlur": False}


def register() -> None:
    register_form_field_override(
        models.DateField, override={"form_class": FrenchDateField, "widget": FrenchDateInput})
