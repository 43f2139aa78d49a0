"""The template workbook ``data/template.xlsx`` and its generator."""

from __future__ import annotations

import csv
import importlib.util
import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from maaor import vocab
from tests.paths import ROOT

TEMPLATE = ROOT / "data" / "template.xlsx"
SHEETS = {
    "workplan": "Work plan",
    "presence": "4W presence",
    "funding": "Funding",
    "indicators": "Indicators",
    "mechanisms": "Coordination mechanisms",
}
# columns.csv value types that get a drop-down, and the vocabulary feeding it.
LIST_TYPES = ("wp_status", "presence_status", "pillar", "org_type", "channel", "disaggregation", "direction")


def _columns(kind: str) -> list[dict[str, str]]:
    with (ROOT / "maaor" / "data" / "columns.csv").open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["kind"] == kind]


def _generator():
    spec = importlib.util.spec_from_file_location("build_template", ROOT / "data" / "build_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wb():
    return load_workbook(TEMPLATE)


def _list_values(wb, formula: str) -> list[str]:
    """Values of the Lists range a data-validation formula points at."""
    m = re.fullmatch(r"=?'?Lists'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert m, formula
    col, first, col2, last = m.groups()
    assert col == col2
    ws = wb["Lists"]
    c = column_index_from_string(col)
    return [ws.cell(row=r, column=c).value for r in range(int(first), int(last) + 1)]


def test_committed_template_is_what_the_generator_writes():
    assert _generator().template_bytes() == TEMPLATE.read_bytes(), "run .venv/bin/python data/build_template.py"


def test_sheets_in_order_with_hidden_lists(wb):
    assert wb.sheetnames == ["Instructions", *SHEETS.values(), "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in wb.sheetnames if name != "Lists")


@pytest.mark.parametrize("kind", list(SHEETS))
def test_header_row_is_the_labels_and_row_two_the_first_hxl_tags(wb, kind):
    ws = wb[SHEETS[kind]]
    specs = _columns(kind)
    assert [c.value for c in ws[1]] == [s["label"] for s in specs]
    assert [c.value for c in ws[2]] == [s["hxl"].split("|")[0] for s in specs]
    assert all(tag.startswith("#") for tag in (c.value for c in ws[2]))
    assert ws.max_row == 2  # no data in the template
    assert ws.freeze_panes == "A3"
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(specs) + 1)]
    assert all(w >= 12 for w in widths)


@pytest.mark.parametrize("kind", list(SHEETS))
def test_drop_downs_on_vocabulary_columns_only(wb, kind):
    ws = wb[SHEETS[kind]]
    specs = _columns(kind)
    expected = {get_column_letter(i): s["type"] for i, s in enumerate(specs, start=1) if s["type"] in LIST_TYPES}
    found: dict[str, str] = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        ranges = str(dv.sqref).split()
        assert len(ranges) == 1
        m = re.fullmatch(r"([A-Z]+)3:([A-Z]+)(\d+)", ranges[0])
        assert m and m.group(1) == m.group(2) and int(m.group(3)) >= 1000, ranges[0]
        found[m.group(1)] = dv.formula1
        # Excel rejects longer texts and reports the file as damaged.
        assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
        assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 225
        assert dv.errorStyle == "warning"  # French words and aliases stay allowed
    assert set(found) == set(expected)
    for letter, voc in expected.items():
        labels = [vocab.label(voc, code) for code in vocab.codes(voc)]
        assert _list_values(wb, found[letter]) == labels, (kind, letter, voc)


def test_every_list_vocabulary_feeds_a_drop_down(wb):
    used = set()
    for kind, sheet in SHEETS.items():
        letters = {get_column_letter(i): s["type"] for i, s in enumerate(_columns(kind), start=1)}
        for dv in wb[sheet].data_validations.dataValidation:
            used.add(letters[str(dv.sqref).split(":")[0].rstrip("0123456789")])
    assert {"wp_status", "presence_status", "pillar", "org_type", "channel", "disaggregation"} <= used


def test_instructions_explain_every_column_in_english_and_french(wb):
    ws = wb["Instructions"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    text = " ".join(str(v) for row in rows for v in row if v)
    assert "USD 40,000" in text and "31/03/2022" in text and "%" in text
    assert "Keep row 2" in text and "Garder la ligne 2" in text
    described = {(r[0], r[1]): r for r in rows if r and r[0] in SHEETS.values()}
    for kind, sheet in SHEETS.items():
        for spec in _columns(kind):
            row = described[(sheet, spec["label"])]
            assert row[2] == spec["hxl"].split("|")[0]
            assert row[4] and row[5] and row[4] != row[5]
    pillar_row = described[("4W presence", "Pillar")]
    assert vocab.label("pillar", "eore") in pillar_row[4]
