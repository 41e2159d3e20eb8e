"""What of a contact may be published, and on what basis (personal data, RGPD art. 6).

A contact is a named person or a service. Its role and organisation are professional facts
and are always shown once staff tick "show on the site". The person's name and direct
details (e-mail, phone) are personal data and are shown only with a recorded basis:

- published by the person in a public document (the document is recorded: the seed's
  contacts were printed in the brochures they come from);
- consent collected (date and the staff member who collected it are recorded);
- professional role address only: the details are a service's (a shared mailbox, a
  switchboard), the person's name is then not shown.

Without a basis, only a generic role address (contact@…, accueil@…, a service mailbox) is
published with the role and organisation. One function per question, used by the pages
(`ProjectContact.public_view`), the exports and the API (`public_contact_values`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

PUBLIC_DOCUMENT = "public_document"
COLLECTED = "collected"
ROLE_ADDRESS = "role_address"

# Words that make an e-mail's local part a role or service mailbox, not a person's address.
ROLE_WORDS = frozenset({
    "accueil", "admin", "administration", "agence", "bonjour", "cabinet", "cellule",
    "communication", "contact", "contacts", "coordination", "courrier", "direction", "equipe",
    "hello", "info",
    "infos", "information", "informations", "inscription", "inscriptions", "mairie", "mission",
    "pole", "presse", "prevention", "projet", "projets", "rdv", "reception", "secretariat",
    "service", "services", "standard", "support",
})


def is_role_address(email: str) -> bool:
    """True for a generic role address: its local part is, or is made of, role words
    (`contact@`, `accueil.pmi@`, `service-prevention@`)."""
    local = (email or "").split("@", 1)[0].split("+", 1)[0].lower()
    tokens = [t for t in re.split(r"[.\-_]", local) if t]
    return bool(tokens) and tokens[0] in ROLE_WORDS


def basis_recorded(basis: str, document_id: Any, date: Any, collected_by: str) -> bool:
    """Is the basis complete: the document for a public document, date and collector for a
    consent collected."""
    if basis == PUBLIC_DOCUMENT:
        return document_id is not None
    if basis == COLLECTED:
        return date is not None and bool(collected_by)
    return basis == ROLE_ADDRESS


def public_fields(*, basis: str, recorded: bool, name: str, email: str, phone: str
                  ) -> tuple[str, str, str]:
    """(name, email, phone) as they may be published."""
    if recorded and basis in (PUBLIC_DOCUMENT, COLLECTED):
        return name, email, phone
    if recorded and basis == ROLE_ADDRESS:
        return "", email, phone
    return "", email if is_role_address(email) else "", ""


def basis_text(basis: str, document_title: str = "", date=None) -> str:
    """The sentence shown next to published details."""
    if basis == PUBLIC_DOCUMENT and document_title:
        return _("Contact details published in %(document)s") % {"document": document_title}
    if basis == COLLECTED and date:
        return _("Contact details published with the person's consent (%(date)s)") % {
            "date": date.strftime("%d/%m/%Y")}
    if basis == ROLE_ADDRESS:
        return _("Service contact details")
    return ""


@dataclass(frozen=True)
class PublicContact:
    """A contact as the public sees it (same attribute names as the model)."""

    name: str
    role: str
    organisation: Any
    email: str
    phone: str
    basis_text: str


CONTACT_VALUES = ("name", "role", "organisation__name", "email", "phone", "consent_basis",
                  "consent_document_id", "consent_document__title", "consent_date",
                  "consent_collected_by")


def public_contact_values(row: dict) -> dict:
    """A `values(*CONTACT_VALUES)` row of ProjectContact as the exports and the API publish it."""
    recorded = basis_recorded(row["consent_basis"], row["consent_document_id"],
                              row["consent_date"], row["consent_collected_by"])
    name, email, phone = public_fields(basis=row["consent_basis"], recorded=recorded,
                                       name=row["name"], email=row["email"], phone=row["phone"])
    return {"name": name, "role": row["role"], "organisation": row["organisation__name"] or "",
            "email": email, "phone": phone,
            "basis": basis_text(row["consent_basis"], row["consent_document__title"] or "",
                                row["consent_date"]) if recorded else ""}
