"""The passes of ``map_sheet`` over the grid (empty rows, filled cells, total rows, the
mapped frame's cells) against plain Python references, over grids mixing text, blank
text, NUL characters, None, NaN and the other missing values, numbers, booleans, dates
and values that cannot be hashed."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maaor.read import headers
from maaor.read.headers import (
    _filled,
    _GridColumns,
    _non_empty_rows,
    _take,
    total_rows,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Whitespace of several kinds (ASCII, the separators \x1c-\x1f, NBSP, ideographic space,
# line separator), the NUL character, and letters.
_CHARS = " \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u2028\u3000\x00aZé"
MISSING = [None, float("nan"), np.nan, np.float64("nan"), pd.NaT, np.datetime64("NaT"),
           pd.NA, decimal.Decimal("NaN")]

cell = st.one_of(
    st.text(alphabet=_CHARS, max_size=4),
    st.sampled_from(["", " ", "\u00a0", "\u3000", "\x00", " \x00 ", "\x00a", "a\x00", "Total",
                     " TOTAL GERMANY", "Sous-total", "Grand total", "Totally", "x",
                     "\ud800", " \udfff "]),  # lone surrogates, as a CSV may decode them
    st.sampled_from(MISSING),
    st.floats(allow_nan=False),
    st.integers(-5, 5),
    st.booleans(),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1)),
)


def _text_is_blank(text: str) -> bool:
    """Today's blank text: only whitespace and NUL characters."""
    return all(ch.isspace() or ch == "\x00" for ch in text)


def _cell_filled(value: object) -> bool:
    """A plain Python reference of a filled cell (blank text as ``_text_is_blank``)."""
    if isinstance(value, str):
        return not _text_is_blank(value)
    if isinstance(value, list):
        return True
    return not pd.isna(value)


def _first_cell_is_total(row: list[object]) -> str | None:
    """A plain Python reference of ``total_rows`` for one row: its first cell that is
    not missing and not blank (``str.strip``) text, when it is a total label."""
    for value in row:
        if isinstance(value, str):
            if not value.strip():
                continue
            return " ".join(value.split()) if headers._TOTAL_LABEL.match(value) else None
        if isinstance(value, list) or not pd.isna(value):
            return None
    return None


def _frame(rows: list[list[object]]) -> pd.DataFrame:
    width = max((len(r) for r in rows), default=0)
    values = np.empty((len(rows), width), dtype=object)
    for i, row in enumerate(rows):
        values[i, : len(row)] = row
    return pd.DataFrame(values, dtype=object, copy=False)


@st.composite
def grids(draw, min_rows: int = 0, max_rows: int = 150):
    """Rectangular grids, often long enough (64 rows and more) for the coded paths, with
    columns often of one kind of value, as sheets have."""
    width = draw(st.integers(1, 4))
    height = draw(st.integers(min_rows, max_rows))
    columns = []
    for _ in range(width):
        pool = draw(st.lists(cell, min_size=1, max_size=6))
        columns.append([draw(st.sampled_from(pool)) if draw(st.booleans()) else draw(cell)
                        for _ in range(height)] if height < 20 else
                       draw(st.lists(st.sampled_from(pool), min_size=height, max_size=height)))
    return [[columns[j][i] for j in range(width)] for i in range(height)]


@SETTINGS
@given(grids(), st.data())
def test_non_empty_rows_is_the_plain_python_reference(rows, data):
    cells = _frame(rows)
    formulas = {(r, 0): "=A1" for r in data.draw(st.lists(st.integers(0, 160), max_size=3))}
    expected = [any(_cell_filled(v) for v in row) or (i, 0) in formulas for i, row in enumerate(rows)]
    assert _non_empty_rows(cells, formulas).tolist() == expected
    # The same with the grid's codes shared (as map_sheet passes them).
    assert _non_empty_rows(cells, formulas, _GridColumns(cells)).tolist() == expected


@SETTINGS
@given(grids(min_rows=1))
def test_filled_is_the_plain_python_reference(rows):
    values = _frame(rows).to_numpy()
    for j in range(values.shape[1]):
        column = values[:, j]
        assert _filled(column).tolist() == [_cell_filled(v) for v in column]


@SETTINGS
@given(grids(min_rows=1), st.data())
def test_total_rows_is_the_plain_python_reference(rows, data):
    cells = _frame(rows)
    positions = np.array(sorted(data.draw(st.sets(st.integers(0, len(rows) - 1)))), dtype=np.int64)
    expected = {int(r): label for r in positions
                if (label := _first_cell_is_total(rows[r])) is not None}
    assert total_rows(cells, positions) == expected
    grid = _GridColumns(cells)
    _non_empty_rows(cells, {}, grid)  # codes the first column over every row first
    assert total_rows(cells, positions, grid) == expected


