"""Spreadsheet cells are safe to open: no control character, no formula run by Excel."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from portal import spreadsheets
from portal.exports import to_csv, to_xlsx


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+33 3 20 00 00 00", "'+33 3 20 00 00 00"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("a\x0bb\x00c", "abc"),
    ("ligne 1\nligne 2", "ligne 1\nligne 2"),
    ("-12,5", "-12,5"),
    ("Épicerie", "Épicerie"),
])
def test_csv_text(text, expected):
    assert spreadsheets.csv_text(text) == expected


def test_xlsx_cells_keep_formulas_as_text_and_drop_control_characters():
    rows = [{"title": "=1+1"}]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append([spreadsheets.xlsx_cell(sheet, v) for v in ("=1+1", "@x", "a\x0bb", 3, "-2")])
    buffer = io.BytesIO()
    book.save(buffer)
    cells = list(load_workbook(buffer).active.iter_rows(values_only=False))[0]
    assert [c.value for c in cells] == ["=1+1", "@x", "ab", 3, "-2"]
    assert cells[0].data_type == "s" and cells[0].quotePrefix  # text, shown as typed
    assert not cells[4].quotePrefix  # a number written as text is not a formula
    assert rows


@pytest.mark.django_db
def test_exports_of_the_audit_query_are_clean_files(client):
    """The audit's request: the writer itself is safe even when the 400 guard is bypassed
    (here the filters text holds the character)."""
    xlsx = to_xlsx([], [("Adresse", "/projets/export.xlsx?q=a\x0bb"), ("Recherche", "=cmd")])
    book = load_workbook(io.BytesIO(xlsx))
    filters = {r[0]: r[1] for r in book[book.sheetnames[1]].iter_rows(values_only=True)}
    assert filters["Adresse"] == "/projets/export.xlsx?q=ab"
    assert filters["Recherche"] == "=cmd"
    assert book[book.sheetnames[1]]["B4"].data_type == "s"
    assert client.get("/projets/export.xlsx?q=a%0Bb").status_code == 400
    text = to_csv([]).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text), delimiter=";"))  # the header parses back
