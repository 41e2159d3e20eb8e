"""What the spreadsheet import commands share: arguments, the programme and file checks,
the plan printed before anything is written, the refusal (non-zero exit) on any problem, the
dry run, progress while writing, and the one-line summary."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maps.services.reports import ImportRejected, print_plan, progress_printer
from projects.models import ProgrammePage


class SpreadsheetImportCommand(BaseCommand):
    """Subclasses give `plan(raw, filename, programme, sheet=)` and `write(plan, progress,
    options)`."""

    progress_every = 50

    def add_arguments(self, parser):
        parser.add_argument("file", help=_(".csv or .xlsx file"))
        parser.add_argument("--programme", required=True, help=_("programme slug"))
        parser.add_argument("--sheet", help=_("XLSX sheet (default: the first)"))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("check and show what would change, write nothing"))

    def plan(self, raw: bytes, filename: str, programme: ProgrammePage, sheet=None):
        raise NotImplementedError

    def write(self, plan, progress, options):
        raise NotImplementedError

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
        plan = self.plan(path.read_bytes(), path.name, page, sheet=sheet)
        print_plan(self.stdout, plan)
        if plan.problems:
            raise CommandError(_("Import refused, nothing was written (%(count)s problem(s)).")
                               % {"count": len(plan.problems.errors)})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            report = self.write(plan, progress_printer(self.stdout, every=self.progress_every),
                                options)
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
