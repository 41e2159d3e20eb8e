"""Idempotent import of the indicator catalogue and of the seed key figures.

Definitions are matched on their code (shared ones from common.yaml; project-specific ones
defined inline next to their value). Values are child rows of the project page: they are
added through the projects import hook (`values_hook`), so that they go into the page's
published revision like any other field staff edit.
"""

from __future__ import annotations

from indicators.models import Aggregation, IndicatorDefinition, IndicatorValue, Kind, Measure
from maps.models import Territory
from maps.services.reports import ImportReport
from projects.models import ProjectPage
from projects.services.seed_files import Problems, SeedFile, as_date, as_decimal, text

MEASURES = {c for c, _l in Measure.choices}
KINDS = {c for c, _l in Kind.choices}
AGGREGATIONS = {c for c, _l in Aggregation.choices}
DEFINITION_KINDS = {Kind.CONTEXT, Kind.OUTPUT, Kind.OUTCOME}


class IndicatorSeed:
    def __init__(self, files: list[SeedFile], catalogue):
        self.files = files
        self.catalogue = catalogue  # its territories are resolved by its own validation
        self.definitions: dict[str, dict] = {}
        self.objects: dict[str, IndicatorDefinition] = {}

    def _definition_values(self, file, record, problems, shared) -> dict | None:
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
        if not values["label"]:
            problems.add(file, record, "label", "libellé d'indicateur manquant")
        elif values["measure"] not in MEASURES:
            problems.add(file, record, "measure", f"mesure inconnue « {values['measure']} »")
        elif values["kind"] not in DEFINITION_KINDS:
            problems.add(file, record, "kind", f"nature inconnue « {values['kind']} »")
        elif values["aggregation"] not in AGGREGATIONS:
            problems.add(file, record, "aggregation",
                         f"agrégation inconnue « {values['aggregation']} »")
        elif values["measure"] == Measure.PERCENT and values["aggregation"] == Aggregation.SUM:
            problems.add(file, record, "aggregation", "un pourcentage ne se somme jamais")
        else:
            return values
        return None

    def validate(self, problems: Problems) -> None:
        for file in self.files:
            for record in file.data.get("indicators") or []:
                values = self._definition_values(file, record, problems, shared=True)
                if values:
                    self.definitions[text(record.get("code"))] = values
        for file in self.files:
            for project in file.data.get("projects") or []:
                for record in project.get("indicators") or []:
                    self._check_value(file, project, record, problems)

    def _check_value(self, file, project, record, problems) -> None:
        code = text(record.get("code"))
        inline = record.get("definition")
        if inline:
            values = self._definition_values(file, inline, problems, shared=False)
            if values is None:
                return
            if code in self.definitions and self.definitions[code] != values:
                problems.add(file, record, "code",
                             f"l'indicateur « {code} » est déjà défini différemment")
                return
            self.definitions[code] = values
        elif code not in self.definitions:
            problems.add(file, record, "code",
                         f"indicateur inconnu « {code} » (ajoutez definition:)")
            return
        definition = self.definitions[code]
        kind = text(record.get("kind")) or definition["kind"]
        if kind not in KINDS:
            problems.add(file, record, "kind", f"nature inconnue « {kind} »")
        value = as_decimal(record.get("value"), problems, file, record, "value")
        target = as_decimal(record.get("target"), problems, file, record, "target")
        upper = as_decimal(record.get("value_max"), problems, file, record, "value_max")
        lower = value if value is not None else target
        if upper is not None and (lower is None or upper < lower):
            problems.add(file, record, "value_max",
                         "borne haute sans borne basse (value) ou inférieure à elle")
        for name, number in (("value", value), ("target", target), ("value_max", upper)):
            if number is None:
                continue
            if definition["measure"] == Measure.PERCENT and not 0 <= number <= 100:
                problems.add(file, record, name, f"pourcentage hors de 0–100 : {number}")
            elif definition["measure"] != Measure.PERCENT and number < 0:
                problems.add(file, record, name, f"valeur négative : {number}")
        if value is None and target is None and not text(record.get("value_text")):
            problems.add(file, record, "value", f"« {code} » : ni valeur, ni cible, ni texte")
        start = as_date(record.get("period_start"), problems, file, record, "period_start")
        end = as_date(record.get("period_end"), problems, file, record, "period_end")
        if start and end and end < start:
            problems.add(file, record, "period_end", "la fin de période précède son début")
        ref = record.get("territory")
        if ref and not self.catalogue.knows_territory(ref):
            problems.add(file, record, "territory",
                         f"territoire inconnu « {ref.get('scale')} {ref.get('code')} »")

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
            definition = self.objects[text(item["code"])]
            kind = text(item.get("kind")) or definition.kind
            value = as_decimal(item.get("value"), Problems(), file, item, "")
            target = as_decimal(item.get("target"), Problems(), file, item, "")
            if kind == Kind.TARGET and target is None:
                value, target = None, value
            ref = item.get("territory")
            territory: Territory | None = (
                self.catalogue.territories.get((ref["scale"], str(ref["code"]))) if ref else None
            )
            rows.append(IndicatorValue(
                definition=definition, kind=kind, value=value, target=target,
                value_max=as_decimal(item.get("value_max"), Problems(), file, item, ""),
                baseline=as_decimal(item.get("baseline"), Problems(), file, item, ""),
                value_text=text(item.get("value_text")),
                period_start=as_date(item.get("period_start"), Problems(), file, item, ""),
                period_end=as_date(item.get("period_end"), Problems(), file, item, ""),
                territory=territory, source_note=text(item.get("source_note")),
                status=text(item.get("status")) or IndicatorValue.Status.DECLARED,
                comment=text(item.get("comment")), sort_order=position,
                seed_key=f"{record['slug']}#{position}",
            ))
        page.indicator_values = rows
