"""The shape of a seed file (fixtures/seeds/SCHEMA.md), as pydantic models.

Only shapes and types are written here: which keys exist, which are lists, texts, numbers,
dates. Every rule about values (lengths, SIREN, e-mail, end after start, percentages, years)
belongs to the Django models and is checked by their own `full_clean()` in `seed_reader`:
one rule, one place. A text where a list is expected (`themes: alimentation`), a list where a
text is expected (`title: [a, b]`), a word where a number is expected (`lon: "abc"`) or an
unknown key (a typo) fails here, with the path to the field, turned into a French message
with its line by `schema_problems`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from maps.services.validation import Problems

Text = str | None
#: "14:00" (or 840: YAML 1.1 reads an unquoted 14:00 as a sexagesimal number); whether it is a
#: real time is the model's TimeField's business.
Time = str | int | None
Number = Annotated[Decimal | None, Field(allow_inf_nan=False)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, coerce_numbers_to_str=False)


class TerritoryRef(Shape):
    scale: str
    code: str


class CoveredTerritory(TerritoryRef):
    provenance: Text = None  # stated | inferred (then a note)
    note: Text = None


class ProvenanceEntry(Shape):
    status: Text = None
    note: Text = None


class Provenance(Shape):
    """Whether a project's title or axes are what the source says or the editors' reading."""

    title: ProvenanceEntry | None = None
    axes: ProvenanceEntry | None = None


class VocabularyItem(Shape):
    code: str
    label: str
    family: Text = None  # the code of its family (an entry of the same vocabulary)
    data_inclusion: Text = None  # the data·inclusion code it maps onto, if any
    universal: StrictBool | None = None  # publics only: « tous publics »


class Vocabulary(Shape):
    themes: list[VocabularyItem] = []
    publics: list[VocabularyItem] = []


class OrganisationRecord(Shape):
    key: str
    name: str
    acronym: Text = None
    siren: Text = None
    siret: Text = None
    kind: Text = None
    website: Text = None
    commune: Text = None


class CustomTerritory(Shape):
    code: str
    name: str
    communes: list[str] = []
    members: list[TerritoryRef] = []


class ForeignPlace(Shape):
    code: str
    name: str
    country: Text = None
    lon: float
    lat: float


class Source(Shape):
    code: str
    title: str
    file: Text = None
    publisher: Text = None
    date: Text = None


class Role(Shape):
    org: str
    role: str
    amount_eur: Number = None
    note: Text = None


class Call(Shape):
    year: int | None = None
    label: Text = None
    envelope_eur: Number = None
    initial_envelope_eur: Number = None
    initial_envelope_when: Text = None
    envelope_note: Text = None
    requested_eur: Number = None
    dossiers_received: int | None = None
    dossiers_retained: int | None = None
    text: Text = None


class Axis(Shape):
    code: str
    label: str
    description: Text = None


class Figure(Shape):
    label: str
    value: Number = None
    unit: Text = None
    value_text: Text = None
    period: Text = None
    source_note: Text = None


class Programme(Shape):
    slug: str
    title: str
    short_title: Text = None
    intro: Text = None
    description: Text = None
    organisations: list[Role] = []
    calls: list[Call] = []
    axes: list[Axis] = []
    figures: list[Figure] = []
    contact_text: Text = None  # the programme team's contact, as the document gives it
    contact_email: Text = None


class Definition(Shape):
    label: str
    unit: Text = None
    measure: Text = None
    kind: Text = None
    aggregation: Text = None
    higher_is_better: StrictBool = True
    description: Text = None


class SharedDefinition(Definition):
    code: str


class IndicatorRecord(Shape):
    code: str
    definition: Definition | None = None
    kind: Text = None
    value: Number = None
    target: Number = None
    value_max: Number = None
    baseline: Number = None
    value_text: Text = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    territory: TerritoryRef | None = None
    source_note: Text = None
    status: Text = None
    comment: Text = None


class Place(Shape):
    name: str
    address: Text = None
    commune: Text = None
    lon: float | None = None
    lat: float | None = None


class Event(Shape):
    title: str
    date: datetime.date | None = None
    start_time: Time = None
    end_time: Time = None
    place: Text = None
    commune: Text = None
    description: Text = None


class Contact(Shape):
    name: Text = None
    role: Text = None
    organisation: Text = None
    email: Text = None
    phone: Text = None
    publish: StrictBool = False


class Service(Shape):
    """A service for the public (data·inclusion): its rules are `ProjectService`'s."""

    name: Text = None
    description: Text = None
    structure: Text = None
    address: Text = None
    address_extra: Text = None
    postcode: Text = None
    commune: Text = None
    lon: float | None = None
    lat: float | None = None
    email: Text = None
    phone: Text = None
    in_person: StrictBool = True
    remote: StrictBool = False
    fees: Text = None
    fees_details: Text = None
    opening_hours: Text = None
    access_conditions: Text = None


