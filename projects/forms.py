"""The project page's admin form: axes of the project's own programme only, and territories
added in bulk (pasted codes or names, an EPCI or a département as itself or as its
communes), checked on the server."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from maps.models import Scale, Territory, normalize_name

#: Separators between pasted territories: new lines, commas, semicolons, tabs.
SEPARATORS = re.compile(r"[\n\r;,\t]+")


EXPAND_CHOICES = [
    ("itself", _("the territory itself (an EPCI or a département as a whole)")),
    ("communes", _("all its communes, one by one")),
]


def resolve_territory(text: str) -> list[Territory]:
    """The territories a pasted line may mean: a commune INSEE code (5 characters), an EPCI
    SIREN (9 digits), a département (2–3 characters) or region code, or an exact name
    (accents and "St"/"Saint" ignored). Several answers mean the line is ambiguous."""
    text = text.strip()
    code = text.upper().replace(" ", "")
    active = Territory.objects.active().exclude(scale=Scale.FOREIGN)
    if re.fullmatch(r"\d{9}", code):
        return list(active.filter(scale=Scale.EPCI, code=code))
    if re.fullmatch(r"(\d{5}|2[AB]\d{3})", code):
        return list(active.filter(scale=Scale.COMMUNE, code=code))
    if re.fullmatch(r"(\d{2,3}|2[AB])", code):
        return list(active.filter(scale__in=[Scale.DEPARTEMENT, Scale.REGION], code=code)
                    .order_by("-scale"))[:1]
    wanted = normalize_name(text)
    # search_name is "name code": an exact name is its prefix followed by the code.
    candidates = active.filter(search_name__startswith=f"{wanted} ")
    return [t for t in candidates if normalize_name(t.name) == wanted]


def parse_pasted_territories(text: str) -> tuple[list[Territory], list[str]]:
    """Territories found in a pasted list, in order, and one French error per line that is
    unknown or ambiguous (all-or-nothing: the caller adds nothing if there is an error)."""
    found: list[Territory] = []
    errors: list[str] = []
    for item in filter(None, (part.strip() for part in SEPARATORS.split(text or ""))):
        matches = resolve_territory(item)
        if not matches:
            errors.append(_("« %(item)s »: no commune, EPCI, département or region has this "
                            "code or name.") % {"item": item})
        elif len(matches) > 1:
            names = ", ".join(f"{t} [{t.code}]" for t in matches[:5])
            errors.append(_("« %(item)s » is ambiguous (%(names)s): paste its code instead.")
                          % {"item": item, "names": names})
        else:
            found.append(matches[0])
    return found, errors


def expand_to_communes(territories: list[Territory]) -> list[Territory]:
    """EPCI, départements and regions replaced by their communes (communes kept)."""
    result = [t for t in territories if t.scale == Scale.COMMUNE]
    wider = [t.pk for t in territories if t.scale != Scale.COMMUNE]
    if wider:
        result += list(Territory.objects.active().filter(
            scale=Scale.COMMUNE, ancestors__in=wider).distinct().order_by("name"))
    return result


def grouped_by_family(queryset) -> list:
    """The checkboxes of a two-level vocabulary under one heading per family (the family
    itself first, then its members), entries without family under their own name. One
    query; validation still reads the field's queryset."""
    entries = list(queryset.select_related("family").order_by("label", "pk"))
    members: dict[int | None, list] = {}
    for entry in entries:
        members.setdefault(entry.family_id, []).append(entry)
    groups = []
    for head in members.get(None, []):
        group = [head, *members.get(head.pk, [])]
        groups.append((head.label, [(e.pk, e.label) for e in group]))
    return groups


class ProjectPageForm(WagtailAdminPageForm):
    territory_paste = forms.CharField(
        label=_("Add territories in bulk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Paste INSEE codes of communes, SIREN codes of EPCI, département codes or "
                    "exact names, one per line or separated by commas (e.g. 59491, 59172 or "
                    "200042190). They are added to the territories below when you save."),
    )
    territory_expand = forms.ChoiceField(
        label=_("For an EPCI, a département or a region, add"),
        choices=EXPAND_CHOICES,
        initial="itself",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # Left empty, the slug is made from the title, in ASCII like the seed's.
            self.fields["slug"].required = False
        programme = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        axes = self.fields.get("axes")
        if axes is not None:
            # The server refuses an axis of another programme: it is simply not a choice.
            axes.queryset = axes.queryset.filter(programme_id=getattr(programme, "pk", None))
            axes.help_text = _("Only the axes or priorities of this project's programme.")
        for name in ("publics", "themes"):
            field = self.fields.get(name)
            if field is not None:
                field.choices = grouped_by_family(field.queryset)

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("title", ""))
        if not slug:
            raise ValidationError(_("Give the page a title or an address."), code="required")
        return slug

    def clean(self):
        cleaned = super().clean()
        found, errors = parse_pasted_territories(cleaned.get("territory_paste", ""))
        if errors:
            self.add_error("territory_paste", errors)
        elif found and cleaned.get("territory_expand") == "communes":
            found = expand_to_communes(found)
        self.pasted_territories = found
        return cleaned

    def save(self, commit=True):
        page = super().save(commit=False)
        existing = {link.territory_id for link in page.territory_links.all()}
        new = [t for t in getattr(self, "pasted_territories", []) if t.pk not in existing]
        if new:
            link_model = page.territory_links.model
            page.territory_links.add(*[link_model(territory=t) for t in dict.fromkeys(new)])
        if commit:
            page.save()
            self.save_m2m()
        return page
