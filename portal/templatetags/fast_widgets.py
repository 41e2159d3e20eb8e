"""The filter form's fields written in one pass of Python instead of templates.

Why: Django renders each option of a select (and each checkbox) through its own widget
template; the listing's filter form has hundreds of options (carriers, axes, years, themes),
and rendering them cost more than all the SQL of the page. The HTML is the same as Django's
(`id`, `name`, `selected`, `<optgroup>`), plus the attributes given to the tag. The group
around each field (label, hint, errors: DSFR's `fr-select-group`, `fr-input-group`,
`fr-fieldset`) is written here too (`filter_field`): as a template loop it was a fifth of the
CPU time of an uncached listing.
"""

from html import escape
from typing import NamedTuple

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _selected(field) -> set[str]:
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    return {str(v) for v in values if v is not None}


def _esc(value) -> str:
    """`conditional_escape` without its lazy-string and SafeString wrappers: the options of a
    listing are a few hundred plain strings, and Django's escape around each was most of
    the cost of writing them."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _options(choices, chosen: set[str]) -> str:
    rows = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            rows.append(f'<optgroup label="{_esc(key)}">{_options(label, chosen)}</optgroup>')
            continue
        key = "" if key is None else str(key)
        selected = " selected" if key in chosen else ""
        rows.append(f'<option value="{_esc(key)}"{selected}>{_esc(label)}</option>')
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
    name, auto_id = _esc(field.html_name), _esc(field.auto_id)
    for index, (key, label) in enumerate(widget.choices):
        key = "" if key is None else str(key)
        attrs = option_attrs.get(key, {})
        kind = (" portal-facet__member" if attrs.get("member") else
                " portal-facet__family" if attrs.get("family") or attrs.get("universal") else "")
        checked = " checked" if key in chosen else ""
        rows.append(
            f'<div class="fr-checkbox-group fr-checkbox-group--sm{kind}">'
            f'<input type="checkbox" name="{name}" value="{_esc(key)}" id="{auto_id}_{index}"'
            f'{checked}><label class="fr-label" for="{auto_id}_{index}">{_esc(label)}</label>'
            "</div>")
    return Checkboxes(len(rows), mark_safe("".join(rows)))  # noqa: S308


def _errors(field, css_class: str) -> str:
    return "".join(format_html('<p class="{}">{}</p>', css_class, error)
                   for error in field.errors)


def _input(field, describedby: str) -> str:
    """What `{% render_field field class="fr-input" aria-describedby=… autocomplete="off" %}`
    writes, without Django's three widget templates (input.html, attrs.html)."""
    widget = field.field.widget
    attrs = {**widget.attrs, "autocomplete": "off", "aria-describedby": describedby,
             "class": "fr-input"}
    context = widget.get_context(field.html_name, field.value(),
                                 field.build_widget_attrs({**attrs, "id": field.auto_id}))
    data = context["widget"]
    html = [format_html('<input type="{}" name="{}"', data["type"], data["name"])]
    if data["value"] is not None:
        html.append(format_html(' value="{}"', data["value"]))
    for name, value in data["attrs"].items():
        if value is True:
            html.append(format_html(" {}", name))
        elif value is not False:
            html.append(format_html(' {}="{}"', name, value))
    html.append(">")
    return "".join(html)


@register.simple_tag
def filter_field(field) -> SafeString:
    """`{% filter_field field %}`: one field of the filter form in its DSFR group, its
    description and errors under `<auto_id>-desc`. Checkboxes go in a `<fieldset>` whose
    options fold in a `<details>` (open when one is ticked); a select or an input in a
    labelled group."""
    auto_id = field.auto_id
    desc_id = f"{auto_id}-desc"
    errors = bool(field.errors)
    label, help_text = conditional_escape(field.label), field.help_text
    input_type = getattr(field.field.widget, "input_type", None)
    if input_type == "checkbox":
        boxes = fast_checkboxes(field)
        hint = format_html('<span class="fr-hint-text">{}</span>', help_text) if help_text else ""
        summary = gettext("Show the %(n)s options") % {"n": boxes.count}
        return format_html(
            '<fieldset class="fr-fieldset{}" id="{}" aria-labelledby="{}-legend {}">'
            '<legend class="fr-fieldset__legend fr-fieldset__legend--regular" id="{}-legend">'
            "{}{}</legend>"
            '<div class="fr-fieldset__element"><details{}>'
            '<summary class="fr-text--sm">{}</summary>{}</details></div>'
            '<div class="fr-messages-group" id="{}" aria-live="polite">{}</div></fieldset>',
            " fr-fieldset--error" if errors else "", auto_id, auto_id, desc_id, auto_id, label,
            hint, mark_safe(" open") if field.value() else "", summary, boxes.html,  # noqa: S308
            desc_id, mark_safe(_errors(field, "fr-message fr-message--error")))  # noqa: S308
    group = "fr-select-group" if input_type == "select" else "fr-input-group"
    control = (fast_select(field, "fr-select", desc_id) if input_type == "select"
               else mark_safe(_input(field, desc_id)))  # noqa: S308
    hint = format_html(' <span class="fr-hint-text">{}</span>', help_text) if help_text else ""
    return format_html(
        '<div class="{} fr-mb-2w{}"><label class="fr-label" for="{}">{}{}</label>{}'
        '<div id="{}">{}</div></div>',
        group, f" {group}--error" if errors else "", auto_id, label, hint, control, desc_id,
        mark_safe(_errors(field, "fr-error-text")))  # noqa: S308
