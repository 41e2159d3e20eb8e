"""Idempotent import of the catalogue seed (fixtures/seeds/*.yaml, format in SCHEMA.md):
vocabularies, organisations, source documents, custom areas, programmes and projects.

MUST stay idempotent and never delete: a record is matched on its natural key (theme/public
code, organisation key, programme and project slug). A page whose seed content is unchanged
(same fingerprint) is left alone, even if staff edited it since; a page whose seed changed
gets a new published revision, so the previous content stays in its history.

Validation runs over every file before anything is written (`validate`), and the caller
runs `write` inside one transaction: a bad file loads nothing.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.text import slugify

from maps.models import Scale, Territory
from maps.services import areas
from maps.services.reports import ImportReport
from projects import consent
from projects.models import (
    DatePrecision,
    HomePage,
    Organisation,
    ProgrammeAxis,
    ProgrammeCall,
    ProgrammeFigure,
    ProgrammeOrganisation,
    ProgrammePage,
    ProjectAction,
    ProjectContact,
    ProjectEvent,
    ProjectObjective,
    ProjectOrganisation,
    ProjectPage,
    ProjectPlace,
    ProjectResource,
    ProjectService,
    ProjectTerritory,
    ProjectTestimonial,
    Provenance,
    Public,
    SourceDocument,
    Theme,
)
from projects.services.seed_files import (
    Problems,
    SeedFile,
    as_date,
    as_decimal,
    as_time,
    text,
)

CODE_RE = re.compile(r"^[a-z0-9]+(-{1,2}[a-z0-9]+)*$")
OFFICIAL = {Scale.REGION, Scale.DEPARTEMENT, Scale.EPCI, Scale.COMMUNE}
ROLES = {c for c, _l in ProjectOrganisation.Role.choices}
PROGRAMME_ROLES = {c for c, _l in ProgrammeOrganisation.Role.choices}
RESOURCE_KINDS = {c for c, _l in ProjectResource.Kind.choices}
ORG_KINDS = {c for c, _l in Organisation.Kind.choices}
PROVENANCES = {c for c, _l in Provenance.choices}
FEES = {c for c, _l in ProjectService.Fees.choices}

#: A hook gets (page, project record, seed file) and adds its own child rows to the page
#: before its revision is saved (the indicators app adds key figures this way).
ProjectHook = Callable[[ProjectPage, dict, SeedFile], None]


BULLET = re.compile(r"^\s*(?:[-•–]|\d+[.)])\s+")


def _block_html(lines: list[str]) -> str:
    """One blank-line separated block: runs of prose lines become a paragraph, runs of bullet
    lines a list."""
    out, prose, items = [], [], []
    for line in [*lines, ""]:
        bullet = bool(BULLET.match(line))
        if (bullet or not line.strip()) and prose:
            out.append(f"<p>{html.escape(' '.join(' '.join(prose).split()))}</p>")
            prose = []
        if not bullet and items:
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
            items = []
        if bullet:
            items.append(" ".join(BULLET.sub("", line, count=1).split()))
        elif line.strip():
            prose.append(line)
    return "".join(out)


def paragraphs_html(value: str) -> str:
    """Plain seed text → rich text: blank-line separated paragraphs, and the source's bullet
    lines (« - », « • », « 1) ») as real lists, so that they read as lists on the page and to
    a screen reader instead of dashes in a paragraph. Everything is escaped."""
    return "".join(_block_html(b.splitlines()) for b in text(value).split("\n\n") if b.strip())


def fingerprint(*records) -> str:
    return hashlib.sha256(
        json.dumps(records, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()[:32]


@dataclass
class Catalogue:
    """The validated content of every seed file, with references resolved."""

    files: list[SeedFile]
    themes: dict[str, str] = field(default_factory=dict)
    publics: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, dict] = field(default_factory=dict)
    customs: dict[str, tuple[SeedFile, dict]] = field(default_factory=dict)
    foreign: dict[str, tuple[SeedFile, dict]] = field(default_factory=dict)
    programmes: dict[str, tuple[SeedFile, dict]] = field(default_factory=dict)
    projects: list[tuple[SeedFile, dict]] = field(default_factory=list)
    territories: dict[tuple[str, str], Territory] = field(default_factory=dict)
    #: Everything created or updated, for the search and reference indexes afterwards.
    written: list = field(default_factory=list)

    # ----------------------------------------------------------------- validation
    def validate(self, problems: Problems) -> None:
        for file in self.files:
            self._collect(file, problems)
        self._resolve_official_territories(problems)
        for code, (file, record) in self.customs.items():
            for commune in record.get("communes") or []:
                if (Scale.COMMUNE, str(commune)) not in self.territories:
                    problems.add(
                        file,
                        record,
                        "communes",
                        f"commune inconnue « {commune} » dans la zone « {code} »",
                    )
            for member in record.get("members") or []:
                self._check_territory(file, member, "members", problems)
            if not record.get("communes") and not record.get("members"):
                problems.add(file, record, "communes", f"la zone « {code} » n'a aucune commune")
        slugs = set()
        for file, record in self.projects:
            self._check_project(file, record, problems, slugs)
        for _slug, (file, record) in self.programmes.items():
            for role in record.get("organisations") or []:
                self._check_org(file, role, problems, PROGRAMME_ROLES)
            self._check_calls(file, record, problems)
            for figure in record.get("figures") or []:
                as_decimal(figure.get("value"), problems, file, figure, "value")
                if not text(figure.get("label")):
                    problems.add(file, figure, "label", "libellé manquant")

    def _collect(self, file: SeedFile, problems: Problems) -> None:
        data = file.data
        vocab = data.get("vocabulary") or {}
        for kind, target in (("themes", self.themes), ("publics", self.publics)):
            for item in vocab.get(kind) or []:
                code, label = text(item.get("code")), text(item.get("label"))
                if not CODE_RE.match(code) or not label:
                    problems.add(
                        file, item, f"vocabulary.{kind}", f"code ou libellé invalide « {code} »"
                    )
                elif target.get(code, label) != label:
                    problems.add(
                        file,
                        item,
                        f"vocabulary.{kind}",
                        f"« {code} » déjà défini avec le libellé « {target[code]} »",
                    )
                else:
                    target[code] = label
        for org in data.get("organisations") or []:
            key = text(org.get("key"))
            values = {
                "name": text(org.get("name")),
                "acronym": text(org.get("acronym")),
                "siren": text(org.get("siren")),
                "siret": text(org.get("siret")),
                "kind": text(org.get("kind")) or "autre",
                "website": text(org.get("website")),
                "commune": text(org.get("commune")),
            }
            if not key or slugify(key) != key:
                problems.add(file, org, "key", f"clé invalide « {key} »")
            elif not values["name"]:
                problems.add(file, org, "name", f"nom manquant pour « {key} »")
            elif values["kind"] not in ORG_KINDS:
                problems.add(file, org, "kind", f"type inconnu « {values['kind']} »")
            elif values["siren"] and (len(values["siren"]) != 9 or not values["siren"].isdigit()):
                problems.add(file, org, "siren", f"SIREN invalide « {values['siren']} »")
            elif values["siret"] and (
                len(values["siret"]) != 14
                or not values["siret"].isdigit()
                or (values["siren"] and not values["siret"].startswith(values["siren"]))
            ):
                problems.add(file, org, "siret", f"SIRET invalide « {values['siret']} »")
            elif key in self.organisations and self.organisations[key]["name"] != values["name"]:
                problems.add(file, org, "key", f"« {key} » déjà défini sous un autre nom")
            else:
                self.organisations.setdefault(key, values)
        for record in data.get("custom_territories") or []:
            self.customs[text(record.get("code"))] = (file, record)
        for record in data.get("foreign_places") or []:
            code = text(record.get("code"))
            try:
                float(record.get("lon")), float(record.get("lat"))
            except (TypeError, ValueError):
                problems.add(file, record, "lon", f"coordonnées invalides pour « {code} »")
            self.foreign[code] = (file, record)
        programme = data.get("programme")
        if programme:
            slug = text(programme.get("slug"))
            if not slug or not text(programme.get("title")):
                problems.add(file, programme, "slug", "programme sans slug ou sans titre")
            elif slug in self.programmes:
                problems.add(file, programme, "slug", f"programme « {slug} » défini deux fois")
            else:
                self.programmes[slug] = (file, programme)
        if "projects" in data and not isinstance(data["projects"], list):
            problems.add(file, data, "projects", "liste attendue")
            return
        for record in data.get("projects") or []:
            self.projects.append((file, record))

    def _territory_refs(self):
        for _file, record in self.projects:
            yield from record.get("territories") or []
            for item in record.get("indicators") or []:
                if isinstance(item.get("territory"), dict):
                    yield item["territory"]
            for item in (
                (record.get("places") or [])
                + (record.get("events") or [])
                + (record.get("services") or [])
            ):
                if item.get("commune"):
                    yield {"scale": "commune", "code": item["commune"]}
        for _file, record in self.customs.values():
            for code in record.get("communes") or []:
                yield {"scale": "commune", "code": code}
            yield from record.get("members") or []
        for org in self.organisations.values():
            if org["commune"]:
                yield {"scale": "commune", "code": org["commune"]}

    def _resolve_official_territories(self, problems: Problems) -> None:
        wanted: dict[str, set[str]] = {}
        for ref in self._territory_refs():
            if isinstance(ref, dict) and ref.get("scale") in OFFICIAL:
                wanted.setdefault(ref["scale"], set()).add(str(ref.get("code")))
        for scale, codes in wanted.items():
            for territory in Territory.objects.filter(scale=scale, code__in=codes):
                self.territories[(scale, territory.code)] = territory
        if wanted and not Territory.objects.exists():
            problems.errors.append(
                "Aucun territoire en base : lancez d'abord « manage.py load_territories »."
            )

    def _check_territory(self, file, ref, field_name, problems) -> None:
        if not isinstance(ref, dict):
            problems.add(
                file, None, field_name, f"territoire attendu {{scale, code}}, reçu « {ref} »"
            )
            return
        if not self.knows_territory(ref):
            scale, code = text(ref.get("scale")), text(ref.get("code"))
            problems.add(file, ref, field_name, f"territoire inconnu « {scale} {code} »")

    def knows_territory(self, ref: dict) -> bool:
        scale, code = text(ref.get("scale")), text(ref.get("code"))
        return (
            (scale in OFFICIAL and (scale, code) in self.territories)
            or (scale == Scale.CUSTOM and code in self.customs)
            or (scale == Scale.FOREIGN and code in self.foreign)
        )

    def _check_org(self, file, role, problems, roles) -> None:
        if text(role.get("org")) not in self.organisations:
            problems.add(file, role, "org", f"organisation inconnue « {role.get('org')} »")
        if text(role.get("role")) not in roles:
            problems.add(file, role, "role", f"rôle inconnu « {role.get('role')} »")
        amount = as_decimal(role.get("amount_eur"), problems, file, role, "amount_eur")
        if amount is not None and amount < 0:
            problems.add(file, role, "amount_eur", "montant négatif")

    def _check_calls(self, file, record, problems) -> None:
        for call in record.get("calls") or []:
            if call.get("year") is not None and not isinstance(call.get("year"), int):
                problems.add(file, call, "year", f"année attendue, reçu « {call.get('year')} »")
            for name in ("envelope_eur", "initial_envelope_eur", "requested_eur"):
                amount = as_decimal(call.get(name), problems, file, call, name)
                if amount is not None and amount < 0:
                    problems.add(file, call, name, "montant négatif")
            received, retained = call.get("dossiers_received"), call.get("dossiers_retained")
            if isinstance(received, int) and isinstance(retained, int) and retained > received:
                problems.add(file, call, "dossiers_retained", "plus de dossiers retenus que reçus")
        codes = [text(a.get("code")) for a in record.get("axes") or []]
        if len(codes) != len(set(codes)):
            problems.add(file, record, "axes", "codes d'axes en double")

    def _check_project(self, file, record, problems, slugs) -> None:
        slug = text(record.get("slug"))
        if not slug or slugify(slug) != slug or len(slug) > 80:
            problems.add(file, record, "slug", f"slug invalide « {slug} »")
        elif slug in slugs:
            problems.add(file, record, "slug", f"projet « {slug} » défini deux fois")
        slugs.add(slug)
        if not text(record.get("title")):
            problems.add(file, record, "title", "titre manquant")
        for name in ("title", "axes"):
            self._check_provenance(file, self.provenance(file, record, name), name, problems)
        for ref in record.get("territories") or []:
            if isinstance(ref, dict):
                self._check_provenance(file, ref, "territories", problems)
        for service in record.get("services") or []:
            self._check_service(file, service, problems)
        programme = text(record.get("programme"))
        if programme not in self.programmes:
            problems.add(file, record, "programme", f"programme inconnu « {programme} »")
        else:
            axes = {text(a.get("code")) for a in self.programmes[programme][1].get("axes") or []}
            for axis in record.get("axes") or []:
                if axis not in axes:
                    problems.add(
                        file, record, "axes", f"axe inconnu « {axis} » pour « {programme} »"
                    )
        for kind, vocab in (("themes", self.themes), ("publics", self.publics)):
            for code in record.get(kind) or []:
                if code not in vocab:
                    problems.add(file, record, kind, f"code inconnu « {code} »")
        for role in record.get("organisations") or []:
            self._check_org(file, role, problems, ROLES)
        for ref in record.get("territories") or []:
            self._check_territory(file, ref, "territories", problems)
        start = as_date(record.get("start_date"), problems, file, record, "start_date")
        end = as_date(record.get("end_date"), problems, file, record, "end_date")
        if start and end and end < start:
            problems.add(file, record, "end_date", "la date de fin précède la date de début")
        for name in ("start_precision", "end_precision"):
            if record.get(name) not in (None, *DatePrecision.values):
                problems.add(file, record, name, f"précision inconnue « {record.get(name)} » "
                             "(day, month ou year)")
        budget = as_decimal(record.get("budget_eur"), problems, file, record, "budget_eur")
        if budget is not None and budget < 0:
            problems.add(file, record, "budget_eur", "budget négatif")
        if record.get("call_year") is not None and not isinstance(record.get("call_year"), int):
            problems.add(file, record, "call_year", f"année attendue « {record.get('call_year')} »")
        for event in record.get("events") or []:
            as_date(event.get("date"), problems, file, event, "date")
            as_time(event.get("start_time"), problems, file, event, "start_time")
            as_time(event.get("end_time"), problems, file, event, "end_time")
            if not text(event.get("title")):
                problems.add(file, event, "title", "titre d'événement manquant")
        for resource in record.get("resources") or []:
            if text(resource.get("kind")) not in RESOURCE_KINDS:
                problems.add(file, resource, "kind", f"type inconnu « {resource.get('kind')} »")
            url = text(resource.get("url"))
            if url and not url.startswith(("http://", "https://")):
                problems.add(file, resource, "url", f"adresse invalide « {url} »")
        for contact in record.get("contacts") or []:
            if contact.get("organisation") and contact["organisation"] not in self.organisations:
                problems.add(
                    file,
                    contact,
                    "organisation",
                    f"organisation inconnue « {contact['organisation']} »",
                )
            if not any(text(contact.get(k)) for k in ("name", "email", "phone", "role")):
                problems.add(file, contact, "contacts", "contact vide")
        for place in record.get("places") or []:
            if not text(place.get("name")):
                problems.add(file, place, "name", "lieu sans nom")

    @staticmethod
    def provenance(file: SeedFile, record: dict, name: str) -> dict:
        """The provenance of a project's title or axes: its own `provenance:` entry, else
        the file's default (`provenance:` at the top of the file), else stated."""
        own = (record.get("provenance") or {}).get(name)
        default = (file.data.get("provenance") or {}).get(name)
        return own or default or {}

    @staticmethod
    def _check_provenance(file, entry, field_name, problems) -> None:
        status = text(entry.get("provenance") or entry.get("status")) or Provenance.STATED
        if status not in PROVENANCES:
            problems.add(file, entry, field_name, f"provenance inconnue « {status} »")
        elif status == Provenance.INFERRED and not text(entry.get("note")):
            problems.add(file, entry, field_name, "provenance « inferred » sans note")

    def _check_service(self, file, service, problems) -> None:
        name = text(service.get("name"))
        if name and not 3 <= len(name) <= 150:
            problems.add(file, service, "name", "nom de service de 3 à 150 caractères")
        if service.get("structure") and text(service["structure"]) not in self.organisations:
            problems.add(
                file, service, "structure", f"organisation inconnue « {service['structure']} »"
            )
        postcode = text(service.get("postcode"))
        if postcode and (len(postcode) != 5 or not postcode.isdigit()):
            problems.add(file, service, "postcode", f"code postal invalide « {postcode} »")
        if service.get("commune") and (Scale.COMMUNE, text(service["commune"])) not in (
            self.territories
        ):
            problems.add(file, service, "commune", f"commune inconnue « {service['commune']} »")
        fees = text(service.get("fees"))
        if fees and fees not in FEES:
            problems.add(file, service, "fees", f"frais inconnus « {fees} »")
        hours = text(service.get("opening_hours"))
        if hours:
            from projects.opening_hours import opening_hours_error

            problem = opening_hours_error(hours)
            if problem:
                problems.add(file, service, "opening_hours", str(problem))

    # ----------------------------------------------------------------- writing
    def write(self, report: ImportReport, hooks: list[ProjectHook] = ()) -> None:
        sources = self._write_sources(report)
        self._write_vocabularies(report)
        orgs = self._write_organisations(report)
        self._write_areas(report)
        home = HomePage.objects.first()
        if home is None:
            raise RuntimeError("Pas de page d'accueil : lancez « manage.py setup_site ».")
        programmes = {
            slug: self._write_programme(home, file, record, orgs, sources, report)
            for slug, (file, record) in self.programmes.items()
        }
        themes = {t.code: t for t in Theme.objects.all()}
        publics = {p.code: p for p in Public.objects.all()}
        for file, record in self.projects:
            self._write_project(
                programmes[record["programme"]],
                file,
                record,
                orgs,
                sources,
                themes,
                publics,
                hooks,
                report,
            )

    def _write_sources(self, report):
        sources = {}
        for file in self.files:
            source = file.data.get("source")
            if not source:
                continue
            values = {
                "title": text(source.get("title")),
                "filename": text(source.get("file")),
                "publisher": text(source.get("publisher")),
                "date_text": text(source.get("date")),
            }
            sources[file.name] = self._upsert(
                SourceDocument, {"code": text(source.get("code"))}, values, report, "sources"
            )
        return sources

    def _write_vocabularies(self, report):
        for model, vocab in ((Theme, self.themes), (Public, self.publics)):
            for code, label in vocab.items():
                self._upsert(
                    model, {"code": code}, {"label": label}, report, model.__name__.lower()
                )

    def _write_organisations(self, report):
        result = {}
        for key, values in self.organisations.items():
            values = dict(values)
            commune = values.pop("commune")
            values["commune"] = self.territories.get((Scale.COMMUNE, commune)) if commune else None
            result[key] = self._upsert(Organisation, {"key": key}, values, report, "organisations")
        return result

    def _write_areas(self, report):
        for code, (_file, record) in self.customs.items():
            commune_codes = {str(c) for c in record.get("communes") or []}
            members = [
                self.territories[(m["scale"], str(m["code"]))]
                for m in record.get("members") or []
                if m["scale"] in OFFICIAL
            ]
            communes = list(
                Territory.objects.filter(scale=Scale.COMMUNE, code__in=commune_codes)
            ) + list(Territory.objects.filter(scale=Scale.COMMUNE, ancestors__in=members))
            communes = list({c.pk: c for c in communes}.values())
            area, status = areas.upsert_custom_area(code, text(record.get("name")), communes)
            _count(report, "territoires", status)
            self.territories[(Scale.CUSTOM, code)] = area
        for code, (_file, record) in self.foreign.items():
            place, status = areas.upsert_foreign_place(
                code,
                text(record.get("name")),
                text(record.get("country")),
                float(record["lon"]),
                float(record["lat"]),
            )
            _count(report, "territoires", status)
            self.territories[(Scale.FOREIGN, code)] = place

    def _write_programme(self, home, file, record, orgs, sources, report) -> ProgrammePage:
        slug = record["slug"]
        page = ProgrammePage.objects.child_of(home).filter(slug=slug).first()
        digest = fingerprint(record)
        if page is not None and page.seed_fingerprint == digest:
            _count(report, "programmes", "unchanged")
            return page
        page = page or ProgrammePage(slug=slug)
        page.title = text(record["title"])
        page.short_title = text(record.get("short_title"))
        page.intro = text(record.get("intro"))
        page.description = paragraphs_html(record.get("description"))
        page.source_document = sources.get(file.name)
        page.seed_fingerprint = digest
        page.organisation_roles = [
            ProgrammeOrganisation(organisation=orgs[r["org"]], role=r["role"])
            for r in record.get("organisations") or []
        ]
        page.calls = [
            ProgrammeCall(
                year=c.get("year"),
                label=text(c.get("label")),
                envelope_eur=c.get("envelope_eur"),
                initial_envelope_eur=c.get("initial_envelope_eur"),
                initial_envelope_when=text(c.get("initial_envelope_when")),
                envelope_note=text(c.get("envelope_note")),
                requested_eur=c.get("requested_eur"),
                dossiers_received=c.get("dossiers_received"),
                dossiers_retained=c.get("dossiers_retained"),
                text=text(c.get("text")),
            )
            for c in record.get("calls") or []
        ]
        existing_axes = {a.code: a for a in page.axes.all()} if page.pk else {}
        axes = []
        for axis in record.get("axes") or []:
            obj = existing_axes.get(axis["code"]) or ProgrammeAxis(code=axis["code"])
            obj.label, obj.description = text(axis.get("label")), text(axis.get("description"))
            axes.append(obj)
        page.axes = axes
        page.figures = [
            ProgrammeFigure(
                label=text(f.get("label")),
                value=f.get("value"),
                unit=text(f.get("unit")),
                value_text=text(f.get("value_text")),
                period=text(f.get("period")),
                source_note=text(f.get("source_note")),
            )
            for f in record.get("figures") or []
        ]
        self._publish(home, page, report, "programmes")
        return page

    def _write_project(
        self, programme, file, record, orgs, sources, themes, publics, hooks, report
    ) -> None:
        slug = record["slug"]
        page = ProjectPage.objects.child_of(programme).filter(slug=slug).first()
        # The file's default provenance is part of every project's content.
        defaults = file.data.get("provenance")
        digest = fingerprint(record, file.data.get("source"), *([defaults] if defaults else []))
        if page is not None and page.seed_fingerprint == digest:
            _count(report, "projets", "unchanged")
            return
        page = page or ProjectPage(slug=slug)
        page.title = text(record["title"])
        page.summary = text(record.get("summary"))
        page.description = paragraphs_html(record.get("description"))
        page.call_year = record.get("call_year")
        page.start_date = as_date(record.get("start_date"), Problems(), file, record, "")
        page.end_date = as_date(record.get("end_date"), Problems(), file, record, "")
        page.start_precision = record.get("start_precision") or DatePrecision.DAY
        page.end_precision = record.get("end_precision") or DatePrecision.DAY
        page.duration_text = text(record.get("duration_text"))
        page.call_text = text(record.get("call_text"))
        page.budget_eur = record.get("budget_eur")
        page.budget_text = text(record.get("budget_text"))
        page.source_document = sources.get(file.name)
        page.seed_fingerprint = digest
        page.programme = programme
        axis_by_code = {a.code: a for a in ProgrammeAxis.objects.filter(programme=programme)}
        page.axes = [axis_by_code[c] for c in record.get("axes") or []]
        title_provenance = self.provenance(file, record, "title")
        page.title_provenance = text(title_provenance.get("status")) or Provenance.STATED
        page.title_note = text(title_provenance.get("note"))
        axes_provenance = self.provenance(file, record, "axes") if page.axes else {}
        page.axes_provenance = text(axes_provenance.get("status")) or Provenance.STATED
        page.axes_note = text(axes_provenance.get("note"))
        page.themes = [themes[c] for c in record.get("themes") or []]
        page.publics = [publics[c] for c in record.get("publics") or []]
        page.organisation_roles = [
            ProjectOrganisation(
                organisation=orgs[r["org"]],
                role=r["role"],
                amount_eur=r.get("amount_eur"),
                note=text(r.get("note")),
            )
            for r in record.get("organisations") or []
        ]
        page.territory_links = [
            ProjectTerritory(
                territory=self.territories[(t["scale"], str(t["code"]))],
                provenance=text(t.get("provenance")) or Provenance.STATED,
                note=text(t.get("note")),
            )
            for t in record.get("territories") or []
        ]
        page.actions = [ProjectAction(text=text(a)) for a in record.get("actions") or []]
        page.objectives = [ProjectObjective(text=text(o)) for o in record.get("objectives") or []]
        commune = self._commune
        page.places = [
            ProjectPlace(
                name=text(p.get("name")),
                address=text(p.get("address")),
                commune=commune(p.get("commune")),
                longitude=p.get("lon"),
                latitude=p.get("lat"),
            )
            for p in record.get("places") or []
        ]
        page.services = [
            ProjectService(
                name=text(v.get("name")),
                description=text(v.get("description")),
                structure=orgs.get(text(v.get("structure"))) if v.get("structure") else None,
                address=text(v.get("address")),
                address_extra=text(v.get("address_extra")),
                postcode=text(v.get("postcode")),
                commune=commune(v.get("commune")),
                longitude=v.get("lon"),
                latitude=v.get("lat"),
                email=text(v.get("email")),
                phone=text(v.get("phone")),
                in_person=bool(v.get("in_person", True)),
                remote=bool(v.get("remote", False)),
                fees=text(v.get("fees")),
                fees_details=text(v.get("fees_details")),
                opening_hours=text(v.get("opening_hours")),
                access_conditions=text(v.get("access_conditions")),
            )
            for v in record.get("services") or []
        ]
        page.events = [
            ProjectEvent(
                title=text(e.get("title")),
                date=as_date(e.get("date"), Problems(), file, e, ""),
                start_time=as_time(e.get("start_time"), Problems(), file, e, ""),
                end_time=as_time(e.get("end_time"), Problems(), file, e, ""),
                place=text(e.get("place")),
                commune=commune(e.get("commune")),
                description=text(e.get("description")),
            )
            for e in record.get("events") or []
        ]
        page.contacts = [
            ProjectContact(
                name=text(c.get("name")),
                role=text(c.get("role")),
                organisation=orgs.get(c.get("organisation")),
                email=text(c.get("email")),
                phone=text(c.get("phone")),
                publish=bool(c.get("publish")),
                # `publish: true` in a seed file means "printed in the source document": that
                # is the recorded basis for publishing the person's details.
                consent_basis=consent.PUBLIC_DOCUMENT if c.get("publish") else "",
                consent_document=page.source_document if c.get("publish") else None,
            )
            for c in record.get("contacts") or []
        ]
        page.resources = [
            ProjectResource(kind=r["kind"], title=text(r.get("title")), url=text(r.get("url")))
            for r in record.get("resources") or []
        ]
        page.testimonials = [
            ProjectTestimonial(quote=text(t.get("quote")), author=text(t.get("author")))
            for t in record.get("testimonials") or []
        ]
        for hook in hooks:
            hook(page, record, file)
        self._publish(programme, page, report, "projets")

    def _upsert(self, model, lookup: dict, values: dict, report: ImportReport, kind: str):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            _count(report, kind, "created")
            self.written.append(obj)
            return obj
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(obj, key, value)
            obj.save()
            _count(report, kind, "updated")
            self.written.append(obj)
        else:
            _count(report, kind, "unchanged")
        return obj

    def _publish(self, parent, page, report: ImportReport, kind: str) -> None:
        """Create or update through a published revision: history keeps what was there."""
        if page.pk is None:
            parent.add_child(instance=page)
            _count(report, kind, "created")
        else:
            _count(report, kind, "updated")
        page.save_revision(log_action=True).publish(log_action=True)
        self.written.append(page)

    def _commune(self, code):
        return self.territories.get((Scale.COMMUNE, str(code))) if code else None


def _count(report: ImportReport, kind: str, status: str) -> None:
    counts = report.details.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
    counts[status] += 1
    setattr(report, status, getattr(report, status) + 1)
