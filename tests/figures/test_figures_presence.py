import pandas as pd
import pytest

from maaor.dataset import TABLE_COLUMNS, empty_table
from maaor.figures.presence import (
    aggregate_presence,
    org_pillar_matrix,
    orgs_by_admin1,
    orgs_by_country,
    orgs_by_pillar,
    presence_headline,
    where_is,
)
from tests.figures_data import mechanisms, presence


def test_presence_headline():
    assert presence_headline(presence(), mechanisms()) == {
        "countries_with_mechanism": 3,  # AFG, IRQ (active unknown), SYR; not LBY
        "countries_present": 2,
        "organisations": 5,
        "active_organisations": 4,  # DRC only completed; UNMAS IRQ has no status
        "rows": 9,
        "pillars": 4,
    }


def test_presence_headline_empty():
    head = presence_headline(empty_table("presence"), empty_table("mechanisms"))
    assert head == {"countries_with_mechanism": 0, "countries_present": 0,
                    "organisations": 0, "active_organisations": 0, "rows": 0, "pillars": 0}


def test_orgs_by_country():
    out = orgs_by_country(presence())
    assert list(out.columns) == ["country_iso3", "organisations", "rows", "pillars",
                                 "org_list", "pillar_list"]
    assert out.values.tolist() == [
        ["AFG", 2, 6, 2, "HALO Trust; MAG", "eore; land_release"],  # UNMAS AFG is planned
        ["IRQ", 2, 3, 3, "HI; UNMAS", "coordination; eore; victim_assistance"],
    ]
    every = orgs_by_country(presence(), active_only=False)
    assert every["organisations"].tolist() == [3, 3]
    assert every["org_list"].tolist() == ["HALO Trust; MAG; UNMAS", "DRC; HI; UNMAS"]


def test_orgs_by_admin1():
    out = orgs_by_admin1(presence())
    assert list(out.columns) == ["country_iso3", "admin1", "admin1_code", "lat", "lon",
                                 "organisations", "org_list", "pillar_list"]
    assert out["admin1"].tolist()[:3] == ["Herat", "Kabul", "Ninewa"]
    assert pd.isna(out["admin1"].iloc[3])
    assert out["admin1_code"].tolist()[:3] == ["AF02", "AF01", "IQ01"]
    assert out["lat"].tolist()[:3] == pytest.approx([34.35, 34.6, 36.35])
    assert out["lon"].tolist()[:3] == pytest.approx([62.3, 69.3, 43.15])
    assert pd.isna(out["lat"].iloc[3])
    assert out["organisations"].tolist() == [2, 2, 1, 1]
    assert out["org_list"].tolist() == ["HALO Trust; MAG", "HALO Trust; MAG", "HI", "UNMAS"]
    assert out["pillar_list"].tolist() == ["eore", "eore; land_release",
                                           "eore; victim_assistance", "coordination"]


def test_orgs_by_pillar_vocab_order_and_zero_active():
    out = orgs_by_pillar(presence())
    assert list(out.columns) == ["country_iso3", "pillar", "organisations", "org_list"]
    assert list(zip(out["country_iso3"], out["pillar"], out["organisations"], strict=False)) == [
        ("AFG", "land_release", 1),
        ("AFG", "eore", 2),
        ("IRQ", "eore", 0),  # only DRC, completed
        ("IRQ", "victim_assistance", 1),
        ("IRQ", "coordination", 1),
    ]
    assert out["org_list"].iloc[1] == "HALO Trust; MAG"
    assert pd.isna(out["org_list"].iloc[2])


def test_org_pillar_matrix():
    out = org_pillar_matrix(presence(), None)
    assert out.index.tolist() == ["DRC", "HALO Trust", "HI", "MAG", "UNMAS"]
    assert out.columns.tolist() == ["land_release", "eore", "victim_assistance",
                                    "coordination"]
    assert out.values.tolist() == [[0, 1, 0, 0], [2, 1, 0, 0], [0, 0, 1, 0], [0, 2, 0, 0],
                                   [0, 1, 0, 1]]
    afg = org_pillar_matrix(presence(), "AFG")
    assert afg.index.tolist() == ["HALO Trust", "MAG", "UNMAS"]
    assert afg.columns.tolist() == ["land_release", "eore"]
    assert afg.values.tolist() == [[2, 1], [0, 2], [0, 1]]
    assert afg.dtypes.unique().tolist() == [pd.Series(dtype="int64").dtype]
    assert org_pillar_matrix(presence(), "SYR").empty
    assert org_pillar_matrix(empty_table("presence"), None).empty


def test_where_is_matches_spelling_and_dedups():
    out = where_is(presence(), "halo  TRUST")
    assert list(out.columns) == ["country_iso3", "admin1", "pillar", "activity", "status",
                                 "start", "end"]
    # the two Kabul land-release rows differ only by admin2 and coordinates
    assert list(zip(out["admin1"], out["pillar"], strict=False)) == [("Herat", "eore"),
                                                       ("Kabul", "land_release")]
    assert where_is(presence(), "Nobody").empty
    assert where_is(empty_table("presence"), "HALO Trust").empty


def test_aggregate_presence_country_blanks_locations_and_dedups():
    out = aggregate_presence(presence(), "country")
    assert list(out.columns) == list(TABLE_COLUMNS["presence"])
    assert len(out) == 7  # HALO Kabul x2 and MAG Herat/Kabul merge
    for col in ("admin1", "admin1_code", "admin2", "admin2_code", "lat", "lon"):
        assert out[col].isna().all(), col
    halo = out[(out["org"] == "HALO Trust") & (out["pillar"] == "land_release")]
    assert halo["reached_total"].tolist() == [150.0]
    assert pd.isna(halo["_row"].iloc[0])  # merged from two rows
    mag = out[out["org"] == "MAG"]
    assert len(mag) == 1 and pd.isna(mag["reached_total"].iloc[0])  # NaN stays NaN
    unmas = out[(out["org"] == "UNMAS") & (out["pillar"] == "eore")]
    assert unmas["_row"].tolist() == [5]


def test_aggregate_presence_admin1_and_point():
    out = aggregate_presence(presence(), "admin1")
    assert len(out) == 8  # only the two HALO Kabul rows merge
    assert out["admin2"].isna().all() and out["lat"].isna().all()
    assert out["admin1"].notna().sum() == 7  # UNMAS IRQ had no admin1
    assert len(aggregate_presence(presence(), "point")) == 9
    assert len(aggregate_presence(presence(), "admin2")) == 9
    with pytest.raises(ValueError):
        aggregate_presence(presence(), "village")


def test_empty_presence_tables():
    empty = empty_table("presence")
    assert list(orgs_by_country(empty).columns)[0] == "country_iso3"
    assert orgs_by_admin1(empty).empty
    assert orgs_by_pillar(empty).empty
    assert aggregate_presence(empty, "country").empty


def test_suspended_presence_is_not_active():
    from maaor.figures.common import active_mask

    rows = pd.DataFrame({"status": ["active", "suspended", None, "planned", "completed"]})
    assert active_mask(rows).tolist() == [True, False, True, False, False]
