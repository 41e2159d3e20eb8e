"""Load every seed file of fixtures/seeds/ (format: fixtures/seeds/SCHEMA.md).

Order: vocabularies, organisations, custom areas, indicator catalogue, programmes, projects
with their key figures, then the search index of what was written. All files are
validated before anything is written, and everything is written in one transaction.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from maps.services.planner import refresh_statistics
from portal.seeding import SeedRejected, load_seed


class Command(BaseCommand):
    help = "Charge les programmes, projets et indicateurs des documents sources. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="dossier des fichiers YAML")
        parser.add_argument(
            "--reindex", action="store_true", help="reconstruire tout l'index de recherche ensuite"
        )

    def handle(self, *args, dir=None, reindex=False, **options):
        try:
            reports = load_seed(dir) if dir else load_seed()
        except SeedRejected as exc:
            raise CommandError("Import refusé, rien n'a été écrit :\n" + str(exc)) from exc
        seconds = refresh_statistics()
        if seconds is not None:
            self.stdout.write(f"Statistiques du planificateur PostgreSQL à jour ({seconds:.1f} s).")
        for report in reports:
            self.stdout.write(self.style.SUCCESS(str(report)))
            for kind, counts in report.details.items():
                self.stdout.write(f"  {kind} : {counts}")
        if reindex:
            call_command("update_index", verbosity=0)
            self.stdout.write("Index de recherche reconstruit.")
