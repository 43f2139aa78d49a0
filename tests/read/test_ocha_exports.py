"""Real OCHA exports read as they are (tests/fixtures/real/PROVENANCE.md): FTS API v1
JSON, FTS incoming flows CSV, HDX HAPI operational presence and funding."""

from __future__ import annotations

import json

import pytest

from maaor.figures.funding import fts_headline, fts_mine_action
from maaor.load import load_sources
from maaor.read.ocha import fts_api_clusters, fts_api_grid
from maaor.sources import Source
from tests.paths import FIXTURES

REAL = FIXTURES / "real"


def load(name: str):
    return load_sources([Source(name, (REAL / name).read_bytes())])


def test_fts_api_requirements_by_global_cluster_keep_a_blank_requirement_unknown():
    document = json.loads((REAL / "fts_api_globalcluster_plan929.json").read_text())
    clusters = {c["cluster"]: c for c in fts_api_clusters(document)}
    mine = clusters["Mine Action"]
    assert mine["required_usd"] is None  # not 0: FTS states no requirement
    assert mine["funded_usd"] == 5_280_408
    assert clusters["Protection"]["required_usd"] == 91_875_589
    assert clusters["Protection"]["funded_usd"] == 29_841_887
    assert len(clusters) == 14


def test_fts_api_answer_without_its_plan_is_refused_saying_what_was_read():
    result = load("fts_api_globalcluster_plan929.json")
    (error,) = result.errors
    assert error.code == "fts.plan_unknown"
    assert "Mine Action: funding 5,280,408 USD, requirement not stated (unknown)" in error.message
    assert "HDX" in error.fix
    assert result.dataset.fts.empty


def test_fts_api_flows_unwrap_data_flows_and_keep_mine_action_only():
    document = json.loads((REAL / "fts_api_flows_location1_2020_page3.json").read_text())
    grid = fts_api_grid(document)
    assert len(grid) - 1 == len(document["data"]["flows"]) == 84
    header = grid[0]
    for column in ("amountUSD", "srcOrganization", "destOrganization", "destGlobalClusters",
                   "destLocations", "destUsageYearStart", "destPlan", "destPlanId"):
        assert column in header
    result = load("fts_api_flows_location1_2020_page3.json")
    assert result.ok, [p.message for p in result.errors]
    fts = result.dataset.fts
    assert len(fts) == 5
    assert set(fts["cluster"]) == {"Mine Action"}
    assert set(fts["country_iso3"]) == {"AFG"} and set(fts["year"]) == {2020}
    assert fts["required_usd"].isna().all()
    head = fts_headline(fts_mine_action(fts))
    assert head["required_usd"] is None
    assert head["funded_no_requirement_usd"] == pytest.approx(15_000_889)
    codes = {p.code: p for p in result.problems}
    assert "433,094 USD to Protection,Mine Action" in codes["fts.shared_flow"].message
    assert codes["rows.outside_mine_action"].message.startswith("78 flows of other clusters")
    # 84 flows: 5 loaded + 1 shared + 78 other clusters.
    assert 5 + 1 + 78 == 84


def test_fts_incoming_flows_csv_reads_the_mine_action_flows():
    result = load("fts_incoming_funding_afg.csv")
    assert result.ok, [p.message for p in result.errors]
    fts = result.dataset.fts
    assert len(fts) == 9 and set(fts["cluster"]) == {"Mine Action"}
    assert fts["funded_usd"].sum() == pytest.approx(19_803_405)
    assert fts["required_usd"].isna().all()
    assert (fts["_row"] >= 3).all()  # under the header and the HXL row
    report = result.reports[0]
    placed = {c.header: c.field for c in report.columns if c.field}
    assert placed == {"amountUSD": "funded_usd", "destPlan": "plan_name", "destPlanCode": "plan_code",
                      "destPlanId": "plan_id", "destGlobalClusters": "cluster",
                      "destLocations": "country_iso3", "destUsageYearStart": "year"}
    not_loaded = {c.header for c in report.columns if c.field is None and c.values_not_loaded}
    assert "srcOrganization" in not_loaded
    warned = {p.column for p in result.problems if p.code == "column.not_loaded"}
    assert not_loaded <= warned
    shared = next(p for p in result.problems if p.code == "fts.shared_flow")
    assert shared.message.startswith("3 flows went to Mine Action together with other clusters")


def test_hapi_funding_csv_goes_to_the_fts_table_as_appeal_totals():
    result = load("hapi_funding_global_2020.csv")
    assert result.ok, [p.message for p in result.errors]
    fts = result.dataset.fts
    assert len(fts) == 8
    assert fts["year"].tolist() == [2020] * 8
    afg = fts[fts["plan_code"] == "HAFG20"].iloc[0]
    assert afg["required_usd"] == 1_131_050_820 and afg["funded_usd"] == 564_467_765
    covid = fts[fts["plan_code"] == "OGLBL20"].iloc[0]
    assert covid["required_usd"] != covid["required_usd"]  # blank stays unknown (NaN)
    assert fts["cluster"].isna().all()  # appeal totals are never counted as mine action
    assert fts_mine_action(fts).empty


def test_hapi_operational_presence_keeps_the_mine_action_sector():
    result = load("hapi_operational_presence_global_trimmed.csv")
    presence = result.dataset.presence
    assert len(presence) == 12
    assert set(presence["country_iso3"]) == {"COD", "SOM"}
    assert presence["admin2_code"].notna().all()
    assert "Afrique pour la Lutte Antimines" in set(presence["org_as_written"])
    outside = next(p for p in result.problems if p.code == "rows.outside_mine_action")
    assert outside.message.startswith("30 rows of other sectors were not loaded")
    # The sector "Mine Action" names no pillar: the rows load with the pillar "Mine action
    # (unspecified)" and one warning for the value, not an error per row.
    assert not [p for p in result.errors if p.code == "pillar.unknown"]
    assert set(presence["pillar"]) == {"unspecified"}
    (warning,) = [p for p in result.problems if p.code == "pillar.unspecified"]
    assert warning.severity == "warning" and warning.value == "Mine Action"
    assert "12 rows were loaded" in warning.message


def test_hapi_json_data_array_reads_like_the_csv():
    import csv
    import io

    text = (REAL / "hapi_operational_presence_global_trimmed.csv").read_text(encoding="utf-8")
    records = list(csv.DictReader(io.StringIO(text)))
    data = json.dumps({"data": records}).encode()
    from_json = load_sources([Source("presence.json", data)]).dataset.presence
    from_csv = load("hapi_operational_presence_global_trimmed.csv").dataset.presence
    columns = ["org", "country_iso3", "admin1", "admin2_code", "start"]
    assert from_json[columns].equals(from_csv[columns])
