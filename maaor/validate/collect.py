"""Problems of one sheet, collected per rule and column, and its row counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from maaor import normalise as nz
from maaor.problems import Problem, Severity, problem, row_ranges

MAX_LISTED = 1000


class RowValues:
    """A column's per-row values for a problem rule, made Python objects only at the
    rows the rule flags (``to_numpy(dtype=object)`` of a whole 100,000-row text column
    costs about 15 ms, and most rules flag a handful of rows or none).

    ``take(positions)`` is ``series.to_numpy(dtype=object)[positions]``: the same
    conversion, of the rows taken only.
    """

    __slots__ = ("series",)

    def __init__(self, series: pd.Series):
        self.series = series

    def take(self, positions: np.ndarray) -> np.ndarray:
        """The values at ``positions`` (row positions, not labels)."""
        return self.series.iloc[positions].to_numpy(dtype=object)


def _at(values, positions: np.ndarray):
    """``values`` read at ``positions``, indexable by the position's rank; None stays
    None."""
    if values is None:
        return None
    if isinstance(values, RowValues):
        return values.take(positions)
    return [values[pos] for pos in positions]


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
    extra: dict[tuple[str, str | None], tuple[Severity, int]] = field(default_factory=dict)
    error_rows: np.ndarray | None = None

    def label(self, fld: str | None) -> str | None:
        if fld is None:
            return None
        return self.labels.get(fld, fld)

    def sheet_problem(self, severity: Severity, code: str, params: Mapping | None = None,
                      fld: str | None = None, value: str | None = None,
                      key: str | None = None) -> None:
        """One problem about the whole sheet (or one of its columns); its message and fix
        are the catalogue entries of ``key`` (default ``code``) with ``params``."""
        self.problems.append(problem(severity, code, {"column": self.label(fld), **(params or {})},
                                     key=key, file=self.file, sheet=self.sheet,
                                     column=self.label(fld), value=value))

    def rows_problem(
        self,
        severity: Severity,
        code: str,
        fld: str | None,
        mask,
        values,
        params: Mapping | Callable[[str | None, object], Mapping] | None = None,
        context=None,
        key: str | None = None,
    ) -> None:
        """One problem per True row of ``mask`` (the first ``MAX_LISTED`` per rule and
        column; the rest are counted in one summary problem).

        The message and fix are the catalogue entries of ``key`` (default ``code``,
        see :mod:`maaor.i18n.problems`), filled with ``value`` (the cell as text),
        ``context``, ``column`` (the header as written) and ``params``.

        Args:
            values: per-row cell values (the problem's value; an array or
                :class:`RowValues`), or None.
            params: more parameters, or a function of (value text, context) returning them.
            context: optional per-row values for ``{context}`` (e.g. the first row of a
                duplicate).
            key: the catalogue entry when the message is a variant of the rule's.
        """
        positions = self._flagged(severity, mask)
        if not len(positions):
            return
        column = self.label(fld)
        slot = (code, column)
        done = self.listed.get(slot, 0)
        room = max(MAX_LISTED - done, 0)
        listed, rest = positions[:room], positions[room:]
        cache: dict[tuple, Problem] = {}
        listed_values, listed_context = _at(values, listed), _at(context, listed)
        for k, pos in enumerate(listed):
            value = None if listed_values is None else listed_values[k]
            text_value = nz.cell_text(value)
            ctx = None if listed_context is None else listed_context[k]
            if (text_value, ctx) not in cache:
                extra = params(text_value, ctx) if callable(params) else (params or {})
                cache[(text_value, ctx)] = problem(
                    severity, code,
                    {"value": text_value, "context": ctx, "column": column, **extra},
                    key=key, file=self.file, sheet=self.sheet, column=column, value=text_value,
                )
            template = cache[(text_value, ctx)]
            self.problems.append(template.at_row(int(self.rows[pos])))
        self.listed[slot] = done + len(listed)
        if len(rest):
            self.count_more(severity, code, column, len(rest))

    def grouped_problem(
        self,
        severity: Severity,
        code: str,
        fld: str | None,
        mask,
        values,
        params: Callable[[str | None, object], Mapping] | None = None,
        context=None,
        key: str | None = None,
    ) -> None:
        """One problem per distinct (value, context) among the True rows of ``mask``,
        standing for all its rows: a cause shared by a thousand rows is one line saying
        how many and which (``n``, ``rows`` as compact ranges, ``Problem.rows`` listing
        every one), not a thousand lines.

        Args:
            values: per-row cell values (the problem's value; an array or
                :class:`RowValues`), or None.
            params: a function of (value text, context) returning more parameters.
            context: optional per-row values that also tell groups apart.
            key: the catalogue entry of the message when it is a variant of ``code``.
        """
        positions = self._flagged(severity, mask)
        if not len(positions):
            return
        column = self.label(fld)
        groups: dict[tuple, list[int]] = {}
        flagged_values, flagged_context = _at(values, positions), _at(context, positions)
        for k, pos in enumerate(positions):
            text_value = nz.cell_text(None if flagged_values is None else flagged_values[k])
            ctx = None if flagged_context is None else flagged_context[k]
            groups.setdefault((text_value, ctx), []).append(int(self.rows[pos]))
        for (text_value, ctx), rows in groups.items():
            extra = params(text_value, ctx) if params else {}
            self.problems.append(problem(
                severity, code,
                {"value": text_value, "column": column, "n": {"number": len(rows)},
                 "rows": row_ranges(rows), **extra},
                key=key, file=self.file, sheet=self.sheet, column=column, value=text_value,
                row=rows[0], rows=tuple(rows),
            ))

    def _flagged(self, severity: Severity, mask) -> np.ndarray:
        """The positions of the True rows of ``mask``; an error marks them as rows with
        errors."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if severity == "error":
            self.error_rows[positions] = True
        return positions

    def count_more(self, severity: Severity, code: str, column: str | None, count: int) -> None:
        """Count rows with a problem beyond the listed ones (reported by ``finish``)."""
        _, old = self.extra.get((code, column), (severity, 0))
        self.extra[(code, column)] = (severity, old + count)

    def finish(self) -> list[Problem]:
        for (code, column), (severity, count) in self.extra.items():
            self.problems.append(
                problem(severity, code, {"n": {"number": count}, "code": code, "column": column},
                        key="rows.more", file=self.file, sheet=self.sheet, column=column)
            )
        return self.problems

