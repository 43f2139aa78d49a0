"""Mapping profiles (maaor.profiles) and how the loader applies them: the signature of a
header row, the JSON file form and its checks, column choices placed before any matching
(how=profile / how=ignored), value choices applied before validation, the note naming
the profile, and the profile ``validate --save-profile`` writes."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from maaor.load import load_sources
from maaor.profiles import (
    ProfileError,
    apply_value_choices,
    find_profile,
    header_signature,
    make_profile,
    profile_from_dict,
    profile_from_json,
    profile_from_report,
    profiles_from_json,
    profiles_to_json,
)
from maaor.sources import Source

TODAY = dt.date(2025, 6, 1)
HEADERS = ["Organisation", "Pays", "Statut", "Zone d'intervention", "Remarques internes"]
PARTNER_CSV = ("\n".join([
    ",".join(HEADERS),
    "HALO Trust,Irak,Gelé,Ninewa,x",
    "Mines Advisory Group,Irak,Active,Anbar,y",
]) + "\n").encode()


def partner_profile(**kw) -> object:
    return make_profile(
        kw.get("name", "Partner 4W"), "presence", HEADERS,
        {"Zone d'intervention": "admin1", "Remarques internes": None},
        kw.get("values", {"status": {"Gelé": "planned"}}))


def load(data: bytes = PARTNER_CSV, profiles=(), name="partner.csv"):
    return load_sources([Source(name, data)], today=TODAY, profiles=profiles)


def test_signature_ignores_order_case_accents_and_blanks_but_not_a_new_column():
    sig = header_signature(HEADERS)
    assert header_signature(reversed(HEADERS)) == sig
    assert header_signature(["ORGANISATION", " pays ", "statut", "Zone d’intervention", None,
                             "", "remarques-internes"]) == sig
    assert header_signature([*HEADERS, "Budget"]) != sig
    assert header_signature(HEADERS[:-1]) != sig
    # A repeated header is part of the shape.
    assert header_signature([*HEADERS, "Pays"]) != sig


def test_find_profile_looks_for_the_header_row_below_title_rows():
    cells = pd.DataFrame([["4W report, May", None, None, None, None], [None] * 5,
                          HEADERS, ["HALO", "Irak", "Active", "Ninewa", "x"]], dtype=object)
    other = make_profile("Other", "presence", ["Org", "Country"], {})
    assert find_profile(cells, [other, partner_profile()]).name == "Partner 4W"
    assert find_profile(cells, [other]) is None
    assert find_profile(cells, []) is None


def test_json_round_trip_and_file_of_several_profiles():
    p = partner_profile()
    assert profile_from_json(p.to_json()) == p
    data = json.loads(p.to_json())
    assert data["signature"] == p.signature and data["columns"]["Remarques internes"] is None
    two = [p, make_profile("Funding", "funding", ["Donor", "Amount"], {})]
    assert profiles_from_json(profiles_to_json(two)) == two
    assert profiles_from_json(profiles_to_json(two[:1])) == two[:1]


@pytest.mark.parametrize(("change", "reason"), [
    ({"format": "other"}, "not a mapping profile"),
    ({"kind": "budget"}, "unknown kind of sheet 'budget'"),
    ({"columns": {"Pays": "budget_usd"}}, "'budget_usd' is not a field of a 4W presence sheet"),
    ({"columns": {"Not there": "org"}}, "column choice for 'Not there'"),
    ({"values": {"status": {"Gelé": "frozen"}}}, "'frozen' (for 'Gelé') is not a known"),
    ({"values": {"org": {"HT": "HALO"}}}, "the values of 'org' cannot be mapped"),
    ({"values": {"country_iso3": {"Irak": "XYZ"}}}, "'XYZ' (for 'Irak') is not a known country"),
    ({"headers": []}, "the profile has no header row"),
    ({"name": " "}, "the profile has no name"),
])
def test_a_bad_profile_is_refused_with_its_reason(change, reason):
    data = {**partner_profile().to_dict(), **change}
    with pytest.raises(ProfileError, match=None) as refused:
        profile_from_dict(data)
    assert reason in str(refused.value)


def test_not_json_and_too_large_are_refused():
    with pytest.raises(ProfileError, match="not JSON"):
        profiles_from_json("{")
    with pytest.raises(ProfileError, match="larger than"):
        profiles_from_json(" " * (300 * 1024))


def test_value_choices_replace_only_the_values_chosen():
    frame = pd.DataFrame({"status": ["Gelé", "GELÉ ", "Active", None],
                          "org": ["Gelé"] * 4}, dtype=object)
    out = apply_value_choices(frame, {"status": {"gele": "planned"}})
    assert out["status"].tolist() == ["planned", "planned", "Active", None]
    assert out["org"].tolist() == ["Gelé"] * 4
    assert frame["status"].iloc[0] == "Gelé"  # the input is not changed


def test_without_profile_the_columns_are_unmapped_and_the_status_refused():
    result = load()
    [report] = result.reports
    hows = {c.header: c.how for c in report.columns}
    assert hows["Zone d'intervention"] == hows["Remarques internes"] == "unmapped"
    assert sum(p.code == "column.not_loaded" for p in report.problems) == 2
    assert any(p.code == "status.unknown" and p.value == "Gelé" for p in result.errors)


@pytest.mark.parametrize("isolate", [False, True])
def test_a_matching_profile_places_ignores_and_maps_values_with_a_note(isolate):
    result = load_sources([Source("partner.csv", PARTNER_CSV)], today=TODAY,
                          profiles=[partner_profile()], isolate=isolate)
    [report] = result.reports
    placed = {c.header: (c.field, c.how) for c in report.columns}
    assert placed == {
        "Organisation": ("org", "exact"), "Pays": ("country_iso3", "exact"),
        "Statut": ("status", "exact"), "Zone d'intervention": ("admin1", "profile"),
        "Remarques internes": (None, "ignored"),
    }
    assert not [p for p in report.problems if p.code == "column.not_loaded"]
    assert result.ok
    [note] = [p for p in report.problems if p.code == "profile.used"]
    assert note.severity == "note" and "'Partner 4W'" in note.message
    assert "« Partner 4W »" in note.message_in("fr")
    table = result.dataset.tables["presence"]
    assert table["status"].tolist() == ["planned", "active"]
    assert table["admin1"].tolist() == ["Ninewa", "Anbar"]
    # Ignored values are counted, so nothing is dropped in silence.
    assert {c.header: c.values_not_loaded for c in report.columns}["Remarques internes"] == 2


def test_a_profile_for_another_shape_is_not_used():
    other = make_profile("Other", "presence", [*HEADERS, "Budget"], {"Budget": None})
    result = load(profiles=[other])
    assert not [p for r in result.reports for p in r.problems if p.code == "profile.used"]


def test_a_profile_choice_beats_the_header_matching_and_fills_a_missing_required_column():
    # "Agence" is not a header the dashboard knows: without the profile the 4W has no
    # organisation column (an error); the profile names it.
    data = b"Agence,Pays,Statut\nHALO Trust,Irak,Active\n"
    before = load(data)
    assert any(p.code == "header.missing_required" for p in before.errors)
    profile = make_profile("Agence", "presence", ["Agence", "Pays", "Statut"],
                           {"Agence": "org", "Statut": None})
    after = load(data, [profile])
    assert after.ok
    [report] = after.reports
    assert [(c.field, c.how) for c in report.columns] == [
        ("org", "profile"), ("country_iso3", "exact"), (None, "ignored")]
    assert after.dataset.tables["presence"]["org"].tolist() == ["The HALO Trust"]


def test_saved_profile_of_a_report_confirms_unplaced_columns_as_ignored():
    [report] = load().reports
    profile = profile_from_report("partner.csv", "presence", report.columns)
    assert profile.signature == header_signature(HEADERS)
    # Exact matches need no confirmation; the columns not loaded are written as ignored.
    assert profile.columns == {"Zone d'intervention": None, "Remarques internes": None}
    assert load(profiles=[profile]).reports[0].columns[3].how == "ignored"


def test_a_profile_saved_for_a_two_row_header_is_found_again():
    # "Personnes atteintes" groups "Femmes" and "Hommes": the reader names those columns
    # by their lower cell, the others by the upper one, and the profile keeps those names.
    rows = [["Organisation", "Pays", "Pilier", "Personnes atteintes", None, "Zone bizarre"],
            [None, None, None, "Femmes", "Hommes", None],
            ["HALO Trust", "Iraq", "EREE", 5, 6, "x"],
            ["MAG", "Iraq", "EREE", 7, 8, "y"]]
    data = pd.DataFrame(rows).to_csv(index=False, header=False).encode()
    first = load(data, name="stacked.csv")
    [report] = first.reports
    assert {c.header: c.how for c in report.columns}["Zone bizarre"] == "unmapped"
    saved = profile_from_report("Stacked", "presence", report.columns)
    assert saved.headers == ("Organisation", "Pays", "Pilier", "Femmes", "Hommes", "Zone bizarre")
    again = load(data, profiles=[saved], name="stacked.csv")
    [report] = again.reports
    assert {c.header: (c.field, c.how) for c in report.columns}["Zone bizarre"] == (None, "ignored")
    assert [p.code for p in report.problems if p.code == "profile.used"] == ["profile.used"]
    assert again.dataset.tables["presence"]["reached_women"].tolist() == [5, 7]
