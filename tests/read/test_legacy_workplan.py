"""The narrative (Word-table) work plan reader, through the validation every sheet gets."""

from __future__ import annotations

import importlib.util
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from maaor.dataset import TABLE_COLUMNS, conform, split_list
from maaor.orgs import OrgDirectory
from maaor.read.excel import read_workbook
from maaor.read.legacy_workplan import is_legacy_workplan, map_legacy_workplan
from maaor.read.types import RawSheet
from maaor.sources import Source
from maaor.validate import validate_sheet
from tests.conftest import require_or_skip
from tests.paths import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "legacy_workplan_2018_2019.xlsx"
GENERATOR = ROOT / "tests" / "fixtures" / "build_legacy_workplan.py"
TIDY = ROOT / "data" / "workplan_2018_2019.xlsx"


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_legacy_workplan(source: Source, raw: RawSheet) -> tuple[pd.DataFrame, list]:
    """Map a sheet as a legacy work plan and validate it, as ``maaor.load`` does."""
    directory = OrgDirectory.bundled()
    mapped, problems = map_legacy_workplan(source, raw, directory)
    if mapped is None:
        return conform("workplan", pd.DataFrame()), problems
    table, more = validate_sheet(mapped, directory)
    return table, [*problems, *more]


def read(source: Source) -> tuple[pd.DataFrame, list]:
    """Read the first sheet of a source as a legacy work plan."""
    return read_legacy_workplan(source, read_workbook(source).sheets[0])


@pytest.fixture(scope="module")
def fixture_result() -> tuple[pd.DataFrame, list]:
    return read(Source.from_path(FIXTURE))


@pytest.fixture(scope="module")
def wp(fixture_result) -> pd.DataFrame:
    return fixture_result[0].set_index("activity_id", drop=False)


# ------------------------------------------------------------------ the 2018-2019 fixture


def test_fixture_is_what_the_generator_builds():
    gen = _module(GENERATOR)
    assert gen.workbook_bytes(gen.build()) == FIXTURE.read_bytes(), (
        "tests/fixtures/legacy_workplan_2018_2019.xlsx is stale: run "
        "tests/fixtures/build_legacy_workplan.py"
    )


def test_fixture_keeps_every_word_of_the_seed(shared_dir):
    seeds = sorted((shared_dir / "seeds").glob("000_*.txt"))
    if not seeds:
        require_or_skip("seed work plan 000_*.txt not found in the shared folder")
    seed = re.sub(r"<[^>]+>", " ", seeds[0].read_text(encoding="utf-8")).replace("&amp;", "&")
    raw = read_workbook(Source.from_path(FIXTURE)).sheets[0]
    text = " ".join(str(v) for v in raw.cells.to_numpy().ravel() if v is not None)
    words = re.compile(r"\w+")
    assert Counter(words.findall(text)) == Counter(words.findall(seed))


def test_fixture_is_recognised_and_the_tidy_file_is_not():
    assert is_legacy_workplan(read_workbook(Source.from_path(FIXTURE)).sheets[0])
    assert not is_legacy_workplan(read_workbook(Source.from_path(TIDY)).sheets[0])


def test_counts_from_the_seed(wp):
    # Counted in the seed: objectives 1-4; outputs 1.1-1.6, 2.1-2.7, 3.1-3.3, 4.1-4.8;
    # activities 10 + 9 + 4 + 11.
    assert wp["objective_id"].nunique() == 4
    assert wp["output_id"].nunique() == 24
    assert len(wp) == 34
    assert wp["activity_id"].is_unique
    assert wp.groupby("objective_id")["activity_id"].count().to_dict() == {"1": 10, "2": 9, "3": 4, "4": 11}


def test_table_is_conformed_with_provenance(fixture_result):
    frame, _ = fixture_result
    assert list(frame.columns) == list(TABLE_COLUMNS["workplan"])
    assert (frame["_file"] == FIXTURE.name).all()
    assert (frame["_sheet"] == "Work plan").all()
    assert str(frame["_row"].dtype) == "Int64"


def test_only_the_signature_is_reported(fixture_result):
    _, problems = fixture_result
    assert [(p.severity, p.code, p.row) for p in problems] == [("note", "legacy.text_ignored", 42)]


def test_objectives(wp):
    titles = wp.drop_duplicates("objective_id").set_index("objective_id")["objective"].to_dict()
    assert titles == {
        "1": "Coordinated Field Support",
        "2": "Advocacy",
        "3": "Policy",
        "4": "Information Management",
    }
    # Objective 1's description is on its own row under the title row.
    assert wp.loc["1.1.1", "objective_text"].startswith("The MA AoR provides a forum")
    assert wp.loc["2.1.1", "objective_text"].startswith("The MA AoR advocates with key stakeholders")
    assert wp.loc["4.8.1", "objective_text"].endswith("between MA AoR members.")


