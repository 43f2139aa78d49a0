import pandas as pd
import pytest

from maaor.dataset import conform, empty_table
from maaor.figures.funding import (
    FTS_CAVEAT,
    FTS_SOURCE,
    fts_headline,
    fts_mine_action,
    funding_by,
    funding_headline,
    workplan_budget_headline,
    workplan_budget_vs_funded,
)
from tests.figures_data import NAN, funding, workplan

MONEY = ["required_usd", "funded_against_requirement_usd", "funded_no_requirement_usd",
         "funded_usd", "gap_usd", "pct_funded"]


def test_headline_reconciles_on_the_stated_requirement():
    # Issue 11: required = stated requirements (1,000,000 + 500,000 + 200,000); funded
    # against them = 400,000 (AFG HRP) + 0 (IRQ: requirement stated, nothing reported)
    # + 50,000 (global); the AFG CERF 100,000 has no stated requirement and stays
    # beside the gap. gap = required - funded against; coverage = against / required.
    head = funding_headline(funding())
    assert head == {
        "required_usd": 1_700_000.0,
        "funded_against_requirement_usd": 450_000.0,
        "funded_no_requirement_usd": 100_000.0,
        "funded_usd": 550_000.0,
        "gap_usd": 1_250_000.0,
        "pct_funded": pytest.approx(450_000 / 1_700_000 * 100),
    }
    assert head["gap_usd"] == head["required_usd"] - head["funded_against_requirement_usd"]
    assert head["funded_usd"] == (head["funded_against_requirement_usd"]
                                  + head["funded_no_requirement_usd"])


def test_headline_every_requirement_unknown():
    rows = conform("funding", pd.DataFrame({"year": [2020, 2020],
                                            "required_usd": [NAN, NAN],
                                            "funded_usd": [100.0, 50.0]}))
    assert funding_headline(rows) == {
        "required_usd": None, "funded_against_requirement_usd": None,
        "funded_no_requirement_usd": 150.0, "funded_usd": 150.0, "gap_usd": None,
        "pct_funded": None}


def test_headline_empty():
    assert funding_headline(empty_table("funding")) == dict.fromkeys(MONEY)


def test_funding_by_country_keeps_global_and_unknowns():
    out = funding_by(funding(), ["country_iso3"])
    assert list(out.columns) == ["country_iso3", *MONEY]
    assert out["country_iso3"].tolist()[:2] == ["AFG", "IRQ"]
    assert pd.isna(out["country_iso3"].iloc[2])  # global AoR
    assert out["required_usd"].tolist() == [1_000_000.0, 500_000.0, 200_000.0]
    afg, irq, world = out.to_dict("records")
    assert (afg["funded_against_requirement_usd"], afg["funded_no_requirement_usd"],
            afg["gap_usd"], afg["pct_funded"]) == (400_000.0, 100_000.0, 600_000.0, 40.0)
    # IRQ states a requirement and reports no funding: nothing received against it
    assert (irq["funded_against_requirement_usd"], irq["gap_usd"], irq["pct_funded"]) == (
        0.0, 500_000.0, 0.0)
    assert pd.isna(irq["funded_no_requirement_usd"])
    assert (world["funded_against_requirement_usd"], world["gap_usd"],
            world["pct_funded"]) == (50_000.0, 150_000.0, 25.0)


def test_funding_by_year_and_total():
    out = funding_by(funding(), ["year"])
    assert out["year"].tolist() == [2020, 2021]
    first, second = out[MONEY].values.tolist()
    assert first[:5] == [1_500_000.0, 400_000.0, 100_000.0, 500_000.0, 1_100_000.0]
    assert first[5] == pytest.approx(400 / 15)
    assert second[:2] == [200_000.0, 50_000.0] and pd.isna(second[2])
    assert second[3:] == [50_000.0, 150_000.0, 25.0]
    total = funding_by(funding(), [])
    assert list(total.columns) == MONEY
    head = funding_headline(funding())
    assert total.iloc[0].tolist() == pytest.approx([head[c] for c in MONEY])


def test_funding_by_empty():
    out = funding_by(empty_table("funding"), ["country_iso3", "year"])
    assert out.empty and list(out.columns) == ["country_iso3", "year", *MONEY]


def test_workplan_budget_vs_funded_counts_groups_once():
    out = workplan_budget_vs_funded(workplan())
    assert list(out.columns) == ["objective_id", "objective", "budget_usd", *MONEY[1:]]
    assert out["objective_id"].tolist() == ["1", "2", "10"]
    assert out["budget_usd"].tolist()[:2] == [30_000.0, 20_000.0]
    assert out["funded_against_requirement_usd"].tolist()[:2] == [10_000.0, 0.0]
    assert out["gap_usd"].tolist()[:2] == [20_000.0, 20_000.0]
    assert out["pct_funded"].iloc[0] == pytest.approx(100 / 3)
    assert out["pct_funded"].iloc[1] == 0.0
    assert out.iloc[2][["budget_usd", "funded_against_requirement_usd", "gap_usd",
                        "pct_funded"]].isna().all()
    assert workplan_budget_vs_funded(empty_table("workplan")).empty


