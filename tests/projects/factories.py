"""Catalogue objects for tests (factory_boy, wagtail-factories for pages) and a small sample
catalogue over the sample territories of `tests.maps.factories`.

Pages are created live in the page tree under the site's home page (`ensure_site`, the real
service), so their URLs are real; a project's covered communes are rebuilt by the real
`rebuild_coverage`, as publishing does."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

import factory
import wagtail_factories
from factory.django import DjangoModelFactory
from modelsearch.backends import get_search_backends
from modelsearch.index import insert_or_update_object
from wagtail import signal_handlers

from indicators import precomputed
from projects.coverage import rebuild_coverage
from projects.models import (
    Organisation,
    ProgrammeAxis,
    ProgrammePage,
    ProjectOrganisation,
    ProjectPage,
    ProjectTerritory,
    Public,
    SourceDocument,
    Theme,
)
from projects.services.site import ensure_site
from projects.versions import bump_programmes


@contextmanager
def no_reference_index():
    """Wagtail's reference index ("usage" in the admin) is rebuilt at every page save: half
    the time of building a catalogue, and no test of ours reads it. Nests, unlike Wagtail's
    `disable_reference_index_auto_update`."""
    if getattr(signal_handlers.reference_index_auto_update_disabled, "value", False):
        yield
        return
    with signal_handlers.disable_reference_index_auto_update():
        yield


class QuietPageFactory(wagtail_factories.PageFactory):
    """A page factory that does not rebuild Wagtail's reference index (search indexing is
    off in the test settings too: see `search_auto_update` in tests/conftest.py)."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        with no_reference_index():
            return super()._generate(strategy, params)


class SourceDocumentFactory(DjangoModelFactory):
    code = factory.Sequence(lambda n: f"T{n:03}")
    title = factory.Sequence(lambda n: f"Document source {n}")

    class Meta:
        model = SourceDocument
        django_get_or_create = ("code",)


class OrganisationFactory(DjangoModelFactory):
    key = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Association {n}")
    kind = Organisation.Kind.ASSOCIATION

    class Meta:
        model = Organisation
        django_get_or_create = ("key",)


class ThemeFactory(DjangoModelFactory):
    code = factory.Sequence(lambda n: f"thematique-{n}")
    label = factory.Sequence(lambda n: f"Thématique {n}")

    class Meta:
        model = Theme
        django_get_or_create = ("code",)


class PublicFactory(DjangoModelFactory):
    code = factory.Sequence(lambda n: f"public-{n}")
    label = factory.Sequence(lambda n: f"Public {n}")

    class Meta:
        model = Public
        django_get_or_create = ("code",)


def home_page():
    """The site's home page (created with the /projets/ listing on first use)."""
    with no_reference_index():
        return ensure_site()


class ProgrammePageFactory(QuietPageFactory):
    title = factory.Sequence(lambda n: f"Programme {n}")
    short_title = ""
    intro = "Un programme de test."
    parent = factory.LazyFunction(home_page)

    class Meta:
        model = ProgrammePage


class ProgrammeAxisFactory(DjangoModelFactory):
    programme = factory.SubFactory(ProgrammePageFactory)
    code = factory.Sequence(lambda n: f"axe-{n}")
    label = factory.Sequence(lambda n: f"Axe {n}")

    class Meta:
        model = ProgrammeAxis


