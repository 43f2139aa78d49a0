"""Types passed between the read stages: raw sheets, mapped sheets, read results.

The input file itself (:class:`maaor.sources.Source`) lives outside ``read/``: the
store and the pages hand files around without reading them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from maaor.problems import Problem
from maaor.sources import Source  # noqa: F401 - old home, kept while other branches still import it here


@dataclass
class RawSheet:
    """A sheet (or a whole CSV/JSON file) as a grid of untrusted cell values.

    ``cells`` is a DataFrame with a RangeIndex; positional row ``i`` is Excel row
    ``first_row + i`` (CSV: line ``first_row + i``). Column positions are 0-based.
    Values are as the parser gave them (str, int, float, bool, datetime, or None);
    Excel error cells are kept as their text (``"#REF!"``), never turned into blanks.

    Attributes:
        file: source file name.
        sheet: sheet name, or None for CSV/JSON.
        cells: the grid.
        first_row: Excel row number of ``cells`` row 0 (normally 1).
        hidden: the sheet is hidden in the workbook.
        error_cells: {(grid_row, grid_col): "#REF!"} cells holding Excel errors.
        formula_no_cache: {(grid_row, grid_col): "=SUM(A1:A3)"} formulas without a
            cached value.
        kind: the kind named by the caller, if any.
        merged: merged ranges of the sheet as (first_row, first_col, last_row, last_col),
            0-based grid positions, inclusive (the value is in the first cell).
    """

    file: str
    sheet: str | None
    cells: pd.DataFrame
    first_row: int = 1
    hidden: bool = False
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    formula_no_cache: dict[tuple[int, int], str] = field(default_factory=dict)
    kind: str | None = None
    merged: tuple[tuple[int, int, int, int], ...] = ()


#: How a column was placed: by its header text (``exact``; ``fuzzy`` for a close match),
#: by its HXL tag, by a saved mapping profile, ignored by a saved profile, by the fixed
#: headers of a layout a mapping profile cannot change (``layout``: the narrative work
#: plan's Output/Activity/Lead/Budget, the field names of FTS and HDX HAPI exports), or
#: not at all.
PlacementHow = Literal["exact", "fuzzy", "hxl", "profile", "ignored", "layout", "unmapped"]


@dataclass(frozen=True)
class ColumnPlacement:
    """Where one column of a sheet went.

    Attributes:
        header: the header as written ("" when the column has no header text; the HXL
            tag when only a tag names it).
        column_letter: Excel column letter ("C").
        field: the field its values feed, or None when they were not loaded.
        confidence: how sure the placement is, 0..1 (1.0 for an exact header or tag).
        how: see ``PlacementHow``.
        values_not_loaded: non-empty data cells of the column that were not loaded (0 for
            a placed column).
        first_values: up to three distinct values of an unplaced column, as written.
        unit: the unit or currency its header (or HXL tag) names ("USD", "EUR", "%"),
            or None; amounts are not converted here.
    """

    header: str
    column_letter: str
    field: str | None
    confidence: float
    how: PlacementHow
    values_not_loaded: int = 0
    first_values: tuple[str, ...] = ()
    unit: str | None = None

    def to_dict(self) -> dict:
        """The JSON form used by ``validate --json``."""
        return {
            "header": self.header,
            "column_letter": self.column_letter,
            "field": self.field,
            "confidence": self.confidence,
            "how": self.how,
            "values_not_loaded": self.values_not_loaded,
            "unit": self.unit,
        }


@dataclass
class MappedSheet:
    """A sheet whose header (and HXL) rows were found and columns mapped to fields.

    Attributes:
        file: source file name.
        sheet: sheet name or None.
        kind: recognised or named kind.
        frame: one row per data row; columns are canonical field names of
            ``maaor.columns`` (only the mapped ones); values untouched from the raw grid.
        rows: Excel row number of each frame row (same length as frame).
        labels: field -> column header exactly as the user wrote it (or the HXL tag
            when there is no header text).
        letters: field -> Excel column letter ("C").
        header_row: Excel row number of the header row (None if only HXL).
        hxl_row: Excel row number of the HXL tag row, if any.
        unmapped: headers as written that matched no field (kept for the report).
        error_cells / formula_no_cache: as RawSheet, keyed by (excel_row, field).
        mapped_by: field -> "header" when the column was recognised by its header text,
            "hxl" when by its HXL tag (header text absent or unknown), "layout" when a
            layout reader placed it (the narrative work plan), "text" when it was read
            from the start of another column's texts (work-plan numbers).
        columns: where every column of the sheet went (mapped, or not loaded and why),
            in column order; a column without header, tag or data is left out.
        excluded_rows: Excel row -> label of the rows left out on purpose and named in a
            note (total and subtotal rows).
        units: field -> the unit or currency its header names ("EUR"), for the fields
            whose header names one.
        orgs_resolved: the reader already split the organisation cells into leads,
            partners and people (the narrative work plan tells the lead by its bold
            run); the frame then also holds ``lead_tentative``, and validation keeps
            these as given instead of parsing the cells again.
    """

    file: str
    sheet: str | None
    kind: str
    frame: pd.DataFrame
    rows: list[int]
    labels: dict[str, str]
    letters: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    hxl_row: int | None = None
    unmapped: list[str] = field(default_factory=list)
    error_cells: dict[tuple[int, str], str] = field(default_factory=dict)
    formula_no_cache: dict[tuple[int, str], str] = field(default_factory=dict)
    mapped_by: dict[str, str] = field(default_factory=dict)
    orgs_resolved: bool = False
    columns: list[ColumnPlacement] = field(default_factory=list)
    excluded_rows: dict[int, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadResult:
    """What reading one source produced: sheets and problems (never an exception)."""

    sheets: list[RawSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
