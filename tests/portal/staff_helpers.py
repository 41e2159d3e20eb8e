"""Helpers of the staff-operation tests: users in the French groups, and the editor's form
data read from the admin page itself (as a browser would post it)."""

from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import querydict_from_html

from portal.roles import ADMIN_GROUP, VALIDATION_GROUP, editor_group_name, reviewer_group_name

__all__ = ["ADMIN_GROUP", "VALIDATION_GROUP", "editor_group_name", "reviewer_group_name"]


def staff_user(django_user_model, username, *groups):
    user = django_user_model.objects.create_user(username, f"{username}@example.org",
                                                 "pw-test-1234", is_staff=False)
    user.groups.add(*Group.objects.filter(name__in=groups))
    assert user.groups.count() == len(groups)
    return user


def form_data(client, url, form_id):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return querydict_from_html(response.content.decode(), form_id=form_id)


def add_form_row(data, prefix, **fields):
    """Append one inline row (InlinePanel) to posted form data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-id"] = ""
    data[f"{prefix}-{index}-ORDER"] = str(index + 1)
    data[f"{prefix}-{index}-DELETE"] = ""
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def form_errors(response):
    """What the admin form complains about (for assertion messages)."""
    context = getattr(response, "context", None)
    if not context or "form" not in context:
        return None
    form = context["form"]
    return {"form": form.errors, **{name: [e for e in formset.errors if e] + [
        formset.non_form_errors()] for name, formset in getattr(form, "formsets", {}).items()}}


#: Every admin listing or chooser with a search box, with a query and, where the seed makes
#: it certain, a text the answer must show.
SEARCHES = [
    ("/admin/snippets/projects/organisation/", "centres", None),
    ("/admin/snippets/projects/theme/", "alimentation", None),
    ("/admin/snippets/projects/public/", "parents", None),
    ("/admin/snippets/projects/sourcedocument/", "faad", None),
    ("/admin/snippets/indicators/indicatordefinition/", "beneficiaires-aide-alimentaire",
     "Bénéficiaires de l&#x27;aide alimentaire"),
    ("/admin/snippets/maps/territory/", "Raismes", "Raismes"),
    ("/admin/snippets/maps/territory/", "st amand", "Saint-Amand-les-Eaux"),
    ("/admin/indicator_values/", "Bénéficiaires", None),
    ("/admin/snippets/choose/indicators/indicatordefinition/", "Bénéficiaires",
     "Bénéficiaires de l&#x27;aide alimentaire"),
    ("/admin/snippets/choose/indicators/indicatordefinition/results/", "Bénéfici",
     "Bénéficiaires de l&#x27;aide alimentaire"),
    ("/admin/snippets/choose/maps/territory/results/", "Raismes", "59491"),
    ("/admin/snippets/choose/projects/organisation/results/", "centres", None),
    ("/admin/snippets/choose/projects/theme/results/", "alimentation", None),
    ("/admin/snippets/choose/projects/public/results/", "parents", None),
    ("/admin/snippets/choose/projects/sourcedocument/results/", "faad", None),
    ("/admin/pages/search/", "epicerie", None),
    ("/admin/choose-page/search/", "faad", None),
    ("/admin/users/", "agent", None),
    ("/admin/groups/", "FAAD", None),
    ("/admin/images/", "logo", None),
    ("/admin/documents/", "rapport", None),
    ("/admin/redirects/", "ancien", None),
    ("/admin/forms/", "contact", None),
    ("/admin/sites/", "portail", None),
    ("/admin/workflows/list/", "Relecture", None),
    ("/admin/workflows/tasks/index/", "Relecture", None),
    ("/admin/reports/site-history/", "faad", None),
    ("/admin/reports/locked/", "faad", None),
    ("/admin/reports/aging-pages/", "faad", None),
]


def chooser_html(response) -> str:
    """Choosers answer JSON ({"html": …}) to the modal; pages answer HTML."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()
