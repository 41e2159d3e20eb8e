"""Import of a call's laureates from a spreadsheet (template: fixtures/import/modele-laureats.*).

`plan_laureates` reads and checks every row and resolves everything (territories with the
public search's resolver, organisations by SIREN then name, vocabularies and the programme's
axes by code or label), compares each row with the page it updates, and writes nothing: it
is the dry run and the admin preview. `import_laureates` writes a plan without problems, in
one transaction: a single bad row anywhere writes nothing.

Idempotent and never deleting: a project is keyed on (programme, `numero_dossier`, stored as
`ProjectPage.dossier_number`); an unchanged row (same fingerprint as the page's latest
revision) is left alone, even if staff edited the page since; a changed row updates the
page through a new revision, so the history keeps what was there; a project of the
programme missing from the file is reported, never deleted or unpublished. New and updated
pages are drafts submitted to the programme's review workflow when there is one, or
published (`publish=True`, for administrators).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modelcluster.models import get_all_child_relations
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, Revision

from maps.models import Territory, normalize_name
from maps.services.reports import ImportRejected, ImportReport, status_label
from maps.services.validation import (
    Columns,
    Problems,
    RowReader,
    cell_text,
    open_table,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_siren,
    parse_year,
    split_list,
)
from projects import coverage
from projects.models import (
    Organisation,
    ProgrammePage,
    ProjectContact,
    ProjectOrganisation,
    ProjectPage,
    ProjectTerritory,
    Public,
    Theme,
)
from projects.services.bulk import BATCH, Written, bulk_writes
from projects.services.import_seed import PAGE_TREE_FIELDS
from projects.signals import projects_published
from projects.territory import Resolution, is_exact, resolve_territories, resolve_territory

#: Canonical column → other spellings accepted (headers are compared without case, accents,
#: spaces, hyphens or underscores).
COLUMNS = {
    "numero_dossier": ("numero", "n dossier", "no dossier", "numero de dossier", "dossier"),
    "intitule": ("intitule du projet", "titre", "nom du projet", "projet"),
    "porteur": ("structure porteuse", "porteur du projet"),
    "porteur_siren": ("siren", "siret", "siren porteur", "siret porteur", "porteur siret"),
    "partenaires": ("partenaire",),
    "financeurs": ("financeur",),
    "territoires": ("territoire", "communes", "commune"),
    "annee_appel": ("annee", "annee de l appel", "appel"),
    "axes": ("axe", "priorites", "priorite"),
    "publics": ("public", "publics cibles"),
    "thematiques": ("thematique", "themes", "theme"),
    "date_debut": ("debut",),
    "date_fin": ("fin",),
    "montant_accorde": ("montant", "subvention", "montant attribue"),
    "resume": ("description", "resume du projet"),
    "contact_nom": ("contact",),
    "contact_email": ("contact mail", "contact courriel", "email"),
    "contact_telephone": ("contact tel", "telephone"),
    "contact_publication": ("publication contact", "contact public"),
}
REQUIRED = ("numero_dossier", "intitule", "porteur", "territoires", "annee_appel")

#: Model field → column, so that the models' own errors name the column.
PAGE_COLUMNS = {"title": "intitule", "summary": "resume", "call_year": "annee_appel",
                "start_date": "date_debut", "end_date": "date_fin",
                "dossier_number": "numero_dossier", "slug": "intitule"}
CONTACT_COLUMNS = {"name": "contact_nom", "email": "contact_email",
                   "phone": "contact_telephone", "publish": "contact_publication"}

Progress = Callable[[int, int], None]


@dataclass
class OrgRef:
    """An organisation named by a row: found in the database, or to be created."""

    name: str
    siren: str = ""
    existing: Organisation | None = None

    @property
    def key(self) -> str:
        return f"siren:{self.siren}" if self.siren else f"name:{normalize_name(self.name)}"


@dataclass
class LaureateRow:
    line: int
    number: str
    values: dict
    carrier: OrgRef
    partners: list[OrgRef]
    funders: list[OrgRef]
    territories: list[Territory]
    axes: list
    themes: list[Theme]
    publics: list[Public]
    contact: ProjectContact | None
    amount: object
    fingerprint: str = ""
    page: ProjectPage | None = None
    status: str = "created"

    @property
    def label(self) -> str:
        return f"{self.number} — {self.values['intitule']}"

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass
class LaureatePlan:
    """What an import would do: the checked rows, their status against the database, the
    problems and notes to show, and the programme's projects the file no longer lists."""

    programme: ProgrammePage
    file: str
    problems: Problems
    rows: list[LaureateRow] = field(default_factory=list)
    missing: list[ProjectPage] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def report(self) -> ImportReport:
        report = ImportReport(_("Laureates"))
        report.created, report.updated = self.count("created"), self.count("updated")
        report.unchanged = self.count("unchanged")
        return report


