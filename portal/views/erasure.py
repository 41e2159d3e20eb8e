"""Admin page « Effacer une personne » (right to erasure): staff type a name, an e-mail or a
phone number, see every contact and revision holding it, and confirm. Superusers only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from projects.services import erasure


class PersonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False)

    def person(self):
        try:
            return erasure.Person(**self.cleaned_data)
        except ValueError:
            self.add_error(None, _("Give a name, an e-mail or a phone number."))
            return None


class ErasePersonView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/admin/erase_person.html"
    page_title = gettext_lazy("Erase a person's details")
    header_icon = "bin"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PersonForm(self.request.GET or None)
        context["form"] = form
        if form.is_valid():
            person = form.person()
            if person is not None:
                context["found"] = erasure.find(person)
        return context

    def post(self, request):
        form = PersonForm(request.POST)
        person = form.person() if form.is_valid() else None
        if person is None:
            return redirect("portal_erase_person")
        found = erasure.erase(person, by=request.user.get_username())
        messages.success(request, _("Erased: %(contacts)s contact(s), %(revisions)s "
                                    "revision(s).") % {"contacts": len(found.contacts),
                                                       "revisions": len(found.revisions)})
        return redirect("portal_erase_person")
