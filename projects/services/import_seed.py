"""Idempotent import of the catalogue seed (fixtures/seeds/*.yaml, format in SCHEMA.md):
vocabularies, organisations, source documents, custom areas, programmes and projects.

Two halves. `SeedReader` checks every file before anything is written: the shape of each
file (`seed_files`, `seed_schema`), the references between records (organisation keys,
territory codes, vocabulary codes, the programme's axes), and every value by the models' own
`full_clean()` on unsaved instances, so that a rule (end after start, a SIREN's 9 digits, a
call's figures, a title's length) is written once, in the model. It returns a `SeedContent`.
`SeedWriter` writes that content, in the caller's transaction: a bad file loads nothing.

MUST stay idempotent and never delete: a record is matched on its natural key (theme/public
code, organisation key, programme and project slug). A page whose seed content is unchanged
(same fingerprint) is left alone, even if staff edited it since; a page whose seed changed
gets a new published revision, so the previous content stays in its history.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext as _

from maps.models import Scale, Territory
from maps.services import areas
from maps.services.reports import ImportReport
from maps.services.validation import Problems, model_problems
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
from projects.services.seed_files import SeedFile, as_date, as_decimal, as_time, text

OFFICIAL = {Scale.REGION, Scale.DEPARTEMENT, Scale.EPCI, Scale.COMMUNE}

#: Fields of a page that Wagtail sets when the page is placed in the tree, not by a file.
PAGE_TREE_FIELDS = ("path", "depth", "numchild", "url_path", "content_type", "draft_title",
                    "locale", "translation_key", "live", "owner", "latest_revision")

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


def line(record) -> int | None:
    return getattr(record, "line", None)


def provenance(file: SeedFile, record: dict, name: str) -> dict:
    """The provenance of a project's title or axes: its own `provenance:` entry, else the
    file's default (`provenance:` at the top of the file), else stated."""
    own = (record.get("provenance") or {}).get(name)
    default = (file.data.get("provenance") or {}).get(name)
    return own or default or {}


@dataclass
class SeedContent:
    """What the seed files say once checked: the records of every file, by natural key, and
    the official territories they name. The reader's result, the writer's input."""

    files: list[SeedFile]
    #: {code: {label, family, data_inclusion[, universal]}} of each vocabulary
    themes: dict[str, dict] = field(default_factory=dict)
    publics: dict[str, dict] = field(default_factory=dict)
    organisations: dict[str, dict] = field(default_factory=dict)
    customs: dict[str, tuple[SeedFile, dict]] = field(default_factory=dict)
    foreign: dict[str, tuple[SeedFile, dict]] = field(default_factory=dict)
    programmes: dict[str, tuple[SeedFile, dict]] = field(default_factory=dict)
    projects: list[tuple[SeedFile, dict]] = field(default_factory=list)
    territories: dict[tuple[str, str], Territory] = field(default_factory=dict)

    def knows_territory(self, ref: dict) -> bool:
        scale, code = text(ref.get("scale")), text(ref.get("code"))
        return (
            (scale in OFFICIAL and (scale, code) in self.territories)
            or (scale == Scale.CUSTOM and code in self.customs)
            or (scale == Scale.FOREIGN and code in self.foreign)
        )


