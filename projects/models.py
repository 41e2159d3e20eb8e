"""Programmes and their projects, as Wagtail pages, with the organisations that carry, join
and fund them.

HomePage → ProgrammePage → ProjectPage. A project links to the territories it covers; the
communes it covers are precomputed (`ProjectCoverage`) at publish and import, so that "what
covers commune X" and every choropleth are one indexed query.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from maps.models import SCALE_RANK, Scale, Territory
from projects import consent
from projects.forms import ProjectPageForm


def euros(verbose_name) -> models.DecimalField:
    """An optional, non-negative amount in euros (envelopes, budgets, grants)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, null=True,
                               blank=True, validators=[MinValueValidator(0)])


def year_field(verbose_name) -> models.PositiveSmallIntegerField:
    """An optional year of a call for projects: four digits within the programmes' lifetime,
    so that a typo (99999, 225) is refused wherever it is typed (editor, seed, spreadsheet)."""
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)])


class Provenance(models.TextChoices):
    """Whether a fact is what the source document says, or the editors' reading of it: open
    data reusers (and visitors) must be able to tell the two apart."""

    STATED = "stated", _("Stated by the source")
    INFERRED = "inferred", _("Inferred by the editors")


def provenance_field(verbose_name) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=10, choices=Provenance.choices, default=Provenance.STATED
    )


def provenance_note(verbose_name=None) -> models.CharField:
    return models.CharField(
        verbose_name or _("provenance note"),
        max_length=400,
        blank=True,
        help_text=_("How the editors inferred it, when it is inferred."),
    )


