"""Keep derived data right when staff publish: the precomputed commune coverage of a project
and the data version that invalidates cached maps."""

from wagtail.signals import page_published, page_unpublished

from maps.models import DataVersion
from projects.coverage import is_deferred, rebuild_coverage
from projects.models import ProjectPage


def on_publish(sender, instance, **kwargs):
    if isinstance(instance.specific, ProjectPage) and not is_deferred():
        rebuild_coverage([instance.specific])
    DataVersion.bump()


def on_unpublish(sender, instance, **kwargs):
    DataVersion.bump()


page_published.connect(on_publish)
page_unpublished.connect(on_unpublish)
