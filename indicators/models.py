"""Indicators, after IATI and Akvo RSR: a catalogue of definitions, and values per project or
territory and period.

A figure keeps the exact number of its source (`value`) and its words (`value_text`: ranges and
approximations stay text). Totals across projects are only ever computed by
`indicators.aggregation`, which sums values of one definition, validated ones only, never
percentages, and takes the latest value of cumulative indicators.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from maps.models import Territory
from projects.models import ProjectPage


def period_label(start, end) -> str:
    """"2025" or "2024–2026": how a period reads on cards, tables and exports."""
    if start and end:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    day = start or end
    return str(day.year) if day else ""


class Measure(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percentage")
    AMOUNT = "amount", _("Amount")
    QUALITATIVE = "qualitative", _("Qualitative")


@functools.lru_cache(maxsize=64)
def _kind_label(kind: str, language: str | None) -> str:
    return str(Kind(kind).label) if kind in Kind.values else kind


def kind_label(kind: str) -> str:
    """The kind's label in the active language, looked up once per language: Django's
    get_kind_display() hashes every choice (and so translates every lazy label) at each
    call, 0.7 s of a 1,000-row export."""
    return _kind_label(kind, get_language())


class Kind(models.TextChoices):
    CONTEXT = "context", _("Context")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    TARGET = "target", _("Target")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum across projects and periods")
    LATEST = "latest", _("Latest value (cumulative indicator)")
    NONE = "none", _("Never aggregated")


class IndicatorDefinition(index.Indexed, models.Model):
    """What is measured, in which unit, and how values may be added up."""

    code = models.SlugField(_("code"), max_length=120, unique=True)
    label = models.CharField(_("label"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices,
                               default=Measure.COUNT)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices[:3], default=Kind.OUTPUT)
    aggregation = models.CharField(_("aggregation"), max_length=20, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    is_shared = models.BooleanField(
        _("shared catalogue"), default=False,
        help_text=_("Shared indicators are comparable across projects and summed in dashboards."),
    )
    description = models.TextField(_("description"), blank=True)

    search_fields = [index.SearchField("label"), index.AutocompleteField("label"),
                     index.FilterField("is_shared")]
    panels = [FieldPanel("label"), FieldPanel("code"),
              FieldRowPanel([FieldPanel("measure"), FieldPanel("unit")]),
              FieldRowPanel([FieldPanel("kind"), FieldPanel("aggregation")]),
              FieldPanel("higher_is_better"), FieldPanel("is_shared"), FieldPanel("description")]

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["-is_shared", "label"]

    def __str__(self):
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def clean(self):
        if self.measure == Measure.PERCENT and self.aggregation == Aggregation.SUM:
            raise ValidationError({"aggregation": _("A percentage is never summed.")})


class IndicatorValue(models.Model):
    """One figure: a value (or a target, or both) of one indicator, for a project and/or a
    territory, over a period, with its source and its validation status."""

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared by the carrier")
        VALIDATED = "validated", _("Validated by the State service")

    definition = models.ForeignKey(IndicatorDefinition, verbose_name=_("indicator"),
                                   on_delete=models.PROTECT, related_name="values")
    project = ParentalKey(ProjectPage, verbose_name=_("project"), null=True, blank=True,
                          on_delete=models.CASCADE, related_name="indicator_values")
    territory = models.ForeignKey(Territory, verbose_name=_("territory"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="indicator_values")
    kind = models.CharField(_("kind of figure"), max_length=20, choices=Kind.choices,
                            default=Kind.OUTPUT)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    value_max = models.DecimalField(
        _("upper bound"), max_digits=16, decimal_places=4, null=True, blank=True,
        help_text=_("When the source gives a range (“60 à 80”): its upper bound; the value or "
                    "the target holds the lower bound."))
    value_text = models.CharField(_("as written in the source"), max_length=400, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True,
                                 blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, null=True,
                                   blank=True)
    numerator = models.DecimalField(_("numerator"), max_digits=16, decimal_places=4, null=True,
                                    blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=16, decimal_places=4, null=True,
                                      blank=True)
    source_note = models.CharField(_("source"), max_length=400, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DECLARED)
    comment = models.TextField(_("comment"), blank=True)
    # staff: who validated the figure and when (set by indicators.forms, never typed).
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("validated by"),
                                     null=True, blank=True, editable=False,
                                     on_delete=models.SET_NULL, related_name="+")
    validated_at = models.DateTimeField(_("validated on"), null=True, blank=True, editable=False)
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    seed_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True,
                                help_text="Natural key of seed figures, for idempotent imports.")

    panels = [
        FieldRowPanel([FieldPanel("definition"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("value"), FieldPanel("target"), FieldPanel("value_max"),
                       FieldPanel("baseline")]),
        FieldPanel("value_text"),
        FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
        MultiFieldPanel([FieldRowPanel([FieldPanel("numerator"), FieldPanel("denominator")])],
                        heading=_("Percentage detail"), classname="collapsed"),
        FieldPanel("territory"),
        FieldRowPanel([FieldPanel("status"), FieldPanel("source_note")]),
        FieldRowPanel([FieldPanel("validated_by", read_only=True),
                       FieldPanel("validated_at", read_only=True)]),
        FieldPanel("comment"),
    ]

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["sort_order", "pk"]
        permissions = [("validate_indicatorvalue", _("Can validate indicator values"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(territory__isnull=False),
                name="value_has_project_or_territory",
                violation_error_message=_("A figure belongs to a project or a territory."),
            )
        ]

    def __str__(self):
        return f"{self.definition}: {self.display_value}"

    @classmethod
    def admin_form_class(cls):
        """The form of a figure wherever staff edit it (see projects.panels)."""
        from indicators.forms import IndicatorValueForm

        return IndicatorValueForm

    @property
    def display_value(self) -> str:
        if self.value_text:
            return self.value_text
        number = self.value if self.value is not None else self.target
        if number is None:
            return ""
        return f"{number.normalize():f} {self.definition.unit}".strip()

    @property
    def sentence(self) -> str:
        """The figure in one French sentence, as cards, spreadsheets and open data show it:
        "Ménages accompagnés : 60 à 80 ménages (Cible, 2024–2026)"."""
        period = self.period_label
        details = f"{kind_label(self.kind)}{', ' + period if period else ''}"
        return f"{self.definition.label} : {self.display_value} ({details})"

    @property
    def number(self):
        """The figure's own number: its value, or for a target figure its target (the lower
        bound when the source gives a range)."""
        return self.value if self.value is not None else self.target

    @property
    def bounds(self) -> tuple:
        """(value, value_min, value_max) as open data publishes them: an exact figure has all
        three equal; a range has no single value but both bounds; a figure known only in words
        ("une trentaine", "1 habitant sur 4") has none."""
        number = self.number
        if number is None:
            return None, None, None
        if self.value_max is not None and self.value_max != number:
            return None, number, self.value_max
        return number, number, number

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def progress_percent(self) -> int | None:
        if self.value is None or not self.target:
            return None
        return int(min(100, round(self.value / self.target * 100)))

    def clean(self):
        # "A project or a territory" is the check constraint below, not a rule here: in the
        # project page editor a new figure gets its project only when the page is saved, and
        # Django validates a constraint only when the form holds every field it names (the
        # values list in the admin does; the page's inline figures need not).
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end of the period must be after its start.")
        try:  # a figure being built (an import, a new form row) may have no definition yet
            definition = self.definition
        except IndicatorDefinition.DoesNotExist:
            definition = None
        if definition is not None:
            for name in ("value", "target", "value_max", "baseline"):
                number = getattr(self, name)
                if number is None:
                    continue
                if definition.measure == Measure.PERCENT and not 0 <= number <= 100:
                    errors[name] = _("A percentage lies between 0 and 100.")
                elif definition.measure in (Measure.COUNT, Measure.AMOUNT) and number < 0:
                    errors[name] = _("A count or an amount cannot be negative.")
            if definition.measure == Measure.QUALITATIVE and self.value is not None:
                errors["value"] = _("A qualitative indicator has text, not a number.")
        lower = self.value if self.value is not None else self.target
        if self.value_max is not None and (lower is None or self.value_max < lower):
            errors["value_max"] = _("The upper bound needs a lower bound (the value or the "
                                    "target) that does not exceed it.")
        if self.denominator is not None and self.denominator <= 0:
            errors["denominator"] = _("The denominator must be positive.")
        if self.value is None and self.target is None and not self.value_text:
            errors["value"] = _("Give a value, a target or the figure as written.")
        if errors:
            raise ValidationError(errors)


# --- precomputed monitoring tables ------------------------------------------------------
# Small tables the /suivi/ pages read instead of counting over the covered communes and
# aggregating every figure at each request. They are refreshed by `indicators.precomputed`
# when a project is published or unpublished and when figures are saved or imported, never
# by the first visitor; `manage.py refresh_monitoring` rebuilds them all.


class ProjectArea(models.Model):
    """One département or EPCI where a project covers at least one commune, and how many:
    the per-project summary the coverage counts are refreshed from (and the old areas to
    refresh when a project's territories change)."""

    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE,
                                related_name="monitoring_areas")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    communes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "territory"],
                                               name="project_area_unique")]
        indexes = [models.Index(fields=["territory", "project"])]

    def __str__(self):
        return f"{self.project_id} → {self.territory_id} ({self.communes})"


