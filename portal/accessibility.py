"""The accessibility self-audit (docs/rgaa.md) as figures for the statement and the footer.

The audit is kept as a Markdown table so that people edit it where they review it; this module
only reads it, so the statement's rate and the footer's « partiellement conforme » can never
disagree with the audit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

AUDIT_FILE = Path(settings.BASE_DIR) / "docs" / "rgaa.md"
ROW = re.compile(r"^\|\s*(\d{1,2}\.\d{1,2})\s*\|\s*(.*?)\s*\|\s*(C|NC|NA)\s*\|\s*(.*?)\s*\|\s*$")


@dataclass(frozen=True)
class Criterion:
    number: str
    subject: str
    status: str
    how: str


@dataclass(frozen=True)
class AuditSummary:
    criteria: tuple[Criterion, ...] = field(default=())

    def _count(self, status):
        return sum(1 for c in self.criteria if c.status == status)

    @property
    def compliant(self) -> int:
        return self._count("C")

    @property
    def non_compliant(self) -> int:
        return self._count("NC")

    @property
    def not_applicable(self) -> int:
        return self._count("NA")

    @property
    def applicable(self) -> int:
        return self.compliant + self.non_compliant

    @property
    def rate(self) -> int:
        """Percentage of applicable criteria met, rounded down (the RGAA's own method)."""
        return self.compliant * 100 // self.applicable if self.applicable else 0

    @property
    def failures(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status == "NC"]

    @property
    def level(self):
        """The wording the law prescribes: totalement (100 %), partiellement (≥ 50 %), non."""
        if self.applicable and self.rate == 100:
            return _("fully compliant")
        if self.rate >= 50:
            return _("partially compliant")
        return _("not compliant")


@lru_cache(maxsize=1)
def audit_summary() -> AuditSummary:
    lines = AUDIT_FILE.read_text(encoding="utf-8").splitlines() if AUDIT_FILE.exists() else []
    return AuditSummary(tuple(Criterion(*m.groups()) for m in map(ROW.match, lines) if m))
