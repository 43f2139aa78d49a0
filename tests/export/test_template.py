"""The template workbook ``data/template.xlsx`` and its generator."""

from __future__ import annotations

import csv
import importlib.util
import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from maaor import vocab
from maaor.column_labels import field_label
from tests.paths import ROOT

TEMPLATE = ROOT / "data" / "template.xlsx"
TEMPLATES = {"en": TEMPLATE, "fr": ROOT / "data" / "template_fr.xlsx"}
SHEETS = {
    "workplan": "Work plan",
    "presence": "4W presence",
    "funding": "Funding",
    "indicators": "Indicators",
    "mechanisms": "Coordination mechanisms",
}
# columns.csv value types that get a drop-down, and the vocabulary feeding it.
LIST_TYPES = ("wp_status", "presence_status", "pillar", "org_type", "channel", "disaggregation", "direction")
# Field types with a drop-down of names: every country, the organisations of the directory.
NAME_LISTS = ("country", "org")


def _validations(ws):
    return list(ws.data_validations.dataValidation)


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
def test_drop_downs_on_vocabulary_country_and_organisation_columns(wb, kind):
    ws = wb[SHEETS[kind]]
    specs = _columns(kind)
    expected = {get_column_letter(i): s["type"] for i, s in enumerate(specs, start=1)
                if s["type"] in (*LIST_TYPES, *NAME_LISTS)}
    found: dict[str, str] = {}
    for dv in _validations(ws):
        if dv.type != "list":
            continue
        m = re.fullmatch(r"([A-Z]+)3:([A-Z]+)(\d+)", str(dv.sqref))
        assert m and m.group(1) == m.group(2) and int(m.group(3)) >= 1000, dv.sqref
        found[m.group(1)] = dv.formula1
    assert set(found) == set(expected)
    for letter, voc in expected.items():
        values = _list_values(wb, found[letter])
        if voc == "country":
            assert {"Iraq", "Afghanistan", "Côte d'Ivoire"} <= set(values) and len(values) > 190
        elif voc == "org":
            assert {"UNMAS", "UNICEF"} <= set(values)
        else:
            assert values == [vocab.label(voc, code) for code in vocab.codes(voc)], (kind, voc)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_check_warns_and_fits_excel_limits(lang):
    book = load_workbook(TEMPLATES[lang])
    for name in book.sheetnames:
        for dv in _validations(book[name]):
            assert len(str(dv.sqref).split()) == 1
            # Excel rejects longer texts and reports the file as damaged.
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 225
            # French words, aliases and new organisations stay allowed: a warning, not a stop.
            assert dv.errorStyle == "warning" and dv.showErrorMessage
            assert "maaor" not in (dv.error or "").lower()


def test_new_organisations_are_accepted_with_a_warning(wb):
    (org,) = [dv for dv in _validations(wb["4W presence"]) if str(dv.sqref).startswith("A3:")]
    assert org.type == "list" and org.errorStyle == "warning"
    assert "kept as written" in org.error


@pytest.mark.parametrize(("kind", "field", "check", "low", "high"), [
    ("presence", "reached_women", "whole", "0", None),
    ("presence", "lat", "decimal", "-90", "90"),
    ("presence", "lon", "decimal", "-180", "180"),
    ("presence", "start", "date", "32874", "73415"),
    ("workplan", "budget_usd", "decimal", "0", None),
    ("workplan", "progress", "decimal", "0", "100"),
    ("funding", "year", "whole", "1990", "2100"),
    ("indicators", "actual", "decimal", "-1000000000000", "1000000000000"),
])
def test_numbers_and_dates_are_validated(wb, kind, field, check, low, high):
    letters = {s["field"]: get_column_letter(i) for i, s in enumerate(_columns(kind), start=1)}
    ws = wb[SHEETS[kind]]
    (dv,) = [dv for dv in _validations(ws) if str(dv.sqref).startswith(f"{letters[field]}3:")]
    assert (dv.type, dv.formula1, dv.formula2) == (check, low, high)


