"""The seed import, across apps: the one place that may wire `projects` and `indicators`
together (portal sits above both)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_save
from wagtail.models import ReferenceIndex
from wagtail.search import index
from wagtail.search.signal_handlers import post_save_signal_handler
from wagtail.signal_handlers import disable_reference_index_auto_update

from indicators import precomputed
from indicators.services.import_seed import IndicatorSeed
from maps.services.reports import ImportRejected, ImportReport
from projects import coverage
from projects.models import ProjectPage
from projects.services.import_seed import Catalogue
from projects.services.seed_files import SEED_DIR, Problems, read_seed_files
from projects.services.site import ensure_site


class SeedRejected(ImportRejected):
    pass


@contextmanager
def search_index_deferred():
    """Wagtail re-indexes every saved object (and each page twice: revision and publish);
    during a bulk import we index each written object once at the end instead."""
    models = index.get_indexed_models()
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        yield
    finally:
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)


def load_seed(directory=SEED_DIR) -> list[ImportReport]:
    files, errors = read_seed_files(directory)
    if errors:
        raise SeedRejected(errors)
    problems = Problems()
    catalogue = Catalogue(files)
    catalogue.validate(problems)
    indicators = IndicatorSeed(files, catalogue)
    indicators.validate(problems)
    if problems.errors:
        raise SeedRejected(problems.errors)
    catalogue_report = ImportReport("Catalogue")
    indicator_report = ImportReport("Indicateurs (catalogue)")
    with (transaction.atomic(), disable_reference_index_auto_update(), search_index_deferred(),
          coverage.deferred()):
        ensure_site()
        indicators.write_definitions(indicator_report)
        catalogue.write(catalogue_report, hooks=[indicators.values_hook])
        if catalogue_report.changed:
            coverage.rebuild_coverage(ProjectPage.objects.all())
        if catalogue_report.changed or indicator_report.changed or not precomputed.is_built():
            precomputed.rebuild_all()
        for obj in catalogue.written:
            if isinstance(obj, index.Indexed):
                index.insert_or_update_object(obj)
            ReferenceIndex.create_or_update_for_object(obj)
    return [indicator_report, catalogue_report]