def plan_laureates(raw: bytes, filename: str, programme: ProgrammePage, *,
                   sheet: str | None = None) -> LaureatePlan:
    """Read and check a laureate file against the database; writes nothing."""
    problems = Problems(word="colonne")
    plan = LaureatePlan(programme, filename, problems)
    columns = open_table(raw, filename, problems, COLUMNS, REQUIRED, sheet=sheet)
    if columns is None:
        return plan
    plan.rows = _RowReader(programme, columns, problems).rows(
        lambda row: row.number, "numero_dossier",
        _("application number already used on line %(line)s"))
    _compare(plan, {row.number for row in plan.rows})
    return plan


def import_laureates(plan: LaureatePlan, *, publish: bool = False, user=None,
                     progress: Progress | None = None) -> ImportReport:
    """Write a checked plan in one transaction (refused when it has any problem).

    New projects are inserted together (`_Writer.create`: the page rows, their children, one
    revision each, the history entries, then their review), changed ones go through
    Wagtail's own revision and publish, one by one; the derived data (commune coverage, the
    monitoring tables, search and reference indexes, the data version of cached maps) is
    rebuilt once at the end, set-based, for the pages written. Unchanged rows cost nothing."""
    if plan.problems:
        raise ImportRejected(plan.problems.errors)
    report = plan.report()
    todo = [row for row in plan.rows if row.status != "unchanged"]
    with bulk_writes() as written:
        writer = _Writer(plan.programme, publish, user, written)
        writer.create([row for row in todo if row.page is None], progress, len(todo))
        for row in todo:
            if row.page is not None:
                writer.update(row)
                if progress:
                    progress(writer.done, len(todo))
        if writer.published:
            coverage.rebuild_coverage(writer.published)
            projects_published.send(ProjectPage, project_ids=[p.pk for p in writer.published])
    report.submitted = writer.submitted
    return report


