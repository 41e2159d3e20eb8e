"""The seed import, across apps: the one place that may wire `projects` and `indicators`
together (portal sits above both)."""

from __future__ import annotations

from django.db import transaction

from indicators.services.import_seed import IndicatorSeed
from maps.services.reports import ImportRejected, ImportReport
from projects.coverage import rebuild_coverage
from projects.models import ProjectPage
from projects.services.import_seed import Catalogue
from projects.services.seed_files import SEED_DIR, Problems, read_seed_files
from projects.services.site import ensure_site


class SeedRejected(ImportRejected):
    pass


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
    with transaction.atomic():
        ensure_site()
        indicators.write_definitions(indicator_report)
        catalogue.write(catalogue_report, hooks=[indicators.values_hook])
        if catalogue_report.changed:
            rebuild_coverage(ProjectPage.objects.all())
    return [indicator_report, catalogue_report]
