"""The field corpus (tests/fixtures/build_field_corpus.py) read as a user would send it:
kind, rows, countries, organisations, headline figures and where every column went,
against tests/golden/corpus.json.

Files marked ``"current"`` in the golden file need a capability another part of issue 10
builds (the scored header matcher, currencies converted to USD, statuses such as
"Suspendu", pillar acronyms); their golden figures are today's outcome, recorded as it
is, and change (in the golden file, with the reason) when that capability lands.
"""

from __future__ import annotations

import json
import math

import pytest

from maaor.figures.funding import (
    fts_headline,
    fts_mine_action,
    funding_headline,
    pledged_total,
    workplan_budget_headline,
)
from maaor.load import load_sources
from maaor.sources import Source
from tests.fixtures.build_field_corpus import FILES, build
from tests.paths import FIXTURES, GOLDEN

CORPUS = FIXTURES / "corpus"
GOLDEN_FILE = GOLDEN / "corpus.json"


def _number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 2)


def figures(name: str, data: bytes) -> dict:
    """What maaor reads from one corpus file, in the golden file's shape."""
    result = load_sources([Source(name, data)])
    ds = result.dataset
    countries = sorted({c for t in ("presence", "funding", "fts", "indicators", "mechanisms")
                        for c in ds.tables[t]["country_iso3"].dropna()})
    out = {
        "ok": result.ok,
        "errors": len(result.errors),
        "warnings": sum(p.severity == "warning" for p in result.problems),
        "codes": sorted({p.code for p in result.problems}),
        "tables": {t: len(f) for t, f in ds.tables.items() if len(f)},
        "countries": countries,
        "organisations": sorted(set(ds.presence["org"].dropna())),
        "sheets": [
            {
                "sheet": r.sheet,
                "kind": r.kind,
                "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded,
                "columns": [[c.header, c.column_letter, c.field, c.how] for c in r.columns],
            }
            for r in result.reports
        ],
    }
    if len(ds.workplan):
        head = workplan_budget_headline(ds.workplan)
        out["workplan"] = {"activities": len(ds.workplan), "budget_usd": _number(head["budget_usd"]),
                           "with_status": int(ds.workplan["status"].notna().sum()),
                           "mean_progress": _number(ds.workplan["progress"].mean())}
    if len(ds.funding):
        out["funding"] = {k: _number(v) for k, v in funding_headline(ds.funding).items()}
        out["funding"]["pledged_usd"] = _number(pledged_total(ds.funding))
    if len(ds.fts):
        out["fts_mine_action"] = {k: _number(v) for k, v in fts_headline(fts_mine_action(ds.fts)).items()}
    if len(ds.presence):
        out["people_reached"] = _number(ds.presence["reached_total"].sum(min_count=1))
    if len(ds.indicators):
        out["indicator_values"] = _number(ds.indicators["actual"].sum(min_count=1))
    return out


def golden() -> dict:
    return json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))


def test_the_corpus_has_at_least_15_files_one_per_layout_and_format():
    names = set(FILES)
    assert len(names) >= 15
    assert {p.name for p in CORPUS.iterdir()} == names
    suffixes = {n.rsplit(".", 1)[1] for n in names}
    assert {"xlsx", "xls", "ods", "csv", "json"} <= suffixes
    assert set(golden()["files"]) == names


@pytest.mark.parametrize("name", sorted(FILES))
def test_corpus_file_reads_as_recorded(name):
    expected = golden()["files"][name]
    got = figures(name, (CORPUS / name).read_bytes())
    assert got == {k: v for k, v in expected.items() if not k.startswith("_")}


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_column_with_values_is_placed_or_reported(name):
    result = load_sources([Source(name, (CORPUS / name).read_bytes())])
    warned = {(p.sheet, p.column) for p in result.problems if p.code in ("column.not_loaded", "sheet.side_table")}
    side = {(p.sheet, letter.strip()) for p in result.problems if p.code == "sheet.side_table"
            for letter in (p.value or "").split(",")}
    for report in result.reports:
        for c in report.columns:
            assert c.how in {"exact", "fuzzy", "hxl", "profile", "ignored", "layout", "unmapped"}
            if c.field is None and c.values_not_loaded:
                assert (report.sheet, c.header or c.column_letter) in warned or (
                    report.sheet, c.column_letter) in side, (name, c)


def test_the_generator_writes_files_that_read_the_same(tmp_path):
    for path in build(tmp_path):
        expected = golden()["files"][path.name]
        got = figures(path.name, path.read_bytes())
        assert got == {k: v for k, v in expected.items() if not k.startswith("_")}, path.name


def test_golden_headlines_match_sums_done_by_hand():
    """The golden figures were checked against the generator's own numbers."""
    files = golden()["files"]
    # 85,000 + 30,000 + 12,000 + 8,000; the TOTAL row (135,000) is not counted again.
    assert files["workplan_numbered_total.xlsx"]["workplan"]["budget_usd"] == 135_000
    # 5 value rows x indicator: 150,000 + 98,000 + 420 + 610 + 580 + 230 + 41,000 + 37.
    assert files["activityinfo_long_4w.xlsx"]["indicator_values"] == 290_877
    # FSD x2 activities, DRC x2 oblasts, HALO Trust x1: five combinations of eight rows.
    assert files["activityinfo_long_4w.xlsx"]["tables"] == {"presence": 5, "indicators": 8}
    # The implementer's total, not the elderly women: 900 + 410.
    assert files["hxl_3w_prog_impl.csv"]["people_reached"] == 1_310
    assert files["hxl_3w_prog_impl.csv"]["organisations"] == ["FSD", "MAG", "NPA"]
    # 800 + 650 + 210 (the merged organisation spreads; no number is merged here).
    assert files["4w_syria.xls"]["people_reached"] == files["4w_syria_fr.ods"]["people_reached"] == 1_660
    # The merged 300 counts once: 300 + 75.
    assert files["4w_merged_cells.xlsx"]["people_reached"] == 375
    # Mine Action alone: 1,250,000 + 310,000 (the 400,000 shared with Protection is not).
    assert files["fts_api_flows_yemen.json"]["fts_mine_action"]["funded_no_requirement_usd"] == 1_560_000
    assert files["fts_incoming_flows_iraq.csv"]["fts_mine_action"]["funded_no_requirement_usd"] == 1_750_000
    assert files["fts_globalcluster_ssd.csv"]["fts_mine_action"]["required_usd"] is None
    # 11 + 12 + 38 + 44 + 96 + 141 (2024 actuals blank).
    assert files["results_wide_years.xlsx"]["indicator_values"] == 342


def test_currency_named_by_the_header_is_converted_per_column():
    """Hand sums at the shipped ECB annual averages (maaor/data/exchange_rates.csv)."""
    funding = golden()["files"]["funding_currency_in_headers.xlsx"]["funding"]
    eur_2024, chf_2024, chf_2023, gbp_2024 = 1.08238, 1.13657, 1.11298, 1.27859
    by_hand = (1_500_000 * eur_2024 + 400_000 * chf_2024 + 250_000 * chf_2023 + 300_000 * gbp_2024)
    assert funding["funded_usd"] == round(by_hand, 2) == 2_740_020
    # "Pledged (USD)" beside "Amount in GBP" keeps its own currency.
    assert funding["pledged_usd"] == 450_000
