"""Golden tests: real public files (in ../shared/real-world, read in place) through
read_source and map_sheet. Row counts were measured with ``wc -l`` minus the header
(and HXL) lines, and checked against the files' provenance notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from maaor import columns
from maaor.read.headers import map_sheet
from maaor.read.sources import read_source
from maaor.sources import Source
from tests.conftest import require_or_skip

FTS_ROWS = {
    "fts_requirements_funding_afg.csv": 3,
    "fts_requirements_funding_cluster_afg.csv": 20,
    "fts_requirements_funding_cluster_pse.csv": 15,
    "fts_requirements_funding_global.csv": 8,
    "fts_requirements_funding_globalcluster_afg.csv": 18,
    "fts_requirements_funding_globalcluster_global.csv": 37,
    "fts_requirements_funding_globalcluster_pse.csv": 14,
}


def load(shared_dir: Path, relative: str):
    path = shared_dir / "real-world" / relative
    if not path.is_file():
        require_or_skip(f"real-world file {relative} not found")
    result = read_source(Source.from_path(path))
    assert [p for p in result.problems if p.severity == "error"] == []
    (raw,) = result.sheets
    mapped, problems = map_sheet(raw)
    return path, mapped, problems


def test_rowca_3w_with_hxl_alpha_tags(shared_dir):
    _, mapped, problems = load(shared_dir, "hxl-showcase/rowca-3w-hxl.csv")
    assert mapped.kind == "presence"
    assert (mapped.header_row, mapped.hxl_row) == (1, 2)
    assert len(mapped.frame) == 244
    assert mapped.rows[0] == 3 and mapped.rows[-1] == 246
    assert mapped.labels["target"] == "AnnualTarget"
    assert mapped.labels["reached_total"] == "Achieved"
    assert mapped.labels["org"] == "Organization"
    # "Cluster" is not a known header; its #sector tag maps it.
    assert (mapped.labels["pillar"], mapped.mapped_by["pillar"]) == ("Cluster", "hxl")
    assert {"admin1", "admin2", "country_iso3", "activity"} <= set(mapped.frame.columns)
    # HXL 1.0-alpha #period_date (MONTH) and #activity_id are not 4W fields.
    assert "MONTH" in mapped.unmapped and "ActivityId" in mapped.unmapped
    assert mapped.frame.iloc[0].to_dict() == {
        "pillar": "Education",
        "org": "United Nations Children's Fund",
        "activity": "Distribution of educational materials for teachers",
        "country_iso3": "Mali",
        "admin1": "Sikasso",
        "admin2": None,
        "target": None,
        "reached_total": "319",
    }
    # Every column left out is a warning with its first values; the header-only one a note.
    not_loaded = [p.column for p in problems if p.code == "column.not_loaded"]
    assert not_loaded == ["ProjectCode", "MONTH", "Objective", "Priority", "ActivityId", "IndicatorId",
                          "Indicator", "Accumulative", "ReportDetailId", "ProjectId", "IsApproved"]
    assert all(p.severity == "warning" and p.row == 1 for p in problems if p.code == "column.not_loaded")
    assert [(p.code, p.row) for p in problems if p.code != "column.not_loaded"] == [
        ("header.hxl_row", 2), ("header.unmapped", 1)
    ]


def test_unhcr_3w_with_coordinates(shared_dir):
    _, mapped, problems = load(shared_dir, "hxl-showcase/unhcr-3w.csv")
    assert mapped.kind == "presence"
    assert len(mapped.frame) == 2250
    assert mapped.letters["lat"] == "C" and mapped.letters["lon"] == "D"
    # The #lat_deg/#lon_deg tags of those columns mean the same fields.
    assert columns.hxl_field("presence", "#lat_deg") == "lat"
    assert columns.hxl_field("presence", "#lon_deg") == "lon"
    assert mapped.frame[["lat", "lon"]].iloc[0].tolist() == ["8.25", "16.42"]
    assert mapped.frame["org"].iloc[0] == "CNARR"
    assert mapped.mapped_by["pillar"] == "hxl"
    # "Sector (Arabic)" also names the pillar (its bracket is a hint): the tagged
    # "Sector (English)" is used and the other is reported, not dropped in silence.
    assert mapped.unmapped == ["Organisation URL"]
    assert [(p.code, p.column) for p in problems] == [
        ("header.same_field", "Sector (Arabic)"), ("header.hxl_row", None),
        ("column.not_loaded", "Organisation URL"),
    ]


@pytest.mark.parametrize(("name", "rows"), sorted(FTS_ROWS.items()))
def test_fts_files(shared_dir, name, rows):
    path, mapped, problems = load(shared_dir, f"hdx-scraper-fts/{name}")
    assert mapped.kind == "fts"
    assert len(mapped.frame) == rows
    assert len(path.read_bytes().splitlines()) - 1 == rows
    assert {"country_iso3", "year", "required_usd", "funded_usd"} <= set(mapped.frame.columns)
    # Columns maaor has no field for (start/end dates of the plan) are warned about.
    assert all(p.severity == "note" or p.code == "column.not_loaded" for p in problems)


def test_fts_mine_action_requirement_stays_blank(shared_dir):
    _, mapped, _ = load(
        shared_dir, "hdx-scraper-fts/fts_requirements_funding_globalcluster_global.csv"
    )
    mine_action = mapped.frame[mapped.frame["cluster"] == "Mine Action"]
    assert len(mine_action) >= 1
    assert mine_action["required_usd"].isna().all()
    assert mine_action["funded_usd"].notna().all()


def test_cyclone_pam_json_3w(shared_dir):
    _, mapped, problems = load(shared_dir, "cyclone-pam-3w/data.json")
    assert mapped.kind == "presence"
    assert len(mapped.frame) == 2510
    assert mapped.rows[0] == 2 and mapped.rows[-1] == 2511
    assert mapped.frame.columns.tolist() == ["activity", "org", "status", "admin2_code"]
    assert (mapped.frame["admin2_code"] == "0").sum() == 78
    # The file names no country column; its P-codes give it (validation's job), so the
    # header mapping reports nothing missing.
    assert problems == []
