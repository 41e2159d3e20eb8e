"""`{{ text|quoted }}`: French quotes around words of a source, once. Source texts often
carry their own « … » already; wrapping them again gave « « … » »."""

from django import template

register = template.Library()


@register.filter
def quoted(text) -> str:
    text = str(text or "").strip()
    if not text:
        return ""
    if text.startswith(("«", "“", '"')) and text.endswith(("»", "”", '"')):
        return text
    return f"«\u00a0{text}\u00a0»"
