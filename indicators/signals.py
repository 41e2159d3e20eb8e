"""Refresh the monitoring tables when projects are published and figures change (see
`indicators.precomputed`). Connected after `projects.signals`, so that a published project's
covered communes are rebuilt before its areas are read."""

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.signals import page_published, page_unpublished

from indicators import precomputed
from indicators.models import IndicatorValue

# Imported so that its receivers are connected before ours, whatever the order of
# INSTALLED_APPS: a published project's communes are rebuilt before we read them.
from projects import signals as projects_signals
from projects.models import ProjectPage


def _programme_of(project_id):
    if project_id is None:
        return None
    return ProjectPage.objects.filter(pk=project_id).values_list("programme_id",
                                                                 flat=True).first()


def before_value_saved(sender, instance, raw=False, **kwargs):
    """An edited figure may have moved to another indicator or project: refresh the old
    pair too."""
    if raw or instance.pk is None or precomputed.is_deferred():
        return
    old = IndicatorValue.objects.filter(pk=instance.pk).values_list(
        "project__programme_id", "definition_id").first()
    if old and old != (_programme_of(instance.project_id), instance.definition_id):
        precomputed.mark(*old)


def value_changed(sender, instance, raw=False, **kwargs):
    if raw or precomputed.is_deferred() or instance.project_id is None:
        return
    precomputed.mark(_programme_of(instance.project_id), instance.definition_id)


def project_changed(sender, instance, **kwargs):
    if precomputed.is_deferred() or not isinstance(instance.specific, ProjectPage):
        return
    precomputed.refresh_projects([instance.pk])


def projects_imported(sender, project_ids, **kwargs):
    precomputed.refresh_projects(project_ids)


pre_save.connect(before_value_saved, sender=IndicatorValue)
post_save.connect(value_changed, sender=IndicatorValue)
post_delete.connect(value_changed, sender=IndicatorValue)
page_published.connect(project_changed)
page_unpublished.connect(project_changed)
projects_signals.projects_published.connect(projects_imported)
