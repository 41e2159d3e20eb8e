"""A `<select>` written in one pass of Python instead of one template per `<option>`.

Why: Django renders each option of a select (and each checkbox) through its own widget
template; the listing's filter form has hundreds of options (carriers, axes, years, themes),
and rendering them cost more than all the SQL of the page. The HTML is the same as Django's
(`id`, `name`, `selected`, `<optgroup>`), plus the attributes given to the tag.
"""

from typing import NamedTuple

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _selected(field) -> set[str]:
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    return {str(v) for v in values if v is not None}


def _options(choices, chosen: set[str]) -> str:
    rows = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            rows.append(format_html('<optgroup label="{}">{}</optgroup>', key,
                                    mark_safe(_options(label, chosen))))  # noqa: S308
            continue
        key = "" if key is None else str(key)
        rows.append(format_html('<option value="{}"{}>{}</option>', key,
                                mark_safe(" selected") if key in chosen else "", label))
    return "".join(rows)


@register.simple_tag
def fast_select(field, css_class="", describedby=""):
    """`{% fast_select field "fr-select" desc_id %}`."""
    widget = field.field.widget
    attributes = {"name": field.html_name, "class": css_class or None,
                  "aria-describedby": describedby or None, "id": field.auto_id}
    if field.field.required:
        attributes["required"] = True
    if getattr(widget, "allow_multiple_selected", False):
        attributes["multiple"] = True
    html_attrs = format_html_join("", ' {}="{}"', ((k, v) for k, v in attributes.items()
                                                    if v not in (None, False, True)))
    flags = "".join(f" {k}" for k, v in attributes.items() if v is True)
    return format_html("<select{}{}>{}</select>", html_attrs, mark_safe(flags),  # noqa: S308
                       mark_safe(_options(widget.choices, _selected(field))))  # noqa: S308


class Checkboxes(NamedTuple):
    count: int
    html: str


@register.simple_tag
def fast_checkboxes(field) -> Checkboxes:
    """`{% fast_checkboxes field as boxes %}` then `{{ boxes.count }}` and `{{ boxes.html }}`:
    the DSFR checkboxes of a multiple choice filter, one `fr-checkbox-group` per option
    (members of a family indented, families and « tous publics » marked through the
    widget's `option_attrs`), with Django's ids (`<auto_id>_<index>`). The choices are read
    once for both: a page that did not set them (a map page) iterates a queryset, and
    `|length` on it would be one more COUNT per field."""
    widget = field.field.widget
    chosen = _selected(field)
    option_attrs = getattr(widget, "option_attrs", {})
    rows = []
    for index, (key, label) in enumerate(widget.choices):
        key = "" if key is None else str(key)
        attrs = option_attrs.get(key, {})
        kind = (" portal-facet__member" if attrs.get("member") else
                " portal-facet__family" if attrs.get("family") or attrs.get("universal") else "")
        option_id = f"{field.auto_id}_{index}"
        rows.append(format_html(
            '<div class="fr-checkbox-group fr-checkbox-group--sm{}">'
            '<input type="checkbox" name="{}" value="{}" id="{}"{}>'
            '<label class="fr-label" for="{}">{}</label></div>',
            kind, field.html_name, key, option_id,
            mark_safe(" checked") if key in chosen else "", option_id, label))  # noqa: S308
    return Checkboxes(len(rows), mark_safe("".join(rows)))  # noqa: S308
