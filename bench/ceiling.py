"""The hand-written SQL ceiling of a listing: the same answer as /projets/ (the ordered
selection with each project's level, and every facet count with "all filters but this one"
for the active facets) in two statements written by hand for PostgreSQL, with nothing
around them (no ORM, no FilterSet, no template).

The bench times it next to the portal and checks that both return the same ids (in order)
and the same non-zero counts: the ratio portal / ceiling says how much the framework costs
over the data itself. PostgreSQL only, and only for the filters the bench uses (territory,
themes, publics, status, programme).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

RANK = """CASE {col} WHEN 'commune' THEN 0 WHEN 'custom' THEN 1 WHEN 'epci' THEN 2
    WHEN 'departement' THEN 3 WHEN 'region' THEN 4 WHEN 'foreign' THEN 5 ELSE 9 END"""
STATUS_KEY = """CASE WHEN p.start_date > %(today)s THEN 0 WHEN p.end_date < %(today)s THEN 2
    WHEN p.start_date IS NOT NULL OR p.end_date IS NOT NULL THEN 1 ELSE 3 END"""
#: Index of each status in the facet (the portal's `projects.selection.STATUSES` order).
STATUS_INDEX = {"a-venir": 0, "en-cours": 1, "termine": 2, "inconnu": 3}


@dataclass
class Query:
    territory: int | None = None  # territory id
    territory_is_commune: bool = False
    themes: list[int] = field(default_factory=list)
    publics: list[int] = field(default_factory=list)
    status: str | None = None
    programme: int | None = None
    years: tuple[int, int] | None = None  # the listing's year range (cached by the portal)
    carriers: int = 200


def _conditions(query: Query, without: str | None = None) -> str:
    """The WHERE clause of the selection (on `p` = project, `w` = page), leaving one filter
    out for an exclusive facet."""
    where = ["w.live"]
    if query.territory is not None:
        communes = ("%(t)s" if query.territory_is_commune else
                    "SELECT from_territory_id FROM maps_territory_ancestors "
                    "WHERE to_territory_id = %(t)s")
        where.append(f"""(p.page_ptr_id IN (SELECT project_id FROM projects_projectcoverage
                             WHERE commune_id IN ({communes}))
            OR p.page_ptr_id IN (SELECT project_id FROM projects_projectterritory
                             WHERE territory_id IN (SELECT id FROM related)))""")
    if query.themes and without != "thematique":
        where.append("p.page_ptr_id IN (SELECT projectpage_id FROM projects_projectpage_themes"
                     " WHERE theme_id = ANY(%(themes)s))")
    if query.publics and without != "public":
        where.append("p.page_ptr_id IN (SELECT projectpage_id FROM "
                     "projects_projectpage_publics WHERE public_id = ANY(%(publics)s))")
    if query.programme is not None and without != "programme":
        where.append("p.programme_id = %(programme)s")
    if query.status and without != "statut":
        where.append(f"({STATUS_KEY}) = %(status_index)s")
    return " AND ".join(where)


def _related() -> str:
    return """related AS (
        SELECT %(t)s::int AS id
        UNION SELECT to_territory_id FROM maps_territory_ancestors
               WHERE from_territory_id = %(t)s
        UNION SELECT from_territory_id FROM maps_territory_ancestors
               WHERE to_territory_id = %(t)s)"""


def _params(query: Query, today: datetime.date) -> dict:
    return {"t": query.territory, "themes": query.themes, "publics": query.publics,
            "programme": query.programme, "today": today,
            "status_index": STATUS_INDEX.get(query.status or "", -1),
            "y0": (query.years or (0, -1))[0], "y1": (query.years or (0, -1))[1],
            "carriers": query.carriers}


def selection_sql(query: Query) -> str:
    level = "NULL::int"
    with_clause = ""
    if query.territory is not None:
        with_clause = f"WITH {_related()}"
        level = f"""COALESCE((SELECT min({RANK.format(col='t.scale')})
                      FROM projects_projectterritory l
                      JOIN maps_territory t ON t.id = l.territory_id
                     WHERE l.project_id = p.page_ptr_id
                       AND l.territory_id IN (SELECT id FROM related)),
                    {RANK.format(col='p.broadest_scale')})"""
    order = "level, w.title, p.page_ptr_id" if query.territory is not None else \
        "w.title, p.page_ptr_id"
    return f"""{with_clause}
        SELECT p.page_ptr_id, {level} AS level
          FROM projects_projectpage p JOIN wagtailcore_page w ON w.id = p.page_ptr_id
         WHERE {_conditions(query)}
         ORDER BY {order}"""


def facets_sql(query: Query) -> str:
    """Every facet in one statement: the selection as an array parameter, and the
    selection without a filter (a CTE) for each active facet."""
    active = {name for name, on in (("thematique", query.themes), ("public", query.publics),
                                    ("statut", query.status), ("programme", query.programme))
              if on}
    ctes = [_related()] if query.territory is not None else []
    ctes.append("sel AS (SELECT unnest(%(ids)s::int[]) AS id)")
    for name in sorted(active):
        ctes.append(f"""no_{name} AS (SELECT p.page_ptr_id AS id FROM projects_projectpage p
            JOIN wagtailcore_page w ON w.id = p.page_ptr_id WHERE {_conditions(query, name)})""")

    def source(name):
        return f"no_{name}" if name in active else "sel"

    return f"""WITH {", ".join(ctes)}
    SELECT 'programme', p.programme_id, count(*) FROM projects_projectpage p
     WHERE p.page_ptr_id IN (SELECT id FROM {source('programme')}) GROUP BY 2
    UNION ALL SELECT 'public', public_id, count(*) FROM projects_projectpage_publics
     WHERE projectpage_id IN (SELECT id FROM {source('public')}) GROUP BY 2
    UNION ALL SELECT 'thematique', theme_id, count(*) FROM projects_projectpage_themes
     WHERE projectpage_id IN (SELECT id FROM {source('thematique')}) GROUP BY 2
    UNION ALL SELECT 'axe', programmeaxis_id, count(*) FROM projects_projectpage_axes
     WHERE projectpage_id IN (SELECT id FROM sel) GROUP BY 2
    UNION ALL SELECT 'statut', {STATUS_KEY}, count(*) FROM projects_projectpage p
     WHERE p.page_ptr_id IN (SELECT id FROM {source('statut')}) GROUP BY 2
    UNION ALL SELECT 'annee', y.y, count(*) FROM projects_projectpage p
      JOIN generate_series(%(y0)s::int, %(y1)s::int) AS y(y)
        ON p.call_year = y.y OR ((p.start_date IS NOT NULL OR p.end_date IS NOT NULL)
           AND (p.start_date <= make_date(y.y, 12, 31) OR p.start_date IS NULL)
           AND (p.end_date >= make_date(y.y, 1, 1) OR p.end_date IS NULL))
     WHERE p.page_ptr_id IN (SELECT id FROM sel) GROUP BY 2
    UNION ALL SELECT * FROM (
      SELECT 'porteur', r.organisation_id, count(DISTINCT r.project_id) AS n
        FROM projects_projectorganisation r JOIN projects_organisation o ON o.id = r.organisation_id
       WHERE r.role = 'carrier' AND r.project_id IN (SELECT id FROM sel)
       GROUP BY r.organisation_id, o.name ORDER BY n DESC, o.name LIMIT %(carriers)s) AS c"""


def run(cursor, query: Query, today: datetime.date) -> tuple[list[tuple[int, int]], dict]:
    """(ordered [(id, level)], {facet: {key: count}}): two statements."""
    params = _params(query, today)
    cursor.execute(selection_sql(query), params)
    rows = cursor.fetchall()
    cursor.execute(facets_sql(query), {**params, "ids": [r[0] for r in rows]})
    counts: dict[str, dict] = {}
    for facet, key, n in cursor.fetchall():
        counts.setdefault(facet, {})[key] = n
    return rows, counts


def resolve_name(cursor, text: str) -> tuple[int, bool]:
    """A commune typed by name, through the trigram index (the bench's names are unique in
    the home region)."""
    cursor.execute("""SELECT id, scale = 'commune' FROM maps_territory
                       WHERE search_name LIKE %s AND NOT is_obsolete
                       ORDER BY population DESC NULLS LAST LIMIT 1""", [f"%{text}%"])
    return cursor.fetchone()
