"""The one validation layer of every import: the territory loader, the seed YAML, the laureate
and indicator spreadsheets.

It lives in `maps`, the lowest app, so that the territory loader can use it as well as the
apps above. It knows files and cells, never pages:

- `Problems` collects every error of a pass, each naming the file, the line (as the person sees
  it: header = line 1 in a spreadsheet) and the field or column, in French;
- `read_text` refuses what is not UTF-8 and files cut short; `read_table` reads a CSV (UTF-8
  with or without BOM, or Windows-1252, `;` or `,`) or an XLSX sheet into numbered rows;
- `Columns` matches headers as people write them ("Numéro dossier", "NUMERO_DOSSIER");
- the `parse_*` functions read cells as staff type them (`17/03/2026`, `12 500,50 €`);
- `model_problems` runs a model's own `full_clean()` on an unsaved instance: the models'
  fields and `clean()` methods stay the only place where a rule is written.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from maps.services.reports import ImportRejected


@dataclass
class Problems:
    """Every error found by a validation pass, phrased for the staff who fix the file.

    `word` names what a field is in this kind of file: a "champ" of a YAML record, a
    "colonne" of a spreadsheet."""

    word: str = "champ"
    errors: list[str] = field(default_factory=list)
    #: Facts worth showing before a write, which do not stop it (ignored columns, encoding).
    notes: list[str] = field(default_factory=list)

    def add(self, file: str, line: int | None, field_name: str, message: str) -> None:
        where = _("%(file)s, line %(line)s") % {"file": file, "line": line} if line else file
        if field_name:
            where = f"{where}, {self.word_label()} « {field_name} »"
        self.errors.append(f"{where} : {message}")

    def word_label(self) -> str:
        return _("column") if self.word == "colonne" else _("field")

    def add_file(self, file: str, message: str) -> None:
        """A problem of the whole file (encoding, format, missing column)."""
        self.errors.append(f"{file} : {message}")

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, exception: type[ImportRejected] = ImportRejected) -> None:
        if self.errors:
            raise exception(self.errors)


# --------------------------------------------------------------------------- files
def read_text(path: Path, problems: Problems, *, name: str | None = None,
              whole_lines: bool = True) -> str | None:
    """A reference or seed file as text: UTF-8 only (a BOM is dropped), and, for line-based
    formats (`whole_lines`), ending with a line break, because a file cut short by a failed
    copy or download ends in the middle of a line. Returns None after recording the
    problem."""
    name = name or Path(path).name
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        problems.add_file(name, _("unreadable file (%(error)s)") % {"error": exc.strerror})
        return None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add_file(
            name,
            _("the file is not in UTF-8 (byte 0x%(byte)02x on line %(line)s): save it as "
              "UTF-8") % {"byte": raw[exc.start], "line": line},
        )
        return None
    if whole_lines and content and not content.endswith("\n"):
        problems.add_file(
            name,
            _("the file does not end with a line break: it looks truncated (last line "
              "%(line)s)") % {"line": content.count("\n") + 1},
        )
        return None
    return content


def decode_spreadsheet(raw: bytes, name: str, problems: Problems) -> str | None:
    """A CSV exported by a spreadsheet: UTF-8 (with or without BOM), else Windows-1252 (what
    Excel writes on French Windows), noted so that the person knows how it was read."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        content = raw.decode("cp1252")
    except UnicodeDecodeError:
        problems.add_file(
            name, _("unknown encoding: save the file as CSV UTF-8 (or as XLSX)"))
        return None
    problems.notes.append(_("%(file)s read as Windows-1252") % {"file": name})
    return content


@dataclass
class Table:
    """A spreadsheet read into rows, each with the line number the person sees."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list]]


def read_table(raw: bytes, name: str, problems: Problems, *, sheet: str | None = None
               ) -> Table | None:
    """A `.csv` or `.xlsx` file into a Table (header = line 1; empty rows skipped, their
    numbers kept so that line numbers match the spreadsheet)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(raw, name, problems, sheet)
    if suffix != ".csv":
        problems.add_file(name, _("unsupported format: give a .csv or .xlsx file"))
        return None
    content = decode_spreadsheet(raw, name, problems)
    if content is None:
        return None
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problems.add_file(name, _("unreadable CSV (%(error)s)") % {"error": exc})
        return None
    return _table(name, records, problems)


