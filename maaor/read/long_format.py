"""Long format: one row per indicator value (Indicator + Value), as ActivityInfo and Kobo
export a 4W.

Such a sheet holds two things at once. Who is where doing what: the distinct
organisation x place x activity combinations of its rows, which become the 4W presence
rows. And the values: each row's Indicator and Value (with its month), which become rows
of the indicators table, one per indicator x organisation x place x month, carrying the
organisation (``org``) and the place (``place``: the admin names of the row, largest
first) so that nothing is summed away. Every value cell is placed: the Indicator column
feeds ``indicator`` (and stands as its ID when the sheet has no indicator codes), Value
feeds ``actual``, Month feeds ``as_of`` and ``year``.

The layout is told from the header: a column headed Indicator, a column headed Value and
an organisation column, in the same row among the first rows of the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from maaor import columns as column_specs
from maaor import normalise as nz
from maaor.problems import Problem, problem
from maaor.read.excel import column_letter
from maaor.read.types import ColumnPlacement, MappedSheet, RawSheet
from maaor.textkey import match_key

_ZONE = 30
_INDICATOR = frozenset({"indicator", "indicateur", "indicatorname", "nomdelindicateur", "indicatorlabel"})
_VALUE = frozenset({"value", "valeur", "indicatorvalue", "valeurdelindicateur", "quantity", "quantite"})
_MONTH = frozenset({"month", "mois", "reportingmonth", "moisderapport", "reportingperiod", "period",
                    "periode", "periodederapport"})
_ORG_WORDS = ("organi", "partner", "partenaire")
_INDICATOR_ID = frozenset({"indicatorcode", "indicatorid", "codeindicateur"})


@dataclass(frozen=True)
class LongLayout:
    """Where the long-format columns are (grid positions)."""

    header_row: int
    indicator: int
    value: int
    month: int | None
    indicator_id: int | None


def find_long_format(raw: RawSheet) -> LongLayout | None:
    """The long-format columns of a sheet, or None when it is not one."""
    values = raw.cells.to_numpy(dtype=object)
    for i in range(min(_ZONE, len(values))):
        keys = [match_key(v) if isinstance(v, str) else "" for v in values[i]]
        indicator = next((j for j, k in enumerate(keys) if k in _INDICATOR), None)
        value = next((j for j, k in enumerate(keys) if k in _VALUE), None)
        if indicator is None or value is None:
            continue
        has_org = any(
            isinstance(v, str) and (column_specs.header_field("presence", v) == "org"
                                    or any(w in match_key(v) for w in _ORG_WORDS))
            for v in values[i]
        )
        if not has_org:
            return None
        month = next((j for j, k in enumerate(keys) if k in _MONTH), None)
        code = next((j for j, k in enumerate(keys) if k in _INDICATOR_ID), None)
        return LongLayout(i, indicator, value, month, code)
    return None


def split_long_format(
    raw: RawSheet, layout: LongLayout, map_sheet, header_overrides=None
) -> tuple[MappedSheet | None, MappedSheet | None, list[Problem]]:
    """Read a long-format sheet as 4W presence rows and indicator values.

    Args:
        raw: the sheet.
        layout: its long-format columns (``find_long_format``).
        map_sheet: ``maaor.read.headers.map_sheet`` (passed in: the header reader maps the
            presence columns as for any 4W).
        header_overrides: a saved mapping profile's column choices (``map_sheet``'s),
            applied to the presence columns; the Indicator, Value, Month and indicator
            code columns are the layout's and are placed whatever a profile says.

    Returns:
        ``(presence, indicators, problems)``; either sheet may be None (with a problem).
    """
    value_columns = [c for c in (layout.indicator, layout.value, layout.month, layout.indicator_id) if c is not None]
    # The presence part: the sheet without the value columns, mapped as a 4W.
    cells = raw.cells.copy()
    for j in value_columns:
        cells.iloc[:, j] = None
    presence, problems = map_sheet(replace(raw, cells=cells, merged=()), kind="presence",
                                   header_overrides=header_overrides)
    if presence is None:
        return None, None, problems
    where = {"file": raw.file, "sheet": raw.sheet}
    values = raw.cells.to_numpy(dtype=object)
    # Rows holding a value only in the Indicator/Value/Month columns are not rows of the
    # presence mapping (those columns were blanked for it): they still go to the
    # indicators table, where validation names what they lack. Never dropped in silence.
    last_label = max(r for r in (presence.header_row, presence.hxl_row) if r is not None) - raw.first_row
    known = set(presence.rows) | set(presence.excluded_rows)
    extra = [
        raw.first_row + i for i in range(last_label + 1, len(values))
        if raw.first_row + i not in known and any(_filled(values[i, j]) for j in value_columns)
    ]
    value_rows = sorted([*presence.rows, *extra])
    at = {r: k for k, r in enumerate(presence.rows)}
    grid_rows = np.asarray(value_rows, dtype=np.int64) - raw.first_row
    headers = values[layout.header_row]

    def from_presence(fld: str) -> list[object]:
        column = presence.frame[fld].tolist()
        return [column[at[r]] if r in at else None for r in value_rows]

    # Indicator values: one row per data row.
    def column(j: int | None) -> list[object]:
        return [None] * len(grid_rows) if j is None else values[grid_rows, j].tolist()

    indicator = column(layout.indicator)
    frame = pd.DataFrame(
        {
            "indicator_id": column(layout.indicator_id) if layout.indicator_id is not None else indicator,
            "indicator": indicator,
            "actual": column(layout.value),
        },
        dtype=object,
    )
    labels = {"indicator": _text(headers[layout.indicator]), "actual": _text(headers[layout.value])}
    letters = {"indicator": column_letter(layout.indicator), "actual": column_letter(layout.value)}
    labels["indicator_id"] = _text(headers[layout.indicator_id if layout.indicator_id is not None else layout.indicator])
    letters["indicator_id"] = column_letter(layout.indicator_id if layout.indicator_id is not None else layout.indicator)
    mapped_by = {"indicator": "header", "actual": "header",
                 "indicator_id": "header" if layout.indicator_id is not None else "text"}
    if layout.month is not None:
        month = column(layout.month)
        frame["as_of"] = month
        years = nz.parse_dates(pd.Series(month, dtype=object)).values.dt.year
        frame["year"] = years.astype("Int64").astype(object).where(years.notna(), None).tolist()
        for fld in ("as_of", "year"):
            labels[fld], letters[fld], mapped_by[fld] = (
                _text(headers[layout.month]), column_letter(layout.month), "header")
    # The organisation, country and place of each value, from the presence columns.
    for source_field, target in (("org", "org"), ("country_iso3", "country_iso3")):
        if source_field in presence.frame.columns:
            frame[target] = from_presence(source_field)
            labels[target], letters[target] = presence.labels[source_field], presence.letters[source_field]
            mapped_by[target] = "header"
    place_fields = [f for f in ("admin1", "admin2") if f in presence.frame.columns]
    if place_fields:
        parts = zip(*(from_presence(f) for f in place_fields), strict=True)
        frame["place"] = [
            " / ".join(str(v).strip() for v in row if v is not None and not (isinstance(v, float) and v != v)
                       and str(v).strip()) or None
            for row in parts
        ]
        labels["place"] = " / ".join(presence.labels[f] for f in place_fields)
        letters["place"] = presence.letters[place_fields[0]]
        mapped_by["place"] = "header"
    indicators = MappedSheet(
        file=raw.file, sheet=raw.sheet, kind="indicators", frame=frame, rows=value_rows,
        labels=labels, letters=letters, header_row=presence.header_row, hxl_row=presence.hxl_row,
        mapped_by=mapped_by,
        error_cells=_rekey(raw, layout),
    )

    # Presence: the distinct organisation x place x activity combinations.
    keys = presence.frame.astype(object).where(presence.frame.notna(), None)
    signature = keys.apply(lambda row: tuple(_text(v) for v in row), axis=1)
    first = ~signature.duplicated(keep="first").to_numpy()
    kept = presence.frame.loc[first].reset_index(drop=True)
    rows = [r for r, keep in zip(presence.rows, first, strict=True) if keep]
    # The value columns are placed (in the indicators table), as the report says.
    placements = [c for c in presence.columns if _index(c.column_letter) not in value_columns]
    placed = {layout.indicator: "indicator", layout.value: "actual"}
    if layout.month is not None:
        placed[layout.month] = "as_of"
    if layout.indicator_id is not None:
        placed[layout.indicator_id] = "indicator_id"
    placements.extend(ColumnPlacement(_text(headers[j]), column_letter(j), f, 1.0, "exact") for j, f in placed.items())
    placements.sort(key=lambda c: _index(c.column_letter))
    presence = replace(presence, frame=kept, rows=rows, columns=placements)
    indicators = replace(indicators, columns=[])
    values_count = int(sum(v is not None and not (isinstance(v, str) and not v.strip()) for v in frame["actual"]))
    problems.append(
        problem(
            "note",
            "sheet.long_format",
            {"indicator": labels["indicator"], "actual": labels["actual"],
             "rows": {"number": len(frame)}, "presence": {"number": len(kept)},
             "values": {"number": values_count}},
            row=presence.header_row,
            **where,
        )
    )
    return presence, indicators, problems


def _rekey(raw: RawSheet, layout: LongLayout) -> dict[tuple[int, str], str]:
    fields = {layout.indicator: "indicator", layout.value: "actual"}
    if layout.month is not None:
        fields[layout.month] = "as_of"
    return {(raw.first_row + r, fields[c]): t for (r, c), t in raw.error_cells.items() if c in fields}


def _filled(value: object) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def _index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
