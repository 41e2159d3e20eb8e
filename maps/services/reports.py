"""What an import did, and why it refused to do anything."""

from __future__ import annotations

from dataclasses import dataclass, field


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