def _read_xlsx(raw: bytes, name: str, problems: Problems, sheet: str | None) -> Table | None:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        problems.add_file(name, _("unreadable XLSX file (%(error)s)") % {"error": exc})
        return None
    if sheet is not None and sheet not in book.sheetnames:
        problems.add_file(name, _("no sheet named “%(sheet)s” (sheets: %(sheets)s)") % {
            "sheet": sheet, "sheets": ", ".join(book.sheetnames)})
        return None
    worksheet = book[sheet] if sheet else book.worksheets[0]
    return _table(name, [list(row) for row in worksheet.iter_rows(values_only=True)], problems)


def _table(name: str, records: list[list], problems: Problems) -> Table | None:
    if not records or not any(_filled(c) for c in records[0]):
        problems.add_file(name, _("the first line must hold the column names"))
        return None
    headers = [cell_text(c) for c in records[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows = [
        (line, list(cells))
        for line, cells in enumerate(records[1:], start=2)
        if any(_filled(c) for c in cells)
    ]
    return Table(name, headers, rows)


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def normalize_header(value: str) -> str:
    """"Numéro dossier", "NUMERO_DOSSIER", "numero-dossier" → "numerodossier"."""
    value = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-'’.]+", "", value.lower())


@dataclass
class Columns:
    """Which column of a table holds which expected field.

    `expected` maps a canonical name to its accepted spellings (the canonical one is always
    accepted): `{"periode_debut": ("debut", "date_debut")}`."""

    table: Table
    index: dict[str, int]
    labels: dict[str, str]

    @classmethod
    def match(cls, table: Table, expected: dict[str, Iterable[str]], required: Iterable[str],
              problems: Problems) -> Columns | None:
        spellings = {}
        for canonical, aliases in expected.items():
            for spelling in (canonical, *aliases):
                spellings[normalize_header(spelling)] = canonical
        index, labels, ignored = {}, {}, []
        for position, header in enumerate(table.headers):
            canonical = spellings.get(normalize_header(header))
            if canonical is None:
                if header:
                    ignored.append(header)
            elif canonical in index:
                problems.add_file(table.name, _("column “%(column)s” appears twice") % {
                    "column": header})
            else:
                index[canonical], labels[canonical] = position, header
        missing = [c for c in required if c not in index]
        if missing:
            problems.add_file(table.name, _("required column(s) missing: %(columns)s") % {
                "columns": ", ".join(missing)})
        if ignored:
            problems.notes.append(_("%(file)s: ignored column(s): %(columns)s") % {
                "file": table.name, "columns": ", ".join(ignored)})
        return None if missing else cls(table, index, labels)

    def label(self, canonical: str) -> str:
        """The column as the person wrote it in the header."""
        return self.labels.get(canonical, canonical)

    def cell(self, cells: list, canonical: str):
        position = self.index.get(canonical)
        if position is None or position >= len(cells):
            return None
        return cells[position]


def open_table(raw: bytes, name: str, problems: Problems, expected: dict, required,
               *, sheet: str | None = None) -> Columns | None:
    """A spreadsheet with its columns matched, or None after recording why not."""
    table = read_table(raw, name, problems, sheet=sheet)
    if table is None:
        return None
    columns = Columns.match(table, expected, required, problems)
    if columns is not None and not table.rows:
        problems.add_file(name, _("no row under the header"))
    return columns


class RowReader:
    """Reads a table's rows one at a time (`read(line, cells)`, written by each import),
    recording each problem under the column as the person wrote it."""

    def __init__(self, columns: Columns, problems: Problems):
        self.columns, self.problems, self.file = columns, problems, columns.table.name

    def read(self, line: int, cells: list):
        raise NotImplementedError

    def rows(self, key: Callable, key_column: str, duplicate_message: str) -> list:
        """Every valid row; a row with the key of an earlier one is a problem
        (`duplicate_message` names the earlier line as %(line)s)."""
        seen, rows = {}, []
        for line, cells in self.columns.table.rows:
            row = self.read(line, cells)
            if row is None:
                continue
            if key(row) in seen:
                self.add(line, key_column, duplicate_message % {"line": seen[key(row)]})
                continue
            seen[key(row)] = line
            rows.append(row)
        return rows

    def add(self, line: int, column: str, message: str) -> None:
        self.problems.add(self.file, line, self.columns.label(column), message)

    def cell(self, cells: list, column: str):
        return self.columns.cell(cells, column)

    def parse(self, line: int, cells: list, column: str, parser: Callable):
        """A cell read by one of the parse_* functions (None, and a problem, if it cannot)."""
        try:
            return parser(self.cell(cells, column))
        except CellError as exc:
            self.add(line, column, str(exc))
            return None

    def model(self, instance, line: int, labels: dict[str, str], exclude) -> bool:
        """`model_problems` with the model's fields named by their columns."""
        return model_problems(instance, self.problems, self.file, line,
                              {k: self.columns.label(v) for k, v in labels.items()}, exclude)


# --------------------------------------------------------------------------- cells
class CellError(ValueError):
    """A cell that cannot be read; its message is shown to staff."""


def cell_text(value) -> str:
    """A cell as text: whole numbers lose their ".0" (a dossier number typed in a number
    cell), dates read as ISO dates, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


def parse_date(value) -> datetime.date | None:
    """A date cell, or "2026-03-17", "17/03/2026", "17-03-2026", "17.03.2026", "17/03/26"."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("date expected (17/03/2026 or 2026-03-17), got “%(value)s”") % {
        "value": text})


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(value) -> Decimal | None:
    """A number cell, or a number as French staff type it: "12500", "12 500 €", "12 500,50 €",
    "1.250.000", "12,5 %". A single dot before three digits ("12.500") could be a thousands
    separator or a decimal point: refused rather than guessed."""
    if isinstance(value, bool):
        raise CellError(_("number expected, got “%(value)s”") % {"value": value})
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = cell_text(value)
    if not text:
        return None
    number = _SPACES.sub("", text)
    number = re.sub(r"(€|eur(os?)?|%)$", "", number, flags=re.IGNORECASE)
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        number = number.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in number:
        number = number.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}", number):
        number = number.replace(".", "")
    elif re.fullmatch(r"-?\d{1,3}\.\d{3}", number):
        raise CellError(_("ambiguous number “%(value)s”: write 12500 or 12,5") % {
            "value": text})
    try:
        result = Decimal(number)
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        raise CellError(_("number expected, got “%(value)s”") % {"value": text})
    return result


