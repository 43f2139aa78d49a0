"""The two layouts of the 2018-2019 work plan load to the same normalised table.

``tests/fixtures/legacy_workplan_2018_2019.xlsx`` is the coordinator's narrative layout
(built from the seed's table rows); ``data/workplan_2018_2019.xlsx`` is the tidy
template layout (built from per-activity rows). They were transcribed independently.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from maaor.dataset import TABLE_COLUMNS
from maaor.load import load_sources
from maaor.sources import Source
from tests.paths import ROOT

LEGACY = ROOT / "tests" / "fixtures" / "legacy_workplan_2018_2019.xlsx"
TIDY = ROOT / "data" / "workplan_2018_2019.xlsx"
ILLUSTRATIVE = ROOT / "data" / "illustrative" / "workplan_2018_2019_progress.xlsx"
BUILDER = ROOT / "data" / "build_workplan.py"

CANONICAL = [c for c in TABLE_COLUMNS["workplan"] if not c.startswith("_")]
FAITHFUL = [
    "objective_id", "objective", "objective_text", "output_id", "output", "activity_id",
    "activity", "leads", "lead_tentative", "partners", "focal_points", "budget_usd",
    "budget_note", "budget_group",
]  # fmt: skip
ILLUSTRATIVE_ONLY = ["funded_usd", "status", "progress", "start", "due", "last_update"]


def _builder():
    spec = importlib.util.spec_from_file_location("build_workplan", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(path: Path):
    return load_sources([Source.from_path(path)])


def table(result) -> pd.DataFrame:
    return result.dataset.workplan.sort_values("activity_id", ignore_index=True)


@pytest.fixture(scope="module")
def legacy():
    return load(LEGACY)


@pytest.fixture(scope="module")
def tidy():
    return load(TIDY)


def test_both_layouts_give_the_same_work_plan(legacy, tidy):
    a = table(legacy)[CANONICAL]
    b = table(tidy)[CANONICAL]
    assert len(a) == len(b) == 34
    pd.testing.assert_frame_equal(a, b)


def test_both_load_without_errors_or_warnings(legacy, tidy):
    for result in (legacy, tidy):
        assert result.errors == []
        assert [p for p in result.problems if p.severity == "warning"] == []
    assert table(tidy)["_row"].tolist()[:3] == [3, 4, 5]  # data start under the HXL row


def test_tidy_file_has_template_headers_and_hxl_row():
    rows = CalamineWorkbook.from_path(str(TIDY)).get_sheet_by_name("Work plan").to_python()
    labels = rows[0]
    assert labels[:7] == ["Objective ID", "Objective", "Objective description", "Output ID", "Output", "Activity ID", "Activity"]
    assert rows[1][:2] == ["#objective+id", "#objective"]
    assert len(rows) == 2 + 34


def test_generated_files_are_up_to_date():
    b = _builder()
    assert b.workbook_bytes(b.build_faithful()) == TIDY.read_bytes(), "run data/build_workplan.py"
    assert b.workbook_bytes(b.build_illustrative()) == ILLUSTRATIVE.read_bytes(), "run data/build_workplan.py"


def test_illustrative_variant_adds_progress_to_the_same_plan(tidy):
    result = load(ILLUSTRATIVE)
    assert result.errors == []
    ill = table(result)
    faithful = table(tidy)
    pd.testing.assert_frame_equal(ill[FAITHFUL], faithful[FAITHFUL])
    assert ill[["status", "progress", "start", "due", "last_update"]].notna().all().all()
    assert faithful[ILLUSTRATIVE_ONLY].isna().all().all()
    # Progress agrees with status; funding only where there is a budget, never above it.
    assert (ill.loc[ill["status"] == "completed", "progress"] == 100).all()
    assert (ill.loc[ill["status"] == "not_started", "progress"] == 0).all()
    funded = ill["funded_usd"].notna()
    assert funded.sum() == 3
    assert (ill.loc[funded, "funded_usd"] <= ill.loc[funded, "budget_usd"]).all()
    assert (ill["due"] > ill["start"]).all()


def test_illustrative_variant_says_so():
    wb = CalamineWorkbook.from_path(str(ILLUSTRATIVE))
    assert wb.sheet_names == ["Work plan", "About"]
    about = " ".join(str(c) for row in wb.get_sheet_by_name("About").to_python() for c in row)
    assert "ILLUSTRATIVE" in about and "NOT reported by the Mine Action AoR" in about
