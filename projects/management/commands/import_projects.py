"""Import a call's laureates from a spreadsheet (columns: README.md, template:
fixtures/import/modele-laureats.csv and .xlsx). The same service as the admin's « Importer
des lauréats » page: every row is checked first; on any problem nothing is written."""

from django.utils.translation import gettext as _

from projects.services.import_laureates import import_laureates, plan_laureates
from projects.services.spreadsheet_command import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = _("Import a call's laureates (CSV or XLSX) into a programme. Idempotent.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--publish", action="store_true",
                            help=_("publish the pages instead of leaving drafts for review"))

    def plan(self, raw, filename, programme, sheet=None):
        return plan_laureates(raw, filename, programme, sheet=sheet)

    def write(self, plan, progress, options):
        return import_laureates(plan, publish=options.get("publish", False), progress=progress)
