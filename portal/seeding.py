"""The seed import, across apps: the one place that may wire `projects` and `indicators`
together (portal sits above both)."""

from __future__ import annotations

from indicators import precomputed
from indicators.services.import_seed import IndicatorSeed
from maps.services.reports import ImportRejected, ImportReport
from projects import coverage
from projects.models import ProjectPage
from projects.services.bulk import bulk_writes
from projects.services.import_seed import SeedReader, SeedWriter
from projects.services.seed_files import SEED_DIR, read_seed_files
from projects.services.site import ensure_site


class SeedRejected(ImportRejected):
    pass


def load_seed(directory=SEED_DIR) -> list[ImportReport]:
    """Check every seed file (shape, references, the models' own rules), then write them all
    in one transaction; a single problem anywhere writes nothing (`SeedRejected`)."""
    files, problems = read_seed_files(directory)
    # A file of the wrong shape is reported alone: its records cannot be cross-checked.
    problems.raise_if_any(SeedRejected)
    content = SeedReader(files).read(problems)
    indicators = IndicatorSeed(files, content)
    indicators.validate(problems)
    problems.raise_if_any(SeedRejected)
    writer = SeedWriter(content)
    catalogue_report = ImportReport("Catalogue")
    indicator_report = ImportReport("Indicateurs (catalogue)")
    with bulk_writes() as written:
        ensure_site()
        indicators.write_definitions(indicator_report)
        writer.write(catalogue_report, hooks=[indicators.values_hook])
        if catalogue_report.changed:
            coverage.rebuild_coverage(ProjectPage.objects.all())
        if catalogue_report.changed or indicator_report.changed or not precomputed.is_built():
            precomputed.rebuild_all()
        written += writer.written
    return [indicator_report, catalogue_report]
