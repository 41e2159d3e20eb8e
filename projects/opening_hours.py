"""Opening hours in the OpenStreetMap `opening_hours` syntax, the format data·inclusion asks
for (`horaires_accueil`). Parsed by the `opening-hours-py` library (the reference Rust
parser), so that staff get an error when they type hours no reuser could read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from opening_hours import OpeningHours, ParserError


def opening_hours_error(value: str):
    """None when `value` is valid OSM opening hours, else a French message for staff."""
    try:
        OpeningHours(value)
    except ParserError:
        return _("Not in the OpenStreetMap opening_hours format (e.g. “Mo-Fr 09:00-12:00”).")
    return None
