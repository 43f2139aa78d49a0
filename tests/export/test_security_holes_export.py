"""Every export path neutralises formulas hidden behind control characters (issue 12, item 3).

A formula used to survive when it started after a character that is removed or decoded
before a spreadsheet looks at the cell: a control character (stripped for openpyxl after
the formula test), its OOXML escape ``_x0001_`` (Excel decodes it), a full-width sign or
leading spaces. Each path below is fed the extended payload list; every text cell it
writes is then read back the way a spreadsheet reads it (escapes decoded, control
characters dropped, leading blanks skipped) and must not start a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook

from maaor.dataset import TABLE_COLUMNS, TABLES, Dataset, DatasetMeta, empty_table
from maaor.export.annotated import annotated_workbook
from maaor.export.tables import csv_bytes, neutralise_text, xlsx_bytes
from maaor.export.versions import tables_workbook
from maaor.problems import Problem
from maaor.read.types import Source
from tests import security_payloads as P

PAYLOADS = (*P.FORMULAS, *P.HIDDEN_FORMULAS)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLANKS = (" \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
           "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff")


def as_a_spreadsheet_reads(text: str) -> str:
    """The start of ``text`` as a spreadsheet judges it: escapes decoded, controls dropped."""
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return _CONTROL.sub("", decoded).lstrip(_BLANKS)


def live_formulas(cells: list[str]) -> list[str]:
    prefixes = P.FORMULA_PREFIXES + P.WIDE_FORMULA_PREFIXES
    return [repr(c[:30]) for c in cells if as_a_spreadsheet_reads(c).startswith(prefixes)]


def xlsx_text_cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    formulas = [c.coordinate for s in book.worksheets for r in s.iter_rows() for c in r
                if c.data_type == "f"]
    assert formulas == [], f"cells stored as formulas: {formulas[:5]}"
    return [c.value for s in book.worksheets for r in s.iter_rows() for c in r
            if isinstance(c.value, str)]


def assert_safe_and_kept(cells: list[str], expected: tuple[str, ...] = PAYLOADS) -> None:
    assert live_formulas(cells) == []
    # The text is kept (neutralised), not dropped: a reader still sees what was written.
    seen = {c.replace("\r", "") for c in cells}
    missing = [p for p in expected if str(neutralise_text(p)).replace("\r", "") not in seen]
    assert missing == []


def payload_frame() -> pd.DataFrame:
    n = len(PAYLOADS)
    return pd.DataFrame({
        "text": pd.Series(list(PAYLOADS), dtype="str"),
        "mixed": pd.Series([*PAYLOADS[:-1], 3], dtype=object),
        "amount": [-5.0] * n,
        P.HIDDEN_FORMULAS[0]: ["header payload"] * n,
    })


def test_the_one_function_strips_controls_before_it_neutralises():
    assert neutralise_text("\x01=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise_text("_x0001_=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise_text("\uff1d1+1") == "'\uff1d1+1"
    assert neutralise_text(" =1+1") == "' =1+1"
    assert neutralise_text("_x003D_1") == "'_x003D_1"
    assert neutralise_text("plain a\x01b") == "plain ab"
    assert neutralise_text(neutralise_text("=1")) == "'=1"  # idempotent
    assert neutralise_text(-5.0) == -5.0 and neutralise_text(None) is None


def test_csv_download():
    text = csv_bytes(payload_frame(), kind="workplan", hxl=True).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    # A negative number stays a number.
    assert "-5.0" in cells
    assert_safe_and_kept([c for c in cells if c != "-5.0"])


def test_xlsx_download_as_on_the_presence_page():
    data = xlsx_bytes(payload_frame(), sheet_name="presence",
                      about={P.HIDDEN_FORMULAS[3]: P.HIDDEN_FORMULAS[0]})
    assert_safe_and_kept(xlsx_text_cells(data))


def hostile_dataset() -> Dataset:
    tables = {}
    for name in TABLES:
        cols = TABLE_COLUMNS[name]
        rows = {c: [PAYLOADS[i % len(PAYLOADS)] if dtype == "str" else None
                    for i in range(len(PAYLOADS))] for c, dtype in cols.items()}
        tables[name] = pd.concat([empty_table(name), pd.DataFrame(rows)], ignore_index=True).astype(
            {c: d for c, d in cols.items() if d != "datetime64[ns]"})
    return Dataset(tables, DatasetMeta())


def test_version_workbook():
    data = tables_workbook(hostile_dataset(), about={P.HIDDEN_FORMULAS[1]: P.HIDDEN_FORMULAS[2]})
    assert_safe_and_kept(xlsx_text_cells(data))


def test_annotated_workbook_of_a_csv_rows_and_problems():
    lines = ["organisation,country"] + ['"' + p.replace('"', '""') + '",AFG' for p in PAYLOADS]
    source = Source(name="hostile.csv", data=("\n".join(lines) + "\n").encode("utf-8"))
    problems = [Problem(severity="error", code="x", message=P.HIDDEN_FORMULAS[0],
                        fix=P.HIDDEN_FORMULAS[3], file="hostile.csv", sheet=None, row=2,
                        column="organisation", value=p) for p in PAYLOADS]
    cells = xlsx_text_cells(annotated_workbook(source, problems))
    assert live_formulas(cells) == []
    # The CSV reader keeps cells as written except surrounding spaces; every payload is
    # still found in the Problems sheet's Value column, neutralised.
    assert_safe_and_kept(cells)


def _slides():
    from maaor.bundled import load_default
    from maaor.filters import Filters
    from maaor.slides import slide_deck

    ds = load_default().dataset.without_sensitive()
    return ds, slide_deck(ds, Filters(), dt.date(2019, 6, 30), "en")


def test_data_pack():
    from maaor.export.datapack import datapack_xlsx

    _, slides = _slides()
    hostile = []
    for s in slides:
        table = s.table.copy()
        for col in table.columns:
            if pd.api.types.is_string_dtype(table[col].dtype) or table[col].dtype == object:
                table[col] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(table))]
        hostile.append(replace(s, table=table, title=P.HIDDEN_FORMULAS[0],
                               message=P.HIDDEN_FORMULAS[3]))
    cells = xlsx_text_cells(datapack_xlsx(hostile))
    assert live_formulas(cells) == []
    assert str(neutralise_text(P.HIDDEN_FORMULAS[0])) in cells


@pytest.mark.parametrize("payloads", [P.HIDDEN_FORMULAS[:6], P.HIDDEN_FORMULAS[6:]])
def test_pptx_chart_data(payloads):
    from pptx import Presentation

    from maaor.export.pptx import briefing_pptx
    from maaor.slides import ChartSeries

    ds, slides = _slides()
    hostile = [replace(s, chart=replace(
        s.chart, categories=tuple(payloads[i % len(payloads)]
                                  for i in range(len(s.chart.categories))),
        series=tuple(replace(x, name=payloads[0]) if isinstance(x, ChartSeries) else x
                     for x in s.chart.series)))
        if s.chart.kind == "bar" else s for s in slides]
    deck = Presentation(io.BytesIO(briefing_pptx(hostile, ds.meta, "meeting", None, "en")))
    books = [shape.chart.part.chart_workbook.xlsx_part.blob
             for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert books
    cells = [c for blob in books for c in xlsx_text_cells(blob)]
    assert live_formulas(cells) == []
    assert str(neutralise_text(payloads[0])) in cells
