import datetime as dt

import pandas as pd

from maaor.dataset import Dataset, conform, empty_table
from maaor.figures.gaps import (
    RULES,
    activity_flags,
    all_flags,
    expected_pillars,
    flag_counts,
    pillar_gaps,
)
from tests.figures_data import TODAY, dataset, mechanisms, presence, workplan


def _pairs(flags):
    return list(zip(flags["rule"], flags["activity_id"], strict=False))


def test_rules_cover_activity_and_country_rules():
    assert list(RULES) == [
        "no_lead", "tentative_lead", "no_budget", "budget_not_quantified", "unfunded",
        "partly_funded", "overdue", "stale", "pillar_no_active_org", "pillar_single_org",
    ]


def test_activity_flags_one_row_per_rule_and_activity():
    flags = activity_flags(workplan(), TODAY)
    assert list(flags.columns) == ["rule", "activity_id", "objective_id", "output_id",
                                   "activity", "leads", "detail"]
    assert _pairs(flags) == [
        ("no_lead", "1.1.2"),
        ("tentative_lead", "1.2.1"),
        ("no_budget", "10.1.1"),
        ("budget_not_quantified", "1.2.1"),
        ("unfunded", "2.1.1"),
        ("partly_funded", "1.1.1"),  # G1: 10,000 of the shared 30,000
        ("partly_funded", "1.1.2"),
        ("overdue", "1.1.2"),  # 1.1.2 is both overdue and without lead: two rows
        ("stale", "10.1.1"),  # 1.1.1 is older but completed
    ]
    detail = dict(zip(_pairs(flags), flags["detail"], strict=False))
    assert detail[("partly_funded", "1.1.1")] == (
        "Funded USD 10,000 of USD 30,000 (shared by 2 activities)")
    assert detail[("unfunded", "2.1.1")] == "Budget USD 20,000, funded USD 0"
    assert detail[("overdue", "1.1.2")] == "Due 2019-06-30, status: Ongoing"
    assert detail[("stale", "10.1.1")] == "Last update 2019-01-15 (229 days ago)"
    assert detail[("budget_not_quantified", "1.2.1")] == (
        "Budget note without amount: Travel budget to Bangkok")


def test_stale_days_threshold():
    # 10.1.1 was updated 229 days before TODAY
    assert ("stale", "10.1.1") not in _pairs(activity_flags(workplan(), TODAY, 229))
    assert ("stale", "10.1.1") in _pairs(activity_flags(workplan(), TODAY, 228))


def test_budget_group_member_without_amount_is_not_no_budget():
    wp = conform(
        "workplan",
        pd.DataFrame(
            {
                "activity_id": ["1.1.1", "1.1.2", "2.1.1"],
                "leads": ["UNMAS"] * 3,
                "budget_usd": [40_000.0, None, None],
                "budget_group": ["1.1", "1.1", None],
                "funded_usd": [None, None, None],
            }
        ),
    )
    flags = activity_flags(wp, TODAY)
    # unknown funding is not "unfunded"
    assert _pairs(flags) == [("no_budget", "2.1.1")]


def test_activity_flags_empty_and_all_nan():
    assert activity_flags(empty_table("workplan"), TODAY).empty
    wp = conform("workplan", pd.DataFrame({"activity_id": ["9"], "leads": ["UNMAS"],
                                           "budget_note": ["in kind"]}))
    assert _pairs(activity_flags(wp, TODAY)) == [("budget_not_quantified", "9")]


def test_pillar_gaps_given_pillars():
    out = pillar_gaps(presence(), mechanisms(), ("land_release", "eore"))
    assert list(out.columns) == ["rule", "country_iso3", "pillar", "organisations", "detail"]
    # LBY's mechanism is inactive; IRQ's "active" is unknown so it counts; AFG eore has 2
    # active organisations; IRQ eore only a completed one.
    assert list(zip(out["rule"], out["country_iso3"], out["pillar"], strict=False)) == [
        ("pillar_single_org", "AFG", "land_release"),
        ("pillar_no_active_org", "IRQ", "land_release"),
        ("pillar_no_active_org", "IRQ", "eore"),
        ("pillar_no_active_org", "SYR", "land_release"),
        ("pillar_no_active_org", "SYR", "eore"),
    ]
    assert out["organisations"].iloc[0] == "HALO Trust"
    assert out["organisations"].iloc[1:].isna().all()
    assert out["detail"].iloc[0] == "Only HALO Trust active for Land release in AFG"


