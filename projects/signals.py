"""Keep derived data right when staff publish or move pages: the precomputed commune coverage
of a project, its denormalised `programme` and the data version that invalidates cached maps
and pages."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from modelsearch import index
from modelsearch.signal_handlers import post_delete_signal_handler, post_save_signal_handler
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from maps.models import DataVersion
from projects.coverage import is_deferred, rebuild_coverage
from projects.models import ProjectPage
from projects.versions import bump_for_page, bump_programmes

#: Sent once by a bulk import that published pages without Wagtail's per-page
#: `page_published` (their coverage is already rebuilt), with `project_ids`: what depends
#: on published projects in higher apps (the monitoring tables) refreshes them at once.
projects_published = Signal()


def on_publish(sender, instance, **kwargs):
    if is_deferred():
        return  # a bulk import rebuilds coverage and bumps the version once, at the end
    if isinstance(instance.specific, ProjectPage):
        rebuild_coverage([instance.specific])
    bump_for_page(instance)


def on_unpublish(sender, instance, **kwargs):
    bump_for_page(instance)


def on_move(sender, instance, parent_page_before=None, parent_page_after=None, **kwargs):
    """Wagtail's move saves the tree fields of a plain `Page`, never `ProjectPage.save()`: the
    denormalised `programme` (read by listings, filters and dashboards in one query) is set
    here to the new parent, and the cached pages and maps of both programmes are invalidated
    at once."""
    if issubclass(sender, ProjectPage) and parent_page_after is not None:
        ProjectPage.objects.filter(pk=instance.pk).update(programme_id=parent_page_after.pk)
        bump_programmes([p.pk for p in (parent_page_before, parent_page_after) if p])
    else:
        bump_for_page(instance)


def on_restriction_change(sender, **kwargs):
    """A page's privacy (password, logged-in users, groups) was set, changed or removed:
    every cached page and route is keyed on the data versions, so all of them move on; a page
    made private is never served again from the whole-page cache to a visitor without the
    right (`portal.page_cache`, `portal.views.catalogue.project_index`)."""
    DataVersion.bump_all()


def _text_fields(model) -> set[str]:
    """The fields whose text the search index stores (the database backend stores only
    these: filters and ordering read the table itself)."""
    return {field.field_name for field in model.get_search_fields()
            if isinstance(field, index.SearchField | index.AutocompleteField)}


def index_project(sender, instance, update_fields=None, **kwargs):
    """modelsearch re-indexes a page at every save, and a publish from the editor saves the
    page twice: the revision's bookkeeping (`save_revision`: latest revision, draft title,
    dates, through `update_fields`) then the publication. The first save changes no
    indexed text of the row, so it is not indexed (a third of the time of a publish)."""
    if update_fields is not None and not set(update_fields) & _text_fields(sender):
        return
    post_save_signal_handler(instance, **kwargs)


# ProjectPage.search_auto_update is off: these two replace modelsearch's own receivers.
post_save.connect(index_project, sender=ProjectPage)
post_delete.connect(post_delete_signal_handler, sender=ProjectPage)
page_published.connect(on_publish)
post_page_move.connect(on_move)
page_unpublished.connect(on_unpublish)
post_save.connect(on_restriction_change, sender=PageViewRestriction)
post_delete.connect(on_restriction_change, sender=PageViewRestriction)
m2m_changed.connect(on_restriction_change, sender=PageViewRestriction.groups.through)
