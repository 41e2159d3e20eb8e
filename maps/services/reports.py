"""What an import did, and why it refused to do anything."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext


class ImportRejected(Exception):
    """Raised before anything is written: every problem found, each naming file, record and
    field, in French for the staff who fix the file."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportReport:
    """Counts printed by the commands and asserted by the idempotency tests."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    obsoleted: int = 0
    links_added: int = 0
    links_removed: int = 0
    #: Pages left as drafts and submitted to their programme's review workflow.
    submitted: int = 0
    details: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.obsoleted or self.links_added
                    or self.links_removed)

    def __str__(self) -> str:
        text = (
            f"{self.label}: {self.created} créé(s), {self.updated} mis à jour, "
            f"{self.unchanged} inchangé(s)"
        )
        if self.obsoleted:
            text += f", {self.obsoleted} marqué(s) obsolète(s)"
        if self.links_added or self.links_removed:
            text += f", liens de rattachement +{self.links_added}/-{self.links_removed}"
        return text

    def summary(self) -> str:
        """« 0 créé, 0 mis à jour, 12 inchangés »: what the commands and the admin print."""
        return ", ".join([
            ngettext("%(count)s created", "%(count)s created", self.created)
            % {"count": self.created},
            ngettext("%(count)s updated", "%(count)s updated", self.updated)
            % {"count": self.updated},
            ngettext("%(count)s unchanged", "%(count)s unchanged", self.unchanged)
            % {"count": self.unchanged},
        ] + ([ngettext("%(count)s submitted for review", "%(count)s submitted for review",
                       self.submitted) % {"count": self.submitted}] if self.submitted else []))


def print_plan(out, plan) -> None:
    """What a checked import would do (the dry run and the step before writing): notes,
    problems, counts, and the records of the database the file no longer lists."""
    for note in plan.problems.notes:
        out.write(f"  {note}")
    for error in plan.problems.errors:
        out.write(f"  {error}")
    out.write(gettext("Rows read: %(rows)s. Would be: %(summary)s.") % {
        "rows": len(plan.rows), "summary": plan.report().summary()})
    missing = getattr(plan, "missing", [])
    if missing:
        out.write(gettext("Not in the file (kept, never deleted): %(pages)s") % {
            "pages": ", ".join(f"{p.dossier_number} {p.title}" for p in missing[:20])
            + (" …" if len(missing) > 20 else "")})


def progress_printer(out, every: int = 50):
    """A progress callback for long imports: a line every `every` records and at the end."""
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done % every == 0 or done == total:
            out.write(gettext("  %(done)s/%(total)s written (%(seconds).0f s)") % {
                "done": done, "total": total, "seconds": time.monotonic() - started})

    return progress


def status_label(status: str) -> str:
    """How a preview names what will happen to a row."""
    return {"created": gettext("to create"), "updated": gettext("to update"),
            "unchanged": gettext("unchanged")}.get(status, status)