def test_outputs_and_activities_text(wp):
    assert wp.loc["1.3.2", "output_id"] == "1.3"
    assert wp.loc["1.3.2", "output"].startswith("Mine Action is an active part of GPC Help Desk")
    assert wp.loc["1.2.1", "output"].endswith("receive an up-to-date induction package/brief")
    assert wp.loc["1.3.1", "activity"] == "Update Terms of Reference for Help Desk function"
    # Unnumbered paragraphs stay with their activity.
    assert wp.loc["1.6.1", "activity"].endswith("mine risk education and child-focused victim assistance.")
    assert "Research innovative approaches to reduce casualties among children." in wp.loc["1.6.1", "activity"]
    # Two activities in one cell become two rows of the same Excel row.
    assert wp.loc["2.1.2", "activity"] == "Participate actively in the GPC Task Team on Donor Dialogue."
    assert wp.loc["2.1.1", "_row"] == wp.loc["2.1.2", "_row"] == 17
    assert wp.loc["3.2.1", "activity"].endswith("mine survivors and indirect victims.")
    assert wp.loc["3.2.2", "activity"].startswith("Convey to the ‘Washington Group")
    # "2.3.2." with a trailing dot.
    assert wp.loc["2.3.2", "activity"].startswith("Ask the ERC")
    assert wp.loc["4.3.4", "activity"].endswith("with mine action organizations to help them to prioritise their planning.")


def test_leads_inherited_from_merged_cells(wp):
    for act in ("1.3.1", "1.3.2", "1.3.3"):
        assert wp.loc[act, "leads"] == "MA AoR Coordinator"
        assert split_list(wp.loc[act, "partners"]) == [
            "GICHD", "GMAP", "UNMAS", "UNICEF", "MAG", "Humanity & Inclusion",
        ]  # fmt: skip
    for act in ("1.4.1", "1.4.2", "1.4.3"):
        assert wp.loc[act, "leads"] == "UNMAS"
        assert wp.loc[act, "comment"] == (
            "GICHD (support 1.4.2. with an Information Management expertise gap analysis)"
        )


def test_leads_from_bold_runs(wp):
    assert split_list(wp.loc["1.6.1", "leads"]) == ["UNICEF", "UNMAS"]
    assert split_list(wp.loc["2.3.2", "leads"]) == ["UNMAS", "UNDP"]
    assert split_list(wp.loc["3.3.1", "leads"]) == ["UNICEF", "MA AoR Coordinator"]
    assert wp.loc["3.2.1", "leads"] == wp.loc["3.2.2", "leads"] == "Humanity & Inclusion"
    assert wp.loc["2.6.1", "leads"] == "GICHD"
    assert split_list(wp.loc["2.6.1", "partners"]) == ["UNMAS", "MAG", "NPA"]
    assert wp.loc["4.2.1", "leads"] == "GICHD" and pd.isna(wp.loc["4.2.1", "partners"])
    assert not wp["lead_tentative"].any()
    assert wp["leads"].notna().all()


def test_people_and_tentative_partners(wp):
    assert split_list(wp.loc["1.1.1", "focal_points"]) == [
        "Christelle Loupforest", "Sarah Marshall", "Rasmus Sandvoll Weschke",
    ]  # fmt: skip
    assert split_list(wp.loc["1.6.1", "focal_points"]) == ["Michael Copland", "Claire Hanley"]
    assert wp.loc["2.2.1", "comment"] == "Health Cluster (TBC)"
    assert "International Disability Alliance (TBC)" in wp.loc["3.2.2", "comment"]


def test_budgets(wp):
    assert wp.loc["1.6.1", "budget_usd"] == 40_000
    assert wp.loc["2.6.1", "budget_usd"] == 20_000
    assert wp.loc["4.1.1", "budget_usd"] == 100_000
    assert pd.isna(wp.loc["1.5.1", "budget_usd"])
    assert wp.loc["1.5.1", "budget_note"] == "Travel budget to participate in protection conference in Bangkok"
    assert wp["budget_usd"].notna().sum() == 3
    assert wp["budget_note"].notna().sum() == 1
    assert wp["budget_usd"].sum() == 160_000
    assert wp["budget_group"].isna().all()  # no budget cell is shared in the seed


# ------------------------------------------------------------------ synthetic workbooks

BOLD = InlineFont(b=True)


