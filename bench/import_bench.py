"""Benchmark of the laureate spreadsheet import: 1,000 rows (target: under 60 s on
PostgreSQL, coverage rebuilt once at the end), through the same service as the command and
the admin page, in a PostgreSQL database of its own.

Prints the time to read and check the file (the dry run), to write it (1,000 published
pages: one revision each, coverage, search and reference indexes once at the end), and to
re-check it (idempotent re-run: « 0 créé, 0 mis à jour, 1000 inchangés »), with rows per
second. The write is rolled back at the end, so every run measures the same first import.

BENCH_ROWS changes the number of rows (1,000 by default). Measured on the 2-core machine:
190 s before the bulk writer (one add_child, revision and publish per page, then indexes one
object at a time), 16.8 s after it (load average 5.2).

Database: BENCH_DATABASE_URL, else DATABASE_URL's server with the database `bench_imports`
(created when missing; the first run migrates and loads the reference territories, about
two minutes).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from listing_bench import ensure_database, load_territories, setup_django  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000"))
SEED = 20260317
HEADER = ("numero_dossier;intitule;porteur;porteur_siren;partenaires;financeurs;territoires;"
          "annee_appel;axes;publics;thematiques;date_debut;date_fin;montant_accorde;resume;"
          "contact_nom;contact_email;contact_telephone;contact_publication")


def database_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(base)._replace(path="/bench_imports"))


def programme():
    from django.core.management import call_command

    from projects.models import Organisation, ProgrammeAxis, ProgrammeOrganisation, ProgrammePage
    from projects.services.site import ensure_site

    call_command("migrate", verbosity=0)
    load_territories()
    home = ensure_site()
    page = ProgrammePage.objects.filter(slug="bench-laureats").first()
    if page is None:
        page = home.add_child(instance=ProgrammePage(title="Appel de test", slug="bench-laureats"))
        for n in (1, 2, 3):
            ProgrammeAxis.objects.create(programme=page, code=f"axe-{n}", label=f"Axe {n}")
        funder, _created = Organisation.objects.get_or_create(
            key="bench-financeur", defaults={"name": "Financeur du banc d'essai"})
        ProgrammeOrganisation.objects.create(programme=page, organisation=funder, role="funder")
    return page


def spreadsheet() -> bytes:
    """1,000 rows as staff write them: codes and names, French amounts, both date forms."""
    from maps.models import Scale, Territory

    rng = random.Random(SEED)
    communes = list(Territory.objects.filter(
        scale=Scale.COMMUNE, ancestors__scale=Scale.REGION, ancestors__code="32",
    ).values_list("code", flat=True).order_by("code"))
    epcis = list(Territory.objects.filter(
        scale=Scale.EPCI, ancestors__scale=Scale.REGION, ancestors__code="32",
    ).values_list("name", flat=True).order_by("name"))
    lines = [HEADER]
    for n in range(1, ROWS + 1):
        territory = ";".join(rng.sample(communes, rng.randint(1, 3))) if n % 4 else rng.choice(
            epcis)
        lines.append(";".join([
            f"BENCH-{n:04d}", f"Projet lauréat numéro {n}", f"Association porteuse {n % 300}",
            f"{rng.randint(100_000_000, 999_999_999)}" if n % 3 == 0 else "",
            '"Centre social;Mairie"' if n % 5 == 0 else "", "", f'"{territory}"', "2025",
            f"axe-{n % 3 + 1}", "", "", "17/03/2025" if n % 2 else "2025-04-01", "",
            f"{rng.randint(1, 50)} 000 €", f"Résumé du projet {n}.", "", "", "", "",
        ]))
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    url = database_url()
    if url is None:
        print("import_bench: needs PostgreSQL (DATABASE_URL or BENCH_DATABASE_URL); skipped")
        return 0
    ensure_database(url)
    setup_django(url)
    from django.db import transaction

    from projects.services.import_laureates import import_laureates, plan_laureates

    page = programme()
    raw = spreadsheet()
    print(f"file: {ROWS} rows, {len(raw) / 1024:.0f} kB", flush=True)

    class Rollback(Exception):
        pass

    times = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            plan = plan_laureates(raw, "bench.csv", page)
            times["check"] = time.perf_counter() - started
            if plan.problems:
                print("\n".join(plan.problems.errors[:20]))
                return 1
            print(f"checked in {times['check']:.1f} s: {plan.report().summary()}", flush=True)
            started = time.perf_counter()
            report = import_laureates(plan, publish=True, progress=lambda done, total: (
                print(f"  {done}/{total} written ({time.perf_counter() - started:.0f} s)",
                      flush=True) if done % 100 == 0 else None))
            times["write"] = time.perf_counter() - started
            started = time.perf_counter()
            again = plan_laureates(raw, "bench.csv", page)
            times["recheck"] = time.perf_counter() - started
            print(f"re-checked in {times['recheck']:.1f} s: {again.report().summary()}")
            raise Rollback
    except Rollback:
        pass
    total = times["check"] + times["write"]
    load = os.getloadavg()[0]
    print(f"import_bench: {ROWS} rows imported in {total:.1f} s (check {times['check']:.1f} s"
          f" + write {times['write']:.1f} s, {ROWS / total:.0f} rows/s, target 60 s: "
          f"{'met' if total < 60 else 'missed'}); {report.summary()}; re-run "
          f"{times['recheck']:.1f} s; load average {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
