"""Problems of one sheet, collected per rule and column, and its row counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from maaor import normalise as nz
from maaor.problems import Problem, Severity

MAX_LISTED = 1000

class RowCounts(NamedTuple):
    """Rows of one sheet: read (data rows under the header), loaded (in the table),
    skipped (no value in any recognised column), with_errors (loaded rows having at
    least one error)."""

    read: int
    loaded: int
    skipped: int
    with_errors: int


def rows_loaded(table: pd.DataFrame) -> RowCounts:
    """Row counts of a table returned by :func:`validate_sheet`.

    :func:`validate_sheet` stores them in ``table.attrs["row_counts"]``; read them right
    away (pandas drops ``attrs`` through concat). Without them (a table from elsewhere),
    every row is counted as read and loaded. Equivalently, ``len(mapped.frame)`` is the
    number of rows read and ``len(table)`` the number loaded.
    """
    counts = table.attrs.get("row_counts")
    if isinstance(counts, RowCounts):
        return counts
    return RowCounts(len(table), len(table), 0, 0)


# ---------------------------------------------------------------------------------------
# Problem collection
# ---------------------------------------------------------------------------------------


@dataclass
class Collector:
    file: str
    sheet: str | None
    rows: np.ndarray
    labels: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)
    listed: dict[tuple[str, str | None], int] = field(default_factory=dict)
    extra: dict[tuple[str, str | None], tuple[Severity, str, int]] = field(default_factory=dict)
    error_rows: np.ndarray | None = None

    def label(self, fld: str | None) -> str | None:
        if fld is None:
            return None
        return self.labels.get(fld, fld)

    def sheet_problem(self, severity: Severity, code: str, message: str, fix: str = "",
                      fld: str | None = None, value: str | None = None) -> None:
        self.problems.append(
            Problem(severity, code, message, fix, self.file, self.sheet, None, self.label(fld), value)
        )

    def rows_problem(
        self,
        severity: Severity,
        code: str,
        fld: str | None,
        mask,
        values,
        message: str | Callable[[str | None], str],
        fix: str = "",
        context=None,
    ) -> None:
        """One problem per True row of ``mask`` (the first ``MAX_LISTED`` per rule and
        column; the rest are counted in one summary problem).

        Args:
            values: per-row cell values (the problem's value), or None.
            message: text with ``{value}`` (and ``{context}``) placeholders, or a
                function of the value text.
            fix: text with the same placeholders.
            context: optional per-row values for ``{context}`` (e.g. the first row of a
                duplicate).
        """
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        if severity == "error":
            self.error_rows[positions] = True
        column = self.label(fld)
        key = (code, column)
        done = self.listed.get(key, 0)
        room = max(MAX_LISTED - done, 0)
        listed, rest = positions[:room], positions[room:]
        cache: dict[tuple, tuple[str, str]] = {}
        for pos in listed:
            value = None if values is None else values[pos]
            text_value = nz.cell_text(value)
            ctx = None if context is None else context[pos]
            if (text_value, ctx) not in cache:
                if callable(message):
                    msg = message(text_value)
                else:
                    msg = message.format(value=text_value, context=ctx)
                cache[(text_value, ctx)] = (msg, fix.format(value=text_value, context=ctx))
            msg, fx = cache[(text_value, ctx)]
            self.problems.append(
                Problem(severity, code, msg, fx, self.file, self.sheet, int(self.rows[pos]), column, text_value)
            )
        self.listed[key] = done + len(listed)
        if len(rest):
            self.count_more(severity, code, column, fix.format(value="the value", context="?"), len(rest))

    def count_more(self, severity: Severity, code: str, column: str | None, fix: str, count: int) -> None:
        """Count rows with a problem beyond the listed ones (reported by ``finish``)."""
        _, old_fix, old = self.extra.get((code, column), (severity, fix, 0))
        self.extra[(code, column)] = (severity, old_fix, old + count)

    def finish(self) -> list[Problem]:
        for (code, column), (severity, fix, count) in self.extra.items():
            self.problems.append(
                Problem(
                    severity,
                    code,
                    f"… and {count:,} more row{'s' if count != 1 else ''} with the same "
                    f"problem ({code}) in this column.",
                    fix,
                    self.file,
                    self.sheet,
                    None,
                    column,
                    None,
                )
            )
        return self.problems

