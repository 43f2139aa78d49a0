"""Plotly figures built from figure tables: values, colours, escaping, notes, languages."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from maaor import charts

NOTE = "Source: MA AoR work plan · Data version 3 of 5 Mar 2025"


def progress_table() -> pd.DataFrame:
    return pd.DataFrame({
        "objective_id": ["1", "2"], "objective": ["Field <b>support</b>", "Advocacy"],
        "activities": [5, 3], "not_reported": [0, 0], "not_started": [1, 0],
        "ongoing": [2, 1], "delayed": [0, 1], "suspended": [0, 0], "completed": [2, 1], "cancelled": [0, 0],
        "mean_progress": [50.0, 40.0], "pct_completed": [40.0, 33.3],
    })


def test_status_bars_stack_counts_and_skip_absent_statuses():
    fig = charts.status_by_objective(progress_table(), "en", NOTE)
    names = [t.name for t in fig.data]
    assert names == ["Not started", "Ongoing", "Delayed", "Completed"]
    completed = fig.data[names.index("Completed")]
    assert list(completed.x) == [2, 1]
    assert completed.marker.color == charts.GREEN
    assert fig.layout.barmode == "stack"
    # data text is escaped (plotly renders a subset of HTML)
    assert completed.y[0] == "1 Field &lt;b&gt;support&lt;/b&gt;"
    assert NOTE.replace("·", "·") in fig.layout.annotations[0].text


def test_status_labels_follow_the_language():
    fig = charts.status_by_objective(progress_table(), "fr", NOTE)
    assert [t.name for t in fig.data] == ["Non commencé", "En cours", "En retard", "Terminé"]
    assert fig.layout.separators == ", "


def timeline_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "activity_id": ["1.1.1", "1.1.2", "1.1.3"],
        "activity": ["a", "b", "c"],
        "objective_id": ["1"] * 3, "output_id": ["1.1"] * 3, "leads": ["UNMAS"] * 3,
        "status": ["completed", "ongoing", None],
        "start": pd.to_datetime(["2019-01-01", "2019-02-01", None]),
        "due": pd.to_datetime(["2019-06-30", "2019-05-31", None]),
        "overdue": [False, True, False],
    })


def test_timeline_bars_colours_and_today_line():
    fig = charts.timeline(timeline_rows(), dt.date(2019, 4, 1), "en", NOTE)
    bars = fig.data[0]
    assert list(bars.y) == ["1.1.1", "1.1.2"]  # the undated activity has no bar
    assert list(bars.marker.color) == [charts.GREEN, charts.VERMILLION]
    assert pd.Timestamp(bars.base[0]) == pd.Timestamp("2019-01-01")
    assert bars.x[0] == (pd.Timestamp("2019-06-30") - pd.Timestamp("2019-01-01")).total_seconds() * 1000
    assert [t.name for t in fig.data[1:]] == ["Completed", "Overdue"]
    assert fig.layout.shapes[0].x0 == pd.Timestamp("2019-04-01")
    assert any(a.text == "today" for a in fig.layout.annotations)


def test_timeline_without_due_dates_says_so_instead_of_time_ticks():
    rows = timeline_rows().assign(due=pd.NaT, start=pd.NaT)
    fig = charts.timeline(rows, dt.date(2026, 11, 25), "en", NOTE)
    assert not fig.data  # no bar, so no axis with "23:59:59.9995" ticks
    assert fig.layout.xaxis.visible is False
    assert "No activity has a due date yet, so there is no timeline to draw." in [
        a.text for a in fig.layout.annotations]


def test_timeline_points_to_today_when_it_is_far_away():
    fig = charts.timeline(timeline_rows(), dt.date(2026, 11, 25), "fr", NOTE)
    assert not fig.layout.shapes
    texts = [a.text for a in fig.layout.annotations]
    assert "aujourd'hui : 25 nov. 2026 →" in texts


def test_required_vs_funded_labels_and_money_hover():
    # issue 11: funded against the requirement and funded with none stated are two
    # bars, never one "funded" bar mixing them
    frame = pd.DataFrame({"country_iso3": ["IRQ", None], "required_usd": [1.5e6, None],
                          "funded_against_requirement_usd": [1.0e6, None],
                          "funded_no_requirement_usd": [None, 2.0e5],
                          "funded_usd": [1.0e6, 2.0e5], "gap_usd": [5e5, None],
                          "pct_funded": [66.7, None]})
    fig = charts.required_vs_funded(frame, "country_iso3", "en", NOTE,
                                    label=lambda c: {"IRQ": "Iraq"}.get(c, ""))
    required, funded, beside = fig.data
    assert list(required.y) == ["Iraq", "not given"]
    assert list(required.customdata) == ["USD 1.5M", "unknown"]
    assert list(funded.x)[0] == 1.0e6 and pd.isna(list(funded.x)[1])
    assert pd.isna(list(beside.x)[0]) and list(beside.x)[1] == 2.0e5
    assert (required.name, funded.name, beside.name) == (
        "Required", "Funded against the requirement", "Funded, no stated requirement")


def test_workplan_budget_is_drawn_as_budget():
    frame = pd.DataFrame({"objective_id": ["1"], "objective": ["Field"], "budget_usd": [4e4],
                          "funded_against_requirement_usd": [1e4],
                          "funded_no_requirement_usd": [None], "funded_usd": [1e4],
                          "gap_usd": [3e4], "pct_funded": [25.0]})
    fig = charts.required_vs_funded(frame, "objective", "fr", NOTE)
    assert fig.data[0].name == "Budget"
    assert list(fig.data[0].customdata) == ["40\u00a0k\u00a0USD"]


def test_fts_unknown_requirement_is_said_not_drawn_as_zero():
    frame = pd.DataFrame({"country_iso3": ["AFG", "PSE"], "year": pd.array([2020, 2020], "Int64"),
                          "plan_name": ["HRP", "HRP"], "required_usd": [None, 3e6],
                          "funded_usd": [2e6, 1e6], "percent_funded": [None, 33.3],
                          "requirement_known": [False, True]})
    fig = charts.fts_bars(frame, "en", NOTE)
    required, funded = fig.data
    assert pd.isna(required.x[0])
    assert list(required.customdata) == ["requirement unknown", "USD 3M"]
    assert list(funded.text) == ["requirement unknown", ""]
    assert list(required.y) == ["AFG 2020", "PSE 2020"]


def test_bullets_one_per_indicator_coloured_by_track():
    rows = pd.DataFrame({
        "indicator_id": ["1.1", "1.2", "1.3"], "indicator": ["A <i>", "B", "C"],
        "baseline": [10.0, 5.0, None], "target": [20.0, 15.0, 8.0], "actual": [18.0, 6.0, None],
        "progress_pct": [80.0, 10.0, None], "expected_pct": [60.0, 60.0, 60.0],
        "on_track": pd.array([True, False, pd.NA], dtype="boolean"),
    })
    fig = charts.indicator_bullets(rows, "en", NOTE)
    assert len(fig.data) == 3
    first, second, third = fig.data
    assert first.value == 18.0 and first.gauge.threshold.value == 20.0
    assert first.gauge.bar.color == charts.GREEN
    assert second.gauge.bar.color == charts.VERMILLION
    assert third.gauge.bar.color == charts.GREY and third.value is None
    assert "A &lt;i&gt;" in first.title.text and "On track" in first.title.text
    assert first.gauge.steps[0].range == (0.0, 10.0)


def test_flag_counts_use_translated_rule_names():
    counts = pd.DataFrame({"rule": ["no_lead", "overdue"], "count": [3, 1]})
    fig = charts.flag_counts(counts, "fr", NOTE)
    assert list(fig.data[0].y) == ["Sans chef de file", "En retard"]
    assert list(fig.data[0].x) == [3, 1]


def test_long_notes_wrap_and_the_margin_grows():
    fig = charts.flag_counts(pd.DataFrame({"rule": ["no_lead"], "count": [1]}), "en",
                             "Source: " + "word " * 60)
    lines = fig.layout.annotations[0].text.split("<br>")
    assert len(lines) >= 3 and all(len(line) <= charts.NOTE_WIDTH for line in lines)
    assert fig.layout.margin.b == 60 + 15 * len(lines)


def test_orgs_per_pillar_one_trace_per_country():
    by_pillar = pd.DataFrame({"country_iso3": ["IRQ", "IRQ", "SYR"],
                              "pillar": ["eore", "land_release", "eore"],
                              "organisations": [2, 1, 1],
                              "org_list": ["MAG; UNMAS", "HALO Trust", "<b>x</b>"]})
    fig = charts.orgs_per_pillar(by_pillar, "en", NOTE, label={"IRQ": "Iraq", "SYR": "Syria"}.get)
    assert [t.name for t in fig.data] == ["Iraq", "Syria"]
    assert list(fig.data[0].x) == ["Explosive ordnance risk education", "Land release"]
    assert fig.data[1].customdata[0] == "&lt;b&gt;x&lt;/b&gt;"


def test_count_axes_tick_whole_numbers_only():
    # two activities at most: plotly alone would tick 0, 0.5, 1, 1.5, 2
    fig = charts.status_by_objective(progress_table(), "en", NOTE)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tick0 == 0
    assert fig.layout.xaxis.tickformat == ",d"
    # the step grows with the largest stack (5 activities -> 1; 45 -> 10)
    assert charts.count_axis([45])["dtick"] == 10
    assert charts.count_axis([9, 3])["dtick"] == 2
    assert charts.count_axis([])["dtick"] == 1
    flags = charts.flag_counts(pd.DataFrame({"rule": ["no_lead"], "count": [3]}), "en")
    assert flags.layout.xaxis.dtick == 1


def test_toolbar_stands_in_the_right_margin_beside_the_legend():
    fig = charts.status_by_objective(progress_table(), "en", NOTE)
    assert fig.layout.modebar.orientation == "v"
    assert fig.layout.margin.r >= charts.TOOLBAR_MARGIN
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.x == 0
    # from the figure's edge: a plot narrowed by long labels leaves the legend its room
    assert fig.layout.legend.xref == "container"
