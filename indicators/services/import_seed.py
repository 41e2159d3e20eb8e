"""Idempotent import of the indicator catalogue and of the seed key figures.

Definitions are matched on their code (shared ones from common.yaml; project-specific ones
defined inline next to their value). Values are child rows of the project page: they are
added through the projects import hook (`values_hook`), so that they go into the page's
published revision like any other field staff edit. Every value is checked by the models'
own `full_clean()` (percentages within 0–100, counts not negative, period in order…) before
anything is written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from indicators.models import Aggregation, IndicatorDefinition, IndicatorValue, Kind, Measure
from maps.models import Territory
from maps.services.reports import ImportReport
from maps.services.validation import Problems, model_problems
from projects.models import ProjectPage
from projects.services.import_seed import SeedContent, line
from projects.services.seed_files import SeedFile, as_date, as_decimal, text


class IndicatorSeed:
    def __init__(self, files: list[SeedFile], content: SeedContent):
        self.files = files
        self.content = content  # its territories are resolved by the seed reader
        self.definitions: dict[str, dict] = {}
        self.objects: dict[str, IndicatorDefinition] = {}

    def _definition_values(self, file, code, record, problems, shared) -> dict | None:
        values = {
            "label": text(record.get("label")), "unit": text(record.get("unit")),
            "measure": text(record.get("measure")) or Measure.COUNT,
            # A target is a kind of *value*; its definition measures an output.
            "kind": (text(record.get("kind")) or Kind.OUTPUT).replace(Kind.TARGET, Kind.OUTPUT),
            "aggregation": text(record.get("aggregation")) or Aggregation.NONE,
            "higher_is_better": bool(record.get("higher_is_better", True)),
            "is_shared": shared,
            "description": text(record.get("description")),
        }
        if model_problems(IndicatorDefinition(code=code, **values), problems, file.name,
                          line(record), {}):
            return values
        return None

    def validate(self, problems: Problems) -> None:
        for file in self.files:
            for record in file.data.get("indicators") or []:
                code = text(record.get("code"))
                values = self._definition_values(file, code, record, problems, shared=True)
                if values:
                    self.definitions[code] = values
        for file in self.files:
            for project in file.data.get("projects") or []:
                for record in project.get("indicators") or []:
                    self._check_value(file, record, problems)

    def _check_value(self, file, record, problems) -> None:
        code = text(record.get("code"))
        inline = record.get("definition")
        if inline:
            values = self._definition_values(file, code, inline, problems, shared=False)
            if values is None:
                return
            if code in self.definitions and self.definitions[code] != values:
                problems.add(file.name, line(record), "code", _(
                    "the indicator “%(code)s” is already defined differently") % {"code": code})
                return
            self.definitions[code] = values
        elif code not in self.definitions:
            problems.add(file.name, line(record), "code", _(
                "unknown indicator “%(code)s” (add definition:)") % {"code": code})
            return
        ref = record.get("territory")
        if ref and not self.content.knows_territory(ref):
            problems.add(file.name, line(record), "territory", _(
                "unknown territory “%(scale)s %(code)s”") % {
                "scale": ref.get("scale"), "code": ref.get("code")})
        definition = IndicatorDefinition(code=code, **self.definitions[code])
        model_problems(_value(definition, record), problems, file.name, line(record), {},
                       exclude=["project", "territory", "definition"])

    def write_definitions(self, report: ImportReport) -> None:
        for code, values in self.definitions.items():
            obj = IndicatorDefinition.objects.filter(code=code).first()
            if obj is None:
                obj = IndicatorDefinition.objects.create(code=code, **values)
                report.created += 1
            elif any(getattr(obj, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(obj, key, value)
                obj.save()
                report.updated += 1
            else:
                report.unchanged += 1
            self.objects[code] = obj

    def values_hook(self, page: ProjectPage, record: dict, file: SeedFile) -> None:
        """Set the project's key figures from its seed record (projects import hook)."""
        rows = []
        for position, item in enumerate(record.get("indicators") or []):
            ref = item.get("territory")
            territory: Territory | None = (
                self.content.territories.get((ref["scale"], str(ref["code"]))) if ref else None
            )
            value = _value(self.objects[text(item["code"])], item, territory)
            value.sort_order = position
            value.seed_key = f"{record['slug']}#{position}"
            rows.append(value)
        page.indicator_values = rows


def _value(definition: IndicatorDefinition, item: dict, territory=None) -> IndicatorValue:
    """An unsaved figure from a seed record: checked by the reader, saved by the writer."""
    kind = text(item.get("kind")) or definition.kind
    value, target = as_decimal(item.get("value")), as_decimal(item.get("target"))
    if kind == Kind.TARGET and target is None:
        value, target = None, value
    return IndicatorValue(
        definition=definition, kind=kind, value=value, target=target,
        value_max=as_decimal(item.get("value_max")),
        baseline=as_decimal(item.get("baseline")), value_text=text(item.get("value_text")),
        period_start=as_date(item.get("period_start")),
        period_end=as_date(item.get("period_end")), territory=territory,
        source_note=text(item.get("source_note")),
        status=text(item.get("status")) or IndicatorValue.Status.DECLARED,
        comment=text(item.get("comment")))
