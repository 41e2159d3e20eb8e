"""Load the reference territories from fixtures/territories/ (see fixtures/README.md)."""

from django.core.management.base import BaseCommand, CommandError

from maps.services.import_territories import DEFAULT_DIR, load_reference_territories
from maps.services.planner import refresh_statistics
from maps.services.reports import ImportRejected


class Command(BaseCommand):
    help = "Charge (ou met à jour) régions, départements, EPCI et communes. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(DEFAULT_DIR), help="dossier des fichiers")

    def handle(self, *args, dir, **options):
        try:
            report = load_reference_territories(dir)
        except ImportRejected as exc:
            raise CommandError("Import refusé, rien n'a été écrit :\n" + str(exc)) from exc
        seconds = refresh_statistics()
        if seconds is not None:
            self.stdout.write(f"Statistiques du planificateur PostgreSQL à jour ({seconds:.1f} s).")
        self.stdout.write(self.style.SUCCESS(str(report)))
