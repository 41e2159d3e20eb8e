"""Synthetic national catalogue for the benches: N projects (10 programmes × N/10) spread
over all French communes, written set-based in PostgreSQL (`INSERT … SELECT` over
`generate_series`, random draws seeded with `setseed`), so that 50,000 projects take
minutes, not the hour a Python loop (or Wagtail's `add_child`) would.

Each project: a carrier and one or two funders, a published contact, 1–3 publics, 1–3
themes, 1–2 axes of its programme, territories (60 % one to three communes, 25 % an EPCI,
11 % a département, 4 % a region), a venue for commune projects, dates between 2022 and
2028, and its commune coverage expanded over the territory closure (what
`projects.coverage.rebuild_coverage` computes). Pages are written as a publish would leave
them (treebeard materialised path = programme path + 4-character base-36 step, `url_path`,
`live`). Columns the generator does not choose take their model default, so fields added
by later migrations are filled too. The search index is not built (the timed requests do
not search).

What made it fast (10,000 projects: 475 s → 34 s, same rows, same ids): the coverage's
indexes built once after its rows rather than maintained row by row (`IndexesRebuilt`), the
deferred foreign-key triggers off for the transaction and the keys checked afterwards in one
anti-join each (`fast_writes`, `check_foreign_keys`), and the home-region flag computed
from the region's projects read once (a hash join) instead of a correlated EXISTS over
every project's coverage.
"""

from __future__ import annotations

import time

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PROGRAMMES = 10
PUBLICS, THEMES, AXES = 20, 25, 6



def _step(expr: str) -> str:
    """The 4-character base-36 treebeard step of the integer `expr` (1-based)."""
    parts = [f"substr('{ALPHABET}', (({expr}) / {36 ** k}) %% 36 + 1, 1)" for k in (3, 2, 1, 0)]
    return " || ".join(parts)


def fast_writes(cursor) -> bool:
    """Switch this transaction's foreign-key triggers off (`session_replication_role =
    replica`, superuser only): Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so
    each inserted row queues one check per key, fired row by row at commit (2.4 million for
    the 1.2 million coverage rows of 10,000 projects, most of the old run time). The keys are
    checked afterwards, set-based, by `check_foreign_keys`. False (and nothing changed) for
    a role that may not do it: the rows are then checked by the triggers as usual."""
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def check_foreign_keys(cursor, tables: list[str]) -> None:
    """What the disabled triggers would have checked, one anti-join per foreign key of
    `tables`: every non-null key points at an existing row (else the transaction fails)."""
    cursor.execute("SET LOCAL session_replication_role = origin")
    cursor.execute("""
        SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text,
               af.attname
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
           AND c.conrelid = ANY(%s::regclass[])""", [tables])
    for name, table, column, target, target_column in cursor.fetchall():
        cursor.execute(f"""SELECT count(*) FROM {table} x WHERE x."{column}" IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM {target} y WHERE y."{target_column}" = x."{column}")
            """)
        missing = cursor.fetchone()[0]
        if missing:
            raise RuntimeError(f"{missing} rows of {table} break {name}")


class IndexesRebuilt:
    """The primary key, unique constraints and indexes of `table` dropped on entry and built
    again (same names, same definitions) on exit: building an index once over 1.2 million
    sorted rows is several times cheaper than maintaining four of them row by row. The
    primary key is kept when another table references it."""

    def __init__(self, cursor, table: str):
        self.cursor, self.table = cursor, table

    def __enter__(self):
        cursor, table = self.cursor, self.table
        cursor.execute("""
            SELECT conname, pg_get_constraintdef(oid), conindid FROM pg_constraint
             WHERE conrelid = %s::regclass AND contype IN ('p', 'u')
               AND NOT (contype = 'p' AND EXISTS (SELECT 1 FROM pg_constraint f
                        WHERE f.contype = 'f' AND f.confrelid = %s::regclass))
             ORDER BY contype, conname""", [table, table])
        self.constraints = cursor.fetchall()
        cursor.execute("""
            SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
             WHERE indrelid = %s::regclass AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid
                      AND c.conrelid = %s::regclass)
             ORDER BY 1""", [table, table])
        self.indexes = cursor.fetchall()
        for name, _definition in self.indexes:
            cursor.execute(f'DROP INDEX {name}')
        for name, _definition, _index in self.constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None:
            return False
        cursor = self.cursor
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, definition, _index in self.constraints:
            cursor.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in self.indexes:
            cursor.execute(definition)
        return False


