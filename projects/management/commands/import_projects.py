"""Import a call's laureates from a spreadsheet (columns: README.md, template:
fixtures/import/modele-laureats.csv and .xlsx). The same service as the admin's « Importer
des lauréats » page: every row is checked first; on any problem nothing is written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maps.services.reports import ImportRejected, print_plan, progress_printer
from projects.models import ProgrammePage
from projects.services.import_laureates import import_laureates, plan_laureates


class Command(BaseCommand):
    help = _("Import a call's laureates (CSV or XLSX) into a programme. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_(".csv or .xlsx file"))
        parser.add_argument("--programme", required=True, help=_("programme slug"))
        parser.add_argument("--sheet", help=_("XLSX sheet (default: the first)"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("check and show what would change, write nothing"))
        parser.add_argument("--publish", action="store_true",
                            help=_("publish the pages instead of leaving drafts for review"))

    def handle(self, *args, file, programme, sheet=None, dry_run=False, publish=False,
               **options):
        page = ProgrammePage.objects.filter(slug=programme).first()
        if page is None:
            slugs = ", ".join(ProgrammePage.objects.values_list("slug", flat=True))
            raise CommandError(_("Unknown programme “%(slug)s” (programmes: %(slugs)s)") % {
                "slug": programme, "slugs": slugs})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No file at %(path)s") % {"path": path})
        self.stdout.write(_("Reading %(file)s…") % {"file": path.name})
        plan = plan_laureates(path.read_bytes(), path.name, page, sheet=sheet)
        print_plan(self.stdout, plan)
        if plan.problems:
            raise CommandError(_("Import refused, nothing was written (%(count)s problem(s)).")
                               % {"count": len(plan.problems.errors)})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            report = import_laureates(plan, publish=publish,
                                      progress=progress_printer(self.stdout))
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