class SourceDocument(models.Model):
    """A document the portal's content comes from (press release, brochure): shown on every
    page built from it, so that each fact can be traced."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    date_text = models.CharField(_("date"), max_length=60, blank=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("publisher"),
        FieldPanel("date_text"),
        FieldPanel("filename"),
    ]

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.title}"


class Organisation(index.Indexed, models.Model):
    """One row per real body (SIREN when known), whatever its roles in whichever projects."""

    class Kind(models.TextChoices):
        ETAT = "etat", _("State service")
        COLLECTIVITE = "collectivite", _("Local authority")
        ETABLISSEMENT_PUBLIC = "etablissement-public", _("Public body")
        ETABLISSEMENT_SANTE = "etablissement-sante", _("Health establishment")
        ASSOCIATION = "association", _("Association")
        ENTREPRISE = "entreprise", _("Company")
        FONDATION = "fondation", _("Foundation")
        AUTRE = "autre", _("Other")

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=80, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        help_text=_("14 digits: the establishment, when known."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.AUTRE)
    website = models.URLField(_("website"), blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("seat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"scale": Scale.COMMUNE},
    )

    search_fields = [
        index.SearchField("name"),
        index.SearchField("acronym"),
        index.AutocompleteField("name"),
        index.FilterField("kind"),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("acronym"),
        FieldPanel("key"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("siren"), FieldPanel("siret")]),
        FieldPanel("website"),
        FieldPanel("commune"),
    ]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self):
        if self.siren and (len(self.siren) != 9 or not self.siren.isdigit()):
            raise ValidationError({"siren": _("A SIREN has 9 digits.")})
        if self.siret and (len(self.siret) != 14 or not self.siret.isdigit()):
            raise ValidationError({"siret": _("A SIRET has 14 digits.")})
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": _("A SIRET starts with the SIREN.")})


class Vocabulary(models.Model):
    """A two-level vocabulary: families (« Petite enfance et parents ») and their members
    (« Femmes enceintes », « Futurs parents »…), so that a person can tick a family instead
    of guessing which of 35 overlapping entries the editors chose; each entry says which
    data·inclusion code it maps onto, when one exists."""

    code = models.SlugField(_("code"), max_length=120, unique=True)
    label = models.CharField(_("label"), max_length=200)
    family = models.ForeignKey(
        "self", verbose_name=_("family"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members", limit_choices_to={"family__isnull": True},
        help_text=_("The wider entry this one belongs to: choosing the family in the filters "
                    "includes its members. Families have no family themselves."),
    )
    data_inclusion = models.CharField(
        _("data·inclusion code"), max_length=120, blank=True,
        help_text=_("The code of the national data·inclusion vocabulary this entry maps "
                    "onto, if one exists."),
    )

    panels = [FieldPanel("label"), FieldPanel("code"), FieldPanel("family"),
              FieldPanel("data_inclusion")]

    #: The data·inclusion vocabulary of the model (`data_inclusion.schema.v1` enum name).
    national_vocabulary = ""

    class Meta:
        abstract = True
        ordering = ["label"]

    def __str__(self):
        return self.label

    @classmethod
    def national_codes(cls) -> set[str]:
        from data_inclusion.schema import v1

        return {c.value for c in getattr(v1, cls.national_vocabulary)}

    def clean(self):
        super().clean()
        if self.family_id is not None:
            if self.family_id == self.pk or self.family.family_id is not None:
                raise ValidationError({"family": _(
                    "A family cannot belong to a family (two levels only).")})
            if self.pk and type(self).objects.filter(family_id=self.pk).exists():
                raise ValidationError({"family": _(
                    "This entry is a family: it cannot belong to another one.")})
        if self.data_inclusion and self.data_inclusion not in self.national_codes():
            raise ValidationError({"data_inclusion": _(
                "“%(code)s” is not a code of the data·inclusion vocabulary.") % {
                "code": self.data_inclusion}})


class Theme(Vocabulary):
    """Thématique (data·inclusion codes where they fit, programme-specific ones otherwise)."""

    national_vocabulary = "Thematique"

    class Meta(Vocabulary.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Public(Vocabulary):
    """Target public (data·inclusion codes where they fit, plus futurs parents, 0–2 ans…).
    A « tous publics » entry (`universal`) is open to everyone: its projects are listed
    whatever public a person chooses."""

    universal = models.BooleanField(
        _("open to everyone"), default=False,
        help_text=_("« Tous publics »: the projects of this public appear whatever public is "
                    "chosen in the filters, marked as open to everyone."),
    )

    national_vocabulary = "Public"
    panels = [*Vocabulary.panels, FieldPanel("universal")]

    class Meta(Vocabulary.Meta):
        verbose_name = _("target public")
        verbose_name_plural = _("target publics")


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["projects.ProgrammePage", "projects.ProjectIndexPage", "projects.ContentPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Regional counts only (DESIGN.md §1, "Scope"): the national examples of the 1000
        # premiers jours document are counted apart (ProjectPage.in_home_region).
        live = models.Q(projects_in_programme__live=True)
        context["programmes"] = (
            ProgrammePage.objects.live()
            .child_of(self)
            .annotate(
                project_count=models.Count(
                    "projects_in_programme", distinct=True,
                    filter=live & models.Q(projects_in_programme__in_home_region=True)),
                example_count=models.Count(
                    "projects_in_programme", distinct=True,
                    filter=live & models.Q(projects_in_programme__in_home_region=False)),
            )
        )
        counts = ProjectPage.objects.live().aggregate(
            region=models.Count("pk", filter=models.Q(in_home_region=True)),
            elsewhere=models.Count("pk", filter=models.Q(in_home_region=False)))
        context["project_count"] = counts["region"]
        context["example_count"] = counts["elsewhere"]
        return context


class ProgrammePage(Page):
    """A funding programme: its calls for projects, axes or priorities, funders and figures."""

    short_title = models.CharField(_("short title"), max_length=80, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    description = RichTextField(_("description"), blank=True)
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
    )
    contact_text = models.TextField(
        _("programme team contact"), blank=True,
        help_text=_("Who to ask about the programme's projects, as the programme publishes it; "
                    "shown on the project pages that have no published contact."),
    )
    contact_email = models.EmailField(_("programme team e-mail"), blank=True)
    seed_fingerprint = models.CharField(max_length=40, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("short_title"),
        FieldPanel("intro"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("contact_text"), FieldPanel("contact_email")],
                        heading=_("Programme team contact")),
        # staff (#13): "Add" buttons read « Ajouter un financeur ou pilote » (projects.panels).
        InlinePanel("organisation_roles", label=_("a funder or pilot"),
                    heading=_("Funders and pilots")),
        InlinePanel("calls", label=_("a call for projects"), heading=_("Calls for projects")),
        InlinePanel("axes", label=_("an axis or priority"), heading=_("Axes and priorities")),
        InlinePanel("figures", label=_("a key figure"), heading=_("Key figures")),
        FieldPanel("source_document"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("description"),
    ]
    parent_page_types = ["projects.HomePage"]
    subpage_types = ["projects.ProjectPage"]

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    @property
    def label(self):
        return self.short_title or self.title


class ProgrammeOrganisation(Orderable):
    class Role(models.TextChoices):
        FUNDER = "funder", _("Funder")
        PILOT = "pilot", _("Pilot")
        PARTNER = "partner", _("Partner")

    programme = ParentalKey(
        ProgrammePage, related_name="organisation_roles", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programme_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    panels = [FieldPanel("organisation"), FieldPanel("role")]


class ProgrammeCall(Orderable):
    """A call for projects or a yearly envelope, with the numbers the programme publishes."""

    programme = ParentalKey(ProgrammePage, related_name="calls", on_delete=models.CASCADE)
    year = year_field(_("year"))
    label = models.CharField(_("label"), max_length=200, blank=True)
    envelope_eur = euros(_("envelope (€)"))
    initial_envelope_eur = euros(_("envelope at launch (€)"))
    initial_envelope_when = models.CharField(
        _("when the first envelope was announced"), max_length=80, blank=True,
        help_text=_("For example « à l'été 2023 »; only when the envelope changed afterwards."),
    )
    envelope_note = models.CharField(
        _("how the envelope changed"), max_length=300, blank=True,
        help_text=_("For example « crédits de l'ARS et du commissariat à la lutte contre la "
                    "pauvreté »."),
    )
    requested_eur = euros(_("amount requested (€)"))
    dossiers_received = models.PositiveIntegerField(
        _("applications received"), null=True, blank=True
    )
    dossiers_retained = models.PositiveIntegerField(
        _("applications selected"), null=True, blank=True
    )
    text = models.TextField(_("as written in the source"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("label")]),
        FieldRowPanel([FieldPanel("envelope_eur"), FieldPanel("requested_eur")]),
        FieldRowPanel([FieldPanel("initial_envelope_eur"), FieldPanel("initial_envelope_when")]),
        FieldPanel("envelope_note"),
        FieldRowPanel([FieldPanel("dossiers_received"), FieldPanel("dossiers_retained")]),
        FieldPanel("text"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("call for projects")

    @property
    def envelope_changed(self) -> bool:
        return (self.initial_envelope_eur is not None and self.envelope_eur is not None
                and self.initial_envelope_eur != self.envelope_eur)

    @property
    def envelope_history(self) -> str:
        """« 300 000 € à l'été 2023, porté à 426 229 € »: the envelope field holds the latest
        amount, this says where it started (empty when it never changed)."""
        if not self.envelope_changed:
            return ""

        def amount(value):
            return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True) + " €"

        words = {"initial": amount(self.initial_envelope_eur),
                 "when": self.initial_envelope_when, "current": amount(self.envelope_eur)}
        if self.envelope_eur > self.initial_envelope_eur:
            text = (_("%(initial)s %(when)s, raised to %(current)s") if self.initial_envelope_when
                    else _("%(initial)s at first, raised to %(current)s"))
        else:
            text = (_("%(initial)s %(when)s, lowered to %(current)s")
                    if self.initial_envelope_when
                    else _("%(initial)s at first, lowered to %(current)s"))
        return str(text) % words

    def clean(self):
        if (
            self.dossiers_received is not None
            and self.dossiers_retained is not None
            and self.dossiers_retained > self.dossiers_received
        ):
            raise ValidationError(
                {"dossiers_retained": _("More applications selected than received.")}
            )


class ProgrammeAxis(Orderable):
    programme = ParentalKey(ProgrammePage, related_name="axes", on_delete=models.CASCADE)
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldRowPanel([FieldPanel("code"), FieldPanel("label")]), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("axis or priority")
        verbose_name_plural = _("axes and priorities")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="axis_unique_code")
        ]

    def __str__(self):
        return self.label


class ProgrammeFigure(Orderable):
    """A programme-level key figure, kept with the words of its source."""

    programme = ParentalKey(ProgrammePage, related_name="figures", on_delete=models.CASCADE)
    label = models.CharField(_("label"), max_length=300)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    value_text = models.CharField(_("as written"), max_length=300, blank=True)
    period = models.CharField(_("period"), max_length=60, blank=True)
    source_note = models.CharField(_("source"), max_length=300, blank=True)

    panels = [
        FieldPanel("label"),
        FieldRowPanel([FieldPanel("value"), FieldPanel("unit")]),
        FieldPanel("value_text"),
        FieldPanel("period"),
        FieldPanel("source_note"),
    ]


class ProjectIndexPage(Page):
    """/projets/: the listing of every project, with filters, map and exports."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["projects.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("project listing")

    #: The view restrictions of this page and its ancestors, when the caller read them with
    #: the route (`portal.views.catalogue.project_index`, keyed on the data version that any
    #: change to a restriction bumps): Wagtail checks them before every serve, two queries.
    known_view_restrictions: list | None = None

    def get_view_restrictions(self):
        if self.known_view_restrictions is not None:
            return self.known_view_restrictions
        return super().get_view_restrictions()


