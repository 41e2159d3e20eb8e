"""Text that is safe to put in a spreadsheet cell (CSV or XLSX) opened by a person.

Two dangers, whatever the source of the text (a staff edit, a seed file, the query string
copied into the "Filters" sheet):
- control characters: openpyxl refuses them (a 500 for the whole export) and they mean
  nothing to a reader: they are removed (tab and line breaks are kept);
- formula injection: a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return,
  which some spreadsheets skip before reading a formula) may be run as a formula by Excel or
  LibreOffice. In CSV such text gets a leading apostrophe (OWASP's advice: spreadsheets show
  it as text); in XLSX the cell is written as text with Excel's own "quote prefix" style.
Plain numbers written as text ("-12.5") are numbers, not formulas, and are left alone.
"""

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def starts_like_a_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) and not NUMBER.fullmatch(text)


def csv_text(text: str) -> str:
    """`text` for a CSV cell: no control character, never read as a formula."""
    text = without_control_characters(text)
    return "'" + text if starts_like_a_formula(text) else text


def csv_row(values) -> list:
    """A row of CSV values with its text cells made safe (numbers and dates untouched)."""
    return [csv_text(v) if isinstance(v, str) else v for v in values]


def xlsx_cell(sheet, value):
    """An openpyxl write-only cell for `value`: text cleaned of control characters, and
    text that starts like a formula stored as text with the quote prefix."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        value = without_control_characters(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and starts_like_a_formula(value):
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
    return cell
