"""Tests of maaor.read.csv: encodings, separators, ragged rows, line numbers."""

from __future__ import annotations

import codecs

import pytest

from maaor.read.csv import decode_text, read_csv_bytes, sniff_separator
from maaor.sources import Source

TEXT = "Organisation,Pays,Statut\nHALO Trust,Côte d'Ivoire,Actif\nMAG,Mali,Planifié\n"


def read(data: bytes, name: str = "f.csv"):
    result = read_csv_bytes(Source(name, data))
    return result, (result.sheets[0] if result.sheets else None)


def grid(sheet) -> list[list]:
    return sheet.cells.to_numpy().tolist()


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # BOM + native order
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
        TEXT.encode("latin-1"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-le", "utf16-be", "cp1252", "latin1"],
)
def test_encodings_give_the_same_text(data):
    result, sheet = read(data)
    assert result.problems == []
    assert grid(sheet) == [
        ["Organisation", "Pays", "Statut"],
        ["HALO Trust", "Côte d'Ivoire", "Actif"],
        ["MAG", "Mali", "Planifié"],
    ]
    assert sheet.first_row == 1
    assert sheet.sheet is None
    assert sheet.file == "f.csv"


def test_cp1252_only_characters_are_decoded():
    # "’" and "€" exist in cp1252 but not in latin-1.
    result, sheet = read("Org,Note\nMAG,l’été 5 €\n".encode("cp1252"))
    assert grid(sheet)[1] == ["MAG", "l’été 5 €"]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    text, problems = decode_text(b"a,b\nx\x81y,\xe9\n", "f.csv")
    assert text == "a,b\nx\x81y,é\n"
    assert problems == []


def test_utf16_without_bom_is_recognised():
    result, sheet = read(TEXT.encode("utf-16-le"))
    assert grid(sheet)[1][1] == "Côte d'Ivoire"


def test_mixed_encoding_is_read_line_by_line_with_a_warning():
    data = (
        b"Organisation,Pays\n"
        + "HALO Trust,Côte d'Ivoire\n".encode()
        + "MAG,Côte d'Ivoire\n".encode("cp1252")
        + b"NPA,Mali\n"
        + "DRC,Sénégal\n".encode("cp1252")
    )
    result, sheet = read(data)
    assert [row[1] for row in grid(sheet)[1:]] == [
        "Côte d'Ivoire",
        "Côte d'Ivoire",
        "Mali",
        "Sénégal",
    ]
    (problem,) = result.problems
    assert problem.code == "csv.mixed_encoding"
    assert problem.severity == "warning"
    assert problem.row == 3
    assert problem.value == "3, 5"
    assert "lines 3, 5" in problem.message


def test_semicolon_csv_keeps_numbers_as_text():
    result, sheet = read(b"Donor;Funded (USD);Year\nECHO;40.000,50;2020\nUSA;1.000;2021\n")
    assert grid(sheet) == [
        ["Donor", "Funded (USD)", "Year"],
        ["ECHO", "40.000,50", "2020"],
        ["USA", "1.000", "2021"],
    ]
    assert all(isinstance(v, str) for v in grid(sheet)[1])


def test_tab_separated():
    result, sheet = read(b"Organisation\tCountry\nMAG\tIraq\n", name="f.tsv")
    assert grid(sheet) == [["Organisation", "Country"], ["MAG", "Iraq"]]


def test_comma_wins_when_values_hold_semicolons():
    result, sheet = read(b'Lead,Partners\nUNMAS,"HI; MAG; NPA"\nGICHD,"DRC; FSD"\n')
    assert grid(sheet)[1] == ["UNMAS", "HI; MAG; NPA"]


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n4;5;6\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("just one column\nvalue\n", ","),
    ],
)
def test_sniff_separator(text, separator):
    assert sniff_separator(text) == separator


def test_excel_sep_hint_line_is_used_and_skipped():
    result, sheet = read(b"sep=;\nOrganisation;Country\nMAG;Iraq\n")
    assert sheet.first_row == 2
    assert grid(sheet) == [["Organisation", "Country"], ["MAG", "Iraq"]]


def test_empty_cells_are_none_and_short_rows_are_padded():
    result, sheet = read(b"a,b,c\n1,,3\n4\n")
    assert grid(sheet) == [["a", "b", "c"], ["1", None, "3"], ["4", None, None]]
    assert result.problems == []


def test_long_rows_keep_extra_cells_and_are_reported():
    result, sheet = read(b"a,b\n1,2\n3,4,5\n6,7,\n")
    assert grid(sheet) == [
        ["a", "b", None],
        ["1", "2", None],
        ["3", "4", "5"],
        ["6", "7", None],  # an empty trailing cell loses nothing: not reported
    ]
    (problem,) = result.problems
    assert problem.code == "csv.extra_cells"
    assert problem.severity == "warning"
    assert problem.row == 3


def test_multiline_quoted_field_keeps_line_numbers():
    data = b'Organisation,Comment\nMAG,"first line\nsecond line"\nHALO,ok\n'
    result, sheet = read(data)
    cells = grid(sheet)
    # Grid row i is CSV line i + 1: the record starting on line 2 covers line 3 too.
    assert cells[1] == ["MAG", "first line\nsecond line"]
    assert cells[2] == [None, None]
    assert cells[3] == ["HALO", "ok"]


def test_blank_lines_keep_their_place():
    result, sheet = read(b"a,b\n\n1,2\r\n\r\n3,4")
    cells = grid(sheet)
    assert cells[0] == ["a", "b"]
    assert cells[1] == [None, None]
    assert cells[2] == ["1", "2"]
    assert cells[4] == ["3", "4"]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", codecs.BOM_UTF8])
def test_empty_file_is_an_error(data):
    result, sheet = read(data)
    assert sheet is None
    assert [p.code for p in result.problems] == ["file.empty"]
    assert result.problems[0].severity == "error"


def test_kind_is_copied():
    result = read_csv_bytes(Source("f.csv", b"a,b\n1,2\n", kind="presence"))
    assert result.sheets[0].kind == "presence"


def test_unclosed_quote_swallowing_the_file_is_reported():
    data = b'a,b\n1,"open quote\n' + b"x" * 200_000 + b"\n2,3\n"
    result, sheet = read(data)
    (problem,) = result.problems
    # An error since issue 12 (a cell longer than Excel holds is refused).
    assert (problem.code, problem.severity, problem.row) == ("csv.long_cell", "error", 2)
    cells = grid(sheet)
    assert cells[1][0] == "1"
    assert len(cells[1][1]) > 200_000  # the rest of the file, kept in the open cell
    assert all(row == [None, None] for row in cells[2:])


def test_invalid_utf16_after_bom_is_replaced_with_a_warning():
    result, sheet = read(codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le") + b"\x00\xd8")
    assert [p.code for p in result.problems] == ["csv.encoding_replaced"]
    assert grid(sheet)[0] == ["a", "b"]
