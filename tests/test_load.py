"""maaor.load's own helpers (the load itself is tested through its callers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maaor.load import _has_data


def grid(rows: int, cols: int, at: tuple[int, int] | None = None, value=None) -> pd.DataFrame:
    cells = np.full((rows, cols), None, dtype=object)
    if at is not None:
        cells[at] = value
    return pd.DataFrame(cells)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (grid(0, 0), False),
        (grid(5, 3), False),
        (grid(200, 4, (0, 0), "Organisation"), True),
        (grid(200, 4, (63, 3), 0.0), True),  # the last of the first rows
        (grid(200, 4, (64, 0), "x"), True),  # past them, first column
        (grid(5000, 4, (4999, 3), "x"), True),  # past them, last column, last row
        (grid(5000, 4, (10, 2), float("nan")), False),  # NaN is no value
        (grid(5000, 4, (3000, 1), pd.NaT), False),
        (grid(5000, 4, (3000, 1), ""), True),  # an empty text is a value (as notna says)
        (grid(5000, 4, (3000, 1), False), True),
    ],
)
def test_has_data_is_whether_any_cell_of_the_grid_is_not_missing(cells, expected):
    assert _has_data(cells) is expected
    assert bool(cells.notna().to_numpy().any()) is expected  # the definition
