"""A stale edit form never silently overwrites a newer revision.

Wagtail 8 warns an editor in the browser when someone else saved the page meanwhile (the
editing-session ping), and refuses a stale *autosave*, but a full "Save draft", "Submit" or
"Publish" POST from a form loaded before another editor's save is applied as is: the second
save wins and the first one's change is gone. `before_edit_page` runs the same test as
Wagtail's autosave (`EditView.is_out_of_date`) on every POST and, when the form is stale,
answers with a page that says who saved what and when, links to the comparison, and lets
the editor save anyway (everything typed is re-posted) or reopen the newer version."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

#: Posted by the "save anyway" button of the warning page.
CONFIRM_FIELD = "overwrite_newer_revision"


def is_stale(post, latest) -> bool:
    """The posted form was loaded from an older revision than `latest`."""
    if latest is None:
        return False
    if overwrite := post.get("overwrite_revision_id"):
        return overwrite != str(latest.pk)
    loaded = post.get("loaded_revision_id")
    if not loaded:
        return False
    if loaded != str(latest.pk):
        return True
    return post.get("loaded_revision_created_at", "") != latest.created_at.isoformat()


def refuse_stale_edit(request, page):
    """The `before_edit_page` hook: None to let the save go on, or the warning page."""
    if request.method != "POST" or request.POST.get(CONFIRM_FIELD):
        return None
    if request.headers.get("accept", "").startswith("application/json"):
        return None  # autosave: Wagtail refuses stale autosaves itself
    latest = page.get_latest_revision()
    if not is_stale(request.POST, latest):
        return None
    loaded = request.POST.get("loaded_revision_id", "")
    fields = [(name, value) for name, values in request.POST.lists() for value in values
              if name not in {"loaded_revision_id", "loaded_revision_created_at",
                              "overwrite_revision_id"}]
    compare_url = ""
    if loaded.isdigit() and page.revisions.filter(pk=loaded).exists():
        compare_url = reverse("wagtailadmin_pages:revisions_compare",
                              args=(page.pk, loaded, latest.pk))
    context = {
        "page": page,
        "latest": latest,
        "author": latest.user.get_full_name() or latest.user.get_username()
        if latest.user else _("someone"),
        "fields": fields,
        "confirm_field": CONFIRM_FIELD,
        "compare_url": compare_url,
        "edit_url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        "history_url": reverse("wagtailadmin_pages:history", args=(page.pk,)),
    }
    return TemplateResponse(request, "portal/admin/stale_edit.html", context, status=409)
