"""Writing many pages at once (the seed, a laureate or indicator spreadsheet): one
transaction, and the derived data each save would otherwise recompute (search index,
reference index, commune coverage) done once at the end for what was written."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Page, ReferenceIndex
from wagtail.search import index
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from maps.models import DataVersion
from projects import coverage
from projects.models import ProjectPage
from projects.versions import bump_programmes

BATCH = 500


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
    `insert_or_update_object` skips the backends that have it off). Read back per model through
    `get_indexed_objects()` (its prefetches: a few queries per model, not ten per object) and
    added in batches."""
    by_model: dict = {}
    for obj in objects:
        indexed = index.get_indexed_instance(obj)
        if indexed is not None:
            by_model.setdefault(type(indexed), {})[indexed.pk] = indexed
    search_backends = list(get_search_backends())
    for model, found in by_model.items():
        ids = list(found)
        for start in range(0, len(ids), BATCH):
            batch = list(model.get_indexed_objects().filter(pk__in=ids[start:start + BATCH]))
            for backend in search_backends:
                backend.add_bulk(model, batch)


def create_references(objects) -> None:
    """Wagtail's reference index rows of objects just inserted by `bulk_create` (so none
    exists yet): extracted from the objects in memory, their child relations included, and
    inserted at once, where `ReferenceIndex.create_or_update_for_object` reads and compares
    per object."""
    rows = []
    for obj in objects:
        if not ReferenceIndex.model_is_indexable(type(obj)):
            continue
        content_types = [ContentType.objects.get_for_model(model, for_concrete_model=False)
                         for model in [type(obj), *obj._meta.get_parent_list()]]
        rows += [
            ReferenceIndex(
                content_type=content_types[0], base_content_type=content_types[-1],
                object_id=obj.pk, to_content_type_id=to_type, to_object_id=to_id,
                model_path=model_path, content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path))
            for to_type, to_id, model_path, content_path
            in set(ReferenceIndex._extract_references_from_object(obj))
        ]
    ReferenceIndex.objects.bulk_create(rows, batch_size=BATCH)


class Written(list):
    """What a bulk import wrote: saved objects (appended), and `inserted`, those it created
    with `bulk_create` (their reference index rows are built from memory)."""

    def __init__(self):
        super().__init__()
        self.inserted: list = []


@contextmanager
def bulk_writes():
    """One transaction for a whole import; yields the list where the import appends what it
    created or updated, indexed once (search and references) before the commit, and the data
    version bumped once."""
    written = Written()
    with (transaction.atomic(), disable_reference_index_auto_update(), search_index_deferred(),
          coverage.deferred()):
        yield written
        index_written(obj for obj in [*written, *written.inserted]
                      if isinstance(obj, index.Indexed))
        for obj in written:
            ReferenceIndex.create_or_update_for_object(obj)
        create_references(written.inserted)
        if written or written.inserted:
            bump_written([*written, *written.inserted])  # once for the import, not per page


def bump_written(objects) -> None:
    """The data versions an import moves on: its projects' programmes (organisations,
    contacts and figures are shown through their projects); every version when it wrote
    any other page."""
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if any(not isinstance(page, ProjectPage) for page in pages):
        DataVersion.bump_all()
    else:
        bump_programmes(page.programme_id for page in pages)
