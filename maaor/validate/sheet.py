"""The validator of one mapped sheet: preparation, the rule order, the table."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from maaor import columns
from maaor import normalise as nz
from maaor.dataset import conform
from maaor.orgs import OrgDirectory
from maaor.problems import Problem, problem
from maaor.validate.cells import CellTypeRules
from maaor.validate.collect import MAX_LISTED, Collector, RowCounts
from maaor.validate.currency import CurrencyRules
from maaor.validate.frames import blank_and_factors
from maaor.validate.kinds import KindRules
from maaor.validate.pcodes import PcodeRules
from maaor.validate.places import PlaceRules

if TYPE_CHECKING:  # validation reads mapped sheets; it never calls the readers
    from maaor.read.types import MappedSheet


#: Problem codes of the cells Excel could not give a value for.
_EXCEL_CODES = {"error_cells": "excel.error_cell", "formula_no_cache": "excel.formula_no_cache"}


class SheetValidator(CellTypeRules, CurrencyRules, KindRules, PcodeRules, PlaceRules):
    """Validates one mapped sheet; ``run`` returns its table and problems."""

    def __init__(self, mapped: MappedSheet, orgs: OrgDirectory, today: dt.date,
                 admin1_aliases=None, emergency_names=None):
        self.mapped = mapped
        self.admin1_aliases = admin1_aliases or {}
        self.emergency_names = emergency_names or {}
        self.kind = mapped.kind
        self.orgs = orgs
        self.today = today
        self.specs = {s.field: s for s in columns.FIELDS[self.kind]}
        frame = mapped.frame.reset_index(drop=True)
        rows = np.asarray(mapped.rows, dtype=np.int64)
        self.rows_read = len(frame)
        frame, rows = self._blank_errors(frame, rows)
        blank: dict[str, np.ndarray] = {}
        factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for c in frame.columns:
            blank[c], fac = blank_and_factors(frame[c])
            if fac is not None:
                factors[c] = fac
        keep = ~self._all_blank(blank, len(frame))
        self.skipped = int((~keep).sum())
        if self.skipped:
            self.frame = frame.loc[keep].reset_index(drop=True)
            self.rows = rows[keep]
        else:  # every row kept: no copy of the grid
            self.frame, self.rows = frame, rows
        self.n = len(self.frame)
        self.index = self.frame.index
        new_position = np.cumsum(keep) - 1
        self._error_cells = [(int(new_position[p]), *rest) for p, *rest in self._error_cells]
        self.error_mask: dict[str, np.ndarray] = {}
        for p, fld, *_ in self._error_cells:
            self.error_mask.setdefault(fld, np.zeros(self.n, dtype=bool))[p] = True
        self.col = Collector(mapped.file, mapped.sheet, self.rows, mapped.labels)
        self.col.error_rows = np.zeros(self.n, dtype=bool)
        self.out: dict[str, pd.Series] = {}
        self._unknown_pillar = np.zeros(self.n, dtype=bool)
        self._budget_failed = np.zeros(self.n, dtype=bool)
        self._money_written: dict[str, tuple[pd.Series, pd.Series, np.ndarray]] = {}
        # Blank raw cells per field (before parsing), for required-value checks.
        self.raw_blank: dict[str, np.ndarray] = {
            c: (m[keep] if self.skipped else m) for c, m in blank.items() if c in self.specs
        }
        # Factorizations of the kept rows of text columns, reused by ``_text``.
        self.raw_factors: dict[str, tuple[np.ndarray, np.ndarray]] = {
            c: (codes[keep] if self.skipped else codes, uniques)
            for c, (codes, uniques) in factors.items()
            if c in self.specs and isinstance(c, str)
        }

    def _text(self, fld: str) -> pd.Series:
        """``normalise.text`` of the raw column ``fld``, from its stored factorization."""
        return nz.text(self.frame[fld], factorized=self.raw_factors.get(fld))

    # -- preparation ----------------------------------------------------------------

    def _blank_errors(self, frame: pd.DataFrame, rows: np.ndarray):
        """Blank Excel error cells and uncached formulas (their problems come later)."""
        self._error_cells: list[tuple[int, str, str, str]] = []  # (pos, field, text, code)
        if not (self.mapped.error_cells or self.mapped.formula_no_cache) or not len(rows):
            return frame, rows
        # Excel row -> frame positions: a row read as several (one per year, or several
        # activities in one cell) has several.
        where: dict[int, list[int]] = {}
        for p, r in enumerate(rows.tolist()):
            where.setdefault(r, []).append(p)
        frame = frame.copy()
        for cells, code in ((self.mapped.error_cells, _EXCEL_CODES["error_cells"]),
                            (self.mapped.formula_no_cache, _EXCEL_CODES["formula_no_cache"])):
            by_field: dict[str, list[tuple[int, str]]] = {}
            for (excel_row, fld), txt in cells.items():
                by_field.setdefault(fld, []).append((excel_row, txt))
            for fld, items in by_field.items():
                if fld not in frame.columns:
                    continue
                pairs = [(p, t) for r, t in items for p in where.get(r, ())]
                pos = np.array([p for p, _ in pairs], dtype=np.int64)
                texts = [t for _, t in pairs]
                frame.iloc[pos, frame.columns.get_loc(fld)] = None
                self._error_cells.extend((int(p), fld, t, code) for p, t in zip(pos, texts, strict=False))
        return frame, rows

    def _all_blank(self, masks: dict[str, np.ndarray], n: int) -> np.ndarray:
        blank = np.ones(n, dtype=bool)
        for mask in masks.values():
            blank &= mask
        if self._error_cells:
            blank[[p for p, *_ in self._error_cells]] = False
        return blank

    # -- entry ----------------------------------------------------------------------

    def run(self) -> tuple[pd.DataFrame, list[Problem]]:
        if self.skipped:
            self.col.sheet_problem("note", "rows.no_values", {"n": {"number": self.skipped}})
        self._excel_errors()
        for fld in self.frame.columns:
            spec = self.specs.get(fld)
            if spec is None:
                continue
            self._field(fld, spec.type)
        self._required()
        kind_checks = getattr(self, f"_kind_{self.kind}", None)
        if kind_checks is not None:
            kind_checks()
        self._date_pairs()
        table = pd.DataFrame(self.out, index=self.index)
        table["_file"] = self.mapped.file
        table["_sheet"] = self.mapped.sheet
        table["_row"] = pd.array(self.rows, dtype="Int64")
        table = conform(self.kind, table)
        problems = self.col.finish()
        table.attrs["row_counts"] = RowCounts(
            self.rows_read, len(table), self.skipped, int(self.col.error_rows.sum())
        )
        return table, problems

    # -- rules ----------------------------------------------------------------------

    def _excel_errors(self) -> None:
        for pos, fld, txt, code in self._error_cells:
            self.col.error_rows[pos] = True
            column = self.col.label(fld)
            key = (code, column)
            if self.col.listed.get(key, 0) >= MAX_LISTED:
                self.col.count_more("error", code, column, 1)
                continue
            self.col.listed[key] = self.col.listed.get(key, 0) + 1
            self.col.problems.append(
                problem("error", code, {"value": txt, "column": column}, file=self.mapped.file,
                        sheet=self.mapped.sheet, row=int(self.rows[pos]), column=column,
                        value=txt)
            )

    def _required(self) -> None:
        for fld, spec in self.specs.items():
            if not spec.required or fld not in self.raw_blank:
                continue
            # A cell holding an Excel error is reported as such, not as empty.
            mask = self.raw_blank[fld] & ~self.error_mask.get(fld, False)
            self.col.rows_problem("error", "value.missing", fld, mask, None)
