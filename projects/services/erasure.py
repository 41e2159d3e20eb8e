"""Right to erasure (RGPD art. 17): remove a person's details from every contact and from
every stored page revision, in one transaction.

What Wagtail keeps: each page save stores a revision (`wagtailcore_revision.content`, a JSON
copy of the page with its contacts), and the live page reads its contacts from
`projects_projectcontact`. Both are cleaned here: the matching contact rows are deleted and
the matching entries are removed from the `contacts` list of every revision of every page.
The audit log (`wagtailcore_pagelogentry`) stores page titles and actions, never contacts;
contacts are not in the search index. Database backups made before the erasure still hold
the details until they expire (README: retention of `make backup`).

A person is found by any of: exact name (case and spaces ignored), e-mail (case ignored),
phone (digits only).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from wagtail.models import Revision

from maps.models import DataVersion
from projects.models import ProjectContact

logger = logging.getLogger("projects.erasure")


def _name_key(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def _phone_key(value: str) -> str:
    return re.sub(r"\D", "", value or "")


@dataclass(frozen=True)
class Person:
    """Who to erase: at least one of the three."""

    name: str = ""
    email: str = ""
    phone: str = ""

    def __post_init__(self):
        if not (_name_key(self.name) or self.email.strip() or _phone_key(self.phone)):
            raise ValueError("a name, an e-mail or a phone number is needed")

    def matches(self, name: str, email: str, phone: str) -> bool:
        return bool(
            (_name_key(self.name) and _name_key(name) == _name_key(self.name))
            or (self.email.strip() and (email or "").strip().casefold()
                == self.email.strip().casefold())
            or (_phone_key(self.phone) and _phone_key(phone) == _phone_key(self.phone)))


@dataclass
class Findings:
    contacts: list[ProjectContact] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)

    @property
    def project_ids(self) -> set[int]:
        return {c.project_id for c in self.contacts} | {int(r.object_id) for r in self.revisions}


def _candidate_contacts(person: Person):
    q = Q()
    if _name_key(person.name):
        q |= Q(name__iexact=person.name.strip())
    if person.email.strip():
        q |= Q(email__iexact=person.email.strip())
    if _phone_key(person.phone):
        q |= Q(phone__isnull=False) & ~Q(phone="")
    return ProjectContact.objects.filter(q).select_related("project", "organisation")


def find(person: Person) -> Findings:
    """The contacts and revisions that hold the person's details (nothing changed)."""
    contacts = [c for c in _candidate_contacts(person)
                if person.matches(c.name, c.email, c.phone)]
    revisions = [r for r in Revision.objects.filter(content__has_key="contacts").order_by("pk")
                 if any(person.matches(e.get("name", ""), e.get("email", ""), e.get("phone", ""))
                        for e in r.content.get("contacts") or [])]
    return Findings(contacts, revisions)


@transaction.atomic
def erase(person: Person, by: str = "") -> Findings:
    """Delete the person's contacts and strip them from every revision; the pages' caches
    are invalidated (data version bumped). Returns what was erased."""
    found = find(person)
    ProjectContact.objects.filter(pk__in=[c.pk for c in found.contacts]).delete()
    for revision in found.revisions:
        revision.content["contacts"] = [
            e for e in revision.content.get("contacts") or []
            if not person.matches(e.get("name", ""), e.get("email", ""), e.get("phone", ""))]
        revision.save(update_fields=["content"])
    DataVersion.bump_all()
    # The log says how much, never whose details.
    logger.warning("personal details erased by %s: %d contacts, %d revisions, projects %s",
                   by or "a command", len(found.contacts), len(found.revisions),
                   sorted(found.project_ids))
    return found
