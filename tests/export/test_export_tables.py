"""CSV/XLSX downloads: formula injection neutralised, HXL tag row, types kept."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from maaor.export.tables import (
    FORMULA_PREFIXES,
    csv_bytes,
    hxl_tags,
    neutralise,
    neutralise_text,
    xlsx_bytes,
)


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org": pd.Series(
                ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1)", "-2+3", "@cmd", "\tTab",
                 "\rCR", "HALO Trust", None],
                dtype="str",
            ),
            "country_iso3": pd.Series(["IRQ"] * 8, dtype="str"),
            "organisations": [1.0, -2.0, 3.0, None, 5.0, 6.0, 7.0, 8.0],
            "start": pd.to_datetime(["2020-01-02"] * 7 + [None]),
        }
    )


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_formula_prefix_gets_a_quote(prefix):
    assert neutralise_text(prefix + "1+1") == "'" + prefix + "1+1"


def test_plain_text_numbers_and_missing_are_untouched():
    assert neutralise_text("HALO Trust") == "HALO Trust"
    assert neutralise_text("a=b") == "a=b"
    assert neutralise_text(-5) == -5
    out = neutralise(hostile_frame())
    assert out["organisations"].tolist()[:3] == [1.0, -2.0, 3.0]
    assert out["org"].tolist()[:7] == [
        "'=HYPERLINK(\"http://x\",\"y\")", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTab", "'\rCR",
        "HALO Trust",
    ]
    assert pd.isna(out["org"].iloc[7])


def test_headers_and_object_columns_are_neutralised():
    frame = pd.DataFrame({"=cmd": pd.Series(["=1", 2, None], dtype=object)})
    out = neutralise(frame)
    assert list(out.columns) == ["'=cmd"]
    assert out.iloc[0, 0] == "'=1" and out.iloc[1, 0] == 2


def test_csv_has_bom_neutralised_cells_and_iso_dates():
    data = csv_bytes(hostile_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["org", "country_iso3", "organisations", "start"]
    assert rows[1][0].startswith("'=")
    assert rows[3][0] == "'-2+3"
    assert rows[2][2] == "-2.0"  # a negative number stays a number
    assert rows[1][3] == "2020-01-02"
    assert len(rows) == 9


def test_csv_hxl_row_from_columns_csv():
    data = csv_bytes(hostile_frame(), kind="presence", hxl=True,
                     extra_tags={"organisations": "#org+num"})
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # ISO3 codes are tagged #country+code (HXL convention; issue 15).
    assert rows[1] == ["#org", "#country+code", "#org+num", "#date+start"]
    assert len(rows) == 10
    assert hxl_tags("funding", ["required_usd", "nothing"]) == ["#value+funding+required+usd", ""]


def test_csv_without_hxl_has_no_tag_row():
    rows = csv_bytes(hostile_frame(), kind="presence").decode("utf-8-sig").splitlines()
    assert not rows[1].startswith("#")


def test_xlsx_has_no_formula_and_an_about_sheet():
    data = xlsx_bytes(hostile_frame(), sheet_name="where_is",
                      about={"Source": "MA AoR 4W", "Filters": "=evil()"})
    book = load_workbook(io.BytesIO(data))
    sheet = book["where_is"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["org", "country_iso3", "organisations", "start"]
    assert values[1][0] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert values[2][2] == -2
    assert values[1][3].year == 2020
    assert values[8][0] is None and values[8][3] is None
    about = [[c.value for c in row] for row in book["about"].iter_rows()]
    assert about == [["Source", "MA AoR 4W"], ["Filters", "'=evil()"]]


def test_xlsx_drops_characters_excel_cannot_hold():
    frame = pd.DataFrame({"note": pd.Series(["bell\x07here"], dtype="str"),
                          "n": pd.array([pd.NA], dtype="Int64")})
    book = load_workbook(io.BytesIO(xlsx_bytes(frame)))
    assert [[c.value for c in r] for r in book["data"].iter_rows()] == [["note", "n"],
                                                                         ["bellhere", None]]
