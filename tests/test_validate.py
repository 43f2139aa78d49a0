"""Tests for maaor.validate: MappedSheet -> canonical table + problems."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from maaor import rates
from maaor.dataset import TABLE_COLUMNS
from maaor.orgs import Org, OrgDirectory
from maaor.read.types import MappedSheet
from maaor.validate import MAX_LISTED, RowCounts, rows_loaded, validate_sheet, validate_tables

ORGS = OrgDirectory(
    [
        Org("UNMAS", "un", ("United Nations Mine Action Service",)),
        Org("The HALO Trust", "ingo", ("HALO", "HALO Trust", "Halo Trust")),
        Org("MAG", "ingo", ("Mines Advisory Group",)),
        Org("NPA", "ingo", ("Norwegian People's Aid",)),
        Org("GICHD", "other", ("Geneva International Centre for Humanitarian Demining",)),
        Org("Japan", "donor", ()),
    ]
)
TODAY = dt.date(2020, 6, 30)
FIRST_ROW = 3  # header in row 1, HXL tags in row 2


def sheet(kind: str, columns: dict[str, list], labels: dict[str, str] | None = None, **kw) -> MappedSheet:
    frame = pd.DataFrame(columns, dtype=object)
    labels = {**{c: c for c in frame.columns}, **(labels or {})}
    rows = list(range(FIRST_ROW, FIRST_ROW + len(frame)))
    return MappedSheet("input.xlsx", "Data", kind, frame, rows, labels, **kw)


def found(problems, code):
    """(row, column, value) of each problem with ``code``."""
    return [(p.row, p.column, p.value) for p in problems if p.code == code]


def one(problems, code):
    matches = [p for p in problems if p.code == code]
    assert len(matches) == 1, (code, matches)
    return matches[0]


# ------------------------------------------------------------------------- work plan

WP_LABELS = {
    "objective_id": "Objective ID",
    "output_id": "Output ID",
    "activity_id": "Activity ID",
    "activity": "Activity",
    "leads": "Lead and Partners",
    "budget_usd": "Budget",
    "budget_note": "Budget note",
    "progress": "Progress (%)",
    "status": "Status",
    "start": "Start",
    "due": "Due",
}


def workplan(**overrides) -> MappedSheet:
    columns = {
        "objective_id": [1, "1", "1", "2"],
        "output_id": [1.1, "1.1", "1.3", "2.1"],
        "activity_id": ["1.1.1", "1.1.2", "1.3.1", "2.1.1"],
        "activity": ["Field support missions", "Monthly calls", "IM training", "Advocacy note"],
        "leads": ["UNMAS (TBC)", "GICHD, Halo Trust (John Smith)", None, "MAG / NPA"],
        "budget_usd": ["USD 40,000", "Travel budget to participate in protection conference in Bangkok", None, 1200],
        "budget_note": [None, None, None, None],
        "progress": [40, "50%", None, 100],
        "status": ["Ongoing", "en cours", "Not started", "Completed"],
        "start": ["2019-01-01", 43466, "31/03/2019", dt.datetime(2019, 2, 1)],
        "due": ["31/12/2019", None, "30 June 2019", dt.date(2019, 12, 31)],
    }
    columns.update(overrides)
    return sheet("workplan", columns, WP_LABELS)


def test_workplan_clean_values():
    table, problems = validate_sheet(workplan(), ORGS, today=TODAY)
    assert list(table.columns) == list(TABLE_COLUMNS["workplan"])
    assert table["objective_id"].tolist() == ["1", "1", "1", "2"]
    assert table["output_id"].tolist() == ["1.1", "1.1", "1.3", "2.1"]
    assert table["leads"].tolist()[:2] == ["UNMAS", "GICHD"]
    assert pd.isna(table["leads"].iloc[2])
    assert table["leads"].iloc[3] == "MAG; NPA"  # "/" joins co-leads
    assert table["lead_tentative"].tolist()[:2] == [True, False]
    assert table["partners"].iloc[1] == "The HALO Trust"
    assert table["focal_points"].iloc[1] == "John Smith"
    assert table["budget_usd"].iloc[0] == 40000.0
    assert pd.isna(table["budget_usd"].iloc[1])
    assert table["budget_note"].iloc[1] == (
        "Travel budget to participate in protection conference in Bangkok"
    )
    assert table["budget_usd"].iloc[3] == 1200.0
    assert table["progress"].iloc[:2].tolist() == [40.0, 50.0]
    assert table["status"].tolist() == ["ongoing", "ongoing", "not_started", "completed"]
    assert table["start"].tolist() == [
        pd.Timestamp(2019, 1, 1), pd.Timestamp(2019, 1, 1), pd.Timestamp(2019, 3, 31), pd.Timestamp(2019, 2, 1)
    ]
    assert table["due"].iloc[2] == pd.Timestamp(2019, 6, 30)
    assert table["_row"].tolist() == [3, 4, 5, 6]
    assert set(table["_file"]) == {"input.xlsx"} and set(table["_sheet"]) == {"Data"}
    # The only problem: the text budget was moved to the note.
    assert [(p.severity, p.code, p.row, p.column) for p in problems] == [
        ("note", "budget.moved_to_note", 4, "Budget")
    ]
    assert rows_loaded(table) == RowCounts(read=4, loaded=4, skipped=0, with_errors=0)


def test_workplan_budget_text_is_an_error_when_note_is_filled():
    table, problems = validate_sheet(
        workplan(budget_note=[None, "flights", None, None]), ORGS, today=TODAY
    )
    assert found(problems, "money.text") == [
        (4, "Budget", "Travel budget to participate in protection conference in Bangkok")
    ]
    assert table["budget_note"].iloc[1] == "flights"
    assert not found(problems, "budget.moved_to_note")


def test_workplan_excel_errors_and_uncached_formulas():
    mapped = workplan(budget_usd=["#REF!", None, 5, None])
    mapped.error_cells = {(3, "budget_usd"): "#REF!"}
    mapped.formula_no_cache = {(4, "budget_usd"): "=SUM(B1:B3)"}
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    err = one(problems, "excel.error_cell")
    assert (err.severity, err.row, err.column, err.value) == ("error", 3, "Budget", "#REF!")
    assert err.message.startswith("#REF! in Budget: the cell holds an Excel error")
    assert "formula" in err.fix
    nocache = one(problems, "excel.formula_no_cache")
    assert (nocache.severity, nocache.row, nocache.column, nocache.value) == ("error", 4, "Budget", "=SUM(B1:B3)")
    assert "save" in nocache.fix
    assert pd.isna(table["budget_usd"].iloc[0])
    assert not found(problems, "money.text")  # the error cell is not also "text"


def test_excel_error_in_required_column_is_not_also_missing():
    mapped = workplan(activity_id=["1.1.1", "#N/A", "1.3.1", "2.1.1"])
    mapped.error_cells = {(4, "activity_id"): "#N/A"}
    _, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert found(problems, "excel.error_cell") == [(4, "Activity ID", "#N/A")]
    assert not found(problems, "value.missing")


def test_workplan_hierarchy_errors():
    mapped = workplan(
        objective_id=["1", None, "1", "2"],
        output_id=["1.1", "1.1", "2.1", None],
        activity_id=["1.1.1", "1.1.1", "1.3.2", "2.1.1"],
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    dup = one(problems, "workplan.duplicate_activity")
    assert (dup.severity, dup.row, dup.column, dup.value) == ("error", 4, "Activity ID", "1.1.1")
    assert "first in row 3" in dup.message
    under = one(problems, "workplan.activity_not_under_output")
    assert (under.row, under.column, under.value) == (5, "Activity ID", "1.3.2")
    assert "2.1" in under.message
    assert one(problems, "workplan.output_not_under_objective").value == "2.1"
    assert found(problems, "value.missing") == [(4, "Objective ID", None), (6, "Output ID", None)]
    # Rows with errors are still loaded.
    assert len(table) == 4
    assert rows_loaded(table).with_errors == 3  # rows 4, 5 and 6


def test_workplan_budget_in_euros_is_converted_at_the_rate_of_its_start_year():
    mapped = workplan(
        budget_usd=["EUR 3,000", "EUR 1,000", 500, "XOF 1,000"],
        start=["2019-06-01", None, None, "2019-06-01"],
        due=[None, "2021-03-31", None, None],
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["budget_usd"].iloc[:3].tolist() == pytest.approx(
        [3000 * rates.usd_rate("EUR", 2019).usd_per_unit, 1000 * rates.usd_rate("EUR", 2021).usd_per_unit, 500])
    assert pd.isna(table["budget_usd"].iloc[3])  # a currency without a rate: left out
    assert found(problems, "currency.converted") == [(3, "Budget", "EUR 3,000"), (4, "Budget", "EUR 1,000")]
    assert found(problems, "money.not_usd") == [(6, "Budget", "XOF 1,000")]


def test_excel_turning_1_10_into_1_1_is_caught():
    mapped = workplan(output_id=["1.1", "1.1", "1.1", "2.1"], activity_id=["1.1.1", "1.1.2", "1.10.1", "2.1.1"])
    _, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert found(problems, "workplan.activity_not_under_output") == [(5, "Activity ID", "1.10.1")]


def test_workplan_value_errors():
    mapped = workplan(
        budget_usd=[-5, "EUR 3,000", None, None],
        progress=["140%", -1, "lots", 0.5],
        status=["Ongoing", "weird", None, "Done"],
        start=["2019-06-01", "2019", "June", "03/31/2019"],
        due=["2019-01-01", None, None, None],
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert found(problems, "money.negative") == [(3, "Budget", "-5")]
    assert found(problems, "money.not_usd") == [(4, "Budget", "EUR 3,000")]
    assert one(problems, "money.not_usd").severity == "warning"
    assert found(problems, "percent.out_of_range") == [(3, "Progress (%)", "140%"), (4, "Progress (%)", "-1")]
    assert found(problems, "percent.text") == [(5, "Progress (%)", "lots")]
    assert found(problems, "status.unknown") == [(4, "Status", "weird")]
    assert found(problems, "date.invalid") == [(4, "Start", "2019"), (5, "Start", "June")]
    assert found(problems, "date.month_first") == [(6, "Start", "03/31/2019")]
    assert found(problems, "date.end_before_start") == [(3, "Due", "2019-01-01")]
    for code in ("money.negative", "percent.out_of_range", "percent.text", "status.unknown",
                 "date.invalid", "date.end_before_start"):
        assert {p.severity for p in problems if p.code == code} == {"error"}, code
    assert one(problems, "date.month_first").severity == "warning"
    # Bad cells are blank; good ones kept.
    assert pd.isna(table["budget_usd"].iloc[0])
    # "EUR 3,000" with no valid start or due date has no year to convert it at: it is
    # left out (blank), never counted as 3,000 dollars.
    assert pd.isna(table["budget_usd"].iloc[1])
    assert table["progress"].iloc[:3].isna().all()
    assert table["progress"].iloc[3] == 0.5  # not a fraction column: 140 and -1 are not in 0..1
    assert pd.isna(table["status"].iloc[1])
    assert pd.isna(table["due"].iloc[0])
    assert table["start"].iloc[3] == pd.Timestamp(2019, 3, 31)


def test_percent_fraction_column_is_a_warning():
    table, problems = validate_sheet(workplan(progress=[0.4, 0.5, None, 1]), ORGS, today=TODAY)
    assert table["progress"].tolist()[:2] == [40.0, 50.0]
    assert table["progress"].iloc[3] == 100.0
    warning = one(problems, "percent.fraction")
    assert (warning.severity, warning.row, warning.column) == ("warning", None, "Progress (%)")


def test_workplan_unknown_organisation_is_a_warning_kept_as_written():
    table, problems = validate_sheet(
        workplan(leads=["UNMAS", "Mines Advisory Group, Foo Relief", None, None]), ORGS, today=TODAY
    )
    assert table["leads"].iloc[1] == "MAG"
    assert table["partners"].iloc[1] == "Foo Relief"
    warning = one(problems, "org.unknown")
    assert (warning.severity, warning.row, warning.column, warning.value) == (
        "warning", 4, "Lead and Partners", "Foo Relief",
    )


def test_separate_lead_and_partner_columns():
    mapped = workplan(
        leads=["UNMAS, GICHD", None, None, None],
        partners=["HALO, UNMAS (Jane Doe)", None, None, None],
        focal_points=["Ann Lee", None, None, None],
    )
    mapped.labels.update({"partners": "Partners", "focal_points": "Focal points"})
    table, _ = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["leads"].iloc[0] == "UNMAS; GICHD"
    assert table["partners"].iloc[0] == "The HALO Trust"  # a lead is not also a partner
    assert table["focal_points"].iloc[0] == "Ann Lee; Jane Doe"


def test_budget_group_column_is_kept():
    mapped = workplan(budget_group=["A", "A", None, "B"])
    table, _ = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["budget_group"].iloc[:2].tolist() == ["A", "A"]
    assert pd.isna(validate_sheet(workplan(), ORGS, today=TODAY)[0]["budget_group"]).all()


# -------------------------------------------------------------------------- presence

PRESENCE_LABELS = {
    "org": "Organisation",
    "org_type": "Type",
    "country_iso3": "Pays",
    "admin1": "Province",
    "admin1_code": "Admin1 P-code",
    "lat": "Latitude",
    "lon": "Longitude",
    "pillar": "Pilier",
    "activity": "Activity type",
    "status": "Statut",
    "start": "Start",
    "end": "End",
    "reached_total": "People reached",
}


def presence(**overrides) -> MappedSheet:
    columns = {
        "org": ["Halo Trust", "Mines Advisory Group", "UNMAS", "Foo Relief"],
        "org_type": [None, None, "ONG internationale", "national NGO"],
        "country_iso3": ["Irak", "Syrie", "RDC", "South Sudan"],
        "admin1": ["Ninewa", "Aleppo", "Ituri", None],
        "admin1_code": ["IQG15", "SY02", "CD54", None],
        "lat": [36.3, "35,2", None, None],
        "lon": [43.1, 37.1, None, None],
        "pillar": [None, "Déminage", "EORE", "VA"],
        "activity": ["Non-technical survey", None, "Sessions", None],
        "status": ["Ongoing", "Planned", "Completed", "en cours"],
        "start": [dt.datetime(2019, 1, 1), "2019-02-01", None, None],
        "end": [dt.datetime(2019, 12, 31), None, None, None],
        "reached_total": ["1,234", 50, 0, None],
    }
    columns.update(overrides)
    return sheet("presence", columns, PRESENCE_LABELS)


def test_presence_clean_values():
    table, problems = validate_sheet(presence(), ORGS, today=TODAY)
    assert list(table.columns) == list(TABLE_COLUMNS["presence"])
    assert table["org"].tolist() == ["The HALO Trust", "MAG", "UNMAS", "Foo Relief"]
    assert table["org_as_written"].tolist() == ["Halo Trust", "Mines Advisory Group", "UNMAS", "Foo Relief"]
    # From the directory where the column is blank; from the column where given.
    assert table["org_type"].tolist() == ["ingo", "ingo", "ingo", "nngo"]
    assert table["country_iso3"].tolist() == ["IRQ", "SYR", "COD", "SSD"]
    # Pillar from the pillar column, or from the activity type when the pillar is blank.
    assert table["pillar"].tolist() == ["land_release", "land_release", "eore", "victim_assistance"]
    assert table["status"].tolist() == ["active", "planned", "completed", "active"]
    assert table["lat"].iloc[:2].tolist() == [36.3, 35.2]
    assert table["reached_total"].iloc[:3].tolist() == [1234.0, 50.0, 0.0]
    assert table["start"].iloc[1] == pd.Timestamp(2019, 2, 1)
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [
        ("org.unknown", 6, "Organisation", "Foo Relief"),
        # no Emergency column, and Iraq is in two emergencies active in 2019 (the Iraq
        # crisis and the Syria regional response): reported, not guessed
        ("emergency.ambiguous", 3, "Pays", "IRQ"),
    ]


def test_presence_errors():
    mapped = presence(
        org=["Halo Trust", None, "UNMAS", "MAG"],
        country_iso3=["Atlantis", "Syrie", "Global", "Mali Situation"],
        pillar=["Health", None, "EORE", "VA"],
        status=["??", "Planned", "Completed", "Ongoing"],
        end=[dt.datetime(2018, 12, 31), None, None, None],
        reached_total=["many", -5, 0, None],
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert found(problems, "country.unknown") == [(3, "Pays", "Atlantis")]
    assert found(problems, "country.not_a_country") == [(5, "Pays", "Global")]
    assert found(problems, "country.guessed") == [(6, "Pays", "Mali Situation")]
    assert one(problems, "country.guessed").message == "'Mali Situation' was read as Mali."
    assert one(problems, "country.guessed").severity == "warning"
    assert found(problems, "pillar.unknown") == [(3, "Pilier", "Health")]
    assert found(problems, "status.unknown") == [(3, "Statut", "??")]
    assert found(problems, "value.missing") == [(4, "Organisation", None)]
    assert found(problems, "number.text") == [(3, "People reached", "many")]
    assert found(problems, "number.negative") == [(4, "People reached", "-5")]
    assert found(problems, "date.end_before_start") == [(3, "End", "2018-12-31")]
    for code in ("country.unknown", "country.not_a_country", "pillar.unknown", "status.unknown",
                 "value.missing", "number.text", "number.negative", "date.end_before_start"):
        assert {p.severity for p in problems if p.code == code} == {"error"}, code
    assert table["country_iso3"].iloc[3] == "MLI"
    assert pd.isna(table["pillar"].iloc[0])
    assert pd.isna(table["reached_total"].iloc[1])
    assert pd.isna(table["end"].iloc[0])
    assert rows_loaded(table) == RowCounts(4, 4, 0, 3)


def test_presence_warnings_coordinates_admin_codes_duplicates():
    mapped = presence(
        emergency=["Iraq crisis"] * 4,
        org=["Halo Trust", "HALO", "UNMAS", "MAG"],
        country_iso3=["Iraq", "IRQ", "Iraq", "Iraq"],
        admin1=["Ninewa", "Ninewa", "Anbar", "Anbar"],
        admin1_code=["IQG15", "IQG15", "0", None],
        lat=[36.3, 36.3, 0, 95],
        lon=[43.1, 43.1, 0, 43],
        pillar=["NTS", "Non-technical survey", "EORE", "EORE"],
        activity=[None, None, None, None],
        start=[None] * 4,
        end=[None] * 4,
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    dup = one(problems, "presence.duplicate")
    assert (dup.severity, dup.row, dup.column, dup.value) == ("warning", 4, "Organisation", "The HALO Trust")
    assert "row 3" in dup.message
    assert found(problems, "admin_code.invalid") == [(5, "Admin1 P-code", "0")]
    assert found(problems, "coordinates.zero") == [(5, "Latitude", "0")]
    assert found(problems, "coordinates.out_of_range") == [(6, "Latitude", "95")]
    assert {p.severity for p in problems if p.code != "admin1.placed"} == {"warning"}
    # The bad coordinates and code were blanked; the rows name Anbar, so they are placed
    # on Anbar's admin-1 point from the gazetteer (a note), its P-code filled in.
    from maaor import gazetteer

    anbar = gazetteer.lookup("IRQ", "Anbar").unit
    assert one(problems, "admin1.placed").severity == "note"
    assert table["admin1_code"].iloc[2:].tolist() == [anbar.pcode] * 2
    assert table["lat"].iloc[2:].tolist() == [anbar.lat] * 2
    assert table["lon"].iloc[2:].tolist() == [anbar.lon] * 2
    assert table["lat"].iloc[0] == 36.3


def test_blank_rows_are_skipped_and_counted():
    mapped = presence(
        org=["Halo Trust", None, "UNMAS", None],
        org_type=[None] * 4,
        country_iso3=["Iraq", None, "Iraq", "  "],
        admin1=[None] * 4,
        admin1_code=[None] * 4,
        lat=[None] * 4,
        lon=[None] * 4,
        pillar=["EORE", None, "EORE", None],
        activity=[None] * 4,
        status=[None] * 4,
        start=[None] * 4,
        end=[None] * 4,
        reached_total=[None] * 4,
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["_row"].tolist() == [3, 5]
    assert rows_loaded(table) == RowCounts(read=4, loaded=2, skipped=2, with_errors=0)
    assert one(problems, "rows.no_values").severity == "note"
    assert not found(problems, "value.missing")


# ---------------------------------------------------------------------- other kinds


def test_fts_blank_requirement_is_unknown_not_a_problem():
    mapped = sheet(
        "fts",
        {
            "country_iso3": ["AFG", "PSE"],
            "year": [2020, "2020"],
            "cluster_code": [15, "15"],
            "cluster": ["Mine Action", "Mine Action"],
            "required_usd": [None, "9767837"],
            "funded_usd": [564467, 1395519],
            "percent_funded": [None, 150],
        },
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert problems == []
    assert pd.isna(table["required_usd"].iloc[0])
    assert table["required_usd"].iloc[1] == 9767837.0
    assert table["funded_usd"].tolist() == [564467.0, 1395519.0]
    assert pd.isna(table["percent_funded"].iloc[0])
    assert table["percent_funded"].iloc[1] == 150.0  # over-funded is not out of range
    assert table["year"].tolist() == [2020, 2020]
    assert table["cluster_code"].tolist() == ["15", "15"]


def test_funding_values_and_problems():
    mapped = sheet(
        "funding",
        {
            "country_iso3": ["Global", "Irak", "Iraq"],
            "year": [2020, "2021", "last year"],
            "donor": ["Japan", "Japan", "Ruritania"],
            "channel": ["VTF", "fonds de financement commun", "lottery"],
            "recipient": ["UNMAS", "Mines Advisory Group", "MAG"],
            "required_usd": ["EUR 1,000", None, "1.2 mn"],
            "funded_usd": ["2.5M", "USD 40,000 per year", "-3"],
        },
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert pd.isna(table["country_iso3"].iloc[0])  # global
    assert table["country_iso3"].iloc[1] == "IRQ"
    assert table["channel"].iloc[:2].tolist() == ["vtf", "cbpf"]
    assert table["recipient"].tolist() == ["UNMAS", "MAG", "MAG"]
    assert table["required_usd"].iloc[2] == 1200000.0
    assert table["funded_usd"].iloc[0] == 2500000.0
    # A funding amount in euros is converted at the year's rate, never kept as dollars.
    assert found(problems, "money.not_usd") == []
    assert found(problems, "currency.converted") == [(3, "required_usd", "EUR 1,000")]
    assert table["required_usd"].iloc[0] == pytest.approx(1000 * rates.usd_rate("EUR", 2020).usd_per_unit)
    assert table["required_original"].iloc[0] == 1000.0 and table["currency"].iloc[0] == "EUR"
    assert found(problems, "money.text") == [(4, "funded_usd", "USD 40,000 per year")]
    assert found(problems, "money.negative") == [(5, "funded_usd", "-3")]
    assert found(problems, "year.invalid") == [(5, "year", "last year")]
    assert found(problems, "channel.unknown") == [(5, "channel", "lottery")]
    assert found(problems, "org.unknown") == [(5, "donor", "Ruritania")]


def test_indicators_defaults_and_duplicates():
    mapped = sheet(
        "indicators",
        {
            "indicator_id": ["1a", "1a", "2"],
            "indicator": ["Land released (m2)", "Land released (m2)", "Casualties"],
            "year": [2019, 2019, 2020],
            "disaggregation": [None, "Total", "femmes"],
            "direction": [None, None, "sideways"],
            "baseline": ["1,200", 3, "n/a"],
            "target": [1, 2, 3],
            "actual": [1, 2, 3],
            "as_of": ["2030-01-01", None, None],
        },
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["disaggregation"].tolist() == ["total", "total", "women"]
    assert table["direction"].iloc[:2].tolist() == ["increase", "increase"]
    assert table["baseline"].iloc[:2].tolist() == [1200.0, 3.0]
    assert found(problems, "indicator.duplicate") == [(4, "indicator_id", "1a")]
    assert found(problems, "direction.unknown") == [(5, "direction", "sideways")]
    assert found(problems, "number.text") == [(5, "baseline", "n/a")]
    assert found(problems, "date.future") == [(3, "as_of", "2030-01-01")]
    assert one(problems, "date.future").severity == "warning"


def test_mechanisms():
    mapped = sheet(
        "mechanisms",
        {
            "country_iso3": ["Iraq", "Global"],
            "name": ["Mine Action Sub-Cluster Iraq", "x"],
            "lead_org": ["UNMAS", "UNMAS"],
            "active": ["oui", "peut-être"],
            "activated": ["2016-05-01", None],
        },
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["active"].iloc[0] == True  # noqa: E712 - a pandas boolean scalar
    assert pd.isna(table["active"].iloc[1])
    assert found(problems, "bool.invalid") == [(4, "active", "peut-être")]
    assert found(problems, "country.not_a_country") == [(4, "country_iso3", "Global")]


def test_mechanisms_expected_pillars_are_a_list_of_pillars():
    mapped = sheet(
        "mechanisms",
        {
            "country_iso3": ["Iraq", "Mali", "Niger"],
            "name": ["MASC Iraq", "GTLAM Mali", "GTLAM Niger"],
            "expected_pillars": ["Clearance; MRE, victim assistance; IED",
                                 "EREE; piliers magiques", None],
        },
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert table["expected_pillars"].iloc[0] == (
        "land_release; eore; victim_assistance; ied_threat_mitigation")
    assert table["expected_pillars"].iloc[1] == "eore"
    assert pd.isna(table["expected_pillars"].iloc[2])  # blank: the core pillars
    assert found(problems, "pillar.unknown") == [
        (FIRST_ROW + 1, "expected_pillars", "EREE; piliers magiques")]
    message = next(p.message for p in problems if p.code == "pillar.unknown")
    assert message.startswith("'piliers magiques' in 'EREE; piliers magiques'")


# -------------------------------------------------------------------- caps and scale


def test_problems_are_capped_per_rule_and_column():
    n = MAX_LISTED + 1500
    mapped = sheet(
        "funding",
        {"year": [2020] * n, "funded_usd": ["about a million"] * n, "required_usd": ["x"] * 3 + [1] * (n - 3)},
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    funded = [p for p in problems if p.code == "money.text" and p.column == "funded_usd"]
    assert len(funded) == MAX_LISTED + 1
    summary = funded[-1]
    assert summary.row is None
    assert "1,500 more rows" in summary.message
    assert len([p for p in problems if p.code == "money.text" and p.column == "required_usd"]) == 3
    assert rows_loaded(table) == RowCounts(n, n, 0, n)


def test_100k_rows_validate_without_per_row_python():
    n = 100_000
    rng = np.random.default_rng(1)

    def pick(values):
        return np.array(values, dtype=object)[rng.integers(0, len(values), n)]

    mapped = sheet(
        "presence",
        {
            "org": pick(["Halo Trust", "MAG", "NPA", "UNMAS", "Foo Relief", None]),
            "country_iso3": pick(["Irak", "Syrie", "AFG", "RDC", "Atlantis"]),
            "admin1": pick([f"Province {i}" for i in range(200)]),
            "lat": rng.uniform(-5, 40, n),
            "lon": rng.uniform(-5, 60, n),
            "pillar": pick(["NTS", "EORE", "Victim assistance", "Health"]),
            "status": pick(["Ongoing", "Completed", "??"]),
            "start": pick([dt.datetime(2019, 1, 1) + dt.timedelta(days=i) for i in range(365)] + ["2019"]),
            "reached_total": rng.integers(0, 1000, n),
        },
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    assert len(table) == n
    assert len(problems) < 12 * (MAX_LISTED + 1)
    counts = rows_loaded(table)
    assert counts.read == counts.loaded == n
    assert counts.with_errors > MAX_LISTED
    assert set(table["country_iso3"].dropna()) == {"IRQ", "SYR", "AFG", "COD"}


# ------------------------------------------------------------------ cross-sheet checks


def test_validate_tables_cross_checks():
    wp_a, _ = validate_sheet(workplan(), ORGS, today=TODAY)
    wp_b_sheet = workplan()
    wp_b_sheet.file = "second.xlsx"
    wp_b, _ = validate_sheet(wp_b_sheet, ORGS, today=TODAY)
    pres, _ = validate_sheet(presence(), ORGS, today=TODAY)
    mech, _ = validate_sheet(
        sheet("mechanisms", {"country_iso3": ["Iraq", "Syria"], "name": ["MASC Iraq", "MAWG Syria"]}),
        ORGS,
        today=TODAY,
    )
    problems = validate_tables(
        {"workplan": pd.concat([wp_a, wp_b], ignore_index=True), "presence": pres, "mechanisms": mech}
    )
    dups = [p for p in problems if p.code == "workplan.duplicate_activity"]
    assert {p.column for p in dups} == {"Activity ID"}
    assert [(p.file, p.row, p.value) for p in dups] == [
        ("second.xlsx", 3, "1.1.1"), ("second.xlsx", 4, "1.1.2"), ("second.xlsx", 5, "1.3.1"), ("second.xlsx", 6, "2.1.1"),
    ]
    assert all(p.severity == "error" for p in dups)
    notes = [(p.severity, p.value) for p in problems if p.code == "presence.no_mechanism"]
    assert notes == [("note", "COD"), ("note", "SSD")]


def test_validate_tables_without_mechanisms_says_nothing_about_them():
    pres, _ = validate_sheet(presence(), ORGS, today=TODAY)
    assert validate_tables({"presence": pres}) == []


# ---------------------------------------------------------------------- real world


def test_vanuatu_3w_admin_codes_and_statuses(shared_dir):
    import json

    records = json.loads((shared_dir / "real-world" / "cyclone-pam-3w" / "data.json").read_text())
    frame = pd.DataFrame(records)
    mapped = MappedSheet(
        "data.json",
        None,
        "presence",
        pd.DataFrame(
            {
                "org": frame["organisation"],
                "activity": frame["activity"],
                "status": frame["status"],
                "admin2_code": frame["adm2_code"],
            },
            dtype=object,
        ),
        list(range(2, 2 + len(frame))),
        {"org": "organisation", "activity": "activity", "status": "status", "admin2_code": "adm2_code"},
    )
    table, problems = validate_sheet(mapped, OrgDirectory.bundled(), today=TODAY)
    assert len(table) == 2510
    assert table["status"].value_counts().to_dict() == {"completed": 1461, "active": 662, "planned": 387}
    bad_codes = [p for p in problems if p.code == "admin_code.invalid"]
    assert len(bad_codes) == 78
    assert {p.value for p in bad_codes} == {"0"}
    assert table["admin2_code"].isna().sum() == 78
    assert not [p for p in problems if p.code == "status.unknown"]


def test_validation_explains_what_it_read():
    """Issue 14, item 7: a corrected country says what was read, a point outside its row's
    country is a warning, a date that does not exist says so."""
    mapped = presence(
        country_iso3=["Irak", "Afganistan", "Iraq", "Iraq"],
        # Kabul's coordinates on a row of Iraq; Mosul's in Iraq; Basra, near the border
        # with Kuwait, within the outlines' tolerance.
        lat=[36.34, 34.53, 34.53, 30.51],
        lon=[43.13, 69.17, 69.17, 47.81],
        start=["01/03/2022", "31/02/2022", "29/02/2024", "29/02/2023"],
    )
    _, problems = validate_sheet(mapped, ORGS, today=TODAY)
    guessed = one(problems, "country.guessed")
    assert (guessed.row, guessed.value, guessed.severity) == (4, "Afganistan", "warning")
    assert guessed.message == "'Afganistan' was read as Afghanistan."
    outside = [p for p in problems if p.code == "coordinates.outside_country"]
    assert [(p.row, p.severity) for p in outside] == [(5, "warning")]
    assert outside[0].message == "The point (34.53, 69.17) is not in Iraq, the country of this row."
    assert outside[0].message_in("fr") == ("Le point (34.53, 69.17) n'est pas dans le pays de "
                                           "cette ligne (Iraq).")  # UNTERM French name
    missing = [p for p in problems if p.code == "date.not_exist"]
    assert [(p.row, p.value) for p in missing] == [(4, "31/02/2022"), (6, "29/02/2023")]
    assert missing[0].message == "'31/02/2022' does not exist: February 2022 has 28 days."
    assert missing[1].message_in("fr") == ("« 29/02/2023 » n'existe pas : février 2023 compte "
                                           "28 jours.")
    # 29 February 2024 exists (a leap year): no problem on row 5's date
    assert not [p for p in problems if p.row == 5 and p.code.startswith("date.")]


def test_presence_emergency_links_and_people_reached_split_are_checked():
    mapped = presence(
        country_iso3=["Iraq", "Syria", "Niger", "Mali"],
        emergency=["Iraq crisis", "Crise au Sahel central", None, "Central Sahl"],
        start=[dt.datetime(2024, 1, 1), None, dt.datetime(2024, 1, 1), None],
        # row 3: a complete split adding up to 190 against a total of 200
        reached_total=[200, 10, None, 11],
        reached_women=[50, 3, 5, None],
        reached_men=[50, 3, 5, None],
        reached_girls=[50, 2, 5, None],
        reached_boys=[40, 3, 5, None],
    )
    table, problems = validate_sheet(mapped, ORGS, today=TODAY)
    # the split of row 4 (11 for 10) is within rounding; row 5 has a split and no total
    assert found(problems, "reached.split_disagrees") == [(3, "People reached", "200")]
    assert "add up to 190" in one(problems, "reached.split_disagrees").message
    # Central Sahel does not cover Syria
    assert found(problems, "emergency.country_outside") == [(4, "emergency", "Crise au Sahel central")]
    # Niger in 2024 is in Central Sahel and Lake Chad Basin: the row must name one
    assert found(problems, "emergency.ambiguous") == [(5, "Pays", "NER")]
    assert "central-sahel, lake-chad-basin" in one(problems, "emergency.ambiguous").message
    unknown = one(problems, "emergency.unknown")
    assert (unknown.row, unknown.value, unknown.severity) == (6, "Central Sahl", "warning")
    assert "central-sahel" in unknown.message
    # the split without a total is loaded as given: the figures add it up
    assert table["reached_total"].isna().tolist() == [False, False, True, False]