def test_blank_text_is_whitespace_and_nul_as_numpy_strings_read_it():
    # Today's rule came from numpy fixed-width strings, whose trailing NULs are padding:
    # a text of spaces and NULs is blank; a NUL beside a letter is not.
    texts = ["", " ", "\t\n", "\u00a0", "\u3000", "\u2028", "\x1c", "\x00", " \x00 ",
             "\x00 \x00 ", "\x00a", "a\x00", " a ", "\u200b", "0", "-"]
    for text in texts:
        column = np.array([text], dtype=object)
        old = bool((np.char.strip(column.astype(str)) == "")[0])
        assert headers._blank_text(text) == old == _text_is_blank(text), repr(text)
    assert [headers._blank_text(t) for t in ("\u00a0\u3000", "\x00", "\u200b")] == [True, True, False]


@pytest.mark.parametrize("long", [False, True])
def test_missing_values_are_empty_and_other_values_filled(long):
    values = [*MISSING, "  ", "\u3000", "\x00", 0.0, False, 0, dt.date(2020, 1, 1),
              dt.datetime(2020, 1, 1, 5), float("inf"), "x", ["a list"], {"a": 1}]
    column = np.array(values * (10 if long else 1), dtype=object)
    expected = [False] * (len(MISSING) + 3) + [True] * (len(values) - len(MISSING) - 3)
    assert _filled(column).tolist() == expected * (10 if long else 1)


def test_a_value_that_cannot_be_hashed_is_read_cell_by_cell():
    # A JSON file's cell may hold a list: coding the column fails, the cells are looked
    # at one by one (a list is a value).
    rows = [[None, " "], [["a"], None], [None, "\u00a0"], [None, 3.0]] * 40
    cells = _frame(rows)
    assert _non_empty_rows(cells, {}).tolist() == [False, True, False, True] * 40
    grid = _GridColumns(cells)
    with pytest.raises(TypeError):
        grid.codes(0, np.arange(len(rows)))
    assert grid.filled(0, np.arange(len(rows))).tolist() == [False, True, False, False] * 40


def test_whole_column_codes_are_shared_and_restricted_to_the_rows_asked():
    rows = [["Total", 1.0], [None, 2.0], ["a", None], [" ", 4.0]] * 20
    grid = _GridColumns(_frame(rows))
    every = np.arange(len(rows))
    codes, uniques = grid.codes(0, every)
    assert grid.codes(0, every)[1] is uniques  # coded once
    some = every[::2][:50]  # at least half of the rows: the whole column's codes
    sub_codes, sub_uniques = grid.codes(0, some)
    assert sub_uniques is uniques and (sub_codes == codes[some]).all()
    few = every[:5]  # fewer: coded on their own
    few_codes, few_uniques = grid.codes(0, few)
    assert [few_uniques[c] if c >= 0 else None for c in few_codes] == [r[0] for r in rows[:5]]


@given(st.integers(0, 30), st.integers(1, 6), st.data())
@settings(max_examples=200, deadline=None)
def test_take_is_the_cells_at_rows_and_columns(height, width, data):
    values = np.empty((height, width), dtype=object)
    for i in range(height):
        values[i] = [f"{i}:{j}" for j in range(width)]
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, max(height - 1, 0)))))
                    if height else [], dtype=np.int64)
    if data.draw(st.booleans()) and height:  # a run of rows, as a table without gaps
        start = data.draw(st.integers(0, height - 1))
        rows = np.arange(start, data.draw(st.integers(start, height)), dtype=np.int64)
    columns = sorted(data.draw(st.sets(st.integers(0, width - 1))))
    taken = _take(values, rows, columns)
    assert taken.shape == (len(rows), len(columns)) and taken.dtype == object
    assert taken.tolist() == [[values[r, c] for c in columns] for r in rows]
    if taken.size:
        assert not np.shares_memory(taken, values)  # a new array of its own


@pytest.mark.parametrize("height", [3, 90])  # cell by cell, and coded
def test_a_total_row_is_told_by_its_first_text_that_str_strip_leaves(height):
    # total_rows reads blank text as ``str.strip`` does: a NUL is a character there
    # (unlike the empty-row test, which counts NUL-only text as blank).
    rows = ([["\x00", "Total"], [" \u3000", "Sous-total"], [None, " Grand  total "]]
            * height)[:height]
    expected = {r: "Sous-total" if r % 3 == 1 else "Grand total" for r in range(height) if r % 3}
    cells = _frame(rows)
    assert total_rows(cells, np.arange(height)) == expected
    assert _non_empty_rows(cells, {}).tolist() == [True] * height
    assert _filled(cells.to_numpy()[:, 0]).tolist() == [False, False, False] * (height // 3)
