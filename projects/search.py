"""French full-text search over projects (Wagtail's database backend: `french_unaccent` on
PostgreSQL, FTS5 on SQLite)."""

from __future__ import annotations

from projects.models import ProjectPage


def search_ids(query: str) -> list[int]:
    """Ids of live projects matching every word of the query (all words first; any word
    when nothing matches them all), best first."""
    queryset = ProjectPage.objects.live()
    for operator in ("and", "or"):
        ids = [p.pk for p in queryset.search(query, operator=operator)[:500]]
        if ids:
            return ids
    return []
