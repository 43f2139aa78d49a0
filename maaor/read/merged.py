"""Merged cells inside a table: the value of a merged range belongs to every cell it covers.

A 4W whose organisation cell is merged down over the five districts it works in holds the
name only in the first row; read cell by cell, the four rows below would have no
organisation. As libhxl's ``expand_merged`` does, the value is copied to every covered
cell, for every kind of sheet, but only in the data rows (below the header and tag
rows: merged titles and group headers are left to header reading).

A number is a quantity, not a label: copied to five rows it would be counted five times.
A merged number is therefore kept in its first cell only and named in a warning, so the
figure stays true and the user sees the choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from maaor.problems import Problem, problem
from maaor.read.excel import column_letter
from maaor.read.types import RawSheet

#: Ranges named in one problem's message.
_SHOWN = 8


def expand_merged(raw: RawSheet, data_start: int) -> tuple[RawSheet, list[Problem]]:
    """Copy the value of each merged range below ``data_start`` to every cell it covers.

    Args:
        raw: the sheet with its merged ranges (``raw.merged``).
        data_start: grid row of the first data row (ranges starting above it, such as a
            merged title or group header, are left as they are).

    Returns:
        ``(sheet, problems)``: the same sheet when nothing was expanded, else a copy with
        the values spread; a note naming the ranges expanded and a warning naming the
        merged numbers kept in their first cell only.
    """
    ranges = sorted(m for m in raw.merged if m[0] >= data_start)
    if not ranges:
        return raw, []
    values = raw.cells.to_numpy(dtype=object).copy()
    expanded: list[str] = []
    numbers: list[str] = []
    for r0, c0, r1, c1 in ranges:
        value = values[r0, c0]
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        name = _range_name(raw, r0, c0, r1, c1)
        if _is_quantity(value):
            numbers.append(name)
            continue
        block = values[r0 : r1 + 1, c0 : c1 + 1]
        empty = np.array([v is None or (isinstance(v, str) and not v.strip()) for v in block.ravel()])
        # Only cells that are empty take the value (calamine gives covered cells empty).
        flat = block.ravel()
        flat[empty] = value
        values[r0 : r1 + 1, c0 : c1 + 1] = flat.reshape(block.shape)
        expanded.append(name)
    problems: list[Problem] = []
    where = {"file": raw.file, "sheet": raw.sheet}
    if expanded:
        problems.append(
            problem(
                "note",
                "cells.merged_expanded",
                {"n": {"number": len(expanded)}, "ranges": _listed(expanded)},
                row=raw.first_row + ranges[0][0],
                value="; ".join(expanded[:_SHOWN]),
                **where,
            )
        )
    if numbers:
        problems.append(
            problem(
                "warning",
                "cells.merged_number",
                {"n": {"number": len(numbers)}, "ranges": _listed(numbers)},
                row=raw.first_row + ranges[0][0],
                value="; ".join(numbers[:_SHOWN]),
                **where,
            )
        )
    if not expanded:
        return raw, problems
    import pandas as pd

    cells = pd.DataFrame(values, dtype=object)
    return replace(raw, cells=cells), problems


def _is_quantity(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) and not isinstance(value, (dt.date, dt.time))


def _range_name(raw: RawSheet, r0: int, c0: int, r1: int, c1: int) -> str:
    first = f"{column_letter(c0)}{raw.first_row + r0}"
    last = f"{column_letter(c1)}{raw.first_row + r1}"
    return f"{first}:{last}"


def _listed(names: list[str]) -> str | dict:
    """The first names, and how many more (a message parameter)."""
    more = len(names) - _SHOWN
    if more <= 0:
        return ", ".join(names)
    return {"text": "problem.list.more", "params": {"listed": ", ".join(names[:_SHOWN]),
                                                     "more": {"number": more}}}