class Resource(Shape):
    kind: str
    title: str
    url: Text = None


class Testimonial(Shape):
    quote: str
    author: Text = None


class Project(Shape):
    slug: str
    programme: str
    title: str
    summary: Text = None
    description: Text = None
    call_year: int | None = None
    axes: list[str] = []
    themes: list[str] = []
    publics: list[str] = []
    organisations: list[Role] = []
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    duration_text: Text = None
    start_precision: Text = None  # day | month | year (the model's choices)
    end_precision: Text = None
    call_text: Text = None
    budget_eur: Number = None
    budget_text: Text = None
    how_to_join: Text = None  # sur inscription, orientation par un professionnel, accès libre…
    #: A project covers at least one territory: a file cut short in the middle of a project
    #: is caught here too.
    territories: Annotated[list[CoveredTerritory], Field(min_length=1)]
    provenance: Provenance | None = None
    services: list[Service] = []
    places: list[Place] = []
    actions: list[str] = []
    objectives: list[str] = []
    events: list[Event] = []
    contacts: list[Contact] = []
    resources: list[Resource] = []
    testimonials: list[Testimonial] = []
    indicators: list[IndicatorRecord] = []


class SeedDocument(Shape):
    source: Source | None = None
    provenance: Provenance | None = None
    notes: list[str] = []
    vocabulary: Vocabulary | None = None
    organisations: list[OrganisationRecord] = []
    custom_territories: list[CustomTerritory] = []
    foreign_places: list[ForeignPlace] = []
    programme: Programme | None = None
    indicators: list[SharedDefinition] = []
    projects: list[Project] = []


def _message(error: dict) -> str:
    kind = error["type"]
    got = error.get("input")
    shown = got if isinstance(got, str | int | float) else type(got).__name__
    if isinstance(got, list):
        shown = _("a list")
    elif isinstance(got, dict):
        shown = _("a mapping")
    messages = {
        "missing": _("required field missing"),
        "extra_forbidden": _("unknown field (check its spelling in SCHEMA.md)"),
        "string_type": _("text expected, got “%(got)s” (put codes and numbers written as "
                         "text between quotes)"),
        "list_type": _("list expected, got “%(got)s” (write [a, b] or one “- item” per line)"),
        "dict_type": _("mapping expected (key: value), got “%(got)s”"),
        "model_type": _("mapping expected (key: value), got “%(got)s”"),
        "model_attributes_type": _("mapping expected (key: value), got “%(got)s”"),
        "int_type": _("whole number expected, got “%(got)s”"),
        "int_parsing": _("whole number expected, got “%(got)s”"),
        "int_from_float": _("whole number expected, got “%(got)s”"),
        "float_type": _("number expected, got “%(got)s”"),
        "float_parsing": _("number expected, got “%(got)s”"),
        "decimal_type": _("number expected, got “%(got)s”"),
        "decimal_parsing": _("number expected, got “%(got)s”"),
        "finite_number": _("number expected, got “%(got)s”"),
        "date_type": _("date YYYY-MM-DD expected, got “%(got)s”"),
        "date_parsing": _("date YYYY-MM-DD expected, got “%(got)s”"),
        "date_from_datetime_parsing": _("date YYYY-MM-DD expected, got “%(got)s”"),
        "date_from_datetime_inexact": _("date YYYY-MM-DD expected, got “%(got)s”"),
        "time_type": _("time HH:MM expected, got “%(got)s”"),
        "time_parsing": _("time HH:MM expected, got “%(got)s”"),
        "bool_type": _("true or false expected, got “%(got)s”"),
        "bool_parsing": _("true or false expected, got “%(got)s”"),
        "too_short": _("at least one item expected"),
    }
    return messages.get(kind, error["msg"]) % {"got": shown}


def line_of(data, path: tuple) -> int | None:
    """The line of the deepest key of `path` that the YAML reader located."""
    line = getattr(data, "line", None)
    current = data
    for step in path:
        if isinstance(current, dict):
            line = getattr(current, "key_lines", {}).get(step, line)
            current = current.get(step)
        elif isinstance(current, list) and isinstance(step, int) and step < len(current):
            current = current[step]
            line = getattr(current, "line", line)
        else:
            break
    return line


def field_name(path: tuple) -> str:
    """("projects", 3, "contacts", 0, "email") → "email": the line shows which record."""
    names = [step for step in path if isinstance(step, str)]
    return names[-1] if names else ""


def schema_problems(name: str, data: dict, problems: Problems) -> SeedDocument | None:
    """Validate one file's shape; record each error with its line and field path."""
    try:
        return SeedDocument.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = tuple(error["loc"])
            # pydantic names the branch of a union it tried ("str", "function-before"...):
            path = tuple(p for p in path if not (isinstance(p, str) and ("[" in p or p in {
                "str", "int", "float", "list", "dict", "none", "decimal", "date", "time"})))
            problems.add(name, line_of(data, path), field_name(path), _message(error))
        return None