def test_workplan_budget_headline_same_rule():
    head = workplan_budget_headline(workplan())
    # G1 counted once (30,000 funded 10,000) + 2.1.1 (20,000 funded 0)
    assert head["budget_usd"] == 50_000.0
    assert head["funded_against_requirement_usd"] == 10_000.0
    assert head["gap_usd"] == 40_000.0
    assert head["pct_funded"] == pytest.approx(20.0)
    assert head["funded_no_requirement_usd"] is None


def _fts_rows() -> pd.DataFrame:
    return conform(
        "fts",
        pd.DataFrame(
            [
                dict(country_iso3="AFG", year=2020, plan_name="Afghanistan 2020",
                     cluster_code="15", cluster="Mine Action", required_usd=NAN,
                     funded_usd=5_280_408.0, percent_funded=NAN),
                dict(country_iso3="AFG", year=2020, plan_name="Afghanistan 2020",
                     cluster_code="4", cluster="Protection", required_usd=9_000_000.0,
                     funded_usd=1_000_000.0, percent_funded=11.1),
                dict(country_iso3="PSE", year=2020, plan_name="oPt 2020",
                     cluster_code="26479", cluster="mine  action",
                     required_usd=2_000_000.0, funded_usd=500_000.0, percent_funded=NAN),
                dict(country_iso3="IRQ", year=2019, plan_name="Iraq 2019",
                     cluster_code="15", cluster="Mine Action",
                     required_usd=1_000_000.0, funded_usd=600_000.0, percent_funded=60.0),
            ]
        ),
    )


def test_fts_mine_action_blank_requirement_is_unknown():
    out = fts_mine_action(_fts_rows())
    assert list(out.columns) == ["country_iso3", "year", "plan_name", "required_usd",
                                 "funded_usd", "gap_usd", "percent_funded",
                                 "requirement_known"]
    assert pd.isna(out["gap_usd"].iloc[0])  # blank requirement: gap unknown too
    assert out["gap_usd"].tolist()[1:] == [400_000.0, 1_500_000.0]
    assert out["country_iso3"].tolist() == ["AFG", "IRQ", "PSE"]
    assert out["requirement_known"].tolist() == [False, True, True]
    assert pd.isna(out["required_usd"].iloc[0])
    assert pd.isna(out["percent_funded"].iloc[0])
    assert out["funded_usd"].iloc[0] == 5_280_408.0
    assert out["percent_funded"].tolist()[1:] == [60.0, 25.0]  # PSE computed, IRQ as given


def test_fts_headline_keeps_blank_requirement_unknown():
    head = fts_headline(fts_mine_action(_fts_rows()))
    # IRQ 1,000,000 / 600,000 and PSE 2,000,000 / 500,000; AFG's 5,280,408 has no
    # stated requirement: beside the gap, not in it
    assert head["required_usd"] == 3_000_000.0
    assert head["funded_against_requirement_usd"] == 1_100_000.0
    assert head["funded_no_requirement_usd"] == 5_280_408.0
    assert head["gap_usd"] == 1_900_000.0
    assert head["pct_funded"] == pytest.approx(1_100_000 / 3_000_000 * 100)


def test_fts_mine_action_empty_and_none_matching():
    assert fts_mine_action(empty_table("fts")).empty
    other = _fts_rows().iloc[[1]]
    out = fts_mine_action(other)
    assert out.empty and out.columns[-1] == "requirement_known"


def test_fts_texts():
    assert "FTS" in FTS_SOURCE and "Mine Action" in FTS_SOURCE
    assert "unknown" in FTS_CAVEAT and "not zero" in FTS_CAVEAT


def test_fts_mine_action_on_real_hdx_file(shared_dir):
    """The HDX global-cluster file has Mine Action rows with funding and a blank requirement."""
    path = shared_dir / "real-world" / "hdx-scraper-fts" / (
        "fts_requirements_funding_globalcluster_global.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    blank = {"": None}
    frame = pd.DataFrame(
        {
            "country_iso3": raw["countryCode"],
            "year": pd.to_numeric(raw["year"]),
            "plan_name": raw["name"],
            "cluster_code": raw["clusterCode"],
            "cluster": raw["cluster"],
            "required_usd": pd.to_numeric(raw["requirements"].replace(blank)),
            "funded_usd": pd.to_numeric(raw["funding"].replace(blank)),
            "percent_funded": pd.to_numeric(raw["percentFunded"].replace(blank)),
        }
    )
    out = fts_mine_action(conform("fts", frame))
    assert out["country_iso3"].tolist() == ["AFG", "PSE"]
    assert out["year"].tolist() == [2020, 2020]
    assert out["funded_usd"].tolist() == [5_280_408.0, 104_188.0]
    assert out["requirement_known"].tolist() == [False, False]
    assert out["required_usd"].isna().all()


def test_pledges_are_summed_apart_and_never_counted_as_funded():
    from maaor.figures.funding import pledged_total

    rows = pd.DataFrame({"required_usd": [100.0, None], "pledged_usd": [80.0, 50.0],
                         "funded_usd": [30.0, None]})
    assert pledged_total(rows) == 130.0
    head = funding_headline(rows)
    assert head["funded_usd"] == 30.0 and head["gap_usd"] == 70.0
    assert pledged_total(rows.assign(pledged_usd=None)) is None
    assert pledged_total(rows.drop(columns="pledged_usd")) is None
