"""Admin pages of the spreadsheet imports: upload, preview (the dry run of the same service
as the command), confirm; and the downloadable templates. Registered from
`projects/wagtail_hooks.py` (laureates) and `indicators/wagtail_hooks.py` (indicator values).

Staff only reach programmes they may add pages to (laureates) or edit (indicator values);
the « publish » box is offered only to those who may publish there. Between preview and
confirm the file waits in the session (shared by every app server), never on local disk.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from maps.services.reports import ImportRejected
from projects.models import ProgrammePage

TEMPLATE_DIR = Path(settings.BASE_DIR) / "fixtures" / "import"
MAX_UPLOAD = 5 * 1024 * 1024
SESSION_KEY = "portal_spreadsheet_import"


@dataclass
class SpreadsheetImport:
    """One kind of import, as the admin offers it."""

    slug: str
    title: str
    template: str  # file name without extension, in fixtures/import/
    plan: Callable  # (raw, filename, programme, sheet=) -> plan
    write: Callable  # (plan, user=, [publish=]) -> ImportReport
    can_publish: bool = False
    #: "add" (new pages under the programme) or "edit" (the programme's pages).
    permission: str = "add"

    def programmes(self, user):
        allowed = []
        for programme in ProgrammePage.objects.order_by("title"):
            perms = programme.permissions_for_user(user)
            if perms.can_add_subpage() if self.permission == "add" else perms.can_edit():
                allowed.append(programme.pk)
        return ProgrammePage.objects.filter(pk__in=allowed).order_by("title")

    def urls(self):
        return [
            path(f"imports/{self.slug}/", ImportView.as_view(kind=self),
                 name=f"wagtailadmin_import_{self.slug}"),
            path(f"imports/{self.slug}/<str:name>", template_download(self),
                 name=f"wagtailadmin_import_{self.slug}_template"),
        ]

    def menu_item(self, order: int) -> MenuItem:
        kind = self

        class ImportMenuItem(MenuItem):
            def is_shown(self, request):
                return kind.programmes(request.user).exists()

        return ImportMenuItem(self.title, reverse(f"wagtailadmin_import_{self.slug}"),
                              icon_name="upload", order=order)


class ImportForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=ProgrammePage.objects.none(),
                                       label=gettext_lazy("Programme"))
    file = forms.FileField(label=gettext_lazy("File (.csv or .xlsx)"))
    sheet = forms.CharField(label=gettext_lazy("XLSX sheet"), required=False,
                            help_text=gettext_lazy("Leave empty to read the first sheet."))
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the pages"), required=False,
        help_text=gettext_lazy("Otherwise they are drafts submitted to the programme's "
                               "review."))

    def __init__(self, *args, programmes, can_publish, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if not can_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is over 5 MB."))
        if Path(upload.name).suffix.lower() not in {".csv", ".xlsx"}:
            raise forms.ValidationError(_("Give a .csv or .xlsx file."))
        return upload


class ImportView(WagtailAdminTemplateMixin, TemplateView):
    """GET: the upload form; POST without `confirm`: the preview; POST with `confirm`: the
    import of the file kept in the session."""

    kind: SpreadsheetImport = None
    template_name = "projects/admin/spreadsheet_import.html"
    header_icon = "upload"

    def get_page_title(self):
        return self.kind.title

    def dispatch(self, request, *args, **kwargs):
        self.programmes = self.kind.programmes(request.user)
        if not self.programmes.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_publish(self, programme) -> bool:
        return self.kind.can_publish and (
            programme is None or programme.permissions_for_user(
                self.request.user).can_publish_subpage())

    def form(self, data=None, files=None):
        initial = {}
        slug = self.request.GET.get("programme")
        if slug:
            initial["programme"] = self.programmes.filter(slug=slug).first()
        return ImportForm(data, files, programmes=self.programmes, initial=initial,
                          can_publish=self.may_publish(None))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["kind"] = self.kind
        context["template_urls"] = [
            (ext.upper(), reverse(f"wagtailadmin_import_{self.kind.slug}_template",
                                  args=[f"{self.kind.template}.{ext}"]))
            for ext in ("csv", "xlsx")
        ]
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        programme = form.cleaned_data["programme"]
        upload = form.cleaned_data["file"]
        raw = upload.read()
        sheet = form.cleaned_data.get("sheet") or None
        publish = bool(form.cleaned_data.get("publish")) and self.may_publish(programme)
        plan = self.kind.plan(raw, upload.name, programme, sheet=sheet)
        if not plan.problems:
            request.session[SESSION_KEY] = {
                "kind": self.kind.slug, "name": upload.name, "programme": programme.pk,
                "sheet": sheet, "publish": publish,
                "data": base64.b64encode(raw).decode("ascii"),
            }
        return self.render_to_response(self.get_context_data(
            form=form, plan=plan, report=plan.report(), programme=programme, publish=publish))

    def confirm(self):
        stored = self.request.session.pop(SESSION_KEY, None)
        if not stored or stored.get("kind") != self.kind.slug:
            messages.error(self.request, _("Nothing to import: send the file again."))
            return redirect(f"wagtailadmin_import_{self.kind.slug}")
        programme = self.programmes.filter(pk=stored["programme"]).first()
        if programme is None:
            raise PermissionDenied
        plan = self.kind.plan(base64.b64decode(stored["data"]), stored["name"], programme,
                              sheet=stored["sheet"])
        options = {"user": self.request.user}
        if self.kind.can_publish:
            options["publish"] = stored["publish"] and self.may_publish(programme)
        try:
            report = self.kind.write(plan, **options)
        except ImportRejected:
            # The database changed between preview and confirm: show the new problems.
            return self.render_to_response(self.get_context_data(
                plan=plan, report=plan.report(), programme=programme))
        messages.success(self.request, _("%(file)s imported into %(programme)s: %(summary)s.")
                         % {"file": stored["name"], "programme": programme.title,
                            "summary": report.summary()})
        return redirect("wagtailadmin_explore", programme.pk)


def template_download(kind: SpreadsheetImport):
    """The template files of fixtures/import/, downloadable from the import page."""

    def view(request, name):
        if not kind.programmes(request.user).exists():
            raise PermissionDenied
        if name not in {f"{kind.template}.csv", f"{kind.template}.xlsx"}:
            raise Http404
        return FileResponse((TEMPLATE_DIR / name).open("rb"), as_attachment=True,
                            filename=name)

    return view


def _laureate_kind() -> SpreadsheetImport:
    from projects.services.import_laureates import import_laureates, plan_laureates

    return SpreadsheetImport(
        slug="laureats", title=gettext_lazy("Import laureates"),
        template="modele-laureats", plan=plan_laureates, write=import_laureates,
        can_publish=True, permission="add")


LAUREATES = _laureate_kind()