class SeedReader:
    """Checks the seed files and resolves their references; writes nothing."""

    def __init__(self, files: list[SeedFile]):
        self.content = SeedContent(files)

    def read(self, problems: Problems) -> SeedContent:
        content = self.content
        for file in content.files:
            self._collect(file, problems)
        self._resolve_official_territories(problems)
        self._check_families(problems)
        for code, (file, record) in content.customs.items():
            for commune in record.get("communes") or []:
                if (Scale.COMMUNE, str(commune)) not in content.territories:
                    problems.add(file.name, line(record), "communes", _(
                        "unknown commune “%(commune)s” in the area “%(area)s”") % {
                        "commune": commune, "area": code})
            for member in record.get("members") or []:
                self._check_territory(file, member, "members", problems)
            if not record.get("communes") and not record.get("members"):
                problems.add(file.name, line(record), "communes", _(
                    "the area “%(area)s” has no commune") % {"area": code})
        slugs: set[str] = set()
        for file, record in content.projects:
            self._check_project(file, record, problems, slugs)
        for _slug, (file, record) in content.programmes.items():
            self._check_programme(file, record, problems)
        return content

    def _check_families(self, problems: Problems) -> None:
        """A family is an entry of the same vocabulary, and has no family itself."""
        for kind, vocab in (("themes", self.content.themes),
                            ("publics", self.content.publics)):
            for code, entry in vocab.items():
                family = entry["family"]
                if not family:
                    continue
                name, where = entry["line"]
                if family not in vocab:
                    problems.add(name, where, f"vocabulary.{kind}", _(
                        "unknown family “%(family)s” for “%(code)s”") % {
                        "family": family, "code": code})
                elif vocab[family]["family"]:
                    problems.add(name, where, f"vocabulary.{kind}", _(
                        "the family “%(family)s” of “%(code)s” belongs to a family itself "
                        "(two levels only)") % {"family": family, "code": code})

    # The records, by natural key ------------------------------------------------------
    def _collect(self, file: SeedFile, problems: Problems) -> None:
        content, data = self.content, file.data
        source = data.get("source")
        if source:
            model_problems(SourceDocument(
                code=text(source.get("code")), title=text(source.get("title")),
                filename=text(source.get("file")), publisher=text(source.get("publisher")),
                date_text=text(source.get("date"))), problems, file.name, line(source),
                {"filename": "file", "date_text": "date"})
        vocab = data.get("vocabulary") or {}
        for kind, model, target in (("themes", Theme, content.themes),
                                    ("publics", Public, content.publics)):
            for item in vocab.get(kind) or []:
                code, label = text(item.get("code")), text(item.get("label"))
                entry = {"label": label, "family": text(item.get("family")),
                         "data_inclusion": text(item.get("data_inclusion"))}
                if model is Public:
                    entry["universal"] = bool(item.get("universal"))
                values = {k: v for k, v in entry.items() if k != "family"}
                if not model_problems(model(code=code, **values), problems, file.name,
                                      line(item), {}):
                    continue
                if target.get(code, entry) != entry:
                    problems.add(file.name, line(item), f"vocabulary.{kind}", _(
                        "“%(code)s” already defined with the label “%(label)s”") % {
                        "code": code, "label": target[code]["label"]})
                else:
                    target[code] = entry
                    target[code]["line"] = (file.name, line(item))
        for org in data.get("organisations") or []:
            key = text(org.get("key"))
            values = {
                "name": text(org.get("name")),
                "acronym": text(org.get("acronym")),
                "siren": text(org.get("siren")),
                "siret": text(org.get("siret")),
                "kind": text(org.get("kind")) or Organisation.Kind.AUTRE,
                "website": text(org.get("website")),
                "commune": text(org.get("commune")),
            }
            instance = Organisation(key=key, **{k: v for k, v in values.items()
                                                if k != "commune"})
            if not model_problems(instance, problems, file.name, line(org), {},
                                  exclude=["commune"]):
                continue
            if key in content.organisations and content.organisations[key]["name"] != values[
                    "name"]:
                problems.add(file.name, line(org), "key", _(
                    "“%(key)s” already defined under another name") % {"key": key})
            else:
                content.organisations.setdefault(key, values)
        for record in data.get("custom_territories") or []:
            content.customs[text(record.get("code"))] = (file, record)
        for record in data.get("foreign_places") or []:
            content.foreign[text(record.get("code"))] = (file, record)
        programme = data.get("programme")
        if programme:
            slug = text(programme.get("slug"))
            if slug in content.programmes:
                problems.add(file.name, line(programme), "slug", _(
                    "programme “%(slug)s” defined twice") % {"slug": slug})
            else:
                content.programmes[slug] = (file, programme)
        for record in data.get("projects") or []:
            content.projects.append((file, record))

    def _territory_refs(self):
        content = self.content
        for _file, record in content.projects:
            yield from record.get("territories") or []
            for item in record.get("indicators") or []:
                if isinstance(item.get("territory"), dict):
                    yield item["territory"]
            for item in ((record.get("places") or []) + (record.get("events") or [])
                         + (record.get("services") or [])):
                if item.get("commune"):
                    yield {"scale": "commune", "code": item["commune"]}
        for _file, record in content.customs.values():
            for code in record.get("communes") or []:
                yield {"scale": "commune", "code": code}
            yield from record.get("members") or []
        for org in content.organisations.values():
            if org["commune"]:
                yield {"scale": "commune", "code": org["commune"]}

    def _resolve_official_territories(self, problems: Problems) -> None:
        wanted: dict[str, set[str]] = {}
        for ref in self._territory_refs():
            if ref.get("scale") in OFFICIAL:
                wanted.setdefault(ref["scale"], set()).add(str(ref.get("code")))
        for scale, codes in wanted.items():
            for territory in Territory.objects.filter(scale=scale, code__in=codes):
                self.content.territories[(scale, territory.code)] = territory
        if wanted and not Territory.objects.exists():
            problems.errors.append(_(
                "No territory in the database: run “manage.py load_territories” first."))

    # Checks -----------------------------------------------------------------------------
    def _check_territory(self, file, ref, field_name, problems) -> None:
        if not self.content.knows_territory(ref):
            problems.add(file.name, line(ref), field_name, _(
                "unknown territory “%(scale)s %(code)s”") % {
                "scale": text(ref.get("scale")), "code": text(ref.get("code"))})

    def _check_roles(self, file, record, problems, model) -> None:
        """Organisation roles: the key must name a known organisation; the role, amount and
        note are the model's business."""
        for role in record.get("organisations") or []:
            if text(role.get("org")) not in self.content.organisations:
                problems.add(file.name, line(role), "org", _(
                    "unknown organisation “%(key)s”") % {"key": role.get("org")})
            values = {"role": text(role.get("role"))}
            if model is ProjectOrganisation:
                values.update(amount_eur=as_decimal(role.get("amount_eur")),
                              note=text(role.get("note")))
            model_problems(model(**values), problems, file.name, line(role), {},
                           exclude=["project", "programme", "organisation"])

    def _check_programme(self, file, record, problems) -> None:
        name = file.name
        page = ProgrammePage(slug=text(record.get("slug")), title=text(record.get("title")),
                             short_title=text(record.get("short_title")),
                             intro=text(record.get("intro")),
                             description=paragraphs_html(record.get("description")))
        model_problems(page, problems, name, line(record), {}, exclude=PAGE_TREE_FIELDS)
        self._check_roles(file, record, problems, ProgrammeOrganisation)
        for call in record.get("calls") or []:
            model_problems(_call(call), problems, name, line(call), {}, exclude=["programme"])
        codes = [text(a.get("code")) for a in record.get("axes") or []]
        if len(codes) != len(set(codes)):
            problems.add(name, line(record), "axes", _("duplicated axis codes"))
        for axis in record.get("axes") or []:
            model_problems(ProgrammeAxis(code=text(axis.get("code")),
                                         label=text(axis.get("label")),
                                         description=text(axis.get("description"))),
                           problems, name, line(axis), {}, exclude=["programme"])
        for figure in record.get("figures") or []:
            model_problems(_figure(figure), problems, name, line(figure), {},
                           exclude=["programme"])

    def _check_project(self, file, record, problems, slugs) -> None:
        content, name, where = self.content, file.name, line(record)
        slug = text(record.get("slug"))
        if slug in slugs:
            problems.add(name, where, "slug", _("project “%(slug)s” defined twice") % {
                "slug": slug})
        slugs.add(slug)
        page = ProjectPage(
            slug=slug, title=text(record.get("title")), summary=text(record.get("summary")),
            description=paragraphs_html(record.get("description")),
            call_year=record.get("call_year"), start_date=as_date(record.get("start_date")),
            end_date=as_date(record.get("end_date")),
            duration_text=text(record.get("duration_text")),
            start_precision=record.get("start_precision") or DatePrecision.DAY,
            end_precision=record.get("end_precision") or DatePrecision.DAY,
            call_text=text(record.get("call_text")),
            budget_eur=as_decimal(record.get("budget_eur")),
            budget_text=text(record.get("budget_text")))
        model_problems(page, problems, name, where, {}, exclude=PAGE_TREE_FIELDS)
        if slug and slugify(slug) != slug:
            problems.add(name, where, "slug", _(
                "invalid slug “%(slug)s” (lowercase letters, digits and hyphens)") % {
                "slug": slug})
        for key in ("title", "axes"):
            self._check_provenance(file, provenance(file, record, key), key, problems)
        for ref in record.get("territories") or []:
            self._check_provenance(file, ref, "territories", problems)
        for service in record.get("services") or []:
            self._check_service(file, service, problems)
        programme = text(record.get("programme"))
        if programme not in content.programmes:
            problems.add(name, where, "programme", _("unknown programme “%(slug)s”") % {
                "slug": programme})
        else:
            axes = {text(a.get("code"))
                    for a in content.programmes[programme][1].get("axes") or []}
            for axis in record.get("axes") or []:
                if axis not in axes:
                    problems.add(name, where, "axes", _(
                        "unknown axis “%(axis)s” for “%(programme)s”") % {
                        "axis": axis, "programme": programme})
        for kind, vocab in (("themes", content.themes), ("publics", content.publics)):
            for code in record.get(kind) or []:
                if code not in vocab:
                    problems.add(name, where, kind, _("unknown code “%(code)s”") % {
                        "code": code})
        self._check_roles(file, record, problems, ProjectOrganisation)
        for ref in record.get("territories") or []:
            self._check_territory(file, ref, "territories", problems)
        for item in record.get("actions") or []:
            model_problems(ProjectAction(text=text(item)), problems, name, where,
                           {"text": "actions"}, exclude=["project"])
        for item in record.get("objectives") or []:
            model_problems(ProjectObjective(text=text(item)), problems, name, where,
                           {"text": "objectives"}, exclude=["project"])
        for event in record.get("events") or []:
            model_problems(_event(event), problems, name, line(event), {},
                           exclude=["project", "commune"])
        for resource in record.get("resources") or []:
            model_problems(_resource(resource), problems, name, line(resource), {},
                           exclude=["project"])
        for contact in record.get("contacts") or []:
            key = contact.get("organisation")
            if key and key not in content.organisations:
                problems.add(name, line(contact), "organisation", _(
                    "unknown organisation “%(key)s”") % {"key": key})
            if not any(text(contact.get(k)) for k in ("name", "email", "phone", "role")):
                problems.add(name, line(contact), "contacts", _("empty contact"))
            model_problems(_contact(contact), problems, name, line(contact), {},
                           exclude=["project", "organisation"])
            if contact.get("publish") and not file.data.get("source"):
                problems.add(name, line(contact), "publish", _(
                    "a published contact needs the file's “source:” (the document that "
                    "publishes it)"))
        for place in record.get("places") or []:
            model_problems(_place(place), problems, name, line(place),
                           {"longitude": "lon", "latitude": "lat"},
                           exclude=["project", "commune"])
        for testimonial in record.get("testimonials") or []:
            model_problems(_testimonial(testimonial), problems, name, line(testimonial), {},
                           exclude=["project"])


    @staticmethod
    def _check_provenance(file, entry, field_name, problems) -> None:
        """Whether a fact is stated or inferred: the model's choices; an inferred one needs
        a note saying how (the seed writers' rule)."""
        status = text(entry.get("provenance") or entry.get("status")) or Provenance.STATED
        model_problems(ProjectTerritory(provenance=status, note=text(entry.get("note"))),
                       problems, file.name, line(entry), {"provenance": field_name},
                       exclude=["project", "territory"])
        if status == Provenance.INFERRED and not text(entry.get("note")):
            problems.add(file.name, line(entry), field_name, _(
                "“inferred” provenance without a note"))

    def _check_service(self, file, service, problems) -> None:
        """A service's own rules are `ProjectService`'s; its references are checked here."""
        key = service.get("structure")
        if key and text(key) not in self.content.organisations:
            problems.add(file.name, line(service), "structure", _(
                "unknown organisation “%(key)s”") % {"key": key})
        commune = service.get("commune")
        if commune and (Scale.COMMUNE, text(commune)) not in self.content.territories:
            problems.add(file.name, line(service), "commune", _(
                "unknown commune “%(commune)s”") % {"commune": commune})
        model_problems(_service(service), problems, file.name, line(service),
                       {"longitude": "lon", "latitude": "lat"},
                       exclude=["project", "structure", "commune"])