class ContentPage(Page):
    """An editorial page of the site itself: the legal pages a State site must have
    (accessibility statement, legal notice, personal data, cookies) and the site map. `kind`
    says which one it is, so that the footer can link to it and its template can add what is
    computed rather than written (the audit's figures, the page tree)."""

    class Kind(models.TextChoices):
        ACCESSIBILITY = "accessibilite", _("Accessibility statement")
        LEGAL_NOTICE = "mentions-legales", _("Legal notice")
        PERSONAL_DATA = "donnees-personnelles", _("Personal data")
        COOKIES = "cookies", _("Cookie management")
        SITE_MAP = "plan-du-site", _("Site map")
        OTHER = "autre", _("Other page")

    kind = models.CharField(
        _("kind of page"), max_length=32, choices=Kind.choices, default=Kind.OTHER,
        help_text=_("The footer links to one page of each kind."),
    )
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("kind"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["projects.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("editorial page")
        verbose_name_plural = _("editorial pages")


class ProjectStatus(models.TextChoices):
    UPCOMING = "a-venir", _("Upcoming")
    ONGOING = "en-cours", _("Ongoing")
    FINISHED = "termine", _("Finished")
    UNKNOWN = "inconnu", _("Dates not known")


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


def format_partial_date(day: datetime.date, precision: str) -> str:
    """A date as precisely as the source gave it: « 17 mars 2026 », « décembre 2026 », « 2023 »
    (a year-precision date is stored as 1 January or 31 December, never shown as such)."""
    if precision == DatePrecision.YEAR:
        return str(day.year)
    if precision == DatePrecision.MONTH:
        return date_format(day, "F Y")
    return date_format(day, "j F Y")


def describe_period(start_date, start_precision, end_date, end_precision, duration_text="",
                    call_text="", call_year=None) -> str:
    """When a project runs, in the words the source allows: exact or partial dates, else the
    duration as written, else the call it was selected in; only when the source says nothing
    at all does the page say so. Takes plain values so that listing rows (no page instance)
    describe a project exactly as its page does."""
    start = start_date and format_partial_date(start_date, start_precision)
    end = end_date and format_partial_date(end_date, end_precision)
    if start and end:
        if start == end:
            return start
        if start_precision == end_precision == DatePrecision.YEAR:
            return _("%(start)s to %(end)s") % {"start": start, "end": end}
        return _("from %(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("from %(start)s") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    parts = []
    if duration_text:
        parts.append(_("duration: %(text)s") % {"text": duration_text})
    if call_text:
        parts.append(call_text)
    elif call_year:
        parts.append(_("call for projects %(year)s") % {"year": call_year})
    if parts:
        return " · ".join(str(p) for p in parts)
    return str(_("dates not given by the source"))


class ProjectPage(Page):
    """A funded project: who carries it, where, for whom, what it does, and its figures."""

    summary = models.TextField(_("summary"), max_length=600, blank=True)
    description = RichTextField(_("description"), blank=True)
    call_year = year_field(_("call year"))
    dossier_number = models.CharField(
        _("application number"), max_length=60, blank=True, db_index=True,
        help_text=_("The number of the application in its call for projects: the key of "
                    "laureate spreadsheet imports, unique within the programme."),
    )
    axes = ParentalManyToManyField(
        ProgrammeAxis, verbose_name=_("axes or priorities"), blank=True, related_name="projects"
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="projects"
    )
    publics = ParentalManyToManyField(
        Public, verbose_name=_("target publics"), blank=True, related_name="projects"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    start_precision = models.CharField(
        _("start date precision"), max_length=5, choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How precisely the source gives the start: a day, a month or only a year."),
    )
    end_precision = models.CharField(
        _("end date precision"), max_length=5, choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How precisely the source gives the end: a day, a month or only a year."),
    )
    duration_text = models.CharField(_("dates or duration as written"), max_length=300, blank=True)
    call_text = models.CharField(
        _("call for projects as written"), max_length=300, blank=True,
        help_text=_("The call the project was selected in, as the source names it."),
    )
    budget_eur = euros(_("budget (€)"))
    budget_text = models.CharField(_("budget as written"), max_length=300, blank=True)
    how_to_join = models.TextField(
        _("how to join"), blank=True,
        help_text=_("How a person takes part or is referred, as the source or the carrier "
                    "says: sur inscription, orientation par un professionnel, accès libre…"),
    )
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    programme = models.ForeignKey(
        ProgrammePage,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="projects_in_programme",
        help_text="Denormalised parent programme, for filters and counts in one query.",
    )
    broadest_scale = models.CharField(max_length=16, blank=True, editable=False)
    in_home_region = models.BooleanField(
        default=True, editable=False, db_index=True,
        help_text="Covers at least one territory of PORTAL_HOME_REGION (or has no territory "
                  "yet); False for the national examples (projects.coverage.in_home_region).",
    )
    title_provenance = provenance_field(_("title provenance"))
    title_note = provenance_note(_("title note"))
    axes_provenance = provenance_field(_("provenance of the axes"))
    axes_note = provenance_note(_("axes note"))
    seed_fingerprint = models.CharField(max_length=40, blank=True, editable=False)

    # --- staff (#13): panels of the project editor (checkbox vocabularies, bulk territories,
    # singular labels for "Ajouter une action"…, the figure form that knows the user).
    base_form_class = ProjectPageForm
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("title_provenance"), FieldPanel("title_note")]),
        FieldPanel("summary", help_text=_("Two or three sentences shown on the project cards "
                                          "and in search results (600 characters at most).")),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([
                    FieldPanel("call_year", help_text=_("Year of the call for projects that "
                                                        "selected this project, e.g. 2024.")),
                    FieldPanel("dossier_number"),
                ]),
                FieldPanel("axes", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("axes_provenance"), FieldPanel("axes_note")]),
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("publics", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Classification"),
        ),
        InlinePanel("organisation_roles", label=_("an organisation"),
                    heading=_("Carrier, partners and funders")),
        MultiFieldPanel(
            [FieldPanel("territory_paste"), FieldPanel("territory_expand")],
            heading=_("Add territories in bulk"),
        ),
        InlinePanel("territory_links", label=_("a territory"), heading=_("Territories covered"),
                    min_num=0),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("start_precision"), FieldPanel("end_precision")]),
                FieldPanel("duration_text", help_text=_("The dates or duration as the source "
                                                        "writes them, e.g. « 18 mois ».")),
                FieldPanel("call_text"),
                FieldRowPanel([FieldPanel("budget_eur"), FieldPanel("budget_text")]),
            ],
            heading=_("Dates and budget"),
        ),
        InlinePanel("actions", label=_("an action"), heading=_("Actions")),
        InlinePanel("objectives", label=_("an objective"), heading=_("Objectives")),
        InlinePanel("places", label=_("a place"), heading=_("Places")),
        InlinePanel("services", label=_("a service for the public"),
                    heading=_("Services for the public (data·inclusion)")),
        InlinePanel("events", label=_("an event"), heading=_("Events")),
        FieldPanel("how_to_join"),
        InlinePanel("contacts", label=_("a contact"), heading=_("Contacts")),
        InlinePanel("resources", label=_("a resource"), heading=_("Resources")),
        InlinePanel("testimonials", label=_("a testimonial"), heading=_("Testimonials")),
        FieldPanel("source_document"),
    ]
    # --- end staff
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.SearchField("duration_text"),
        index.RelatedFields("actions", [index.SearchField("text")]),
        index.RelatedFields("objectives", [index.SearchField("text")]),
        index.RelatedFields("places", [index.SearchField("name"), index.SearchField("address")]),
        index.RelatedFields(
            "events",
            [
                index.SearchField("title"),
                index.SearchField("place"),
                index.SearchField("description"),
            ],
        ),
        index.RelatedFields("resources", [index.SearchField("title")]),
        index.RelatedFields("axes", [index.SearchField("label")]),
        index.RelatedFields(
            "organisation_roles",
            [
                index.RelatedFields(
                    "organisation", [index.SearchField("name"), index.SearchField("acronym")]
                ),
            ],
        ),
        index.RelatedFields(
            "territory_links",
            [
                index.RelatedFields("territory", [index.SearchField("name")]),
            ],
        ),
        index.RelatedFields("themes", [index.SearchField("label")]),
        index.RelatedFields("publics", [index.SearchField("label")]),
        index.FilterField("programme_id"),
    ]
    parent_page_types = ["projects.ProgrammePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    search_auto_update = False  # indexed by projects.signals.index_project (fewer saves)

    @classmethod
    def get_indexed_objects(cls):
        """What the search backends index, with the relations modelsearch does not prefetch
        itself (parental many-to-many fields, the organisation behind a role, the territory
        behind a link): re-indexing a thousand imported projects is a few queries, not ten
        per project."""
        return super().get_indexed_objects().prefetch_related(
            "axes", "themes", "publics", "organisation_roles__organisation",
            "territory_links__territory")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be after the start date.")})

    def save(self, *args, **kwargs):
        parent = self.get_parent() if self.pk or self.path else None
        if parent is not None:
            self.programme_id = parent.pk
        super().save(*args, **kwargs)

    def status_on(self, day: datetime.date) -> str:
        if self.start_date and self.start_date > day:
            return ProjectStatus.UPCOMING
        if self.end_date and self.end_date < day:
            return ProjectStatus.FINISHED
        if self.start_date or self.end_date:
            return ProjectStatus.ONGOING
        return ProjectStatus.UNKNOWN

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def status_label(self):
        return ProjectStatus(self.status).label

    @property
    def status_known(self) -> bool:
        return self.status != ProjectStatus.UNKNOWN

    @property
    def when(self) -> str:
        return describe_period(
            self.start_date, self.start_precision, self.end_date, self.end_precision,
            self.duration_text, self.call_text, self.call_year,
        )

    def roles(self, role):
        return [r for r in self.organisation_roles.all() if r.role == role]

    @cached_property
    def carriers(self):
        return self.roles(ProjectOrganisation.Role.CARRIER)

    @cached_property
    def partners(self):
        return self.roles(ProjectOrganisation.Role.PARTNER)

    @cached_property
    def funders(self):
        return self.roles(ProjectOrganisation.Role.FUNDER)

    @cached_property
    def covered_territory_links(self):
        """The territory links, most local first, each with its provenance."""
        links = self.territory_links.all()
        if "territory_links" not in getattr(self, "_prefetched_objects_cache", {}):
            links = links.select_related("territory")  # else reuse the listing's prefetch
        return sorted(
            links, key=lambda link: (SCALE_RANK[link.territory.scale], link.territory.name))

    @cached_property
    def covered_territories(self):
        return [link.territory for link in self.covered_territory_links]

    @property
    def title_inferred(self) -> bool:
        return self.title_provenance == Provenance.INFERRED

    @property
    def axes_inferred(self) -> bool:
        return self.axes_provenance == Provenance.INFERRED

    @property
    def published_contacts(self):
        """The contacts shown on the site, as the public may see them (projects/consent.py)."""
        return [c.public_view() for c in self.contacts.all() if c.publish]

    # --- staff (#13): the preview of a draft shows the draft's coverage, computed, not
    # written (ProjectCoverage holds the published state only).
    is_draft_preview = False

    def serve_preview(self, request, mode_name):
        self.is_draft_preview = True
        return super().serve_preview(request, mode_name)

    @cached_property
    def commune_count(self) -> int:
        """How many communes the project covers: its draft's when previewed."""
        if self.is_draft_preview:
            from projects.coverage import covered_commune_ids

            return len(covered_commune_ids(self.covered_territories))
        return self.coverage.count()

    @property
    def map_url(self) -> str:
        """The map document of the page (of the draft's territories when previewed)."""
        if self.is_draft_preview:
            ids = ",".join(str(t.pk) for t in self.covered_territories)
            return f"/cartes/projet/apercu/?territoires={ids}&titre={quote(self.title)}"
        return f"/cartes/projet/{self.pk}/"
    # --- end staff


class ProjectOrganisation(Orderable):
    class Role(models.TextChoices):
        CARRIER = "carrier", _("Carrier")
        PARTNER = "partner", _("Partner")
        FUNDER = "funder", _("Funder")

    project = ParentalKey(ProjectPage, related_name="organisation_roles", on_delete=models.CASCADE)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="project_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    amount_eur = euros(_("amount (€)"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("amount_eur"), FieldPanel("note")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("organisation role")


class ProjectTerritory(Orderable):
    project = ParentalKey(ProjectPage, related_name="territory_links", on_delete=models.CASCADE)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="project_links",
    )
    provenance = provenance_field(_("provenance"))
    note = provenance_note()

    panels = [
        FieldPanel("territory"),
        FieldRowPanel([FieldPanel("provenance"), FieldPanel("note")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("territory covered")


class ProjectCoverage(models.Model):
    """Communes covered by a published project, precomputed from its territories (commune,
    EPCI, département, region or custom area): the single indexed table behind "what covers
    commune X" and every choropleth. Rebuilt on publish and on import."""

    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="coverage")
    commune = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="covering")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "commune"], name="coverage_unique")
        ]
        indexes = [models.Index(fields=["commune", "project"])]

    def __str__(self):
        return f"{self.project_id} → {self.commune_id}"


