"""Admin panels shared by the page models."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import InlinePanel

#: Wagtail's "Add" button of an InlinePanel. Our French catalogue (which Django reads before
#: Wagtail's) says « Ajouter %(label)s » instead of « Ajouter un(e) %(label)s », and every
#: InlinePanel label carries its article: « Ajouter une action », « Ajouter un contact ».
ADD_BUTTON = _("Add %(label)s")


class OwnFormInlinePanel(InlinePanel):
    """An InlinePanel whose child forms use the child model's own admin form
    (`admin_form_class()` on the child model) and receive the editing user.

    Wagtail builds inline child forms from a bare `WagtailAdminModelForm` and passes them no
    user, so a rule that depends on who edits (only validators may validate a figure) could
    not be enforced on the server. The child model names its form itself, so this app needs
    to know nothing about the apps whose models appear inline."""

    def get_form_options(self):
        options = super().get_form_options()
        own_form = getattr(self.db_field.related_model, "admin_form_class", None)
        if own_form is not None:
            formset = options["formsets"][self.relation_name]
            formset["form"] = own_form()
            formset["inherit_kwargs"] = ["for_user"]
        return options