# Unsaved instances built from records: validated by the reader, saved by the writer.
def _call(c) -> ProgrammeCall:
    return ProgrammeCall(
        year=c.get("year"), label=text(c.get("label")),
        envelope_eur=as_decimal(c.get("envelope_eur")),
        initial_envelope_eur=as_decimal(c.get("initial_envelope_eur")),
        initial_envelope_when=text(c.get("initial_envelope_when")),
        envelope_note=text(c.get("envelope_note")),
        requested_eur=as_decimal(c.get("requested_eur")),
        dossiers_received=c.get("dossiers_received"),
        dossiers_retained=c.get("dossiers_retained"), text=text(c.get("text")))


def _figure(f) -> ProgrammeFigure:
    return ProgrammeFigure(
        label=text(f.get("label")), value=as_decimal(f.get("value")), unit=text(f.get("unit")),
        value_text=text(f.get("value_text")), period=text(f.get("period")),
        source_note=text(f.get("source_note")))


def _event(e, commune=None) -> ProjectEvent:
    return ProjectEvent(
        title=text(e.get("title")), date=as_date(e.get("date")),
        start_time=as_time(e.get("start_time")), end_time=as_time(e.get("end_time")),
        place=text(e.get("place")), commune=commune, description=text(e.get("description")))


def _resource(r) -> ProjectResource:
    return ProjectResource(kind=text(r.get("kind")), title=text(r.get("title")),
                           url=text(r.get("url")))