class Statement(Orderable):
    text = models.TextField(_("text"))
    panels = [FieldPanel("text")]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self):
        return self.text


class ProjectAction(Statement):
    project = ParentalKey(ProjectPage, related_name="actions", on_delete=models.CASCADE)


class ProjectObjective(Statement):
    project = ParentalKey(ProjectPage, related_name="objectives", on_delete=models.CASCADE)


class ProjectPlace(Orderable):
    project = ParentalKey(ProjectPage, related_name="places", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldPanel("commune"),
        FieldRowPanel([FieldPanel("longitude"), FieldPanel("latitude")]),
    ]

    @property
    def point(self):
        if self.longitude is not None and self.latitude is not None:
            return self.longitude, self.latitude
        if self.commune and self.commune.has_point:
            return self.commune.centroid_lon, self.commune.centroid_lat
        return None


class ProjectService(Orderable):
    """A service for the public that a project runs (an épicerie solidaire, a weekly
    workshop, a permanence), with the fields the national directory data·inclusion needs:
    staff fill them so that the service can be exported (/donnees/data-inclusion/)."""

    class Fees(models.TextChoices):
        FREE = "gratuit", _("Free")
        PAID = "payant", _("Paid")

    project = ParentalKey(ProjectPage, related_name="services", on_delete=models.CASCADE)
    name = models.CharField(
        _("service name"),
        max_length=150,
        blank=True,
        help_text=_("3 to 150 characters; the project title if empty."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("The project summary if empty.")
    )
    structure = models.ForeignKey(
        Organisation,
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
        help_text=_("Who runs the service; the project's first carrier if empty."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_extra = models.CharField(_("address complement"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"scale": Scale.COMMUNE},
    )
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    in_person = models.BooleanField(_("reception in person"), default=True)
    remote = models.BooleanField(_("remote service"), default=False)
    fees = models.CharField(_("fees"), max_length=10, choices=Fees.choices, blank=True)
    fees_details = models.CharField(_("fees details"), max_length=300, blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=300,
        blank=True,
        help_text=_(
            "OpenStreetMap opening_hours format, e.g. “Mo-Fr 09:00-12:00; We 14:00-17:00”."
        ),
    )
    access_conditions = models.TextField(_("access conditions"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("structure")]),
        FieldPanel("description"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("address_extra"), FieldPanel("postcode"), FieldPanel("commune")]),
        FieldRowPanel([FieldPanel("longitude"), FieldPanel("latitude")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldRowPanel([FieldPanel("in_person"), FieldPanel("remote")]),
        FieldRowPanel([FieldPanel("fees"), FieldPanel("fees_details")]),
        FieldPanel("opening_hours"),
        FieldPanel("access_conditions"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("service for the public")
        verbose_name_plural = _("services for the public")

    def clean(self):
        errors = {}
        if self.name and not 3 <= len(self.name) <= 150:
            errors["name"] = _("A service name has 3 to 150 characters.")
        if self.postcode and (len(self.postcode) != 5 or not self.postcode.isdigit()):
            errors["postcode"] = _("A postcode has 5 digits.")
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude"] = _("Give both the longitude and the latitude, or neither.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("A longitude lies between -180 and 180.")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("A latitude lies between -90 and 90.")
        if self.opening_hours:
            from projects.opening_hours import opening_hours_error

            problem = opening_hours_error(self.opening_hours)
            if problem:
                errors["opening_hours"] = problem
        if errors:
            raise ValidationError(errors)


class ProjectEvent(Orderable):
    project = ParentalKey(ProjectPage, related_name="events", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Territory,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldPanel("place"),
        FieldPanel("commune"),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("event")

    def clean(self):
        if self.start_time and self.end_time and self.end_time < self.start_time:
            raise ValidationError({"end_time": _("The end time must be after the start time.")})


class ProjectContact(Orderable):
    """A contact. Named persons are personal data: their name and direct details are shown
    only with a recorded basis (rules in projects/consent.py)."""

    class ConsentBasis(models.TextChoices):
        NONE = "", _("No basis recorded")
        PUBLIC_DOCUMENT = consent.PUBLIC_DOCUMENT, _(
            "Published by the person in a public document")
        COLLECTED = consent.COLLECTED, _("Consent collected")
        ROLE_ADDRESS = consent.ROLE_ADDRESS, _("Professional role address only")

    project = ParentalKey(ProjectPage, related_name="contacts", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    publish = models.BooleanField(
        _("show on the site"),
        default=False,
        help_text=_(
            "The role and organisation are then shown. The person's name, e-mail and phone "
            "are shown only with a basis below; a generic address (contact@…) is always shown."
        ),
    )
    consent_basis = models.CharField(
        _("basis for publishing the details"), max_length=20, choices=ConsentBasis.choices,
        blank=True, default="")
    consent_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("public document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The document in which the person published these details."),
    )
    consent_date = models.DateField(_("consent collected on"), null=True, blank=True)
    consent_collected_by = models.CharField(
        _("consent collected by"), max_length=200, blank=True,
        help_text=_("Name of the staff member who collected the consent."))

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldPanel("organisation"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("publish"),
        FieldPanel("consent_basis"),
        FieldPanel("consent_document"),
        FieldRowPanel([FieldPanel("consent_date"), FieldPanel("consent_collected_by")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("contact")

    def clean(self):
        super().clean()
        errors = {}
        if self.consent_basis == consent.PUBLIC_DOCUMENT and self.consent_document_id is None:
            errors["consent_document"] = _("Say in which public document the details appear.")
        if self.consent_basis == consent.COLLECTED:
            if self.consent_date is None:
                errors["consent_date"] = _("Give the date the consent was collected.")
            if not self.consent_collected_by:
                errors["consent_collected_by"] = _("Say who collected the consent.")
        if errors:
            raise ValidationError(errors)

    @property
    def basis_is_recorded(self) -> bool:
        return consent.basis_recorded(self.consent_basis, self.consent_document_id,
                                      self.consent_date, self.consent_collected_by)

    def public_view(self) -> consent.PublicContact:
        """The contact as the public may see it."""
        recorded = self.basis_is_recorded
        name, email, phone = consent.public_fields(
            basis=self.consent_basis, recorded=recorded, name=self.name, email=self.email,
            phone=self.phone)
        document = self.consent_document.title if self.consent_document_id else ""
        return consent.PublicContact(
            name=name, role=self.role, organisation=self.organisation, email=email,
            phone=phone, basis_text=consent.basis_text(self.consent_basis, document,
                                                       self.consent_date) if recorded else "")


class ProjectResource(Orderable):
    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        PODCAST = "podcast", _("Podcast")
        DOCUMENT = "document", _("Document")
        WEBSITE = "website", _("Website")
        LINK = "link", _("Link")

    project = ParentalKey(ProjectPage, related_name="resources", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LINK)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), max_length=500, blank=True)

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("title")]), FieldPanel("url")]


class ProjectTestimonial(Orderable):
    project = ParentalKey(ProjectPage, related_name="testimonials", on_delete=models.CASCADE)
    quote = models.TextField(_("quote"))
    author = models.CharField(_("author"), max_length=200, blank=True)

    panels = [FieldPanel("quote"), FieldPanel("author")]
