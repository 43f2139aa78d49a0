import pandas as pd
import pytest

from maaor.dataset import conform, empty_table
from maaor.figures.funding import (
    FTS_CAVEAT,
    FTS_SOURCE,
    fts_mine_action,
    funding_by,
    funding_headline,
    workplan_budget_vs_funded,
)
from tests.figures_data import NAN, funding, workplan

MONEY = ["required_usd", "funded_usd", "gap_usd", "pct_funded"]


def test_headline_unknown_requirement_is_not_zero():
    # required: known ones only (1,000,000 + 500,000 + 200,000); funded: every known
    # amount; gap and percent: only AFG HRP and the global row, where both are known.
    assert funding_headline(funding()) == {
        "required_usd": 1_700_000.0,
        "funded_usd": 550_000.0,
        "gap_usd": 750_000.0,
        "pct_funded": 37.5,
    }


def test_headline_every_requirement_unknown():
    rows = conform("funding", pd.DataFrame({"year": [2020, 2020],
                                            "required_usd": [NAN, NAN],
                                            "funded_usd": [100.0, 50.0]}))
    assert funding_headline(rows) == {"required_usd": None, "funded_usd": 150.0,
                                      "gap_usd": None, "pct_funded": None}


def test_headline_empty():
    assert funding_headline(empty_table("funding")) == {
        "required_usd": None, "funded_usd": None, "gap_usd": None, "pct_funded": None}


def test_funding_by_country_keeps_global_and_unknowns():
    out = funding_by(funding(), ["country_iso3"])
    assert list(out.columns) == ["country_iso3", *MONEY]
    assert out["country_iso3"].tolist()[:2] == ["AFG", "IRQ"]
    assert pd.isna(out["country_iso3"].iloc[2])  # global AoR
    assert out["required_usd"].tolist() == [1_000_000.0, 500_000.0, 200_000.0]
    afg, irq, world = out.to_dict("records")
    assert (afg["funded_usd"], afg["gap_usd"], afg["pct_funded"]) == (500_000.0, 600_000.0,
                                                                       40.0)
    assert pd.isna(irq["funded_usd"]) and pd.isna(irq["gap_usd"]) and pd.isna(irq["pct_funded"])
    assert (world["funded_usd"], world["gap_usd"], world["pct_funded"]) == (50_000.0,
                                                                            150_000.0, 25.0)


def test_funding_by_year_and_total():
    out = funding_by(funding(), ["year"])
    assert out["year"].tolist() == [2020, 2021]
    assert out[MONEY].values.tolist() == [[1_500_000.0, 500_000.0, 600_000.0, 40.0],
                                          [200_000.0, 50_000.0, 150_000.0, 25.0]]
    total = funding_by(funding(), [])
    assert list(total.columns) == MONEY
    assert total.values.tolist() == [[1_700_000.0, 550_000.0, 750_000.0, 37.5]]


def test_funding_by_empty():
    out = funding_by(empty_table("funding"), ["country_iso3", "year"])
    assert out.empty and list(out.columns) == ["country_iso3", "year", *MONEY]


def test_workplan_budget_vs_funded_counts_groups_once():
    out = workplan_budget_vs_funded(workplan())
    assert list(out.columns) == ["objective_id", "objective", "budget_usd", "funded_usd",
                                 "gap_usd", "pct_funded"]
    assert out["objective_id"].tolist() == ["1", "2", "10"]
    assert out["budget_usd"].tolist()[:2] == [30_000.0, 20_000.0]
    assert out["funded_usd"].tolist()[:2] == [10_000.0, 0.0]
    assert out["gap_usd"].tolist()[:2] == [20_000.0, 20_000.0]
    assert out["pct_funded"].iloc[0] == pytest.approx(100 / 3)
    assert out["pct_funded"].iloc[1] == 0.0
    assert out.iloc[2][["budget_usd", "funded_usd", "gap_usd", "pct_funded"]].isna().all()
    assert workplan_budget_vs_funded(empty_table("workplan")).empty


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
                                 "funded_usd", "percent_funded", "requirement_known"]
    assert out["country_iso3"].tolist() == ["AFG", "IRQ", "PSE"]
    assert out["requirement_known"].tolist() == [False, True, True]
    assert pd.isna(out["required_usd"].iloc[0])
    assert pd.isna(out["percent_funded"].iloc[0])
    assert out["funded_usd"].iloc[0] == 5_280_408.0
    assert out["percent_funded"].tolist()[1:] == [60.0, 25.0]  # PSE computed, IRQ as given


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