class ProjectPageFactory(QuietPageFactory):
    """A live project under a programme. `territories=[...]` links them and rebuilds the
    covered communes, the monitoring tables and the programme's data version, as publishing
    does (`territories__refresh=False` leaves that to the caller, who builds many projects:
    see `build_catalogue`); `carrier=Organisation` adds the carrier role.

    One save per page (Wagtail's `add_child`): `publics` and `themes` go to the constructor,
    whose parental many-to-many values that save commits; the save factory_boy makes after
    the post-generation hooks is replaced by re-indexing the page, the only thing it did
    (the carrier and territories, written after the first save, are in the search index).
    Each save was a tenth of the time of building a catalogue."""

    title = factory.Sequence(lambda n: f"Projet {n}")
    summary = factory.LazyAttribute(lambda o: f"Résumé de {o.title}.")
    parent = factory.SubFactory(ProgrammePageFactory)
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2030, 12, 31)
    call_year = 2024
    publics = factory.LazyFunction(list)
    themes = factory.LazyFunction(list)

    class Meta:
        model = ProjectPage
        skip_postgeneration_save = True

    @factory.post_generation
    def carrier(self, create, organisation, **kwargs):
        if create and organisation is not None:
            ProjectOrganisation.objects.create(project=self, organisation=organisation,
                                               role=ProjectOrganisation.Role.CARRIER)

    @factory.post_generation
    def territories(self, create, territories, refresh=True, **kwargs):
        if not create:
            return
        for order, territory in enumerate(territories or []):
            ProjectTerritory.objects.create(project=self, territory=territory, sort_order=order)
        if refresh:
            refresh_as_publishing_does([self])

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and any(get_search_backends(with_auto_update=True)):
            insert_or_update_object(instance)


def refresh_as_publishing_does(projects: list[ProjectPage]) -> None:
    """What publishing recomputes for these projects: their covered communes, the monitoring
    tables, their programmes' data versions (each call costs the same few queries for one
    project or eight)."""
    rebuild_coverage(projects)
    precomputed.refresh_projects([p.pk for p in projects])
    bump_programmes({p.programme_id for p in projects})


@dataclass
class Catalogue:
    """Two programmes and eight projects at every scale of the sample territories, carried by
    one association; publics "femmes-enceintes" (raismes-local, caph-epci) and "parents"
    (caph-epci), theme "alimentation" (raismes-local, region-wide)."""

    faad: ProgrammePage
    thousand_days: ProgrammePage
    projects: dict[str, ProjectPage] = field(default_factory=dict)

    def __getitem__(self, slug: str) -> ProjectPage:
        return self.projects[slug]

    def slugs(self, *names: str) -> set[str]:
        return {self.projects[n].slug for n in names}


#: project slug → (programme, [(scale, code) of its territories])
SAMPLE_PROJECTS = {
    "raismes-local": ("thousand_days", [("commune", "59491")]),
    "caph-epci": ("thousand_days", [("epci", "200042190")]),
    "denaisis-area": ("faad", [("custom", "denaisis")]),
    "nord-wide": ("faad", [("departement", "59")]),
    "region-wide": ("faad", [("region", "32")]),
    "amiens-only": ("faad", [("commune", "80021")]),
    "villes-soeurs": ("thousand_days", [("epci", "247600786")]),
    "jette-abroad": ("thousand_days", [("foreign", "jette")]),
}


def build_catalogue(territories) -> Catalogue:
    """The sample catalogue over `territories` (a `tests.maps.factories.Sample`). The home
    page is looked up once for both programmes, and the coverage, monitoring tables and data
    versions refreshed once for the eight projects (`ensure_site` and `refresh_projects` were
    half the time of a catalogue when run per programme and per project)."""
    home = home_page()
    catalogue = Catalogue(
        faad=ProgrammePageFactory(title="Fonds pour une aide alimentaire durable",
                                  short_title="FAAD", slug="faad", parent=home),
        thousand_days=ProgrammePageFactory(title="1000 premiers jours",
                                           slug="1000-premiers-jours", parent=home))
    carrier = OrganisationFactory(key="asso-test", name="Association de test")
    pregnant = PublicFactory(code="femmes-enceintes", label="Femmes enceintes")
    parents = PublicFactory(code="parents", label="Parents")
    food = ThemeFactory(code="alimentation", label="Alimentation")
    vocabularies = {"raismes-local": ([pregnant], [food]), "caph-epci": ([pregnant, parents], []),
                    "region-wide": ([], [food])}
    for slug, (programme, keys) in SAMPLE_PROJECTS.items():
        publics, themes = vocabularies.get(slug, ([], []))
        catalogue.projects[slug] = ProjectPageFactory(
            title=slug.replace("-", " ").capitalize(), slug=slug,
            parent=getattr(catalogue, programme), carrier=carrier, publics=publics,
            themes=themes, territories=[territories.get(scale, code) for scale, code in keys],
            territories__refresh=False)
    refresh_as_publishing_does(list(catalogue.projects.values()))
    return catalogue