class _Writer:
    def __init__(self, programme: ProgrammePage, publish: bool, user, written: Written):
        self.programme, self.publish, self.user, self.written = programme, publish, user, written
        self.workflow = None if publish else programme.get_workflow()
        self.slugs = set(programme.get_children().values_list("slug", flat=True))
        self.orgs: dict[str, Organisation] = {}
        self.keys = set(Organisation.objects.values_list("key", flat=True))
        self.published: list[ProjectPage] = []
        self.submitted = 0
        self.done = 0

    def organisation(self, ref: OrgRef) -> Organisation:
        """The row's organisation: found by the reader, or created once per file."""
        if ref.existing is not None:
            if ref.siren and not ref.existing.siren:
                ref.existing.siren = ref.siren
                ref.existing.save(update_fields=["siren"])
            return ref.existing
        if ref.key not in self.orgs:
            key = base = slugify(ref.name)[:90] or "organisation"
            suffix = 1
            while key in self.keys:
                suffix += 1
                key = f"{base}-{suffix}"
            self.keys.add(key)
            org = Organisation.objects.create(key=key, name=ref.name, siren=ref.siren)
            self.orgs[ref.key] = org
            self.written.append(org)
        return self.orgs[ref.key]

    def slug(self, row: LaureateRow) -> str:
        base = slugify(row.values["intitule"])[:70] or "projet"
        slug = base if base not in self.slugs else f"{base}-{slugify(row.number)}"[:80]
        suffix = 1
        while slug in self.slugs:
            suffix += 1
            slug = f"{base}-{suffix}"
        self.slugs.add(slug)
        return slug

    def update(self, row: LaureateRow) -> None:
        """A changed row: a new revision of the page through Wagtail (the latest revision is
        the base, so what staff wrote in the fields the file does not govern stays), then
        its publication or its review."""
        page = row.page.get_latest_revision_as_object()
        self.fill(page, row)
        revision = page.save_revision(user=self.user, log_action=True)
        if self.publish:
            revision.publish(user=self.user, log_action=True)
            self.published.append(page)
        elif self.workflow is not None and not page.workflow_in_progress:
            self.workflow.start(page, self.user)
            self.submitted += 1
        self.written.append(page)
        self.done += 1

    @transaction.atomic
    def create(self, rows: list[LaureateRow], progress: Progress | None, total: int) -> None:
        """New projects, written as Wagtail would write them one by one (`add_child`,
        `save_revision`, `publish`: the same rows, fields and history entries), in a few
        queries per table for the whole file.

        The programme's row is locked first, so that two imports into it cannot hand out the
        same tree paths; every row was validated by the plan with the models' own rules,
        slugs are unique among the programme's pages by construction."""
        if not rows:
            return
        parent = ProgrammePage.objects.select_for_update().get(pk=self.programme.pk)
        last = parent.get_last_child()
        step = Page._str2int(last.path[-Page.steplen:]) if last else 0
        now = timezone.now()
        pages = []
        for row in rows:
            step += 1
            page = ProjectPage(
                slug=self.slug(row), depth=parent.depth + 1, numchild=0,
                path=Page._get_path(parent.path, parent.depth + 1, step),
                locale_id=parent.locale_id, programme_id=parent.pk,
                live=self.publish, has_unpublished_changes=not self.publish,
                latest_revision_created_at=now,
            )
            self.fill(page, row)
            page.draft_title = page.title
            page.url_path = f"{parent.url_path}{page.slug}/"
            if self.publish:
                page.first_published_at = page.last_published_at = now
            for relation in get_all_child_relations(page):
                name = relation.get_accessor_name()
                if name not in page._cluster_related_objects:
                    setattr(page, name, [])  # a new page has none: no query to find out
            pages.append(page)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        Page.objects.bulk_create(pages, batch_size=BATCH)  # the page rows: ids set on `pages`
        for page in pages:
            page.page_ptr_id = page.id
        ProjectPage._base_manager._insert(pages, fields=ProjectPage._meta.local_concrete_fields)
        self.children(pages)
        revisions = [Revision(
            content_type_id=page.content_type_id, base_content_type=self.page_type,
            object_id=str(page.pk), user=self.user, created_at=now,
            content=page.serializable_data(), object_str=str(page)) for page in pages]
        Revision.objects.bulk_create(revisions, batch_size=BATCH)
        for page, revision in zip(pages, revisions, strict=True):
            page.latest_revision = revision
            if self.publish:
                page.live_revision = revision
        Page.objects.bulk_update(pages, ["latest_revision", "live_revision"], batch_size=BATCH)
        self.history(pages, now)
        self.written.inserted += pages
        for page in pages:
            if self.publish:
                self.published.append(page)
            elif self.workflow is not None:
                self.workflow.start(page, self.user)
                self.submitted += 1
            self.done += 1
            if progress and (self.done % 100 == 0 or self.done == len(pages)):
                progress(self.done, total)

    @cached_property
    def programme_funder(self) -> Organisation:
        """Who funds an amount given without a funder (the plan checked there is one)."""
        return self.programme.organisation_roles.filter(role="funder").first().organisation

    @cached_property
    def page_type(self) -> ContentType:
        return ContentType.objects.get_for_model(Page)

    def children(self, pages: list[ProjectPage]) -> None:
        """The child rows and many-to-many links the rows gave the new pages."""
        for relation in ("organisation_roles", "territory_links", "contacts"):
            objects = []
            for page in pages:
                items = list(getattr(page, relation).all())
                for order, item in enumerate(items):
                    item.project = page
                    item.sort_order = order
                objects += items
            if objects:
                type(objects[0]).objects.bulk_create(objects, batch_size=BATCH)
        for name in ("axes", "themes", "publics"):
            field = ProjectPage._meta.get_field(name)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            links = [through(**{source: page.pk, target: item.pk})
                     for page in pages for item in getattr(page, name).all()]
            through.objects.bulk_create(links, batch_size=BATCH)

    def history(self, pages: list[ProjectPage], now) -> None:
        """The page history entries `save_revision(log_action=True)` and `publish` write."""
        actions = ["wagtail.edit", *(["wagtail.publish"] if self.publish else [])]
        user = self.user or get_active_log_context().user
        PageLogEntry.objects.bulk_create([
            PageLogEntry(content_type_id=page.content_type_id, label=page.draft_title,
                         action=action, timestamp=now, data={}, user=user, page_id=page.pk,
                         revision=page.latest_revision, content_changed=True,
                         uuid=get_active_log_context().uuid or uuid.uuid4())
            for page in pages for action in actions
        ], batch_size=BATCH)

    def fill(self, page: ProjectPage, row: LaureateRow) -> None:
        """The fields the spreadsheet governs; everything else staff wrote stays."""
        values = row.values
        page.title = values["intitule"]
        page.dossier_number = row.number
        page.call_year = values["annee_appel"]
        page.start_date, page.end_date = values["date_debut"], values["date_fin"]
        if values["resume"]:
            page.summary = values["resume"]
        page.seed_fingerprint = row.fingerprint
        page.axes, page.themes, page.publics = row.axes, row.themes, row.publics
        Role = ProjectOrganisation.Role
        roles = [ProjectOrganisation(organisation=self.organisation(row.carrier),
                                     role=Role.CARRIER)]
        roles += [ProjectOrganisation(organisation=self.organisation(p), role=Role.PARTNER)
                  for p in row.partners]
        funders = [self.organisation(f) for f in row.funders]
        if not funders and row.amount is not None:
            funders = [self.programme_funder]
        roles += [ProjectOrganisation(organisation=org, role=Role.FUNDER,
                                      amount_eur=row.amount if position == 0 else None)
                  for position, org in enumerate(funders)]
        page.organisation_roles = roles
        page.territory_links = [ProjectTerritory(territory=t) for t in row.territories]
        if row.contact is not None:
            page.contacts = [row.contact]


