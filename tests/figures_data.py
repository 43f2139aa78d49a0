"""Tiny hand-checked canonical tables shared by the figure tests.

Every number asserted in tests/test_figures_*.py and tests/test_filters.py is worked
out by hand from these rows; change them only together with those tests.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor.dataset import Dataset, conform

NAN = float("nan")
TODAY = dt.date(2019, 9, 1)


def ts(text: str):
    return pd.Timestamp(text)


def workplan() -> pd.DataFrame:
    """Five activities in objectives 1, 2 and 10 (natural order 1 < 2 < 10).

    * 1.1.1 completed, shares budget group G1 (USD 30,000, funded 10,000) with 1.1.2.
    * 1.1.2 ongoing, no lead, due 2019-06-30 (overdue on TODAY): two flags + partly funded.
    * 1.2.1 no status, tentative lead, budget as text only.
    * 2.1.1 completed, USD 20,000 funded 0 (unfunded).
    * 10.1.1 delayed, no budget at all, last update 2019-01-15 (stale on TODAY).
    """
    rows = [
        dict(objective_id="1", objective="Coordinated Field Support", output_id="1.1",
             output="Field missions", activity_id="1.1.1", activity="Support missions",
             leads="UNMAS", partners="MAG", lead_tentative=False, budget_usd=30000.0,
             budget_group="G1", funded_usd=10000.0, status="completed", progress=100.0,
             start=ts("2018-01-01"), due=ts("2019-03-31"), last_update=ts("2019-04-01")),
        dict(objective_id="1", objective="Coordinated Field Support", output_id="1.1",
             output="Field missions", activity_id="1.1.2", activity="Deploy surge staff",
             leads=NAN, partners=NAN, lead_tentative=False, budget_usd=30000.0,
             budget_group="G1", funded_usd=10000.0, status="ongoing", progress=50.0,
             start=ts("2019-01-01"), due=ts("2019-06-30"), last_update=pd.NaT),
        dict(objective_id="1", objective="Coordinated Field Support", output_id="1.2",
             output="Conference", activity_id="1.2.1", activity="Protection conference",
             leads="MAG; HALO Trust", partners="UNMAS; GICHD", lead_tentative=True,
             budget_usd=NAN, budget_note="Travel budget to Bangkok", funded_usd=NAN,
             status=NAN, progress=NAN, start=pd.NaT, due=pd.NaT, last_update=pd.NaT),
        dict(objective_id="2", objective="Advocacy", output_id="2.1", output="Messages",
             activity_id="2.1.1", activity="Key messages", leads="GICHD", partners=NAN,
             lead_tentative=False, budget_usd=20000.0, funded_usd=0.0, status="completed",
             progress=NAN, start=ts("2020-02-01"), due=ts("2020-06-30"),
             last_update=ts("2019-08-01")),
        dict(objective_id="10", objective="Information Management", output_id="10.1",
             output="Dashboard", activity_id="10.1.1", activity="Build dashboard",
             leads="UNMAS", partners="HALO Trust", lead_tentative=False, budget_usd=NAN,
             funded_usd=NAN, status="delayed", progress=20.0, start=ts("2019-02-01"),
             due=ts("2019-12-31"), last_update=ts("2019-01-15")),
    ]
    return conform("workplan", pd.DataFrame(rows))


def presence() -> pd.DataFrame:
    """Nine 4W rows in AFG and IRQ (see tests for the hand counts)."""
    cols = ["org", "org_type", "country_iso3", "admin1", "admin1_code", "admin2", "lat",
            "lon", "pillar", "status", "reached_total", "_row"]
    data = [
        ("HALO Trust", "ingo", "AFG", "Kabul", "AF01", "Kabul city", 34.5, 69.2,
         "land_release", "active", 100.0, 2),
        ("HALO Trust", "ingo", "AFG", "Kabul", "AF01", "Paghman", 34.7, 69.4,
         "land_release", "active", 50.0, 3),
        ("MAG", "ingo", "AFG", "Herat", "AF02", NAN, NAN, NAN, "eore", "active", NAN, 4),
        ("UNMAS", "un", "AFG", "Herat", "AF02", NAN, 34.3, 62.2, "eore", "planned", NAN, 5),
        ("DRC", "ingo", "IRQ", "Ninewa", "IQ01", NAN, 36.3, 43.1, "eore", "completed", NAN, 6),
        ("UNMAS", "un", "IRQ", NAN, NAN, NAN, NAN, NAN, "coordination", NAN, NAN, 7),
        ("HI", "ingo", "IRQ", "Ninewa", "IQ01", NAN, 36.4, 43.2, "victim_assistance",
         "active", NAN, 8),
        ("HALO Trust", "ingo", "AFG", "Herat", "AF02", NAN, 34.4, 62.4, "eore", "active",
         NAN, 9),
        ("MAG", "ingo", "AFG", "Kabul", "AF01", NAN, NAN, NAN, "eore", "active", NAN, 10),
    ]
    frame = pd.DataFrame(data, columns=cols)
    frame["org_as_written"] = frame["org"]
    frame["_file"] = "4w.xlsx"
    frame["_sheet"] = "4W"
    return conform("presence", frame)


def mechanisms() -> pd.DataFrame:
    """AFG and SYR active, IRQ active not reported (counts), LBY inactive."""
    return conform(
        "mechanisms",
        pd.DataFrame(
            [
                dict(country_iso3="AFG", name="Mine Action Sub-Cluster Afghanistan",
                     active=True),
                dict(country_iso3="IRQ", name="Mine Action Sub-Cluster Iraq", active=pd.NA),
                dict(country_iso3="SYR", name="Mine Action AoR Syria", active=True),
                dict(country_iso3="LBY", name="Libya MA WG", active=False),
            ]
        ),
    )


def funding() -> pd.DataFrame:
    """AoR funding: one unknown requirement (AFG CERF), one unknown funding (IRQ)."""
    return conform(
        "funding",
        pd.DataFrame(
            [
                dict(country_iso3="AFG", year=2020, channel="hrp", pillar="land_release",
                     required_usd=1_000_000.0, funded_usd=400_000.0),
                dict(country_iso3="AFG", year=2020, channel="cerf", pillar="eore",
                     required_usd=NAN, funded_usd=100_000.0),
                dict(country_iso3="IRQ", year=2020, channel="hrp", pillar="eore",
                     required_usd=500_000.0, funded_usd=NAN),
                dict(country_iso3=NAN, year=2021, channel="vtf", pillar="coordination",
                     required_usd=200_000.0, funded_usd=50_000.0),
            ]
        ),
    )


def dataset() -> Dataset:
    return Dataset(
        {
            "workplan": workplan(),
            "presence": presence(),
            "mechanisms": mechanisms(),
            "funding": funding(),
        }
    )
