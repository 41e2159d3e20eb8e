"""Which data versions a change to pages moves on (`maps.models.DataVersion`).

A project's publish, unpublish or move changes its programme's data only: the programme's
version and the catalogue's are bumped, and the other programmes' cached pages, maps and
tables stay valid. Any other page (the home page, a programme page whose title appears in
every menu, a content page) is shown everywhere: every version is bumped.
"""

from __future__ import annotations

from collections.abc import Iterable

from wagtail.models import Page

from maps.models import DataVersion, programme_scope
from projects.models import ProjectPage


def bump_programmes(programme_ids: Iterable[int | None]) -> None:
    """The projects of these programmes changed (one more query for their slugs)."""
    ids = {pk for pk in programme_ids if pk is not None}
    slugs = Page.objects.filter(pk__in=ids).values_list("slug", flat=True) if ids else []
    DataVersion.bump(*(programme_scope(slug) for slug in slugs))


def bump_for_page(page: Page) -> None:
    """After a publish, an unpublish or an edit of `page`."""
    specific = page.specific  # already read by the publish signal's receivers
    if isinstance(specific, ProjectPage):
        bump_programmes([specific.programme_id])
    else:
        DataVersion.bump_all()