def test_no_check_on_free_text_columns(wb):
    letters = {s["field"]: get_column_letter(i) for i, s in enumerate(_columns("workplan"), start=1)}
    checked = {str(dv.sqref).split(":")[0][:-1] for dv in _validations(wb["Work plan"])}
    assert letters["activity"] not in checked and letters["leads"] not in checked


def test_committed_french_template_is_what_the_generator_writes():
    assert _generator().template_bytes("fr") == TEMPLATES["fr"].read_bytes(), \
        "run .venv/bin/python data/build_template.py"


@pytest.mark.parametrize("kind", list(SHEETS))
def test_french_template_has_french_headers_and_lists(kind):
    book = load_workbook(TEMPLATES["fr"])
    fr_sheets = _generator().SHEETS_FR
    assert book.sheetnames == ["Instructions", *fr_sheets.values(), "Lists"]
    ws = book[fr_sheets[kind]]
    specs = _columns(kind)
    assert [c.value for c in ws[1]] == [field_label(kind, s["field"], "fr") for s in specs]
    assert [c.value for c in ws[2]] == [s["hxl"].split("|")[0] for s in specs]
    lists = [c.value for c in book["Lists"][1]]
    for dv in _validations(ws):
        if dv.type == "list":
            values = _list_values(book, dv.formula1)
            voc = lists[column_index_from_string(dv.formula1.split("$")[1]) - 1]
            if voc in LIST_TYPES:
                assert values == [vocab.label(voc, code, "fr") for code in vocab.codes(voc)]
            elif voc == "country":
                assert {"Tchad", "Allemagne", "Afghanistan"} <= set(values)
        assert dv.errorTitle in {"Valeur hors de la liste", "Organisation hors de la liste",
                                 "Nombre hors des limites", "Date attendue"}


def test_french_headers_are_read_back_as_their_fields(tmp_path):
    import datetime as dt

    from maaor.load import load_sources
    from maaor.sources import Source

    book = load_workbook(TEMPLATES["fr"])
    ws = book["Présence 4W"]
    headers = [c.value for c in ws[1]]
    row = {"Organisation": "Nouvelle ONG locale", "Pays": "Irak", "Pilier":
           "Remise à disposition des terres", "Statut": "En cours",
           "Date de début": dt.datetime(2022, 3, 1), "Femmes atteintes": 12}
    ws.append([row.get(h) for h in headers])
    path = tmp_path / "4w.xlsx"
    book.save(path)
    result = load_sources([Source.from_path(path)], today=dt.date(2024, 1, 1))
    (report,) = [r for f in result.files for r in f.reports if r.kind == "presence"]
    assert report.rows_loaded == 1
    placed = {c.header: c.field for c in report.columns}
    assert all(placed[h] is not None for h in headers), placed
    presence = result.dataset.presence.iloc[0]
    assert (presence["country_iso3"], presence["status"], presence["reached_women"]) == \
        ("IRQ", "active", 12)
    # A new organisation is kept, with a warning (not an error).
    assert [p.code for p in report.problems if p.severity == "error"] == []
    assert "org.unknown" in {p.code for p in report.problems if p.severity == "warning"}


def test_every_field_has_an_english_and_a_french_label():
    for kind in ("workplan", "presence", "funding", "fts", "indicators", "mechanisms"):
        for spec in _columns(kind):
            assert field_label(kind, spec["field"], "en") == spec["label"]
            french = field_label(kind, spec["field"], "fr")
            assert french and french != spec["field"], (kind, spec["field"])


def test_every_list_vocabulary_feeds_a_drop_down(wb):
    used = set()
    for kind, sheet in SHEETS.items():
        letters = {get_column_letter(i): s["type"] for i, s in enumerate(_columns(kind), start=1)}
        for dv in wb[sheet].data_validations.dataValidation:
            if dv.type == "list":
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