def workbook(rows: list[list], merges: tuple[str, ...] = (), name: str = "wp.xlsx", header_at: int = 1) -> Source:
    """A one-sheet workbook; cells given as ("<b>", text) are bold rich text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    for _ in range(header_at - 1):
        ws.append(["Work plan"])
    for row in rows:
        values = []
        for v in row:
            if isinstance(v, tuple):
                values.append(CellRichText([TextBlock(BOLD, v[0]), v[1]]))
            else:
                values.append(v)
        ws.append(values)
    for rng in merges:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return Source(name, buf.getvalue())


HEADER = ["Output", "Activity", "Lead and Partners", "Budget"]


def test_one_budget_merged_over_three_activities_is_counted_once():
    src = workbook(
        [
            HEADER,
            ["Strategic Objective 1 - Field support: text"],
            ["1.3 Help desk", "1.3.1 Update ToR", ("UNMAS", " MAG"), "USD 30,000"],
            [None, "1.3.2 Map expertise", None, None],
            [None, "1.3.3 Disseminate", None, None],
            ["1.4 Rapid response", "1.4.1 Map standby capacity", "NPA", "USD 5,000"],
        ],
        merges=("A3:A5", "C3:C5", "D3:D5", "A2:D2"),
    )
    frame, problems = read(src)
    assert [p.code for p in problems] == []
    assert frame["activity_id"].tolist() == ["1.3.1", "1.3.2", "1.3.3", "1.4.1"]
    assert frame["budget_usd"].tolist() == [30_000, 30_000, 30_000, 5_000]
    assert frame["budget_group"].tolist()[:3] == ["1.3", "1.3", "1.3"]
    assert pd.isna(frame["budget_group"].iloc[3])
    assert frame["leads"].tolist() == ["UNMAS", "UNMAS", "UNMAS", "NPA"]
    assert frame["partners"].tolist()[:3] == ["MAG"] * 3
    # Totals count a shared budget once: one row per group, ungrouped rows each count.
    key = frame["budget_group"].fillna(frame["activity_id"])
    total = frame.groupby(key)["budget_usd"].first().sum()
    assert total == 35_000
    assert frame["objective"].iloc[0] == "Field support" and frame["objective_text"].iloc[0] == "text"


def test_empty_budget_under_no_merge_is_no_budget():
    src = workbook(
        [
            HEADER,
            ["1.1 Output", "1.1.1 First", "UNMAS", "40 000 $"],
            [None, "1.1.2 Second", "MAG", None],
        ],
        merges=("A2:A3",),
    )
    frame, _ = read(src)
    assert frame["budget_usd"].iloc[0] == 40_000
    assert pd.isna(frame["budget_usd"].iloc[1])
    assert frame["leads"].tolist() == ["UNMAS", "MAG"]
    assert frame["objective_id"].tolist() == ["1", "1"]  # from the output number


def test_problems_name_row_column_and_value():
    src = workbook(
        [
            HEADER,
            ["1.1 Output", "1.2.1 Misplaced", "UNMAS Acme Demining", None],
            [None, "1.1.2 Fine", "Handicap Internatonal", None],
            [None, "1.1.2 Again", "UNMAS", None],
        ],
        header_at=3,
    )
    frame, problems = read(src)
    by_code = {p.code: p for p in problems}
    # Numbering and repeats are checked by the validation every work plan gets (the
    # same codes and severities as a tidy work plan).
    mismatch = by_code["workplan.activity_not_under_output"]
    assert (mismatch.severity, mismatch.row, mismatch.column, mismatch.value) == ("error", 4, "Activity", "1.2.1")
    unknown = [p for p in problems if p.code == "org.unknown"]
    assert [(p.row, p.column, p.value) for p in unknown] == [
        (4, "Lead and Partners", "Acme Demining"),
        (5, "Lead and Partners", "Handicap Internatonal"),
    ]
    assert "Humanity & Inclusion" in unknown[1].message
    dup = by_code["workplan.duplicate_activity"]
    assert (dup.severity, dup.row, dup.value) == ("error", 6, "1.1.2")
    assert "first in row 5" in dup.message
    assert frame["leads"].tolist() == ["UNMAS", "Handicap Internatonal", "UNMAS"]
    assert frame["_row"].tolist() == [4, 5, 6]


def test_page_break_continuations_join_their_cells():
    src = workbook(
        [
            HEADER,
            ["1.2 Members receive an up-to-", "1.2.1 Compile resources for", ("UNICEF", " MAG"), None],
            ["date induction package", "coordination mechanisms.", "NPA HI", None],
            ["1.3 Next", "Unnumbered first activity", "UNMAS", None],
        ]
    )
    frame, problems = read(src)
    assert frame["output"].iloc[0] == "Members receive an up-to-date induction package"
    assert frame["activity"].iloc[0] == "Compile resources for coordination mechanisms."
    assert frame["leads"].iloc[0] == "UNICEF"
    assert split_list(frame["partners"].iloc[0]) == ["MAG", "NPA", "Humanity & Inclusion"]
    assert frame["activity_id"].tolist() == ["1.2.1", "1.3.1"]
    assert [(p.code, p.row) for p in problems] == [("legacy.activity_unnumbered", 4)]


def test_french_headers_and_numbers_without_formatting():
    src = workbook(
        [
            ["Produit", "Activité", "Chef de file et partenaires", "Budget"],
            ["Objectif stratégique 2 - Plaidoyer : description"],
            ["2.1 Financement", "2.1.1 Contacter les bailleurs 2.1.2 pas un début", "UNICEF UNMAS", 1500],
        ]
    )
    raw = read_workbook(src).sheets[0]
    assert is_legacy_workplan(raw)
    frame, _ = read(src)
    assert frame["activity_id"].tolist() == ["2.1.1"]  # a number mid-sentence is text
    assert frame["objective"].iloc[0] == "Plaidoyer"
    assert frame["leads"].iloc[0] == "UNICEF" and frame["partners"].iloc[0] == "UNMAS"
    assert frame["budget_usd"].iloc[0] == 1500


def test_not_a_legacy_work_plan():
    cells = pd.DataFrame([["Organisation", "Country"], ["MAG", "Iraq"]], dtype=object)
    assert not is_legacy_workplan(RawSheet("x.csv", None, cells))
    no_numbers = pd.DataFrame([HEADER, ["Some output", "Some activity", "UNMAS", None]], dtype=object)
    assert not is_legacy_workplan(RawSheet("x.csv", None, no_numbers))
    assert not is_legacy_workplan(RawSheet("x.csv", None, pd.DataFrame()))


def test_sheet_without_formatting_still_reads():
    cells = pd.DataFrame(
        [HEADER, ["1.1 Output", "1.1.1 Activity", "UNICEF/UNMAS HI", "USD 1,000"]], dtype=object
    )
    raw = RawSheet("plan.csv", None, cells)
    frame, problems = read_legacy_workplan(Source("plan.csv", b""), raw)
    assert problems == []
    assert split_list(frame["leads"].iloc[0]) == ["UNICEF", "UNMAS"]
    assert frame["budget_usd"].iloc[0] == 1000
    assert frame["_row"].iloc[0] == 2


def test_no_activities_is_an_error():
    src = workbook([HEADER, ["1.1 Output only", None, "UNMAS", None]])
    frame, problems = read(src)
    assert frame.empty and list(frame.columns) == list(TABLE_COLUMNS["workplan"])
    codes = {(p.severity, p.code) for p in problems}
    assert ("error", "legacy.empty") in codes
    assert ("warning", "legacy.output_without_activity") in codes


def test_structure_errors_name_their_rows():
    src = workbook(
        [
            HEADER,
            [None, "1.1.1 Activity before any output", "UNMAS", None],
            ["An output without a number", "1.1.2 Its activity", "UNMAS", None],
            ["1.1 Numbered output", "1.1.3 Fine", "UNMAS", None],
        ]
    )
    frame, problems = read(src)
    assert [(p.severity, p.code, p.row, p.column) for p in problems] == [
        ("error", "legacy.activity_without_output", 2, "Activity"),
        ("error", "legacy.output_unnumbered", 3, "Output"),
    ]
    assert frame["activity_id"].tolist() == ["1.1.3"]


def test_too_many_rows_is_refused_without_reading_them():
    from maaor.read import legacy_workplan

    rows = [HEADER, ["1.1 Output", "1.1.1 Activity", "UNMAS", None]]
    rows += [[None, None, None, None]] * legacy_workplan.MAX_ROWS
    raw = RawSheet("plan.csv", None, pd.DataFrame(rows, dtype=object))
    frame, problems = read_legacy_workplan(Source("plan.csv", b""), raw)
    assert frame.empty
    assert [(p.severity, p.code, p.row) for p in problems] == [("error", "legacy.too_large", 1)]


def test_columns_beside_the_narrative_table_are_reported_not_dropped():
    src = workbook(
        [
            [*HEADER, "Status", None],
            ["1.1 Output", "1.1.1 First", "UNMAS", "USD 1,000", "Ongoing", None],
            [None, "1.1.2 Second", "MAG", None, "Done", "see annex"],
        ]
    )
    raw = read_workbook(src).sheets[0]
    mapped, problems = map_legacy_workplan(src, raw, OrgDirectory.bundled())
    assert [(c.header, c.column_letter, c.field, c.how, c.values_not_loaded) for c in mapped.columns] == [
        ("Output", "A", "output", "layout", 0),
        ("Activity", "B", "activity", "layout", 0),
        ("Lead and Partners", "C", "leads", "layout", 0),
        ("Budget", "D", "budget_usd", "layout", 0),
        ("Status", "E", None, "unmapped", 2),
        ("", "F", None, "unmapped", 1),
    ]
    assert [(p.severity, p.code, p.column, p.value) for p in problems] == [
        ("warning", "column.not_loaded", "Status", "'Ongoing', 'Done'"),
        ("warning", "column.not_loaded", "F", "'see annex'"),
    ]
