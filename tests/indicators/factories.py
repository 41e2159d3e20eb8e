"""Indicator definitions and values for tests (factory_boy)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from indicators.models import Aggregation, IndicatorDefinition, IndicatorValue, Kind, Measure


class IndicatorDefinitionFactory(DjangoModelFactory):
    code = factory.Sequence(lambda n: f"indicateur-{n}")
    label = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "personnes"
    measure = Measure.COUNT
    kind = Kind.OUTPUT
    aggregation = Aggregation.SUM

    class Meta:
        model = IndicatorDefinition
        django_get_or_create = ("code",)


class IndicatorValueFactory(DjangoModelFactory):
    """A declared figure of a project for 2024 (pass `project=` or `territory=`)."""

    definition = factory.SubFactory(IndicatorDefinitionFactory)
    kind = factory.LazyAttribute(lambda o: o.definition.kind)
    value = Decimal("10")
    period_start = datetime.date(2024, 1, 1)
    period_end = datetime.date(2024, 12, 31)
    status = IndicatorValue.Status.DECLARED

    class Meta:
        model = IndicatorValue