class CoverageAggregate(models.Model):
    """Live projects covering a département or an EPCI, for one programme or (programme
    empty) for every programme together."""

    programme = models.ForeignKey("projects.ProgrammePage", null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    scale = models.CharField(max_length=16, db_index=True)
    projects = models.PositiveIntegerField(default=0)
    regional_projects = models.PositiveIntegerField(default=0)
    communes = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["programme", "scale"])]

    def __str__(self):
        return f"{self.programme_id or '*'} × {self.territory_id}: {self.projects}"


class IndicatorAggregate(models.Model):
    """The total of one indicator for one programme × territory × period, made by
    `indicators.aggregation.aggregate` (the rules live there, not here).

    `territory` empty = every territory of the programme (not the sum of the département rows:
    a region-wide project counts in each département); `year` empty = every period (not the
    sum of the years: overlapping periods of a project are counted once). A figure belongs to
    the year its period ends in (see `aggregation.reporting_year`).
    """

    programme = models.ForeignKey("projects.ProgrammePage", on_delete=models.CASCADE,
                                  related_name="+")
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    definition = models.ForeignKey(IndicatorDefinition, on_delete=models.CASCADE,
                                   related_name="aggregates")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    validated_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    validated_projects = models.PositiveIntegerField(default=0)
    validated_figures = models.PositiveIntegerField(default=0)
    declared_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    declared_projects = models.PositiveIntegerField(default=0)
    declared_figures = models.PositiveIntegerField(default=0)
    target_value = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    target_projects = models.PositiveIntegerField(default=0)
    text_only = models.PositiveIntegerField(default=0)
    set_aside = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["programme", "year", "territory"]),
                   models.Index(fields=["programme", "definition"])]

    def __str__(self):
        return f"{self.programme_id} × {self.territory_id or '*'} × {self.definition_id} × " \
               f"{self.year or '*'}"