def _contact(c, organisation=None, document=None) -> ProjectContact:
    """`publish: true` in a seed file means "printed in the source document": that is the
    recorded basis for publishing the person's details (the writer passes the document)."""
    publish = bool(c.get("publish"))
    return ProjectContact(
        name=text(c.get("name")), role=text(c.get("role")), organisation=organisation,
        email=text(c.get("email")), phone=text(c.get("phone")), publish=publish,
        consent_basis=consent.PUBLIC_DOCUMENT if publish and document else "",
        consent_document=document if publish else None)


def _place(p, commune=None) -> ProjectPlace:
    return ProjectPlace(name=text(p.get("name")), address=text(p.get("address")),
                        commune=commune, longitude=p.get("lon"), latitude=p.get("lat"))


def _service(v, structure=None, commune=None) -> ProjectService:
    return ProjectService(
        name=text(v.get("name")), description=text(v.get("description")),
        structure=structure, address=text(v.get("address")),
        address_extra=text(v.get("address_extra")), postcode=text(v.get("postcode")),
        commune=commune, longitude=v.get("lon"), latitude=v.get("lat"),
        email=text(v.get("email")), phone=text(v.get("phone")),
        in_person=bool(v.get("in_person", True)), remote=bool(v.get("remote", False)),
        fees=text(v.get("fees")), fees_details=text(v.get("fees_details")),
        opening_hours=text(v.get("opening_hours")),
        access_conditions=text(v.get("access_conditions")))


