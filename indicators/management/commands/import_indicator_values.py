"""Import a year's indicator reports from a spreadsheet (columns: README.md, template:
fixtures/import/modele-valeurs-indicateurs.csv and .xlsx). Values arrive « déclaré »; every
row is checked first, and on any problem nothing is written."""

from django.utils.translation import gettext as _

from indicators.services.import_values import import_values, plan_values
from projects.services.spreadsheet_command import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = _("Import indicator values (CSV or XLSX) for a programme's projects. Idempotent.")
    progress_every = 10

    def plan(self, raw, filename, programme, sheet=None):
        return plan_values(raw, filename, programme, sheet=sheet)

    def write(self, plan, progress, options):
        report = import_values(plan, progress=progress)
        drafts = report.details.get("drafts")
        if drafts:
            self.stdout.write(_("Written in the draft of (publish to show them): %(pages)s")
                              % {"pages": ", ".join(drafts)})
        return report
