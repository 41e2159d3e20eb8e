"""The data·inclusion export (/donnees/data-inclusion/services.json and structures.json):
the services for the public that staff describe on projects (an épicerie solidaire, a weekly
workshop), in the national schema of data·inclusion (`data-inclusion-schema` 1.0), so that
DORA and the other directories can list them.

Publics and thématiques go through the portal's one vocabulary mapping (each Theme and
Public knows its data·inclusion code). A service that lacks what a directory needs to send
someone there (a name, a description, a structure, a place) is left out, and listed with
the missing fields in `report()`, which staff see in the admin.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from maps.models import Scale, Territory
from portal.opendata.tables import data_inclusion_codes, live_projects
from projects.models import ProjectOrganisation, ProjectService, ProjectTerritory, Public, Theme

TOUS_PUBLICS = "tous-publics"


def source() -> str:
    return settings.PORTAL_DATA_INCLUSION_SOURCE


def structure_id(organisation) -> str:
    return f"{source()}--{organisation.key}"


@dataclass
class Export:
    services: list[dict] = field(default_factory=list)
    structures: list[dict] = field(default_factory=list)
    #: Services left out: project, service name and the missing fields (for staff).
    left_out: list[dict] = field(default_factory=list)


def _projects():
    return (
        live_projects()
        .filter(services__isnull=False)
        .distinct()
        .order_by("pk")
        .select_related("programme")
        .prefetch_related(
            Prefetch(
                "services",
                ProjectService.objects.select_related(
                    "commune", "structure", "structure__commune"
                ).order_by("sort_order", "pk"),
            ),
            Prefetch(
                "organisation_roles",
                ProjectOrganisation.objects.filter(role=ProjectOrganisation.Role.CARRIER)
                .select_related("organisation", "organisation__commune")
                .order_by("sort_order", "pk"),
                to_attr="carrier_roles",
            ),
            Prefetch(
                "territory_links",
                ProjectTerritory.objects.select_related("territory"),
                to_attr="links",
            ),
            "themes",
            "publics",
        )
    )


def eligibility_zone(links, departements_of_region: dict[str, list[str]]) -> list[str] | None:
    """data·inclusion's `zone_eligibilite`: commune, EPCI and département codes as they are;
    a region as its départements (the schema has no region code); custom areas and places
    abroad are not official codes and are left out."""
    codes: list[str] = []
    for link in links:
        territory = link.territory
        if territory.scale in (Scale.COMMUNE, Scale.EPCI, Scale.DEPARTEMENT):
            codes.append(territory.code)
        elif territory.scale == Scale.REGION:
            codes.extend(departements_of_region.get(territory.code, []))
    return list(dict.fromkeys(codes)) or None


def _departements_of_regions() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    rows = Territory.objects.filter(scale=Scale.DEPARTEMENT, ancestors__scale=Scale.REGION)
    for code, region in rows.values_list("code", "ancestors__code").order_by("code"):
        result.setdefault(region, []).append(code)
    return result


def _publics(project, codes: dict[str, str]) -> list[str] | None:
    publics = list(project.publics.all())
    if any(p.universal for p in publics):
        return [TOUS_PUBLICS]
    mapped = sorted({codes[p.code] for p in publics if p.code in codes})
    if TOUS_PUBLICS in mapped:
        return [TOUS_PUBLICS]
    return mapped or None


def _date(project) -> datetime.date:
    moment = project.last_published_at or project.first_published_at
    return moment.date() if moment else datetime.date.today()


def build(base_url: str = "") -> Export:
    export = Export()
    theme_codes, public_codes = data_inclusion_codes(Theme), data_inclusion_codes(Public)
    regions = _departements_of_regions()
    structures: dict[str, dict] = {}
    for project in _projects():
        carrier = project.carrier_roles[0].organisation if project.carrier_roles else None
        for position, service in enumerate(project.services.all(), start=1):
            organisation = service.structure or carrier
            name = service.name or project.title
            description = service.description or project.summary
            commune = service.commune
            missing = [
                label
                for label, ok in (
                    (_("name (3 to 150 characters)"), 3 <= len(name) <= 150),
                    (_("description"), len(description) >= 5),
                    (_("structure (or a carrier)"), organisation is not None),
                    (
                        _("commune or address with postcode"),
                        commune is not None or (service.address and service.postcode),
                    ),
                )
                if not ok
            ]
            if missing:
                export.left_out.append(
                    {
                        "project_id": project.pk,
                        "project": project.title,
                        "service": name,
                        "missing": [str(m) for m in missing],
                    }
                )
                continue
            day = _date(project)
            record = {
                "source": source(),
                "id": f"{source()}--projet-{project.pk}-{position}",
                "structure_id": structure_id(organisation),
                "nom": name,
                "description": description,
                "lien_source": f"{base_url}{project.url}" if base_url else None,
                "date_maj": day.isoformat(),
                "thematiques": sorted(
                    {theme_codes[t.code] for t in project.themes.all() if t.code in theme_codes}
                )
                or None,
                "publics": _publics(project, public_codes),
                "frais": service.fees or None,
                "frais_precisions": service.fees_details or None,
                "conditions_acces": service.access_conditions or None,
                "commune": commune.name if commune else None,
                "code_postal": service.postcode or None,
                "code_insee": commune.code if commune else None,
                "adresse": service.address or None,
                "complement_adresse": service.address_extra or None,
                "longitude": service.longitude,
                "latitude": service.latitude,
                "telephone": service.phone or None,
                "courriel": service.email or None,
                "modes_accueil": [
                    m
                    for m, on in (
                        ("en-presentiel", service.in_person),
                        ("a-distance", service.remote),
                    )
                    if on
                ]
                or None,
                "zone_eligibilite": eligibility_zone(project.links, regions),
                "mobilisation_precisions": getattr(project, "how_to_join", "") or None,
                "horaires_accueil": service.opening_hours or None,
            }
            export.services.append(record)
            known = structures.get(organisation.key)
            if known is None or known["date_maj"] < record["date_maj"]:
                structures[organisation.key] = _structure(organisation, day)
    export.structures = [structures[k] for k in sorted(structures)]
    return export


def _structure(organisation, day: datetime.date) -> dict:
    commune = organisation.commune
    return {
        "source": source(),
        "id": structure_id(organisation),
        "nom": organisation.name,
        "date_maj": day.isoformat(),
        "siret": organisation.siret or None,
        "commune": commune.name if commune else None,
        "code_insee": commune.code if commune else None,
        "site_web": organisation.website or None,
    }
