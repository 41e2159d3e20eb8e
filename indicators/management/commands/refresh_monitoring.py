"""Rebuild the precomputed monitoring tables (areas, coverage counts, indicator totals)."""

import time

from django.core.management.base import BaseCommand

from indicators import precomputed


class Command(BaseCommand):
    help = "Recalcule les tables de suivi précalculées (zones, couverture, totaux)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        self.stdout.write("Recalcul des tables de suivi…")
        report = precomputed.rebuild_all()
        self.stdout.write(self.style.SUCCESS(
            f"Tables de suivi recalculées : {report} en {time.perf_counter() - started:.1f} s."))