def test_pillar_gaps_default_pillars_are_the_core_pillars():
    # Issue 11: a country is expected to cover the core pillars (land release, EORE,
    # victim assistance) unless its mechanism says otherwise; coordination, reported
    # in IRQ, is not expected there, so it is no gap.
    out = pillar_gaps(presence(), mechanisms())
    assert list(zip(out["rule"], out["country_iso3"], out["pillar"], strict=True)) == [
        ("pillar_single_org", "AFG", "land_release"),
        ("pillar_no_active_org", "AFG", "victim_assistance"),
        ("pillar_no_active_org", "IRQ", "land_release"),
        ("pillar_no_active_org", "IRQ", "eore"),
        ("pillar_single_org", "IRQ", "victim_assistance"),
        ("pillar_no_active_org", "SYR", "land_release"),
        ("pillar_no_active_org", "SYR", "eore"),
        ("pillar_no_active_org", "SYR", "victim_assistance"),
    ]


def test_pillar_gaps_expected_pillars_from_the_mechanisms_sheet_and_nan_status_is_active():
    mechs = mechanisms()
    mechs.loc[mechs["country_iso3"] == "IRQ", "expected_pillars"] = "eore; coordination"
    expected = expected_pillars(mechs)
    irq = expected.loc[expected["country_iso3"] == "IRQ"]
    assert irq["pillar"].tolist() == ["eore", "coordination"]
    assert set(irq["source"]) == {"mechanisms"}
    assert set(expected.loc[expected["country_iso3"] == "AFG", "source"]) == {"default"}
    assert "LBY" not in set(expected["country_iso3"])  # inactive mechanism
    out = pillar_gaps(presence(), mechs)
    irq = out[out["country_iso3"] == "IRQ"]
    # UNMAS's coordination row has no status: it counts as active
    coord = irq[irq["pillar"] == "coordination"]
    assert coord["rule"].tolist() == ["pillar_single_org"]
    assert coord["organisations"].tolist() == ["UNMAS"]
    assert irq["pillar"].tolist() == ["eore", "coordination"]  # not land release any more


def test_pillar_gaps_empty():
    assert pillar_gaps(presence(), empty_table("mechanisms")).empty
    out = pillar_gaps(empty_table("presence"), mechanisms(), ("eore",))
    assert out["country_iso3"].tolist() == ["AFG", "IRQ", "SYR"]
    assert set(out["rule"]) == {"pillar_no_active_org"}
    assert pillar_gaps(empty_table("presence"), empty_table("mechanisms")).empty


def test_all_flags_and_counts():
    flags = all_flags(dataset(), TODAY)
    assert list(flags.columns) == ["rule", "scope", "ref", "label", "pillar", "detail"]
    assert (flags["scope"] == "activity").sum() == 9
    assert (flags["scope"] == "country").sum() == 8  # core pillars x 3 countries, minus AFG eore
    first = flags.iloc[0]
    assert (first["rule"], first["ref"], first["label"]) == (
        "no_lead", "1.1.2", "Deploy surge staff")
    assert pd.isna(first["pillar"])
    irq = flags[(flags["scope"] == "country") & (flags["ref"] == "IRQ")]
    assert set(irq["label"]) == {"Mine Action Sub-Cluster Iraq"}
    counts = flag_counts(flags)
    assert list(zip(counts["rule"], counts["count"], strict=False)) == [
        ("no_lead", 1), ("tentative_lead", 1), ("no_budget", 1),
        ("budget_not_quantified", 1), ("unfunded", 1), ("partly_funded", 2),
        ("overdue", 1), ("stale", 1), ("pillar_no_active_org", 6),
        ("pillar_single_org", 2),
    ]


def test_all_flags_empty_dataset():
    flags = all_flags(Dataset(), dt.date(2024, 1, 1))
    assert flags.empty
    assert list(flags.columns) == ["rule", "scope", "ref", "label", "pillar", "detail"]
    counts = flag_counts(flags)
    assert counts.empty and list(counts.columns) == ["rule", "count"]
