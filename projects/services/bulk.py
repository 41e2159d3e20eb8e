"""Writing many pages at once (the seed, a laureate or indicator spreadsheet): one
transaction, and the derived data each save would otherwise recompute (search index,
reference index, commune coverage) done once at the end for what was written."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from wagtail.models import ReferenceIndex
from wagtail.search import index
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from projects import coverage


@contextmanager
def search_index_deferred():
    """Wagtail re-indexes every saved object (and each page twice: revision and publish);
    during a bulk import the backends' own `AUTO_UPDATE` setting (what the search app reads
    at every save) is turned off, and `index_written` indexes each object once at the end."""
    backends = settings.WAGTAILSEARCH_BACKENDS
    previous = {name: config.get("AUTO_UPDATE", True) for name, config in backends.items()}
    for config in backends.values():
        config["AUTO_UPDATE"] = False
    try:
        yield
    finally:
        for name, value in previous.items():
            backends[name]["AUTO_UPDATE"] = value


def index_written(objects) -> None:
    """Index these objects in every search backend, whatever its AUTO_UPDATE setting (Wagtail's
    `insert_or_update_object` skips the backends that have it off)."""
    search_backends = list(get_search_backends())
    for obj in objects:
        indexed = index.get_indexed_instance(obj)
        if indexed is not None:
            for backend in search_backends:
                backend.add(indexed)


@contextmanager
def bulk_writes():
    """One transaction for a whole import; yields the list where the import appends what it
    created or updated, indexed once (search and references) before the commit."""
    written: list = []
    with (transaction.atomic(), disable_reference_index_auto_update(), search_index_deferred(),
          coverage.deferred()):
        yield written
        index_written(obj for obj in written if isinstance(obj, index.Indexed))
        for obj in written:
            ReferenceIndex.create_or_update_for_object(obj)