def insert_select(cursor, model, chosen: dict[str, str], from_sql: str, params=()) -> int:
    """INSERT INTO model's table every concrete column: `chosen` SQL expressions for some,
    the field's default for the others (so that columns added later are filled)."""
    columns, exprs, values = [], [], []
    for field in model._meta.local_concrete_fields:
        column = field.column
        if column in chosen:
            columns.append(column)
            exprs.append(chosen[column])
        elif field.primary_key:
            continue  # an identity column
        else:
            default = field.get_default()
            if field.get_internal_type() == "UUIDField" and default is None:
                exprs.append("gen_random_uuid()")
            else:
                exprs.append("%s")
                values.append(field.get_db_prep_save(default, cursor.db))
            columns.append(column)
    sql = (f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
           f'SELECT {", ".join(exprs)} {from_sql}')
    cursor.execute(sql, [*values, *params])
    return cursor.rowcount


def generate(total: int, seed: float = 0.20260317) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from wagtail.models import Locale, Page

    from maps.models import Territory
    from projects.models import (
        Organisation,
        ProgrammeAxis,
        ProgrammePage,
        ProjectContact,
        ProjectCoverage,
        ProjectOrganisation,
        ProjectPage,
        ProjectPlace,
        ProjectTerritory,
        Public,
        Theme,
    )
    from projects.services.site import ensure_site

    if ProjectPage.objects.filter(slug__startswith="bench-").count() >= total:
        return
    started = time.perf_counter()

    def progress(what):
        print(f"  {what} ({time.perf_counter() - started:.0f} s)", flush=True)

    per_programme = total // PROGRAMMES
    with transaction.atomic():
        home = ensure_site()
        Public.objects.bulk_create(
            [Public(code=f"bench-public-{i}", label=f"Public {i}") for i in range(PUBLICS)],
            ignore_conflicts=True)
        Theme.objects.bulk_create(
            [Theme(code=f"bench-theme-{i}", label=f"Thématique {i}") for i in range(THEMES)],
            ignore_conflicts=True)
        Organisation.objects.bulk_create(
            [Organisation(key=f"bench-org-{i}", name=f"Association numéro {i}",
                          kind=Organisation.Kind.ASSOCIATION)
             for i in range(max(2_000, total // 5))], ignore_conflicts=True)
        programmes = []
        for p in range(PROGRAMMES):
            programme = ProgrammePage.objects.filter(slug=f"bench-programme-{p}").first()
            if programme is None:
                programme = ProgrammePage(title=f"Programme de test {p}",
                                          slug=f"bench-programme-{p}", short_title=f"Test {p}")
                home.add_child(instance=programme)
                programme.save_revision().publish()
                ProgrammeAxis.objects.bulk_create([
                    ProgrammeAxis(programme=programme, code=f"axe-{a}", label=f"Axe {a}",
                                  sort_order=a) for a in range(AXES)])
            programme.refresh_from_db()
            programmes.append(programme)
        progress("programmes, vocabularies and organisations")
        content_type = ContentType.objects.get_for_model(ProjectPage).pk
        locale = Locale.get_default().pk
        Publics, Themes, Axes = (ProjectPage.publics.through, ProjectPage.themes.through,
                                 ProjectPage.axes.through)
        closure = Territory.ancestors.through._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            unchecked = fast_writes(cursor)
            cursor.execute("SELECT setseed(%s)", [seed])
            cursor.execute("CREATE TEMP TABLE bench_prog (idx int, id int, path text, "
                           "depth int, url_path text) ON COMMIT DROP")
            cursor.executemany("INSERT INTO bench_prog VALUES (%s, %s, %s, %s, %s)",
                               [(i, p.pk, p.path, p.depth, p.url_path)
                                for i, p in enumerate(programmes)])
            for name, scale in (("communes", "commune"), ("epcis", "epci"),
                                ("deps", "departement"), ("regions", "region")):
                cursor.execute(f"""CREATE TEMP TABLE bench_{name} ON COMMIT DROP AS
                    SELECT row_number() OVER (ORDER BY id) AS rn, id FROM maps_territory
                     WHERE scale = %s AND NOT is_obsolete""", [scale])
            cursor.execute("""CREATE TEMP TABLE bench_orgs ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY id) AS rn, id FROM projects_organisation
                 WHERE key LIKE 'bench-org-%%'""")
            # One row per project: its draws.
            cursor.execute("""CREATE TEMP TABLE bench_gen ON COMMIT DROP AS
                SELECT g AS n, (g - 1) %% 10 AS prog, (g - 1) / 10 + 1 AS i, random() AS roll,
                       1 + floor(random() * 3)::int AS ncommunes,
                       DATE '2022-01-01' + floor(random() * 2200)::int AS start_date,
                       90 + floor(random() * 1010)::int AS days,
                       (ARRAY[2023, 2024, 2025, NULL])[1 + floor(random() * 4)::int] AS call_year,
                       5000 + floor(random() * 295000)::int AS budget,
                       random() AS r_carrier, random() AS r_funder, random() AS r_funder2,
                       floor(random() * 2)::int AS two_funders
                  FROM generate_series(1, %s) AS g""", [per_programme * PROGRAMMES])
            cursor.execute("""ALTER TABLE bench_gen ADD COLUMN scale text;
                UPDATE bench_gen SET scale = CASE WHEN roll < 0.60 THEN 'commune'
                    WHEN roll < 0.85 THEN 'epci' WHEN roll < 0.96 THEN 'departement'
                    ELSE 'region' END""")
            # 60 % of pages go under each programme in turn: slug bench-<p>-<i>.
            step = _step("g.i")
            inserted = insert_select(cursor, Page, {
                "path": f"pr.path || {step}", "depth": "pr.depth + 1", "numchild": "0",
                "title": "'Projet de test ' || g.prog || '-' || g.i || ' : alimentation et santé'",
                "draft_title": "'Projet de test ' || g.prog || '-' || g.i",
                "slug": "'bench-' || g.prog || '-' || g.i",
                "url_path": "pr.url_path || 'bench-' || g.prog || '-' || g.i || '/'",
                "content_type_id": str(int(content_type)), "locale_id": str(int(locale)),
                "live": "true",
                "has_unpublished_changes": "false", "first_published_at": "now()",
                "last_published_at": "now()", "translation_key": "gen_random_uuid()",
            }, "FROM bench_gen g JOIN bench_prog pr ON pr.idx = g.prog ORDER BY g.n")
            progress(f"{inserted} pages")
            cursor.execute("""CREATE TEMP TABLE bench_pages ON COMMIT DROP AS
                SELECT w.id, g.* FROM bench_gen g
                  JOIN wagtailcore_page w ON w.slug = 'bench-' || g.prog || '-' || g.i""")
            cursor.execute("CREATE INDEX ON bench_pages (id)")
            cursor.execute("ANALYZE bench_pages")
            insert_select(cursor, ProjectPage, {
                "page_ptr_id": "b.id",
                "summary": "'Ateliers cuisine, paniers solidaires et accompagnement.'",
                "description": "'<p>Projet synthétique pour le banc d’essai.</p>'",
                "call_year": "b.call_year", "start_date": "b.start_date",
                "end_date": "b.start_date + b.days", "budget_eur": "b.budget",
                "programme_id": "pr.id", "broadest_scale": "b.scale",
            }, "FROM bench_pages b JOIN bench_prog pr ON pr.idx = b.prog")
            cursor.execute("UPDATE wagtailcore_page w SET numchild = %s FROM bench_prog pr "
                           "WHERE w.id = pr.id", [per_programme])
            progress("project rows")
            # Territories: the draws index into the ordered id lists of each scale.
            # Territories: a random rank into the ordered ids of each scale, drawn first
            # (OFFSET 0 keeps the draw out of the join condition: one draw per row).
            parts = []
            for scale, table, repeat in (("commune", "bench_communes", "b.ncommunes"),
                                         ("epci", "bench_epcis", "1"),
                                         ("departement", "bench_deps", "1"),
                                         ("region", "bench_regions", "1")):
                parts.append(f"""
                SELECT d.project_id, t.id AS territory_id, d.k FROM (
                    SELECT b.id AS project_id, k, 1 + floor(random() * (SELECT count(*)
                           FROM {table}))::int AS rn
                      FROM bench_pages b CROSS JOIN LATERAL generate_series(1, {repeat}) AS k
                     WHERE b.scale = '{scale}' OFFSET 0) d
                  JOIN {table} t ON t.rn = d.rn""")
            cursor.execute(f"""CREATE TEMP TABLE bench_links ON COMMIT DROP AS
                SELECT DISTINCT ON (project_id, territory_id) project_id, territory_id, k
                  FROM ({" UNION ALL ".join(parts)}) AS draws
                 ORDER BY project_id, territory_id, k""")
            insert_select(cursor, ProjectTerritory, {
                "project_id": "project_id", "territory_id": "territory_id", "sort_order": "k"},
                "FROM bench_links")
            progress("territory links")
            n_orgs = "(SELECT count(*) FROM bench_orgs)"
            for role, draw, condition in (("carrier", "r_carrier", "true"),
                                          ("funder", "r_funder", "true"),
                                          ("funder", "r_funder2", "b.two_funders = 1")):
                insert_select(cursor, ProjectOrganisation, {
                    "project_id": "b.id", "organisation_id": "o.id", "role": f"'{role}'",
                    "sort_order": "0" if role == "carrier" else "1",
                    "amount_eur": "NULL" if role == "carrier" else
                                  "1000 + floor(random() * 99000)::int",
                }, f"FROM bench_pages b JOIN bench_orgs o ON o.rn = 1 + floor(b.{draw} * "
                   f"{n_orgs})::int WHERE {condition}")
            insert_select(cursor, ProjectContact, {
                "project_id": "b.id", "role": "'Coordination'", "organisation_id": "o.id",
                "email": "'contact' || b.id || '@example.org'", "phone": "'03 20 00 00 00'",
                "publish": "true"},
                f"FROM bench_pages b JOIN bench_orgs o ON o.rn = 1 + floor(b.r_carrier * "
                f"{n_orgs})::int")
            insert_select(cursor, ProjectPlace, {
                "project_id": "l.project_id", "name": "'Local associatif'",
                "commune_id": "l.territory_id", "sort_order": "0"},
                "FROM bench_links l JOIN bench_pages b ON b.id = l.project_id "
                "WHERE b.scale = 'commune' AND l.k = 1")
            progress("organisations, contacts, places")
            for through, column, table, prefix in (
                    (Publics, "public_id", "projects_public", "bench-public-"),
                    (Themes, "theme_id", "projects_theme", "bench-theme-")):
                cursor.execute(f"""
                    INSERT INTO "{through._meta.db_table}" (projectpage_id, {column})
                    SELECT DISTINCT d.id, v.id FROM (
                        SELECT b.id, 1 + floor(random() * (SELECT count(*) FROM {table}
                               WHERE code LIKE %(prefix)s))::int AS rn
                          FROM bench_pages b
                         CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 3)::int) k
                        OFFSET 0) d
                      JOIN (SELECT row_number() OVER (ORDER BY id) AS rn, id FROM {table}
                             WHERE code LIKE %(prefix)s) v ON v.rn = d.rn""",
                               {"prefix": prefix + "%"})
            cursor.execute(f"""
                INSERT INTO "{Axes._meta.db_table}" (projectpage_id, programmeaxis_id)
                SELECT DISTINCT d.id, a.id FROM (
                    SELECT b.id, b.prog, floor(random() * {AXES})::int AS axis
                      FROM bench_pages b
                     CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 2)::int) k
                    OFFSET 0) d
                  JOIN bench_prog pr ON pr.idx = d.prog
                  JOIN projects_programmeaxis a ON a.programme_id = pr.id
                   AND a.sort_order = d.axis""")
            progress("publics, themes, axes")
            with IndexesRebuilt(cursor, ProjectCoverage._meta.db_table):
                cursor.execute(f"""
                    INSERT INTO "{ProjectCoverage._meta.db_table}" (project_id, commune_id)
                    SELECT l.project_id, l.territory_id FROM bench_links l
                      JOIN maps_territory t ON t.id = l.territory_id WHERE t.scale = 'commune'
                    UNION
                    SELECT l.project_id, c.from_territory_id FROM bench_links l
                      JOIN "{closure}" c ON c.to_territory_id = l.territory_id
                      JOIN maps_territory t ON t.id = c.from_territory_id
                     WHERE t.scale = 'commune'""")
                covered = cursor.rowcount
            progress(f"{covered} coverage rows")
            if "in_home_region" in {f.column for f in ProjectPage._meta.local_concrete_fields}:
                from django.conf import settings

                # The home region's projects read once (one hash join against the pages):
                # the correlated EXISTS it replaces walked each project's coverage and
                # closure again (minutes at 10,000 projects), and so does `IN (subquery)`
                # when the planner does not hash it (as at 50,000).
                cursor.execute(f"""
                    UPDATE projects_projectpage p SET in_home_region = h.project_id IS NOT NULL
                      FROM bench_pages b LEFT JOIN (
                           SELECT DISTINCT v.project_id FROM projects_projectcoverage v
                             JOIN "{closure}" a ON a.from_territory_id = v.commune_id
                             JOIN maps_territory r ON r.id = a.to_territory_id
                            WHERE r.scale = 'region' AND r.code = %s) h ON h.project_id = b.id
                     WHERE p.page_ptr_id = b.id""",
                               [getattr(settings, "PORTAL_HOME_REGION", "32")])
                progress("home region")
            if unchecked:
                check_foreign_keys(cursor, [
                    model._meta.db_table for model in (
                        Page, ProjectPage, ProjectTerritory, ProjectOrganisation,
                        ProjectContact, ProjectPlace, Publics, Themes, Axes, ProjectCoverage)])
                progress("foreign keys checked")
    progress("committed")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    progress(f"generated {total} projects")
