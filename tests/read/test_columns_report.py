"""Nothing dropped in silence: every column of a sheet the reader accepts is placed or
reported, and every non-empty data cell is loaded, counted as left out, or in a total row
named in a note."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from maaor.matcher import header_key
from maaor.read.excel import column_letter
from maaor.read.headers import map_sheet
from maaor.read.types import RawSheet

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOWS = {"exact", "fuzzy", "hxl", "profile", "ignored", "unmapped"}

# Headers of several kinds, unknown words, repeats and blanks; HXL tags for a tag row.
header = st.sampled_from([
    "Organisation", "Country", "Activity type", "Status", "Admin 1", "Start date",
    "Objective ID", "Output ID", "Activity ID", "Activity", "Budget", "Lead",
    "Year", "Donor", "Amount (USD)", "Amount (EUR)", "Montant en CHF", "Colour", "Remarks",
    "Shoe size", "", None,
    "Indicator", "Indicator ID", "Target 2019", "Actual 2019", "Target 2020",
    # Close headers the matcher places (or must not): hints, units, typos, French.
    "Femmes atteintes", "Code Terrtoire", "Requirements (USD)", "Comments on budget",
    "NOM ORGANISATION (auto)", "Personnes atteintes",
])
tag = st.sampled_from(["#org", "#country", "#adm1", "#status", "#sector", "#meta", "#org+impl", None])
cell = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
    st.sampled_from(["  ", "", "Iraq", "MAG", "Ongoing", "#REF!", "1.1.1", "TOTAL", "Sous-total"]),
    st.integers(min_value=-1000, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


@st.composite
def sheets(draw):
    width = draw(st.integers(min_value=2, max_value=8))
    rows = []
    if draw(st.booleans()):
        rows.append(["Title of the sheet"] + [None] * (width - 1))
    rows.append(draw(st.lists(header, min_size=width, max_size=width)))
    if draw(st.booleans()):
        rows.append(draw(st.lists(tag, min_size=width, max_size=width)))
    rows += draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=25))
    return rows


def filled(value: object) -> bool:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False
    return not (isinstance(value, str) and not value.strip())


@SETTINGS
@given(
    rows=sheets(),
    kind=st.sampled_from([None, None, "presence", "workplan", "funding", "indicators"]),
    # Saved mappings (maaor.matcher.header_key -> field, None to ignore the column).
    overrides=st.sampled_from([None, None, {"colour": None}, {"shoesize": "org", "remarks": None},
                               {"amountusd": "funded_usd", "organisation": None}]),
)
def test_every_column_and_every_cell_is_accounted_for(rows, kind, overrides):
    raw = RawSheet("f.csv", None, pd.DataFrame(rows, dtype=object))
    mapped, problems = map_sheet(raw, kind=kind, header_overrides=overrides)
    if mapped is None:
        return  # not accepted: the sheet is not loaded at all, and a problem says so
    last_label = max(r for r in (mapped.header_row, mapped.hxl_row) if r is not None)
    # Grid rows below the header/tag rows, less the total rows left out and named in a note.
    excluded = {r - 1 for r in mapped.excluded_rows}
    if excluded:
        (note,) = [p for p in problems if p.code == "rows.totals"]
        assert all(f"row {r} (" in note.message for r in sorted(mapped.excluded_rows)[:10])
    data = [row for i, row in enumerate(rows) if i >= last_label and i not in excluded]
    width = len(rows[0])
    per_column = [sum(filled(r[j]) for r in data) for j in range(width)]

    by_letter = {c.column_letter: c for c in mapped.columns}
    assert len(by_letter) == len(mapped.columns)  # each column in exactly one place
    for j, count in enumerate(per_column):
        if count:
            placement = by_letter[column_letter(j)]
            assert placement.how in HOWS
            assert (placement.field is None) == (placement.how in {"unmapped", "ignored"})
    placed = [c for c in mapped.columns if c.field is not None]
    derived = {f for f, by in mapped.mapped_by.items() if by == "text"}  # read from texts
    # Years across the columns are read as one row per year: the year is derived too.
    melted = len(set(mapped.rows)) < len(mapped.rows) or "year" in mapped.frame.columns and not any(
        c.field == "year" for c in placed
    )
    assert {c.field for c in placed} | derived | ({"year"} if melted else set()) == set(mapped.frame.columns)

    # A placed column's cells are in the frame, row for row, as written (unless numbers
    # were read out of its texts, or years out of its header).
    grid_rows = sorted({r - 1 for r in mapped.rows})
    loaded = 0
    for c in placed:
        j = next(k for k in range(width) if column_letter(k) == c.column_letter)
        column = [rows[r][j] for r in grid_rows]
        loaded += sum(filled(v) for v in column)
        if not derived and not melted:
            assert [v if filled(v) else None for v in mapped.frame[c.field].tolist()] == [
                v if filled(v) else None for v in column
            ]
    # Data rows with no value at all hold nothing to place.
    assert sum(per_column) == sum(filled(v) for r in grid_rows for v in rows[r])
    left_out = sum(c.values_not_loaded for c in mapped.columns)
    assert loaded + left_out == sum(per_column)

    # Every column with values left out has its own warning; never only a note (a
    # column a saved mapping ignores is left out on purpose).
    warned = {p.column for p in problems if p.code == "column.not_loaded" and p.severity == "warning"}
    side = {letter for p in problems if p.code == "sheet.side_table" and p.severity == "warning"
            for letter in p.value.split(", ")}
    for c in mapped.columns:
        assert 0.0 <= c.confidence <= 1.0
        if c.how == "ignored":
            assert overrides and overrides.get(header_key(c.header), "") is None
        elif c.values_not_loaded:
            assert (c.header or c.column_letter) in warned or c.column_letter in side


# --- the long format (Indicator + Value): the same accounting over its two tables --------

long_extra = st.sampled_from(["Admin 1", "Activity", "Month", "Colour", "Remarks", "Status", "", None,
                              "Indicator code", "Zone"])


@st.composite
def long_sheets(draw):
    extra = draw(st.lists(long_extra, max_size=4))
    header = ["Organisation", "Country", *extra, "Indicator", "Value"]
    width = len(header)
    body = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=20))
    return [header, *body]


@SETTINGS
@given(rows=long_sheets(), overrides=st.sampled_from([None, {"colour": None}, {"zone": "admin1"}]))
# Found by hypothesis: the one filled cell under a blank header is read as the second
# row of a two-row header (so the sheet has no data rows), not as a data cell.
@example(rows=[["Organisation", "Country", "", "Indicator", "Value"], [None, None, ":", None, None]],
         overrides=None)
def test_every_cell_of_a_long_format_sheet_is_placed_or_reported(rows, overrides):
    from maaor.read.long_format import find_long_format, split_long_format

    raw = RawSheet("f.csv", None, pd.DataFrame(rows, dtype=object))
    layout = find_long_format(raw)
    assert layout is not None
    presence, values, problems = split_long_format(raw, layout, map_sheet, header_overrides=overrides)
    if presence is None:
        return  # not accepted: a problem says why
    width = len(rows[0])
    # Data rows are those below the header rows the mapping found (one, or two when the
    # row under the header names a column whose header cell is blank).
    last_label = max(r for r in (presence.header_row, presence.hxl_row) if r is not None)
    excluded = {r - 1 for r in presence.excluded_rows}
    data = [row for i, row in enumerate(rows) if i >= last_label and i not in excluded]
    per_column = [sum(filled(r[j]) for r in data) for j in range(width)]
    by_letter = {c.column_letter: c for c in presence.columns}
    assert len(by_letter) == len(presence.columns)
    warned = {p.column for p in problems if p.code == "column.not_loaded" and p.severity == "warning"}
    side = {letter for p in problems if p.code == "sheet.side_table" for letter in p.value.split(", ")}
    placed_cells = left_out = 0
    for j, count in enumerate(per_column):
        if not count:
            continue
        c = by_letter[column_letter(j)]
        assert c.how in HOWS
        if c.field is None:
            assert c.values_not_loaded == count
            left_out += count
            if c.how != "ignored":
                assert (c.header or c.column_letter) in warned or c.column_letter in side
        else:
            placed_cells += count
    assert placed_cells + left_out == sum(per_column)
    # Every value row reaches the indicators table: one row per data row kept.
    assert len(values.frame) == len(values.rows) == sum(any(filled(v) for v in r) for r in data)
    value_col = rows[0].index("Value")
    assert sum(filled(v) for v in values.frame["actual"]) == sum(
        filled(rows[r - 1][value_col]) for r in values.rows)
