"""Per emergency: organisations, countries, admin-1 areas and people reached, counted by
hand on eight 4W rows of the Sahel and Lake Chad (``_presence``)."""

from __future__ import annotations

import pandas as pd
import pytest

from maaor.dataset import conform
from maaor.figures.emergency import admin1_areas, emergency_sentence, emergency_summary
from maaor.filters import Filters, filter_presence

NA = None
_COLUMNS = ["org", "country_iso3", "emergency", "admin1", "admin1_code", "status", "start",
            "reached_total", "reached_women", "reached_men", "reached_girls", "reached_boys",
            "_row"]
_ROWS = [
    # 2: names Central Sahel
    ["HALO Trust", "BFA", "Central Sahel", "Sahel", "BF56", "active", "2024-01-01",
     100, NA, NA, NA, NA, 2],
    # 3: no emergency; Burkina Faso's only emergency is Central Sahel; split, no total (100)
    ["MAG", "BFA", NA, "Centre-Nord", "BF52", "active", "2024-01-01", NA, 10, 20, 30, 40, 3],
    # 4: Central Sahel in French; Mopti by name only
    ["HI", "MLI", "Crise au Sahel central", "Mopti", NA, "active", NA, 50, 20, 20, 5, 5, 4],
    # 5: Central Sahel by an alias; Mopti again (the same area); completed: not active
    ["DRC", "MLI", "Sahel central", "Mopti", NA, "completed", NA, 30, NA, NA, NA, NA, 5],
    # 6: Niger, naming Lake Chad Basin: not in Central Sahel
    ["NRC", "NER", "Lake Chad Basin", "Diffa", "NE002", "active", NA, 40, NA, NA, NA, NA, 6],
    # 7: Niger in 2024, no emergency: Central Sahel or Lake Chad Basin, so in both
    ["HALO Trust", "NER", NA, "Tillabéri", "NE006", "active", "2024-03-01",
     70, NA, NA, NA, NA, 7],
    # 8: Nigeria, naming North-East Nigeria: not in Lake Chad Basin
    ["MAG", "NGA", "North-East Nigeria crisis", "Borno", "NG008", "active", NA,
     25, NA, NA, NA, NA, 8],
    # 9: Nigeria in 2024, no emergency: Lake Chad Basin or North-East Nigeria; planned
    ["UNMAS", "NGA", NA, "Borno", "NG008", "planned", "2024-01-01", NA, NA, NA, NA, NA, 9],
]


def _presence() -> pd.DataFrame:
    frame = pd.DataFrame(_ROWS, columns=_COLUMNS)
    frame["start"] = pd.to_datetime(frame["start"])
    return conform("presence", frame)


def _summary(emergency: str) -> dict:
    rows = filter_presence(_presence(), Filters(emergency=emergency))
    return emergency_summary(rows, emergency)


@pytest.mark.parametrize(("emergency", "rows", "expected"), [
    # rows 2-5 and 7; active: HALO Trust, MAG, HI (DRC's row is completed);
    # areas BF56, BF52, Mopti, NE006; reached 100 + 100 + 50 + 30 + 70
    ("central-sahel", [2, 3, 4, 5, 7],
     {"organisations": 3, "countries": 3, "admin1_areas": 4, "reached_total": 350.0,
      "countries_of_emergency": 3}),
    # rows 6, 7 and 9; active: NRC, HALO Trust (UNMAS planned); NE002, NE006, NG008;
    # reached 40 + 70 (row 9 gives none)
    ("lake-chad-basin", [6, 7, 9],
     {"organisations": 2, "countries": 2, "admin1_areas": 3, "reached_total": 110.0,
      "countries_of_emergency": 4}),
    # rows 8 and 9: MAG active; Borno (NG008) once; reached 25
    ("north-east-nigeria", [8, 9],
     {"organisations": 1, "countries": 1, "admin1_areas": 1, "reached_total": 25.0,
      "countries_of_emergency": 1}),
    # no row: nothing reached is unknown (None), not 0
    ("syria", [],
     {"organisations": 0, "countries": 0, "admin1_areas": 0, "reached_total": None,
      "countries_of_emergency": 1}),
])
def test_golden_per_emergency(emergency, rows, expected):
    assert filter_presence(_presence(), Filters(emergency=emergency))["_row"].tolist() == rows
    assert _summary(emergency) == {"emergency": emergency, **expected}


def test_no_emergency_no_summary():
    assert emergency_summary(_presence(), None) is None
    assert emergency_sentence(None, "en") == ""


def test_admin1_areas_count_a_place_once_per_country():
    # BF56, BF52, Mopti (twice, by name), NE002, NE006, NG008 (twice)
    assert admin1_areas(_presence()) == 6
    assert admin1_areas(_presence().iloc[0:0]) == 0


def test_the_sentence_in_both_languages():
    summary = _summary("central-sahel")
    assert emergency_sentence(summary, "en") == (
        "Central Sahel crisis: 3 active organisations in 3 countries (4 admin-1 areas). "
        "350 people reached.")
    assert emergency_sentence(summary, "fr") == (
        "Crise au Sahel central : 3 organisations actives dans 3 pays "
        "(4 zones administratives de niveau 1). 350 personnes atteintes.")
    one = {**_summary("north-east-nigeria"), "reached_total": None}
    assert emergency_sentence(one, "en") == (
        "North-East Nigeria crisis: 1 active organisation in 1 country (1 admin-1 area).")