def _testimonial(t) -> ProjectTestimonial:
    return ProjectTestimonial(quote=text(t.get("quote")), author=text(t.get("author")))


class SeedWriter:
    """Writes a checked `SeedContent`: creates or updates, never deletes."""

    def __init__(self, content: SeedContent):
        self.content = content
        self.territories = content.territories
        #: Everything created or updated, for the search and reference indexes afterwards.
        self.written: list = []

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
            for slug, (file, record) in self.content.programmes.items()
        }
        themes = {t.code: t for t in Theme.objects.all()}
        publics = {p.code: p for p in Public.objects.all()}
        for file, record in self.content.projects:
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
        for file in self.content.files:
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
        for model, vocab in ((Theme, self.content.themes), (Public, self.content.publics)):
            written = {}
            # families first: their members point at them
            for code, entry in sorted(vocab.items(), key=lambda item: bool(item[1]["family"])):
                values = {k: v for k, v in entry.items() if k not in ("line", "family")}
                values["family"] = written.get(entry["family"]) if entry["family"] else None
                written[code] = self._upsert(model, {"code": code}, values, report,
                                             model.__name__.lower())

    def _write_organisations(self, report):
        result = {}
        for key, values in self.content.organisations.items():
            values = dict(values)
            commune = values.pop("commune")
            values["commune"] = self.territories.get((Scale.COMMUNE, commune)) if commune else None
            result[key] = self._upsert(Organisation, {"key": key}, values, report, "organisations")
        return result

    def _write_areas(self, report):
        for code, (_file, record) in self.content.customs.items():
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
        for code, (_file, record) in self.content.foreign.items():
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
        page.contact_text = text(record.get("contact_text"))
        page.contact_email = text(record.get("contact_email"))
        page.source_document = sources.get(file.name)
        page.seed_fingerprint = digest
        page.organisation_roles = [
            ProgrammeOrganisation(organisation=orgs[r["org"]], role=r["role"])
            for r in record.get("organisations") or []
        ]
        page.calls = [_call(c) for c in record.get("calls") or []]
        existing_axes = {a.code: a for a in page.axes.all()} if page.pk else {}
        axes = []
        for axis in record.get("axes") or []:
            obj = existing_axes.get(axis["code"]) or ProgrammeAxis(code=axis["code"])
            obj.label, obj.description = text(axis.get("label")), text(axis.get("description"))
            axes.append(obj)
        page.axes = axes
        page.figures = [_figure(f) for f in record.get("figures") or []]
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
        page.start_date = as_date(record.get("start_date"))
        page.end_date = as_date(record.get("end_date"))
        page.duration_text = text(record.get("duration_text"))
        page.budget_eur = as_decimal(record.get("budget_eur"))
        page.start_precision = record.get("start_precision") or DatePrecision.DAY
        page.end_precision = record.get("end_precision") or DatePrecision.DAY
        page.call_text = text(record.get("call_text"))
        page.budget_text = text(record.get("budget_text"))
        page.how_to_join = text(record.get("how_to_join"))
        page.source_document = sources.get(file.name)
        page.seed_fingerprint = digest
        page.programme = programme
        axis_by_code = {a.code: a for a in ProgrammeAxis.objects.filter(programme=programme)}
        page.axes = [axis_by_code[c] for c in record.get("axes") or []]
        title_provenance = provenance(file, record, "title")
        page.title_provenance = text(title_provenance.get("status")) or Provenance.STATED
        page.title_note = text(title_provenance.get("note"))
        axes_provenance = provenance(file, record, "axes") if page.axes else {}
        page.axes_provenance = text(axes_provenance.get("status")) or Provenance.STATED
        page.axes_note = text(axes_provenance.get("note"))
        page.themes = [themes[c] for c in record.get("themes") or []]
        page.publics = [publics[c] for c in record.get("publics") or []]
        page.organisation_roles = [
            ProjectOrganisation(
                organisation=orgs[r["org"]],
                role=r["role"],
                amount_eur=as_decimal(r.get("amount_eur")),
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
        page.places = [_place(p, commune(p.get("commune"))) for p in record.get("places") or []]
        page.events = [_event(e, commune(e.get("commune"))) for e in record.get("events") or []]
        page.services = [
            _service(v, orgs.get(text(v.get("structure"))) if v.get("structure") else None,
                     commune(v.get("commune")))
            for v in record.get("services") or []
        ]
        page.contacts = [
            _contact(c, orgs.get(c.get("organisation")), page.source_document)
            for c in record.get("contacts") or []
        ]
        page.resources = [_resource(r) for r in record.get("resources") or []]
        page.testimonials = [_testimonial(t) for t in record.get("testimonials") or []]
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
