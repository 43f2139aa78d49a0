"""Tests of maaor.export.annotated: the upload with each problem marked on its cell."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from maaor.export.annotated import ERROR_COLOUR, WARNING_COLOUR, annotated_workbook
from maaor.load import load_sources
from maaor.problems import Problem
from maaor.sources import Source


def workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "4W"
    sheet.append(["Presence of operators, 2024"])  # a title row above the header
    sheet.append(["Organisation", "Country", "Pillar", "Status", "Women reached"])
    sheet.append(["UNMAS", "Iraq", "Land release", "active", 10])
    sheet.append(["HALO Trust", "Narnia", "Land release", "active", -5])
    sheet.append(["Zzyzx Demining Group", "Iraq", "Land release", "active", 3])
    other = book.create_sheet("Notes")
    other["A1"] = "kept as it was"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def open_annotated(source: Source, problems) -> Workbook:
    return load_workbook(io.BytesIO(annotated_workbook(source, problems)))


def test_error_cell_is_red_with_message_and_fix():
    source = Source("4w.xlsx", workbook_bytes())
    problems = load_sources([source]).problems
    country = next(p for p in problems if p.code == "country.unknown")
    assert (country.sheet, country.row, country.column) == ("4W", 4, "Country")
    book = open_annotated(source, problems)
    cell = book["4W"]["B4"]
    assert cell.value == "Narnia"
    assert cell.fill.fill_type == "solid"
    assert cell.fill.start_color.rgb == ERROR_COLOUR
    assert country.message in cell.comment.text
    assert "Fix: " + country.fix in cell.comment.text
    negative = book["4W"]["E4"]
    assert negative.fill.start_color.rgb == ERROR_COLOUR
    assert "negative" in negative.comment.text
    # Cells without a problem are left alone; other sheets are kept.
    assert book["4W"]["A4"].comment is None and book["4W"]["A4"].fill.fill_type is None
    assert book["Notes"]["A1"].value == "kept as it was"


def test_warning_cell_is_amber():
    source = Source("4w.xlsx", workbook_bytes())
    problems = load_sources([source]).problems
    book = open_annotated(source, problems)
    cell = book["4W"]["A5"]
    assert cell.value == "Zzyzx Demining Group"
    assert cell.fill.start_color.rgb == WARNING_COLOUR
    assert cell.comment.text.startswith("WARNING: ")


def test_problems_sheet_lists_every_problem_neutralised():
    source = Source("4w.xlsx", workbook_bytes())
    problems = [
        *load_sources([source]).problems,
        Problem("error", "test.formula", "=HYPERLINK(\"http://x\")", "fix it", file="4w.xlsx",
                sheet="4W", row=3, column="Status", value="=1+2"),
    ]
    book = open_annotated(source, problems)
    assert book.sheetnames[0] == "Problems"
    rows = list(book["Problems"].iter_rows(values_only=True))
    assert rows[0] == ("Severity", "File", "Sheet", "Row", "Column", "Value", "Message", "Fix", "Code")
    assert len(rows) == 1 + len(problems)
    injected = next(r for r in rows if r[8] == "test.formula")
    assert injected[5] == "'=1+2" and injected[6].startswith("'=")
    assert book["4W"]["D3"].fill.start_color.rgb == ERROR_COLOUR


def test_csv_is_rendered_with_the_same_marks():
    data = b"Organisation,Country,Women reached\nUNMAS,Narnia,=SUM(A1:A2)\n"
    source = Source("4w.csv", data)
    problems = load_sources([source]).problems
    book = open_annotated(source, problems)
    sheet = book["4w"]
    assert [c.value for c in sheet[1]] == ["Organisation", "Country", "Women reached"]
    assert sheet["B2"].value == "Narnia"
    assert sheet["B2"].fill.start_color.rgb == ERROR_COLOUR
    assert "Narnia" in sheet["B2"].comment.text
    # Data written into the rendering cannot become a formula.
    assert sheet["C2"].value == "'=SUM(A1:A2)"
    assert sheet["C2"].data_type == "s"


def test_problem_without_known_column_goes_on_column_a_and_unreadable_file_still_gives_a_workbook():
    source = Source("4w.xlsx", workbook_bytes())
    row_problem = Problem("warning", "row.odd", "Odd row.", "Check it.", file="4w.xlsx",
                          sheet="4W", row=3, column="No such header")
    book = open_annotated(source, [row_problem])
    assert "(column No such header)" in book["4W"]["A3"].comment.text

    broken = Source("broken.xlsx", b"PK\x03\x04 not really a zip")
    problem = Problem("error", "file.unreadable", "Cannot read.", "Save again.", file="broken.xlsx")
    book = open_annotated(broken, [problem])
    assert book.sheetnames == ["Problems"]
    assert list(book["Problems"].iter_rows(values_only=True))[1][8] == "file.unreadable"


def test_the_annotated_workbook_speaks_the_coordinators_language():
    source = Source("4w.xlsx", workbook_bytes())
    problems = load_sources([source]).problems
    assert problems
    book = load_workbook(io.BytesIO(annotated_workbook(source, problems, "fr")))
    assert book.sheetnames[0] == "Problèmes"
    rows = list(book["Problèmes"].iter_rows(values_only=True))
    assert rows[0] == ("Gravité", "Fichier", "Feuille", "Ligne", "Colonne", "Valeur", "Problème",
                       "Comment corriger", "Code")
    by_code = {r[8]: r for r in rows[1:]}
    for p in problems:
        assert by_code[p.code][6] == p.message_in("fr") != p.message
    comments = [c.comment.text for sheet in book.worksheets[1:] for line in sheet.iter_rows()
                for c in line if c.comment]
    assert comments and all("Comment corriger : " in c for c in comments)
    assert not [c for c in comments if "Fix:" in c or "WARNING" in c or "ERROR" in c]
