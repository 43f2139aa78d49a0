"""Results frameworks with years across the columns, read as one row per indicator and year.

Two shapes are recognised from the header: measures and years in one header cell
("Target 2019", "2020 Actual", "Réalisé 2021"), or a row of years above a header row of
measures (a merged "2019" cell over "Target | Actual"). Baseline, target and actual of each
year become the values of one row per indicator and year; the other columns repeat.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from maaor.textkey import match_key

#: Header words (match keys) of each yearly measure, EN/FR.
_MEASURES = {
    "target": "target", "targets": "target", "cible": "target", "cibles": "target",
    "actual": "actual", "actuals": "actual", "achieved": "actual", "result": "actual",
    "results": "actual", "realise": "actual", "realisation": "actual", "reel": "actual",
    "baseline": "baseline", "reference": "baseline", "valeurdereference": "baseline",
}  # fmt: skip
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_ALONE = re.compile(r"\s*((?:19|20)\d{2})(?:\.0+)?\s*")


def year_columns(top: list[list[str | None]], header_row: int) -> dict[int, tuple[str, int]]:
    """Grid column -> (measure field, year) of a header with years across the columns.

    Args:
        top: the header texts of the first rows of the sheet.
        header_row: grid position of the header row.

    Returns:
        The yearly measure columns, or ``{}`` when there are fewer than two (a single
        "Target 2020" column is an ordinary target column).
    """
    headers = top[header_row]
    found: dict[int, tuple[str, int]] = {}
    for j, text in enumerate(headers):
        m = _YEAR_IN_TEXT.search(text) if text else None
        if m is None:
            continue
        measure = _MEASURES.get(match_key(text[: m.start()] + " " + text[m.end() :]))
        if measure:
            found[j] = (measure, int(m.group(1)))
    if len(found) >= 2:
        return found
    if header_row == 0:
        return {}
    above = top[header_row - 1]
    found, year = {}, None
    for j, text in enumerate(headers):
        over = above[j] if j < len(above) else None
        if over:  # a new cell above; a merged year cell leaves the next ones blank
            m = _YEAR_ALONE.fullmatch(over)
            year = int(m.group(1)) if m else None
        measure = _MEASURES.get(match_key(text)) if text else None
        if measure and year is not None:
            found[j] = (measure, year)
    return found if len(found) >= 2 else {}


def melt_years(
    frame: pd.DataFrame,
    rows: list[int],
    cells: pd.DataFrame,
    positions: np.ndarray,
    wide: dict[int, tuple[str, int]],
) -> tuple[pd.DataFrame, list[int]]:
    """One row per data row and year that holds a value; a row with no yearly value is
    kept once, without a year.

    Args:
        frame: the mapped frame of the other columns (one row per data row).
        rows: Excel row of each frame row.
        cells: the sheet's grid.
        positions: grid positions of the data rows (aligned with ``frame``).
        wide: the yearly measure columns (``year_columns``).

    Returns:
        ``(frame, rows)`` with ``year`` and the measure fields filled per year.
    """
    values = cells.to_numpy(dtype=object)
    years = sorted({y for _, y in wide.values()})
    measures = sorted({m for m, _ in wide.values()})
    parts: list[pd.DataFrame] = []
    for order, year in enumerate(years):
        part = frame.copy()
        part["year"] = year
        any_value = np.zeros(len(frame), dtype=bool)
        for measure in measures:
            cols = [j for j, (m, y) in wide.items() if m == measure and y == year]
            if not cols:
                continue
            column = values[positions, cols[0]] if len(positions) else np.empty(0, dtype=object)
            part[measure] = pd.Series(column, index=frame.index, dtype=object)
            any_value |= ~pd.isna(column) & np.array(
                [not (isinstance(v, str) and not v.strip()) for v in column], dtype=bool
            )
        part["_order"] = np.arange(len(frame)) * (len(years) + 1) + order
        parts.append(part[any_value])
        if order == 0:
            empty_rows = ~any_value
        else:
            empty_rows &= ~any_value
    if parts:
        none = frame[empty_rows].copy()
        none["year"] = None
        for measure in measures:
            if measure not in frame.columns:
                none[measure] = None
        none["_order"] = np.flatnonzero(empty_rows) * (len(years) + 1) + len(years)
        parts.append(none)
    out = pd.concat(parts, ignore_index=False).sort_values("_order", kind="stable")
    excel_rows = [rows[i] for i in out.index]
    out = out.drop(columns="_order").reset_index(drop=True).astype(object)
    out = out.where(out.notna(), None)
    return out, excel_rows
