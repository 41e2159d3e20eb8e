"""Keep derived data right when staff publish or move pages: the precomputed commune coverage
of a project, its denormalised `programme` and the data version that invalidates cached maps
and pages."""

from django.dispatch import Signal
from wagtail.signals import page_published, page_unpublished, post_page_move

from maps.models import DataVersion
from projects.coverage import is_deferred, rebuild_coverage
from projects.models import ProjectPage

#: Sent once by a bulk import that published pages without Wagtail's per-page
#: `page_published` (their coverage is already rebuilt), with `project_ids`: what depends
#: on published projects in higher apps (the monitoring tables) refreshes them at once.
projects_published = Signal()


def on_publish(sender, instance, **kwargs):
    if is_deferred():
        return  # a bulk import rebuilds coverage and bumps the version once, at the end
    if isinstance(instance.specific, ProjectPage):
        rebuild_coverage([instance.specific])
    DataVersion.bump()


def on_unpublish(sender, instance, **kwargs):
    DataVersion.bump()


def on_move(sender, instance, parent_page_after=None, **kwargs):
    """Wagtail's move saves the tree fields of a plain `Page`, never `ProjectPage.save()`: the
    denormalised `programme` (read by listings, filters and dashboards in one query) is set
    here to the new parent, and cached pages and maps are invalidated at once."""
    if issubclass(sender, ProjectPage) and parent_page_after is not None:
        ProjectPage.objects.filter(pk=instance.pk).update(programme_id=parent_page_after.pk)
    DataVersion.bump()


page_published.connect(on_publish)
post_page_move.connect(on_move)
page_unpublished.connect(on_unpublish)