def parse_year(value) -> int | None:
    """A year: 2025, "2025", or a date (its year)."""
    if isinstance(value, datetime.date):
        return value.year
    text = cell_text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text):
        raise CellError(_("year expected (e.g. 2025), got “%(value)s”") % {"value": text})
    return int(text)


_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}


def parse_bool(value, default: bool = False) -> bool:
    """oui/non (also yes/no, vrai/faux, 1/0, x); empty gives the default."""
    if isinstance(value, bool):
        return value
    text = normalize_header(cell_text(value))
    if not text:
        return default
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("“oui” or “non” expected, got “%(value)s”") % {"value": cell_text(value)})


def split_list(value) -> list[str]:
    """Several values in one cell: separated by ";" or line breaks."""
    return [part.strip() for part in re.split(r"[;\n\r]+", cell_text(value)) if part.strip()]


def parse_siren(value) -> str:
    """A SIREN with its spaces removed; a 14-digit SIRET gives its SIREN (first 9 digits).
    Whether 9 digits make a SIREN is `Organisation.clean`'s rule, not repeated here."""
    digits = re.sub(r"[\s.\u00a0\u202f]", "", cell_text(value))
    if len(digits) == 14 and digits.isdigit():
        return digits[:9]
    return digits


# --------------------------------------------------------------------------- models
def model_problems(instance, problems: Problems, file: str, line: int | None,
                   labels: dict[str, str], exclude: Iterable[str] = ()) -> bool:
    """Run the model's own validation on an unsaved instance, and record each error under the
    column or field it came from (`labels`: model field → name in the file). Returns whether
    the instance is valid.

    Field checks (types, lengths, validators, choices) first; the model's `clean()` (rules
    across fields: end after start) only when every field is valid, because `clean()` may
    compare values that only a valid field has converted. Uniqueness and constraints are
    the database's and the caller's business (an unsaved instance has no parent yet)."""
    exclude = list(exclude)
    try:
        instance.clean_fields(exclude=exclude)
        instance.clean()
    except ValidationError as exc:
        record_validation_error(exc, problems, file, line, labels)
        return False
    return True


def record_validation_error(exc: ValidationError, problems: Problems, file: str,
                            line: int | None, labels: dict[str, str]) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            problems.add(file, line, "", message)
        return
    for name, messages in exc.message_dict.items():
        label = "" if name == NON_FIELD_ERRORS else labels.get(name, name)
        for message in messages:
            problems.add(file, line, label, message)
