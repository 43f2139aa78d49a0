"""Problem values taken from a column at the flagged rows only (``RowValues``) give the
same problems as the whole column made Python objects first."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from maaor.validate.collect import Collector, RowValues
from maaor.validate.frames import blank_and_factors, row_values

N = 2500  # more than MAX_LISTED flagged rows, so the summary problem is made too

COLUMNS = {
    "str": pd.Series(["PC01", None, "  x ", "0", "Zoë", ""] * (N // 6) + ["PC01"] * (N % 6),
                     dtype="str"),
    "float": pd.Series(np.where(np.arange(N) % 7 == 0, np.nan, np.arange(N) / 4)),
    "datetime": pd.Series(pd.to_datetime(["2020-01-31 00:00", None, "2021-12-01 10:30"] * (N // 3)
                                         + ["2020-01-31 00:00"] * (N % 3))),
    "Int64": pd.Series(pd.array([1, None, 3, -4] * (N // 4) + [1] * (N % 4), dtype="Int64")),
    "boolean": pd.Series(pd.array([True, None, False] * (N // 3) + [True] * (N % 3),
                                  dtype="boolean")),
}


def _problems(values, context, grouped: bool):
    col = Collector("f.xlsx", "4W", np.arange(N) + 3, {"fld": "Field"})
    col.error_rows = np.zeros(N, dtype=bool)
    mask = np.arange(N) % 3 != 1
    if grouped:
        col.grouped_problem("warning", "emergency.unknown", "fld", mask, values,
                            lambda value, ctx: {"closest": str(ctx)}, context=context)
    else:
        col.rows_problem("error", "number.text", "fld", mask, values, context=context)
    # repr: a NaN context equals itself only as text
    return [(p.code, p.row, p.rows, p.value, p.message, repr(p.params)) for p in col.finish()]


@pytest.mark.parametrize("name", list(COLUMNS))
@pytest.mark.parametrize("grouped", [False, True])
def test_row_values_give_the_problems_of_the_whole_column(name, grouped):
    s = COLUMNS[name]
    assert len(s) == N
    lazy = row_values(s)
    assert isinstance(lazy, RowValues)
    whole = s.to_numpy(dtype=object)
    assert _problems(lazy, lazy, grouped) == _problems(whole, whole, grouped)
    positions = np.array([0, 5, 6, N - 1])
    taken = lazy.take(positions)
    assert all(
        (a is b) or (a == b) or (pd.isna(a) and pd.isna(b) and type(a) is type(b))
        for a, b in zip(taken, whole[positions], strict=True)
    )


def test_an_object_column_is_given_as_it_is():
    s = pd.Series(["a", 1.0, None, dt.date(2020, 1, 2)], dtype=object)
    assert isinstance(row_values(s), np.ndarray)
    assert row_values(s).tolist() == s.tolist()


@pytest.mark.parametrize("values", [
    ["a", 1.0, None, ""], [" ", "b", 2], ["x", dt.date(2020, 1, 1), True], ["", None],
    [None, "a", 1.5], [1.0, 2.0, None], [True, False], [dt.datetime(2020, 1, 1), None],
])
def test_blank_mask_and_factors_do_not_depend_on_the_first_cell_shortcut(values):
    # The text-first shortcut skips the type scan; the answer is the scan's.
    s = pd.Series(values * 3, dtype=object)
    blank, factors = blank_and_factors(s)
    kind = pd.api.types.infer_dtype(s, skipna=True)
    no_text = kind in {"empty", "floating", "integer", "mixed-integer-float", "decimal",
                       "boolean", "datetime", "datetime64", "date", "time", "timedelta"}
    assert (factors is None) == no_text
    expected = [v is None or (isinstance(v, float) and np.isnan(v))
                or (isinstance(v, str) and not v.strip()) for v in s]
    assert blank.tolist() == expected


def test_masked_tuples_reads_a_row_values_column_at_the_flagged_rows_only():
    import numpy as np
    import pandas as pd

    from maaor.validate.collect import RowValues
    from maaor.validate.frames import masked_tuples

    iso3 = pd.Series(["IRQ", None, "SYR", "AFG"], dtype="str")
    lat = np.array([33.0, 1.0, 35.5, 34.0])
    mask = np.array([True, True, False, True])
    got = masked_tuples(mask, lat, RowValues(iso3))
    eager = masked_tuples(mask, lat, iso3.to_numpy(dtype=object))
    assert got[2] is None and eager[2] is None
    for a, b in zip(got, eager, strict=True):
        if a is None:
            continue
        assert a[0] == b[0] and type(a[0]) is type(b[0])
        assert (a[1] == b[1]) or (pd.isna(a[1]) and pd.isna(b[1]))
        assert type(a[1]) is type(b[1])
    assert got[0] == (33.0, "IRQ") and got[3] == (34.0, "AFG")
