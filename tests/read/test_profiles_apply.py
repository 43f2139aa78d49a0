"""Mapping profiles applied by the reader (issue 10 item 6)."""

from __future__ import annotations

import pandas as pd
import pytest

from maaor.load import load_sources
from maaor.profiles import (
    IGNORE,
    Profile,
    ProfileError,
    header_signature,
    profiles_from_json,
    profiles_to_json,
)
from maaor.read.headers import map_sheet
from maaor.read.types import RawSheet
from maaor.sources import Source
from maaor.usecases.profiles import profile_from_report

ROWS = [
    ["Partner", "Pays", "Zone", "Colour", "Type of work"],
    ["MAG", "IRQ", "Ninewa", "blue", "Clr"],
    ["HALO Trust", "IRQ", "Anbar", "red", "EORE"],
]


def raw(rows) -> RawSheet:
    return RawSheet("f.xlsx", "Sheet1", pd.DataFrame(rows, dtype=object))


def test_the_signature_ignores_case_accents_and_trailing_empty_headers():
    assert header_signature(["Pays", "Zone"]) == header_signature(["PAYS ", "zone", None])
    assert header_signature(["Pays", "Zone"]) != header_signature(["Zone", "Pays"])


def test_without_a_profile_the_columns_are_not_loaded():
    mapped, problems = map_sheet(raw(ROWS), kind="presence")
    assert {c.header: c.how for c in mapped.columns}["Zone"] == "unmapped"
    assert any(p.code == "header.missing_required" for p in problems)


def test_a_profile_places_ignores_and_reads_values_and_says_so():
    signature = header_signature(ROWS[0])
    profile = Profile(
        signature, "presence", name="Iraq partners' 4W",
        columns={"Partner": "org", "Zone": "admin1", "Colour": IGNORE, "Type of work": "pillar"},
        values={"pillar": {"Clr": "land_release"}},
    )
    result = load_sources([_xlsx(ROWS)], profiles=[profile])
    assert result.ok, [p.message for p in result.errors]
    (report,) = result.reports
    got = {c.header: (c.field, c.how) for c in report.columns}
    assert got["Partner"] == ("org", "profile")
    assert got["Zone"] == ("admin1", "profile")
    assert got["Colour"] == (None, "ignored")
    assert got["Pays"] == ("country_iso3", "exact")
    assert report.profile == "Iraq partners' 4W" and report.signature == signature
    presence = result.dataset.presence
    assert presence["admin1"].tolist() == ["Ninewa", "Anbar"]
    assert presence["pillar"].tolist() == ["land_release", "eore"]
    notes = [p for p in report.problems if p.code == "profile.applied"]
    assert len(notes) == 1 and "Iraq partners' 4W" in notes[0].message
    assert "3 columns placed by it, 1 left out on purpose" in notes[0].message
    # An ignored column is not a warning: it was left out on purpose.
    assert not [p for p in report.problems if p.code == "column.not_loaded"]


def test_a_profile_for_other_headers_is_not_used():
    other = Profile(header_signature(["Partner", "Pays"]), "presence", columns={"Partner": "org"})
    mapped, _ = map_sheet(raw(ROWS), kind="presence", profiles={other.signature: other})
    assert mapped.profile is None


def test_profile_from_report_keeps_placements_and_adds_choices_and_round_trips():
    result = load_sources([_xlsx(ROWS)], profiles=[Profile(header_signature(ROWS[0]), "presence",
                                                           columns={"Partner": "org"})])
    (report,) = result.reports
    profile = profile_from_report(report, {"Zone": "admin1", "Colour": IGNORE}, name="p")
    assert profile.columns == {"Partner": "org", "Pays": "country_iso3", "Zone": "admin1", "Colour": IGNORE}
    (back,) = profiles_from_json(profiles_to_json([profile]))
    assert back == profile


def test_a_profile_naming_a_field_the_kind_lacks_is_refused():
    with pytest.raises(ProfileError, match="does not have"):
        profiles_from_json('{"signature": "x", "kind": "presence", "columns": {"A": "budget_usd"}}')
    with pytest.raises(ProfileError, match="not a JSON"):
        profiles_from_json("{")


def _xlsx(rows) -> Source:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return Source("partners.xlsx", buf.getvalue())
