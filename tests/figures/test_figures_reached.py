"""People reached: summed once, by country / emergency / admin-1 / pillar / organisation.

Every expected number below was added up by hand from the eight rows of ``_presence``.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from maaor.dataset import TABLE_COLUMNS, conform, empty_table
from maaor.figures.reached import (
    reached_by,
    reached_disagreements,
    reached_headline,
    row_reached,
)

NA = float("nan")
_COLUMNS = ["org", "country_iso3", "emergency", "admin1", "pillar",
            "reached_total", "reached_women", "reached_men", "reached_girls", "reached_boys",
            "_file", "_sheet", "_row"]
_ROWS = [
    # 1 total with a split that agrees: counted once (100)
    ["HALO Trust", "AFG", "afghanistan", "Kabul", "land_release", 100, 30, 40, 20, 10, "4w.xlsx", "4W", 3],
    # 2 split without total: the total is the sum (20)
    ["MAG", "AFG", "afghanistan", "Kabul", "eore", NA, 10, 5, 3, 2, "4w.xlsx", "4W", 4],
    # 3 total only (50)
    ["MAG", "AFG", "afghanistan", "Herat", "eore", 50, NA, NA, NA, NA, "4w.xlsx", "4W", 5],
    # 4 complete split adding up to 190 against a total of 200: disagreement, 200 counted
    ["HI", "IRQ", "iraq", "Ninewa", "victim_assistance", 200, 50, 50, 50, 40, "4w.xlsx", "4W", 6],
    # 5 no reached figure at all: not counted
    ["UNMAS", "IRQ", "iraq", "Ninewa", "coordination", NA, NA, NA, NA, NA, "4w.xlsx", "4W", 7],
    # 6 a part larger than the total: disagreement, 60 counted
    ["DRC", "SYR", "syria", "Idleb", "eore", 60, 70, NA, NA, NA, "4w.xlsx", "4W", 8],
    # 7 partial split below the total: fine (girls and boys not given), 40 counted
    ["HALO Trust", "SYR", "syria", "Idleb", "eore", 40, 10, 10, NA, NA, "4w.xlsx", "4W", 9],
    # 8 split 11 against total 10: within rounding of four parts, 10 counted; no emergency
    ["NPA", "SYR", NA, "Aleppo", "land_release", 10, 3, 3, 2, 3, "4w.xlsx", "4W", 10],
]


def _presence() -> pd.DataFrame:
    frame = pd.DataFrame(_ROWS, columns=_COLUMNS)
    for column in TABLE_COLUMNS["presence"]:
        if column not in frame:
            frame[column] = NA
    return conform("presence", frame)


def test_row_reached_definition():
    rows = row_reached(_presence())
    assert rows["reached"].tolist()[:4] == [100, 20, 50, 200]
    assert math.isnan(rows["reached"].iloc[4])
    assert rows["reached"].tolist()[5:] == [60, 40, 10]
    assert rows["from_split"].tolist() == [False, True, False, False, False, False, False, False]
    assert rows["disagrees"].tolist() == [False, False, False, True, False, True, False, False]
    assert rows["split_parts"].tolist() == [4, 4, 0, 4, 0, 1, 2, 4]


def test_headline_counts_a_split_total_once():
    assert reached_headline(_presence()) == {
        "reached_total": 480.0,  # 100 + 20 + 50 + 200 + 60 + 40 + 10
        "reached_women": 173.0,  # 30 + 10 + 50 + 70 + 10 + 3
        "reached_men": 108.0,  # 40 + 5 + 50 + 10 + 3
        "reached_girls": 75.0,  # 20 + 3 + 50 + 2
        "reached_boys": 55.0,  # 10 + 2 + 40 + 3
        "rows_reached": 7,
        "rows_total_from_split": 1,
        "rows_disagreeing": 2,
    }


def test_headline_is_null_when_no_row_gives_it():
    head = reached_headline(empty_table("presence"))
    assert head["reached_total"] is None and head["reached_women"] is None
    assert head["rows_reached"] == 0
    only_total = _presence().iloc[[2]]  # row 3: a total, no split
    head = reached_headline(only_total)
    assert head["reached_total"] == 50.0 and head["reached_women"] is None


def test_by_country():
    out = reached_by(_presence(), "country")
    assert list(out.columns) == ["country_iso3", "reached_total", "reached_women", "reached_men",
                                 "reached_girls", "reached_boys", "rows_reached",
                                 "rows_total_from_split", "rows_disagreeing"]
    assert out.values.tolist() == [
        ["AFG", 170.0, 40.0, 45.0, 23.0, 12.0, 3, 1, 0],
        ["IRQ", 200.0, 50.0, 50.0, 50.0, 40.0, 1, 0, 1],
        ["SYR", 110.0, 83.0, 13.0, 2.0, 3.0, 3, 0, 1],
    ]


def test_by_pillar_keeps_a_group_without_figures_as_null():
    out = reached_by(_presence(), "pillar").set_index("pillar")["reached_total"]
    assert out[["eore", "land_release", "victim_assistance"]].tolist() == [170.0, 110.0, 200.0]
    assert math.isnan(out["coordination"])


def test_by_organisation():
    out = reached_by(_presence(), "organisation").set_index("org")["reached_total"]
    assert out.drop("UNMAS").to_dict() == {"DRC": 60.0, "HALO Trust": 140.0, "HI": 200.0,
                                           "MAG": 70.0, "NPA": 10.0}
    assert math.isnan(out["UNMAS"])


def test_by_emergency_keeps_rows_without_one():
    out = reached_by(_presence(), "emergency")
    assert out["emergency"].tolist()[:3] == ["afghanistan", "iraq", "syria"]
    assert pd.isna(out["emergency"].iloc[3])
    assert out["reached_total"].tolist() == [170.0, 200.0, 100.0, 10.0]


def test_by_admin1_carries_the_country():
    out = reached_by(_presence(), "admin1")
    assert out[["country_iso3", "admin1", "reached_total"]].values.tolist() == [
        ["AFG", "Herat", 50.0],
        ["AFG", "Kabul", 120.0],
        ["IRQ", "Ninewa", 200.0],
        ["SYR", "Aleppo", 10.0],
        ["SYR", "Idleb", 100.0],
    ]


def test_by_several_dimensions():
    out = reached_by(_presence(), ("country", "pillar"))
    row = out[(out["country_iso3"] == "AFG") & (out["pillar"] == "eore")].iloc[0]
    assert (row["reached_total"], row["reached_women"], row["rows_total_from_split"]) == (70.0, 10.0, 1)


@pytest.mark.parametrize("by", ["country", "emergency", "admin1", "pillar", "organisation"])
def test_groups_add_up_to_the_headline(by):
    assert reached_by(_presence(), by)["reached_total"].sum() == reached_headline(_presence())["reached_total"]


def test_disagreements_are_reported_with_their_place():
    out = reached_disagreements(_presence())
    assert out[["_row", "org", "reached_total", "split_sum", "difference"]].values.tolist() == [
        [6, "HI", 200.0, 190.0, -10.0],
        [8, "DRC", 60.0, 70.0, 10.0],
    ]
    assert out["message"].iloc[0] == (
        "People reached 200 but women + men + girls + boys add up to 190 (-10); "
        "the total is counted as given"
    )
    assert "the parts given add up to 70" in out["message"].iloc[1]


def test_no_disagreement_gives_an_empty_table():
    assert reached_disagreements(_presence().iloc[[0, 1, 2]]).empty


def test_empty_presence():
    out = reached_by(empty_table("presence"), "country")
    assert out.empty and "reached_total" in out.columns


def test_unknown_dimension_is_refused():
    with pytest.raises(KeyError):
        reached_by(_presence(), "donor")


def test_the_public_view_merging_rows_keeps_the_people_reached():
    """Coarsened to the country, rows of one organisation, pillar and activity merge: a
    total-only row and a split-only row still add up to both, as before merging."""
    from maaor.figures.presence import aggregate_presence

    rows = _presence().iloc[[1, 2]].assign(admin1="x", pillar="eore", activity="EORE")
    assert reached_headline(rows)["reached_total"] == 70.0  # 20 from the split + 50
    merged = aggregate_presence(rows, "country")
    assert len(merged) == 1
    assert reached_headline(merged)["reached_total"] == 70.0
    assert reached_headline(merged)["reached_women"] == 10.0
