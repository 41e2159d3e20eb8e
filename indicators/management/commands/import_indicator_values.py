"""Import a year's indicator reports from a spreadsheet (columns: README.md, template:
fixtures/import/modele-valeurs-indicateurs.csv and .xlsx). Values arrive « déclaré »; every
row is checked first, and on any problem nothing is written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.services.import_values import import_values, plan_values
from maps.services.reports import ImportRejected, print_plan, progress_printer
from projects.models import ProgrammePage


class Command(BaseCommand):
    help = _("Import indicator values (CSV or XLSX) for a programme's projects. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_(".csv or .xlsx file"))
        parser.add_argument("--programme", required=True, help=_("programme slug"))
        parser.add_argument("--sheet", help=_("XLSX sheet (default: the first)"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("check and show what would change, write nothing"))

    def handle(self, *args, file, programme, sheet=None, dry_run=False, **options):
        page = ProgrammePage.objects.filter(slug=programme).first()
        if page is None:
            slugs = ", ".join(ProgrammePage.objects.values_list("slug", flat=True))
            raise CommandError(_("Unknown programme “%(slug)s” (programmes: %(slugs)s)") % {
                "slug": programme, "slugs": slugs})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file at %(path)s") % {"path": path})
        self.stdout.write(_("Reading %(file)s…") % {"file": path.name})
        plan = plan_values(path.read_bytes(), path.name, page, sheet=sheet)
        print_plan(self.stdout, plan)
        if plan.problems:
            raise CommandError(_("Import refused, nothing was written (%(count)s problem(s)).")
                               % {"count": len(plan.problems.errors)})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            report = import_values(plan, progress=progress_printer(self.stdout, every=10))
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
        drafts = report.details.get("drafts")
        if drafts:
            self.stdout.write(_("Written in the draft of (publish to show them): %(pages)s")
                              % {"pages": ", ".join(drafts)})