# --------------------------------------------------------------------------- reading
class _RowReader(RowReader):
    """Reads one row at a time, with the lookups of the whole file loaded once."""

    def __init__(self, programme: ProgrammePage, columns: Columns, problems: Problems):
        super().__init__(columns, problems)
        self.programme = programme
        self.axes = _by_code_or_label(programme.axes.all())
        self.themes = _by_code_or_label(Theme.objects.all())
        self.publics = _by_code_or_label(Public.objects.all())
        self.orgs_by_siren: dict[str, Organisation] = {}
        self.orgs_by_name: dict[str, Organisation] = {}
        for org in Organisation.objects.all():
            if org.siren:
                self.orgs_by_siren.setdefault(org.siren, org)
            self.orgs_by_name.setdefault(normalize_name(org.name), org)
            if org.acronym:
                self.orgs_by_name.setdefault(normalize_name(org.acronym), org)
        self.territory_cache: dict[str, tuple[Territory | None, str | None]] = {}
        values = {value for _line, cells in columns.table.rows
                  for value in self.territory_values(cells)}
        # The whole file's codes in one query (a bare 4-digit code may have lost its zero).
        self.resolutions = resolve_territories(
            values | {"0" + v for v in values if v.isdigit() and len(v) in (1, 4)})

    def read(self, line: int, cells: list) -> LaureateRow | None:
        before = len(self.problems.errors)
        text = {c: cell_text(self.cell(cells, c)) for c in COLUMNS}
        for column in REQUIRED:
            if not text[column]:
                self.add(line, column, _("required value missing"))
        start = self.parse(line, cells, "date_debut", parse_date)
        end = self.parse(line, cells, "date_fin", parse_date)
        year = self.parse(line, cells, "annee_appel", parse_year)
        amount = self.parse(line, cells, "montant_accorde", parse_decimal)
        publish = self.parse(line, cells, "contact_publication", parse_bool)
        page = ProjectPage(title=text["intitule"], summary=text["resume"], call_year=year,
                           start_date=start, end_date=end, dossier_number=text["numero_dossier"],
                           slug=slugify(text["intitule"])[:80] or "projet")
        self.model(page, line, PAGE_COLUMNS, PAGE_TREE_FIELDS)

        carrier = OrgRef(text["porteur"], parse_siren(self.cell(cells, "porteur_siren")))
        if carrier.name:
            self.model(Organisation(key="key", name=carrier.name, siren=carrier.siren), line,
                       {"siren": "porteur_siren", "name": "porteur"}, ["commune", "key"])
        partners = [OrgRef(name) for name in split_list(self.cell(cells, "partenaires"))]
        funders = [OrgRef(name) for name in split_list(self.cell(cells, "financeurs"))]
        for column, refs in (("partenaires", partners), ("financeurs", funders)):
            for ref in refs:
                self.model(Organisation(key="key", name=ref.name), line, {"name": column},
                           ["commune", "key"])
        for ref in [carrier, *partners, *funders]:
            ref.existing = self.find_org(ref)
        if amount is not None:
            self.model(ProjectOrganisation(role=ProjectOrganisation.Role.FUNDER,
                                           amount_eur=amount), line,
                       {"amount_eur": "montant_accorde"}, ["project", "organisation"])
            if not funders and not self.programme_funder:
                self.add(line, "montant_accorde", _(
                    "an amount needs a funder: fill the “financeurs” column"))

        territories = [t for t in (self.territory(line, value)
                                   for value in self.territory_values(cells)) if t]
        axes = self.vocabulary(line, cells, "axes", self.axes)
        themes = self.vocabulary(line, cells, "thematiques", self.themes)
        publics = self.vocabulary(line, cells, "publics", self.publics)
        contact = None
        if any(text[c] for c in ("contact_nom", "contact_email", "contact_telephone")):
            contact = ProjectContact(name=text["contact_nom"], email=text["contact_email"],
                                     phone=text["contact_telephone"], publish=bool(publish))
            self.model(contact, line, CONTACT_COLUMNS, ["project", "organisation"])
        if len(self.problems.errors) > before:
            return None
        values = {
            "numero_dossier": text["numero_dossier"], "intitule": page.title,
            "porteur": [carrier.name, carrier.siren],
            "partenaires": [p.name for p in partners], "financeurs": [f.name for f in funders],
            "territoires": [f"{t.scale}-{t.code}" for t in territories], "annee_appel": year,
            "axes": [a.code for a in axes], "thematiques": [t.code for t in themes],
            "publics": [p.code for p in publics], "date_debut": start, "date_fin": end,
            "montant_accorde": amount, "resume": page.summary,
            "contact": [text["contact_nom"], text["contact_email"], text["contact_telephone"],
                        bool(publish)] if contact else None,
        }
        return LaureateRow(line, text["numero_dossier"], values, carrier, partners, funders,
                           territories, axes, themes, publics, contact, amount,
                           fingerprint=_fingerprint(values))

    def find_org(self, ref: OrgRef) -> Organisation | None:
        if ref.siren and ref.siren in self.orgs_by_siren:
            return self.orgs_by_siren[ref.siren]
        return self.orgs_by_name.get(normalize_name(ref.name))

    @cached_property
    def programme_funder(self) -> Organisation | None:
        role = self.programme.organisation_roles.filter(role="funder").first()
        return role.organisation if role else None

    def resolve(self, value: str) -> Resolution:
        found = self.resolutions.get(value)
        return found if found is not None else resolve_territory(value)

    def territory_values(self, cells) -> list[str]:
        """The territories of a row; a code typed in a number cell, or a CSV reopened in a
        spreadsheet, lost its leading zero (2691 for 02691): put back when it names no
        territory as it stands."""
        value = self.cell(cells, "territoires")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [cell_text(value)]
        return split_list(value)

    def territory(self, line: int, value: str) -> Territory | None:
        if value not in self.territory_cache:
            self.territory_cache[value] = _resolve(value, self.resolve)
        territory, error = self.territory_cache[value]
        if error:
            self.add(line, "territoires", error)
        return territory

    def vocabulary(self, line, cells, column, known: dict) -> list:
        found = []
        for value in split_list(self.cell(cells, column)):
            item = known.get(normalize_name(value))
            if item is None:
                self.add(line, column, _("unknown value “%(value)s”") % {"value": value})
            elif item not in found:
                found.append(item)
        return found


