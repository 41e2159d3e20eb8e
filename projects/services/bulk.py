"""Writing many pages at once (the seed, a laureate or indicator spreadsheet): one
transaction, and the derived data each save would otherwise recompute (search index,
reference index, commune coverage) done once at the end for what was written."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_save
from wagtail.models import ReferenceIndex
from wagtail.search import index
from wagtail.search.signal_handlers import post_save_signal_handler
from wagtail.signal_handlers import disable_reference_index_auto_update

from projects import coverage


@contextmanager
def search_index_deferred():
    """Wagtail re-indexes every saved object (and each page twice: revision and publish);
    during a bulk import we index each written object once at the end instead."""
    models = index.get_indexed_models()
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        yield
    finally:
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)


@contextmanager
def bulk_writes():
    """One transaction for a whole import; yields the list where the import appends what it
    created or updated, indexed once (search and references) before the commit."""
    written: list = []
    with (transaction.atomic(), disable_reference_index_auto_update(), search_index_deferred(),
          coverage.deferred()):
        yield written
        for obj in written:
            if isinstance(obj, index.Indexed):
                index.insert_or_update_object(obj)
            ReferenceIndex.create_or_update_for_object(obj)