def _by_code_or_label(items) -> dict:
    known = {}
    for item in items:
        known.setdefault(normalize_name(item.code), item)
        known.setdefault(normalize_name(item.label), item)
    return known


def _resolve(value: str, resolve=resolve_territory) -> tuple[Territory | None, str | None]:
    """A territory as staff type it, through the public search's resolver. A name that two
    territories of the region carry (Senlis in the Oise and in the Pas-de-Calais), or a
    loose spelling with an exact homonym ("st amand": Saint-Amand-les-Eaux or the village of
    Saint-Amand?), is an error listing the candidates, never a guess."""
    resolution = resolve(value)
    territory = resolution.territory
    if territory is None and value.isdigit() and len(value) in (1, 4):
        resolution = resolve("0" + value)
        territory = resolution.territory
    if territory is None:
        return None, _("unknown territory “%(value)s” (give an INSEE code, a SIREN or the "
                       "exact name)") % {"value": value}
    if value.replace(" ", "").isalnum() and any(c.isdigit() for c in value):
        return territory, None  # a code: the resolver's order (home region first) decides
    home = getattr(territory, "in_home", True)
    exact = [t for t in resolution.alternatives
             if is_exact(t, value) and getattr(t, "in_home", True) == home]
    if exact:
        candidates = ", ".join(f"{t.name} ({t.get_scale_display()} {t.code})"
                               for t in [territory, *exact])
        return None, _("ambiguous territory “%(value)s”: %(candidates)s — give its code") % {
            "value": value, "candidates": candidates}
    return territory, None


def _fingerprint(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str,
                                     ensure_ascii=False).encode()).hexdigest()[:32]


def _compare(plan: LaureatePlan, seen: set[str]) -> None:
    """Each row's status against the programme's pages, keyed on the dossier number."""
    pages = {
        page.dossier_number: page
        for page in ProjectPage.objects.child_of(plan.programme)
        .exclude(dossier_number="").select_related("latest_revision")
    }
    for row in plan.rows:
        page = pages.get(row.number)
        row.page = page
        if page is None:
            row.status = "created"
            continue
        latest = page.latest_revision
        current = (latest.content.get("seed_fingerprint") if latest else page.seed_fingerprint)
        row.status = "unchanged" if current == row.fingerprint else "updated"
    plan.missing = [page for number, page in sorted(pages.items()) if number not in seen]
