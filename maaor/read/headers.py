"""RawSheet -> MappedSheet: find the header and HXL rows, tell the kind, map columns.

The header row is looked for in the first ``HEADER_ZONE`` rows only (title rows and blank
rows above it are fine); the HXL hashtag row may sit above it, below it, or replace it.
A column maps by its header text; when that text is absent or unknown, by its HXL tag.
Data rows are everything below the header/HXL rows except entirely empty rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from itertools import repeat

import numpy as np
import pandas as pd

from maaor import columns as column_specs
from maaor import matcher
from maaor.problems import Problem, problem
from maaor.read.excel import column_letter
from maaor.read.numbering import numbers_from_texts
from maaor.read.types import ColumnPlacement, MappedSheet, RawSheet
from maaor.read.wide_years import melt_years, year_columns
from maaor.textkey import match_key

HEADER_ZONE = 30

# Sheet names (as match keys) of instruction and drop-down list sheets.
_INSTRUCTION_NAMES = frozenset(
    {
        "about",
        "apropos",
        "notes",
        "note",
        "lists",
        "listes",
        "list",
        "liste",
        "help",
        "aide",
        "guidance",
        "dropdowns",
        "dropdownlists",
        "listesderoulantes",
        "lookups",
    }
)
_INSTRUCTION_PREFIXES = ("instruction", "readme", "lisezmoi", "guide")

# OCHA FTS exports (HDX "FTS requirements and funding") are recognised by these headers.
_FTS_HEADERS = frozenset({"countrycode", "requirements", "funding", "percentfunded"})
_FTS_PLAN_HEADERS = frozenset({"id", "name", "code"})


@dataclass
class _Columns:
    """Header text and HXL tag of every column of the sheet."""

    headers: list[str | None]  # stripped header text as written
    raw_tags: list[str | None]  # tag cell as written
    tags: list[str | None]  # normalised tag
    header_row: int | None  # grid position
    hxl_row: int | None  # grid position
    # Per column, the group header above it in a stacked two-row header ("Personnes
    # atteintes" over "Femmes"), else None.
    groups: list[str | None] = dc_field(default_factory=list)
    group_row: int | None = None  # grid position of the group row


#: How a column claims a field, strongest first: a saved mapping, an exact header, an HXL
#: tag, a close header.
_TIERS = {"profile": 3, "exact": 2, "hxl": 1, "fuzzy": 0}


@dataclass
class _Assignment:
    """How the columns of a sheet map to the fields of one kind."""

    kind: str
    fields: dict[str, tuple[int, str]]  # field -> (column, "header" | "hxl")
    superseded: list[tuple[int, str, int]]  # (column, field, column used instead)
    # field -> (how, confidence, unit): how in exact | fuzzy | hxl | profile.
    details: dict[str, tuple[str, float, str | None]] = dc_field(default_factory=dict)
    ignored: set[int] = dc_field(default_factory=set)  # columns a saved mapping ignores
    # field -> the header text it was matched with (the group joined to it, when so).
    matched_text: dict[str, str] = dc_field(default_factory=dict)

    @property
    def score(self) -> int:
        required = set(column_specs.required_fields(self.kind))
        return len(self.fields) + len(required & set(self.fields))

    @property
    def qualifies(self) -> bool:
        required = column_specs.required_fields(self.kind)
        found = sum(1 for f in required if f in self.fields)
        return len(self.fields) >= 2 and 2 * found >= len(required)


def is_instruction_sheet(name: str | None) -> bool:
    """True for sheets named like instructions or drop-down lists ("Read me", "Listes")."""
    key = match_key(name)
    return bool(key) and (key in _INSTRUCTION_NAMES or key.startswith(_INSTRUCTION_PREFIXES))


def map_sheet(
    raw: RawSheet,
    kind: str | None = None,
    header_overrides: Mapping[str, str | None] | None = None,
) -> tuple[MappedSheet | None, list[Problem]]:
    """Find the header/HXL rows of a sheet, tell its kind and map its columns to fields.

    Columns are placed by :mod:`maaor.matcher` (exact alias, HXL tag, close header with a
    confidence); a close header below ``matcher.HIGH_CONFIDENCE`` is placed with a
    warning naming the header and the field.

    Args:
        raw: the sheet as read.
        kind: the kind named by the caller (else ``raw.kind``, else recognised from the
            headers and tags). A named kind is used as is: its missing required columns
            are errors.
        header_overrides: a saved mapping applied before any matching:
            ``matcher.header_key(header as written) -> field`` places that column on the
            field (``how="profile"``, confidence 1.0; a field the kind lacks is not
            applied), ``-> None`` ignores the column (``how="ignored"``, its values not
            loaded and not warned about).

    Returns:
        ``(mapped, problems)``. ``mapped`` is None for instruction sheets, empty sheets,
        sheets without a recognisable header row and sheets whose kind cannot be told
        (each with a problem saying so). Missing required columns are errors, duplicate
        headers of a mapped column are errors, unknown headers are one note.
    """
    named = kind or raw.kind
    where = {"file": raw.file, "sheet": raw.sheet}
    if named is not None and named not in column_specs.KINDS:
        return None, [
            problem(
                "error",
                "sheet.kind_unknown",
                {"value": named, "allowed": ", ".join(column_specs.KINDS)},
                key="sheet.kind_unknown.named",
                **where,
            )
        ]
    if raw.sheet and is_instruction_sheet(raw.sheet):
        return None, [
            problem(
                "note",
                "sheet.instructions",
                {"sheet": raw.sheet},
                **where,
            )
        ]
    cells = raw.cells
    # One view of the grid for every pass below (``to_numpy`` of the grid's single
    # object block copies nothing), and its columns' codes made once for them all.
    grid = _GridColumns(cells)
    keep = _non_empty_rows(cells, raw.formula_no_cache, grid)
    if not keep.any():
        return None, [
            problem("note", "sheet.empty", **where)
        ]
    # A CSV or JSON file holds one table and carries no drop-downs: lists behind them
    # are looked for in a workbook's sheets only.
    reason = not_records(cells, keep, lists=raw.sheet is not None)
    if reason is not None:
        return None, [
            problem(
                "warning",
                "sheet.not_records",
                {"sheet": raw.sheet, "reason": reason},
                key="sheet.not_records.file" if raw.sheet is None else None,
                **where,
            )
        ]

    top = [_header_texts(grid.values[i]) for i in range(min(HEADER_ZONE, len(cells)))]
    overrides = dict(header_overrides or {})
    kinds = (named,) if named else column_specs.KINDS
    columns = _find_columns(top, kinds, overrides)
    if columns is None:
        return None, [_unknown_kind(raw, {"text": "problem.reason.no_header_row"})]

    # Years across the columns (Target 2019 ... Actual 2023): read as one row per year.
    wide: dict[int, tuple[str, int]] = {}
    written = list(columns.headers)
    if named in (None, "indicators") and columns.header_row is not None:
        wide = year_columns(top, columns.header_row)
        if wide:
            named = "indicators"
            columns.headers = [None if j in wide else h for j, h in enumerate(columns.headers)]
            # A yearly column holds that year's value whatever its tag says: its tag must
            # not place it a second time (e.g. as the country).
            written_tags = list(columns.tags)
            columns.tags = [None if j in wide else g for j, g in enumerate(columns.tags)]
    if named:
        chosen = _assign(named, columns, overrides)
    else:
        chosen, reason = _recognise(columns, overrides)
        if chosen is None:
            return None, [_unknown_kind(raw, reason)]
    if wide and "year" in chosen.fields:
        wide = {}  # a Year column of its own: the yearly headers are ordinary columns
        columns.headers = written
        columns.tags = written_tags
        chosen = _assign(named, columns, overrides)

    first_row = raw.first_row
    header_excel = None if columns.header_row is None else first_row + columns.header_row
    hxl_excel = None if columns.hxl_row is None else first_row + columns.hxl_row
    label_row = header_excel if header_excel is not None else hxl_excel

    start = max(p for p in (columns.header_row, columns.hxl_row) if p is not None) + 1
    positions = np.flatnonzero(keep[start:]) + start
    totals = total_rows(cells, positions, grid)
    totals.update(sum_rows(cells, positions[~np.isin(positions, list(totals))] if totals else positions))
    if totals:
        positions = positions[~np.isin(positions, list(totals))]

    # Where every column goes, and the tables beside the one read, are settled before
    # any header problem is raised: a side table often repeats a header of the table
    # read ("Pillar" in both), and that repeat is the side table's (named by its own
    # warning), not a duplicate column of the table read (which would block the upload).
    placed = {
        c: (f, *chosen.details.get(f, ("exact" if by == "header" else "hxl", 1.0, None)))
        for f, (c, by) in chosen.fields.items()
    }
    placed.update({j: (measure, "exact") for j, (measure, _) in wide.items()})
    placements = column_placements(
        cells,
        positions,
        [_written_label(columns, written, j) for j in range(cells.shape[1])],
        placed,
        ignored=chosen.ignored,
    )
    side_tables = _side_tables(placements)
    covered = {c.column_letter for table in side_tables for c in table}

    problems = _header_problems(raw, columns, chosen, label_row,
                                side={_column_index(letter) for letter in covered})
    problems.extend(_low_confidence_problems(raw, columns, chosen, label_row))
    if totals:
        listed = sorted(totals.items())
        shown = [{"text": "problem.rows.totals.item", "params": {"row": first_row + r, "label": label}}
                 for r, label in listed[:10]]
        problems.append(
            problem(
                "note",
                "rows.totals",
                {"n": {"number": len(listed)}, "listed": {"join": shown},
                 "more": {"number": max(len(listed) - 10, 0)}},
                key="rows.totals.more" if len(listed) > 10 else None,
                file=raw.file,
                sheet=raw.sheet,
                row=first_row + listed[0][0],
                value="; ".join(label for _, label in listed[:10]),
            )
        )
    ordered = sorted(chosen.fields.items(), key=lambda item: item[1][0])
    field_names = [f for f, _ in ordered]
    column_positions = [c for _, (c, _) in ordered]
    frame = pd.DataFrame(
        _take(grid.values, positions, column_positions),
        columns=field_names,
        dtype=object,
        copy=False,  # a new array of its own: pandas would copy its 2.3M cells again
    )
    rows = (positions + first_row).tolist()
    labels = {f: _label(columns, c) for f, (c, _) in chosen.fields.items()}
    letters = {f: column_letter(c) for f, (c, _) in chosen.fields.items()}
    mapped_by = {f: by for f, (_, by) in chosen.fields.items()}
    if wide:
        # Excel errors in the yearly columns are reported here (validation sees the
        # values per year, not the cells).
        kept_rows = set(positions.tolist())
        for (r, c), text in sorted({**raw.error_cells, **raw.formula_no_cache}.items()):
            if c in wide and r in kept_rows:
                problems.append(
                    problem(
                        "error",
                        "excel.error_cell",
                        {"value": text, "column": written[c]},
                        key="excel.error_cell.year",
                        file=raw.file,
                        sheet=raw.sheet,
                        row=first_row + r,
                        column=written[c],
                        value=text,
                    )
                )
                cells = cells.copy() if cells is raw.cells else cells
                cells.iat[r, c] = None
        frame, rows = melt_years(frame, rows, cells, positions, wide)
        for measure in sorted({m for m, _ in wide.values()}):
            cols = sorted(j for j, (m, _) in wide.items() if m == measure)
            labels[measure] = written[cols[0]] + (f" … {written[cols[-1]]}" if len(cols) > 1 else "")
            letters[measure], mapped_by[measure] = column_letter(cols[0]), "header"
        first = min(wide)
        labels["year"], letters["year"], mapped_by["year"] = written[first], column_letter(first), "header"
        years = sorted({y for _, y in wide.values()})
        problems.append(
            problem(
                "note",
                "indicators.wide_years",
                {"n": {"number": len(wide)}, "first": years[0], "last": years[-1]},
                file=raw.file,
                sheet=raw.sheet,
                row=label_row,
            )
        )
    if chosen.kind == "workplan":
        frame, derived = numbers_from_texts(frame)
        if derived:
            for fld, source in derived.items():
                labels[fld], letters[fld], mapped_by[fld] = labels[source], letters[source], "text"
            problems = [
                p for p in problems
                if not (p.code == "header.missing_required" and p.column in _labels_of(chosen.kind, derived))
            ]
            problems.append(
                problem(
                    "note",
                    "workplan.numbers_in_text",
                    {"columns": ", ".join(sorted(set(derived.values())))},
                    file=raw.file,
                    sheet=raw.sheet,
                    row=label_row,
                )
            )

    by_column = {c: f for f, (c, _) in chosen.fields.items()}

    def rekey(found: dict[tuple[int, int], str]) -> dict[tuple[int, str], str]:
        if not found:
            return {}
        kept = set(positions.tolist())
        return {
            (first_row + r, by_column[c]): text
            for (r, c), text in found.items()
            if c in by_column and r in kept
        }

    columns.headers = written
    instead = {column_letter(j): column_letter(used) for j, _, used in chosen.superseded}
    for group in _duplicate_groups(columns):
        instead.update({column_letter(j): column_letter(group[0]) for j in group[1:]})
    problems.extend(_side_table_problems(side_tables, raw, label_row))
    problems.extend(
        placement_problems([c for c in placements if c.column_letter not in covered], raw, label_row, instead)
    )
    mapped = MappedSheet(
        file=raw.file,
        sheet=raw.sheet,
        kind=chosen.kind,
        frame=frame,
        rows=rows,
        labels=labels,
        letters=letters,
        header_row=header_excel,
        hxl_row=hxl_excel,
        unmapped=[u for u in _unmapped(columns, chosen) if u not in {written[j] for j in wide}],
        error_cells=rekey(raw.error_cells),
        formula_no_cache=rekey(raw.formula_no_cache),
        mapped_by=mapped_by,
        columns=placements,
        excluded_rows={first_row + r: label for r, label in totals.items()},
        units={f: unit for f, (_, _, unit) in chosen.details.items() if unit and f in frame.columns},
    )
    return mapped, problems


#: A total or subtotal row's label: "Total", "TOTAL GERMANY", "Grand total",
#: "Sous-total", "Subtotal", "Total général".
_TOTAL_LABEL = re.compile(
    r"^\s*(?:grand[\s-]*)?(?:sub[\s-]*|sous[\s-]*)?(?:total(?:e|es|s)?|totaux)(?:\b|$)", re.IGNORECASE
)


def total_rows(cells: pd.DataFrame, positions: np.ndarray, grid: _GridColumns | None = None) -> dict[int, str]:
    """Grid rows among ``positions`` that are totals or subtotals, with their label.

    A row is a total row when its first non-empty cell is text that starts with Total,
    Subtotal, Sous-total or Grand total ("TOTAL GERMANY" included). The pattern runs once
    per distinct first value.

    Args:
        cells: the sheet's grid.
        positions: grid positions of the data rows.
        grid: the same grid's ``_GridColumns`` when the caller has one (its column codes
            are then shared, not made again).

    Returns:
        grid row -> the label as written.
    """
    if not len(positions) or not cells.size:
        return {}
    grid = grid if grid is not None else _GridColumns(cells)
    found: dict[int, str] = {}
    todo = positions
    # Column by column, only over rows whose first value is not yet found: on real sheets
    # the first column settles almost every row.
    for j in range(grid.values.shape[1]):
        if not len(todo):
            break
        # Once per distinct value: is it filled, is it a total label.
        codes, uniques = grid.codes(j, todo)
        filled_u, hits = _total_flags(uniques)
        filled = filled_u[codes]
        if hits:
            is_total = np.isin(codes, hits)
            for r in todo[is_total]:
                found[int(r)] = " ".join(grid.values[r, j].split())
        todo = todo[~filled]
    return found


def _total_flags(uniques: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Per distinct value of a column (and one more, False, for the code -1 of empty
    cells): is it filled (not blank text); and the indices of the total labels."""
    filled = np.ones(len(uniques) + 1, dtype=bool)
    filled[-1] = False
    hits = []
    for k in _text_indices(uniques):
        text = uniques[k]
        if not text.strip():
            filled[k] = False
        elif _TOTAL_LABEL.match(text):
            hits.append(int(k))
    return filled, hits


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if value != value else float(value)


#: Tables longer than this are not searched for unlabelled sum rows (a cell-by-cell sum
#: would cost more than it saves; labelled total rows are still found).
SUM_ROWS_MAX_ROWS = 20_000


def _adds_up(column: np.ndarray, n: float) -> bool:
    """True when ``n`` is the sum of at least two numbers of ``column`` (a row equal to
    the one number above it is a repeat, not a total: it is loaded, and the duplicate
    checks see it)."""
    terms = [x for v in column if (x := _number(v)) is not None]
    return n != 0 and len(terms) >= 2 and abs(sum(terms) - n) <= 1e-6 * abs(n)


def sum_rows(cells: pd.DataFrame, positions: np.ndarray, last: int = 3) -> dict[int, str]:
    """Unlabelled total rows at the bottom of a table: rows holding only numbers, each
    equal to the sum of its column over the data rows above.

    Only the last ``last`` data rows are looked at (totals sit at the bottom), so the cost
    does not grow with the sheet.

    Returns:
        grid row -> a label for the note.
    """
    found: dict[int, str] = {}
    if not 3 <= len(positions) <= SUM_ROWS_MAX_ROWS or not cells.size:
        return found
    values = cells.to_numpy(dtype=object)
    for k in range(len(positions) - 1, max(len(positions) - 1 - last, 1), -1):
        row = values[positions[k]]
        present = [(j, v) for j, v in enumerate(row) if _filled(np.array([v], dtype=object))[0]]
        numbers = [(j, _number(v)) for j, v in present]
        if not numbers or any(n is None for _, n in numbers):
            break
        above = positions[:k]
        above = above[~np.isin(above, list(found))]
        sums_match = all(_adds_up(values[above, j], n) for j, n in numbers)
        if not sums_match:
            break
        found[int(positions[k])] = "numbers equal to the sum of the rows above"
    return found


#: Sheets longer than this are never lists for drop-downs (and are not scanned for it).
LIST_SHEET_MAX_ROWS = 5_000


def not_records(cells: pd.DataFrame, keep: np.ndarray, lists: bool = True) -> dict | None:
    """Why a sheet holds no row-level records (told by its content), or None.

    A single column of values is a list or notes; several columns that are separate
    lists (each filled from the top without gaps, each value once, two or more values,
    of different lengths, mostly words (texts with a letter)) are the lists behind
    drop-downs. Records share rows: their columns have
    gaps or repeats, or all end on the same row.

    Args:
        cells: the sheet's grid.
        keep: per grid row, whether it holds a value.
        lists: look for lists behind drop-downs too (a workbook's sheet); False for a
            file of one table (CSV, JSON), which carries no drop-downs.

    Returns:
        The reason as a message parameter (a catalogue phrase such as "lists of values
        for drop-downs (...)"), or None for a sheet of records.
    """
    rows = np.flatnonzero(keep)
    if len(cells) > LIST_SHEET_MAX_ROWS or not len(rows):
        return None
    values = cells.to_numpy(dtype=object)[rows[0] :]
    # An HXL tag row names the columns; it is not a value of the lists.
    tag_rows = [i for i in range(min(len(values), 3)) if _is_hxl_row(_header_texts(pd.Series(values[i])))]
    values = np.delete(values, tag_rows, axis=0)
    if not len(values):
        return None
    filled = np.column_stack([_filled(values[:, j]) for j in range(values.shape[1])])
    used = np.flatnonzero(filled.any(axis=0))
    if len(used) == 1:
        return {"text": "problem.reason.single_column"}
    if len(used) < 2 or not lists:
        return None
    lengths = []
    words = 0
    for j in used:
        below = np.flatnonzero(filled[1:, j])
        if not len(below) or below[-1] != len(below) - 1:
            return None  # a gap inside the column, or nothing under its header
        if len(below) < 2:
            # A one-value list drives no drop-down: a value written once atop its
            # column, beside longer ones, is a record whose later rows were left blank
            # for "same as above".
            return None
        cells_j = values[1 + below, j]
        texts = [_value_text(v) for v in cells_j]
        if len(set(texts)) != len(texts):
            return None  # a repeated value: records, not a list
        words += sum(_is_word(v) for v in cells_j)
        lengths.append(len(below))
    if len(set(lengths)) < 2 or max(lengths) < 4:
        return None
    if words * 2 <= sum(lengths):
        # Drop-down lists hold words (statuses, pillars, places); cells that are mostly
        # numbers (as typed, or as the text of a CSV), dates, codes or marks without a
        # letter are the values of records.
        return None
    # Lists end at different rows, so most rows of the longest hold few of the columns;
    # a table of records with a short last row does not look like that.
    sparse = (filled[1 : 1 + max(lengths)][:, used].sum(axis=1) * 2 <= len(used)).sum()
    if sparse * 2 < max(lengths) and not _ragged_text_lists(values, filled, used, lengths):
        return None
    return {"text": "problem.reason.dropdown_lists",
            "params": {"n": {"number": len(used)}, "least": {"number": min(lengths)},
                       "most": {"number": max(lengths)}}}


def _ragged_text_lists(values: np.ndarray, filled: np.ndarray, used: np.ndarray, lengths: list[int]) -> bool:
    """True when gapless, repeat-free columns hold only text and end two or more rows
    apart: lists of words of different lengths (two lists of equal length share their
    rows, so the sparse-rows test alone misses them). Records carry numbers or dates, or
    end together but for a last row left incomplete.
    """
    if max(lengths) - min(lengths) < 2:
        return False
    cells = values[1:][:, used][filled[1:][:, used]]
    return all(isinstance(v, str) for v in cells)


#: Arrays shorter than this are tested cell by cell (coding them costs more).
_CODED_FROM = 64


def _filled(values: np.ndarray, coded=None) -> np.ndarray:
    """Boolean per cell of an object array: holds a value (not None/NaN, not blank text).

    Blank text is text of whitespace and NUL characters only (``_blank_text``). The
    test runs once per distinct value; a value that cannot be hashed (a list read from
    JSON) sends the array cell by cell.

    Args:
        values: the cells.
        coded: a function returning ``pd.factorize(values, use_na_sentinel=True)``
            when the caller holds those codes already (``_GridColumns.codes``); None
            to factorize here.
    """
    if len(values) < _CODED_FROM:
        return _filled_cells(values)
    try:
        codes, uniques = coded() if coded is not None else pd.factorize(
            values, use_na_sentinel=True)
    except TypeError:
        return _filled_cells(values)
    return _filled_uniques(uniques)[codes]


def _filled_uniques(uniques: np.ndarray) -> np.ndarray:
    """Per distinct value (none NA: factorize codes those -1), whether it is filled,
    and one more entry, False, that the code -1 picks."""
    filled = np.ones(len(uniques) + 1, dtype=bool)
    filled[-1] = False
    for k in _text_indices(uniques):
        if _blank_text(uniques[k]):
            filled[k] = False
    return filled


def _filled_cells(values: np.ndarray) -> np.ndarray:
    """``_filled`` cell by cell, for arrays holding values that cannot be hashed."""
    present = ~pd.isna(values)
    texts = _text_indices(values)  # text is never NA
    if len(texts):
        present[texts] = [not _blank_text(v) for v in values[texts]]
    return present


def _text_indices(values: np.ndarray) -> np.ndarray:
    """Indices of the cells of a 1-D object array that are text (str or a subclass)."""
    is_text = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    return np.flatnonzero(is_text)


def _blank_text(text: str) -> bool:
    """True for text of whitespace (``str.isspace``'s, Unicode's) and NUL characters only.

    The NULs: the grid's blank test long read texts as numpy fixed-width strings, in
    which NULs at the end are padding and ``strip`` takes them off the right end with the
    spaces. A text of spaces and NULs counted as blank; it still does (a NUL in a cell is
    no value anyone typed).
    """
    return not text.replace("\x00", "").strip()


def _is_word(value: object) -> bool:
    """True for a text holding a letter, of any script ("Ongoing", "Déminage", "IRQ"):
    what a drop-down list offers. Numbers, dates, "0", " 1 250 " or ":" are not."""
    return isinstance(value, str) and any(ch.isalpha() for ch in value)


def _value_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def column_placements(
    cells: pd.DataFrame,
    data_rows: np.ndarray,
    headers: list[str],
    placed: dict[int, tuple],
    ignored: set[int] | frozenset[int] = frozenset(),
) -> list[ColumnPlacement]:
    """Where every column of a sheet went: its field, or how many values were left out.

    Runs once per sheet and counts cells only in the columns that were not placed, so a
    sheet whose columns are all recognised costs nothing more.

    Args:
        cells: the sheet's grid.
        data_rows: grid positions of the data rows.
        headers: per grid column, the header as written ("" if none).
        placed: grid column -> ``(field, how)`` or ``(field, how, confidence, unit)`` of
            the columns whose values are loaded (confidence 1.0 when not given).
        ignored: grid columns a saved mapping ignores (``how="ignored"``; their values
            are counted as not loaded, and not warned about).

    Returns:
        One placement per column that has a header, a placement or a value in a data
        row, in column order.
    """
    values = cells.to_numpy(dtype=object) if cells.size else np.empty((0, 0), dtype=object)
    out: list[ColumnPlacement] = []
    for j in range(values.shape[1]):
        header = headers[j] if j < len(headers) else ""
        letter = column_letter(j)
        if j in placed:
            fld, how, *more = placed[j]
            confidence, unit = (more + [1.0, None])[:2] if more else (1.0, None)
            out.append(ColumnPlacement(header, letter, fld, confidence, how, unit=unit))
            continue
        column = values[data_rows, j] if len(data_rows) else values[:0, j]
        filled = _filled(column)
        count = int(filled.sum())
        if not header and not count:
            continue
        first: list[str] = []
        for v in column[filled]:
            text = _value_text(v)
            if text not in first:
                first.append(text)
            if len(first) == 3:
                break
        if j in ignored:
            out.append(ColumnPlacement(header, letter, None, 1.0, "ignored", count, tuple(first)))
        else:
            out.append(ColumnPlacement(header, letter, None, 0.0, "unmapped", count, tuple(first)))
    return out


def placement_problems(
    placements: list[ColumnPlacement],
    raw: RawSheet,
    row: int | None,
    instead: dict[str, str] | None = None,
) -> list[Problem]:
    """A warning per column whose values were not loaded; one note for header-only columns.

    Args:
        placements: the sheet's column placements.
        raw: the sheet (file and sheet names).
        row: Excel row of the header (named in the problems).
        instead: column letter -> letter of the column loaded instead (a second column
            for the same field, or a repeated header).

    Returns:
        The problems, in column order.
    """
    where = {"file": raw.file, "sheet": raw.sheet, "row": row}
    problems: list[Problem] = []
    empty: list[str] = []
    for p in placements:
        if p.field is not None or p.how == "ignored":
            continue
        if not p.values_not_loaded:
            if p.column_letter not in (instead or {}):  # else told by header.same_field
                empty.append(p.header)
            continue
        first = ", ".join(f"'{v}'" for v in p.first_values)
        count = p.values_not_loaded
        problems.append(
            problem(
                "warning",
                "column.not_loaded",
                {"letter": p.column_letter, "header": p.header,
                 "reason": _not_loaded_reason(p, instead or {}),
                 "n": {"number": count}, "first": first},
                key="column.not_loaded" if p.header else "column.not_loaded.no_header",
                column=p.header or p.column_letter,
                value=first,
                **where,
            )
        )
    if empty:
        problems.append(
            problem(
                "note",
                "header.unmapped",
                {"n": {"number": len(empty)}, "headers": ", ".join(empty)},
                value="; ".join(empty),
                **where,
            )
        )
    return problems


def _side_tables(placements: list[ColumnPlacement]) -> list[list[ColumnPlacement]]:
    """Tables beside the one read: runs of two or more adjacent columns, apart from the
    read table by at least one empty column, none of which was placed (a single stray
    column is reported as a column not loaded)."""
    blocks: list[list[ColumnPlacement]] = []
    previous = None
    for c in placements:  # in column order; empty columns are not listed
        index = _column_index(c.column_letter)
        if previous is None or index != previous + 1:
            blocks.append([])
        blocks[-1].append(c)
        previous = index
    if len(blocks) < 2:
        return []
    return [
        b for b in blocks
        if len(b) >= 2 and all(c.how == "unmapped" for c in b) and any(c.values_not_loaded for c in b)
    ]


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _side_table_problems(tables: list[list[ColumnPlacement]], raw: RawSheet, row: int | None) -> list[Problem]:
    problems = []
    for table in tables:
        first, last = table[0].column_letter, table[-1].column_letter
        headers = [c.header for c in table if c.header]
        count = sum(c.values_not_loaded for c in table)
        problems.append(
            problem(
                "warning",
                "sheet.side_table",
                {"first": first, "last": last, "n": {"number": count},
                 "headers": ", ".join(headers[:6]) + (", ..." if len(headers) > 6 else "")},
                key="sheet.side_table.headers" if headers else None,
                file=raw.file,
                sheet=raw.sheet,
                row=row,
                column=headers[0] if headers else first,
                value=", ".join(c.column_letter for c in table),
            )
        )
    return problems


def _not_loaded_reason(p: ColumnPlacement, instead: dict[str, str]) -> dict:
    """Why a column was not loaded, as a message parameter."""
    if p.column_letter in instead:
        return {"text": "problem.reason.same_field", "params": {"other": instead[p.column_letter]}}
    return {"text": "problem.reason.header_unknown" if p.header else "problem.reason.no_header",
            "params": {}}


def _duplicate_groups(columns: _Columns) -> list[list[int]]:
    """Grid columns with the same header and tag, in groups (first one is used)."""
    groups: dict[str, list[int]] = {}
    for j in range(len(columns.headers)):
        key = _column_key(columns, j)
        if key:
            groups.setdefault(key, []).append(j)
    return [g for g in groups.values() if len(g) > 1]


class _GridColumns:
    """A sheet's grid as one object array, with its columns' values coded on demand.

    ``map_sheet`` looks at the first column of nearly every row twice (is the row empty,
    is it a total): the column is coded (``pd.factorize``) once for both. Coding costs a
    pass over the cells' text; the tests then run once per distinct value.
    """

    def __init__(self, cells: pd.DataFrame) -> None:
        # A view of the grid's single object block: no copy of its cells.
        self.values = cells.to_numpy(dtype=object) if cells.size else np.empty(cells.shape, dtype=object)
        self._whole: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def codes(self, j: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``pd.factorize`` (NA coded -1) of column ``j`` at grid rows ``rows``.

        When ``rows`` is at least half the column, the whole column is coded once and
        kept (the codes then index distinct values some of ``rows`` may not hold).

        Raises:
            TypeError: a value at ``rows`` cannot be hashed.
        """
        if 2 * len(rows) >= len(self.values):
            if j not in self._whole:
                try:
                    self._whole[j] = pd.factorize(self.values[:, j], use_na_sentinel=True)
                except TypeError:
                    self._whole[j] = None  # perhaps not among ``rows``: coded below
            whole = self._whole[j]
            if whole is not None:
                codes, uniques = whole
                return (codes if len(rows) == len(codes) else codes[rows]), uniques
        return pd.factorize(self.values[rows, j], use_na_sentinel=True)

    def filled(self, j: int, rows: np.ndarray) -> np.ndarray:
        """``_filled`` of column ``j`` at grid rows ``rows``, with the column's codes."""
        return _filled(self.values[rows, j], lambda: self.codes(j, rows))


def _non_empty_rows(
    cells: pd.DataFrame, formulas: dict[tuple[int, int], str], grid: _GridColumns | None = None
) -> np.ndarray:
    """Boolean per grid row: holds a value other than blanks, or an uncached formula.

    Args:
        cells: the sheet's grid.
        formulas: uncached formulas by grid position (their rows are kept).
        grid: the same grid's ``_GridColumns`` when the caller has one.
    """
    if not cells.size:
        return np.zeros(len(cells), dtype=bool)
    grid = grid if grid is not None else _GridColumns(cells)
    keep = np.zeros(len(cells), dtype=bool)
    # Column by column, looking only at rows not yet known to hold a value: on real
    # sheets the first columns settle almost every row, so few cells are inspected.
    for j in range(grid.values.shape[1]):
        todo = np.flatnonzero(~keep)
        if not len(todo):
            break
        keep[todo[grid.filled(j, todo)]] = True
    for r, _ in formulas:
        if r < len(keep):
            keep[r] = True
    return keep


def _take(values: np.ndarray, rows: np.ndarray, columns: list[int]) -> np.ndarray:
    """A new object array of ``values`` at ``rows`` x ``columns``.

    Rows that are one run (a table's data rows without blank or total rows between
    them) are sliced, and the columns taken from the slice: a quarter faster than
    gathering every cell by its row and column.
    """
    if not len(rows) or not columns:
        return np.empty((len(rows), len(columns)), dtype=object)
    if rows[-1] - rows[0] == len(rows) - 1:  # increasing grid positions: one run
        return np.take(values[rows[0] : rows[-1] + 1], columns, axis=1)
    return values[np.ix_(rows, columns)]


def _header_texts(row: pd.Series | np.ndarray) -> list[str | None]:
    texts: list[str | None] = []
    for value in row.tolist():
        if value is None or (isinstance(value, float) and value != value):
            texts.append(None)
            continue
        text = value.strip() if isinstance(value, str) else str(value)
        texts.append(text or None)
    return texts


def _is_hxl_row(texts: list[str | None]) -> bool:
    filled = [t for t in texts if t]
    tags = sum(1 for t in filled if column_specs.normalise_tag(t))
    return tags * 2 > len(filled) and (tags >= 2 or len(texts) == 1)


def _claim(
    text: str, kinds: tuple[str, ...], overrides: Mapping[str, str | None]
) -> bool:
    """A header text names a field of one of ``kinds`` (a saved mapping counts)."""
    key = matcher.header_key(text)
    if key in overrides:
        return overrides[key] is not None
    return matcher.names_a_field(kinds, text)


def _header_score(
    texts: list[str | None], kinds: tuple[str, ...], overrides: Mapping[str, str | None]
) -> tuple[int, int]:
    filled = [t for t in texts if t]
    return sum(1 for t in filled if _claim(t, kinds, overrides)), len(filled)


def _join_rows(
    upper: list[str | None], lower: list[str | None], width: int
) -> tuple[list[str | None], list[str | None]]:
    """A two-row header as one: per column, its header and the group above it.

    A column headed only in the upper row (merged down, or left blank below) is headed
    by it; a column headed in the lower row belongs to the nearest group text at or left
    of it in the upper row (a merged group cell holds its text in its first cell).
    """
    texts: list[str | None] = []
    groups: list[str | None] = []
    current = None
    for j in range(width):
        u = upper[j] if j < len(upper) else None
        low = lower[j] if j < len(lower) else None
        if u:
            current = u
        if low:
            texts.append(low)
            groups.append(current)
        else:
            texts.append(u)
            groups.append(None)
    return texts, groups


def _stacked(
    top: list[list[str | None]], row: int, kinds: tuple[str, ...], overrides: Mapping[str, str | None]
) -> tuple[int, int, list[str | None], list[str | None]] | None:
    """A two-row header around ``row`` that names more fields than ``row`` alone.

    Returns:
        ``(group_row, header_row, headers, groups)`` or None.
    """
    width = max((len(t) for t in top), default=0)
    single = _header_score(top[row], kinds, overrides)[0]
    best = None
    for upper_row, lower_row in ((row - 1, row), (row, row + 1)):
        if upper_row < 0 or lower_row >= len(top):
            continue
        upper, lower = top[upper_row], top[lower_row]
        if sum(1 for t in upper if t) < 2 or _is_hxl_row(upper) or _is_hxl_row(lower):
            continue
        texts, groups = _join_rows(upper, lower, width)

        def names(j: int, texts=texts, groups=groups) -> bool:
            text = texts[j]
            return bool(text) and (
                _claim(text, kinds, overrides)
                or (groups[j] is not None and _claim(f"{groups[j]} {text}", kinds, overrides))
            )

        # The lower row must be header words (data under a header is not): at least
        # half of its cells name a field, alone or under their group.
        lower_cells = [j for j in range(width) if j < len(lower) and lower[j]]
        if not lower_cells or 2 * sum(1 for j in lower_cells if names(j)) < len(lower_cells):
            continue
        score = sum(1 for j in range(width) if names(j))
        if score > single and (best is None or score > best[0]):
            best = (score, upper_row, lower_row, texts, groups)
    return None if best is None else best[1:]


def _find_columns(
    top: list[list[str | None]], kinds: tuple[str, ...], overrides: Mapping[str, str | None]
) -> _Columns | None:
    hxl_row = next((i for i, texts in enumerate(top) if _is_hxl_row(texts)), None)
    candidates: list[tuple[int, int, int]] = []  # (matches, filled, -row)
    for i, texts in enumerate(top):
        if i == hxl_row:
            continue
        if hxl_row is not None and i > hxl_row + 1:
            break
        matches, filled = _header_score(texts, kinds, overrides)
        if matches < 1:
            continue
        if hxl_row is not None and i == hxl_row + 1:
            # Below the tags there is normally data (whose values may happen to be header
            # words, such as a status "Active"): take the row as the header only when its
            # texts mean what the tags above them mean.
            tagged = sum(1 for t in top[hxl_row] if column_specs.normalise_tag(t))
            if _agreements(texts, top[hxl_row]) < min(2, tagged):
                continue
        candidates.append((matches, filled, -i))
    header_row = -max(candidates)[2] if candidates else None
    if header_row is None and hxl_row is None:
        return None
    if (
        header_row is not None
        and hxl_row is not None
        and header_row < hxl_row
        and any(any(top[i]) for i in range(header_row + 1, hxl_row))
    ):
        # Tags belong right under (or right over) the header: a tag-like row further down
        # is data.
        hxl_row = None
    width = max((len(t) for t in top), default=0)
    headers = top[header_row] if header_row is not None else [None] * width
    groups: list[str | None] = [None] * width
    group_row = None
    if header_row is not None and hxl_row is None:
        # A group row over the header ("Personnes atteintes" over "Femmes | Hommes"), or
        # a sub-header row under it: the two rows are read as one header.
        stacked = _stacked(top, header_row, kinds, overrides)
        if stacked is not None:
            group_row, header_row, headers, groups = stacked
    raw_tags = top[hxl_row] if hxl_row is not None else [None] * width
    return _Columns(
        headers=list(headers),
        raw_tags=raw_tags,
        tags=[column_specs.normalise_tag(t) for t in raw_tags],
        header_row=header_row,
        hxl_row=hxl_row,
        groups=groups,
        group_row=group_row,
    )


def _agreements(texts: list[str | None], tags: list[str | None]) -> int:
    """Columns whose header text and HXL tag mean the same field of some kind."""
    count = 0
    for text, tag in zip(texts, tags, strict=False):
        if (
            text
            and tag
            and any(
                (field := column_specs.header_field(kind, text)) and field == column_specs.hxl_field(kind, tag)
                for kind in column_specs.KINDS
            )
        ):
            count += 1
    return count


def _header_claim(
    kind: str, columns: _Columns, j: int, overrides: Mapping[str, str | None]
) -> tuple[str, str, float, str | None, str] | None:
    """How column ``j``'s header names a field of ``kind``: ``(field, how, confidence,
    unit, text matched)`` with how "profile", "ignored" (field ""), "exact" or "fuzzy"."""
    text = columns.headers[j]
    if not text:
        # A column named only by its HXL tag: a saved mapping names it by the tag.
        tag = columns.raw_tags[j] if j < len(columns.raw_tags) else None
        target = overrides.get(matcher.header_key(tag), "") if tag else ""
        if target is None:
            return "", "ignored", 1.0, None, tag
        if target and any(s.field == target for s in column_specs.FIELDS[kind]):
            return target, "profile", 1.0, matcher.tag_unit(columns.tags[j]), tag
        return None
    group = columns.groups[j] if j < len(columns.groups) else None
    texts = [text]
    if group:
        texts.append(f"{group} {text}")
    for candidate in texts:
        key = matcher.header_key(candidate)
        if key in overrides:
            target = overrides[key]
            if target is None:
                return "", "ignored", 1.0, None, candidate
            if any(s.field == target for s in column_specs.FIELDS[kind]):
                return target, "profile", 1.0, matcher.split_header(candidate).unit, candidate
    found = None
    for candidate in texts:
        match = matcher.match_header(kind, candidate)
        if match is not None and (found is None or match.confidence > found[0].confidence):
            found = (match, candidate)
    if found is None:
        return None
    match, candidate = found
    return match.field, match.how, match.confidence, match.unit, candidate


def _assign(kind: str, columns: _Columns, overrides: Mapping[str, str | None] | None = None) -> _Assignment:
    """Place the columns on the fields of ``kind``.

    Each column claims at most one field, by its strongest route: a saved mapping, then
    an exact header, then its HXL tag, then a close header. Of several columns claiming
    one field the strongest claim wins (HXL's rule across the row: the best tag match
    wherever it stands); the others are reported as superseded.
    """
    overrides = overrides or {}
    # A header text written on several columns does not tell them apart; their HXL tags
    # (when they name fields) do.
    repeated = Counter(_header_key(columns, j) for j, t in enumerate(columns.headers) if t)
    claims: dict[str, list[tuple[tuple, int, str, float, str | None, str]]] = {}
    ignored: set[int] = set()
    for j in range(len(columns.headers)):
        header = _header_claim(kind, columns, j, overrides)
        tag = columns.tags[j] if j < len(columns.tags) else None
        hxl = column_specs.hxl_match(kind, tag) if tag else None
        if header is not None and header[1] == "ignored":
            ignored.add(j)
            continue
        if header is not None and header[1] == "exact" and repeated[_header_key(columns, j)] > 1 and hxl:
            header = None
        if header is not None and header[1] in ("profile", "exact"):
            fld, how, confidence, unit, text = header
            rank = (_TIERS[how], confidence, (0, 0), -j)
        elif hxl is not None:
            fld, how, confidence, unit, text = hxl[0], "hxl", 1.0, matcher.tag_unit(tag), columns.raw_tags[j]
            rank = (_TIERS[how], confidence, hxl[1], -j)
        elif header is not None:
            fld, how, confidence, unit, text = header
            rank = (_TIERS[how], confidence, (0, 0), -j)
        else:
            continue
        claims.setdefault(fld, []).append((rank, j, how, confidence, unit or None, text or ""))
    fields: dict[str, tuple[int, str]] = {}
    details: dict[str, tuple[str, float, str | None]] = {}
    matched: dict[str, str] = {}
    superseded: list[tuple[int, str, int]] = []
    for fld, found in claims.items():
        _, winner, how, confidence, unit, text = max(found, key=lambda c: c[0])
        fields[fld] = (winner, "hxl" if how == "hxl" else "header")
        details[fld] = (how, confidence, unit)
        matched[fld] = text
        superseded.extend((j, fld, winner) for _, j, *_ in found if j != winner)
    superseded.sort()
    return _Assignment(kind, fields, superseded, details, ignored, matched)


def _is_fts(columns: _Columns) -> bool:
    keys = {match_key(t) for t in columns.headers if t}
    return _FTS_HEADERS <= keys and bool(_FTS_PLAN_HEADERS & keys)


def _recognise(
    columns: _Columns, overrides: Mapping[str, str | None] | None = None
) -> tuple[_Assignment | None, dict | None]:
    """The kind whose fields the columns fit clearly best, or None and why not."""
    if _is_fts(columns):
        return _assign("fts", columns, overrides), None
    assignments = [_assign(kind, columns, overrides) for kind in column_specs.KINDS]
    fitting = sorted((a for a in assignments if a.qualifies), key=lambda a: -a.score)
    if not fitting:
        return None, {"text": "problem.reason.no_kind_fits"}
    best = fitting[0]
    if len(fitting) > 1:
        second = fitting[1]
        if second.score >= best.score - 1 or second.score > 0.8 * best.score:
            return None, {"text": "problem.reason.two_kinds_fit",
                          "params": {"first": {"text": f"coord.kind.{best.kind}"},
                                     "second": {"text": f"coord.kind.{second.kind}"}}}
    return best, None


def _unknown_kind(raw: RawSheet, reason: dict) -> Problem:
    # A whole CSV/JSON file that cannot be read is an error; one extra sheet of a
    # workbook (a summary, a chart's data) is only skipped.
    severity = "error" if raw.sheet is None else "warning"
    return problem(
        severity,
        "sheet.kind_unknown",
        {"reason": reason, "sheet": raw.sheet},
        key="sheet.kind_unknown.file" if raw.sheet is None else None,
        file=raw.file,
        sheet=raw.sheet,
    )


def _label(columns: _Columns, j: int) -> str:
    header = columns.headers[j] if j < len(columns.headers) else None
    if header:
        return header
    tag = columns.raw_tags[j] if j < len(columns.raw_tags) else None
    return tag or column_letter(j)


def _labels_of(kind: str, fields) -> set[str]:
    return {column_specs.spec(kind, f).label for f in fields}


def _written_label(columns: _Columns, written: list[str | None], j: int) -> str:
    """Column ``j``'s header as written (its HXL tag when it has no header), else ""."""
    header = written[j] if j < len(written) else None
    tag = columns.raw_tags[j] if j < len(columns.raw_tags) else None
    return header or tag or ""


def _header_key(columns: _Columns, j: int) -> str:
    """A column's header text as compared, with its group in a two-row header."""
    header = columns.headers[j]
    group = columns.groups[j] if j < len(columns.groups) else None
    key = match_key(header) or header or ""
    return f"{match_key(group)}/{key}" if group else key


def _column_key(columns: _Columns, j: int) -> str | None:
    """What a column is called: header key and tag; equal keys are duplicate columns."""
    header = columns.headers[j]
    tag = columns.tags[j]
    if not header and not tag:
        return None
    return _header_key(columns, j) + "|" + (tag or "")


def _low_confidence_problems(
    raw: RawSheet, columns: _Columns, chosen: _Assignment, label_row: int | None
) -> list[Problem]:
    """A warning per column placed by a close header whose confidence is below
    ``matcher.HIGH_CONFIDENCE``: it names the header as written and the field."""
    problems: list[Problem] = []
    for fld, (how, confidence, _) in sorted(chosen.details.items(), key=lambda i: chosen.fields[i[0]][0]):
        if how != "fuzzy" or confidence >= matcher.HIGH_CONFIDENCE:
            continue
        j = chosen.fields[fld][0]
        problems.append(
            matcher.low_confidence_problem(
                column_letter(j),
                chosen.matched_text.get(fld) or _label(columns, j),
                column_specs.spec(chosen.kind, fld).label,
                confidence,
                file=raw.file,
                sheet=raw.sheet,
                row=label_row,
                written=_label(columns, j),
            )
        )
    return problems


def _header_problems(
    raw: RawSheet, columns: _Columns, chosen: _Assignment, label_row: int | None,
    side: set[int] | frozenset[int] = frozenset(),
) -> list[Problem]:
    """Problems of the header row: repeated headers, second columns for one field, the
    HXL row, missing required columns.

    Args:
        side: grid columns of tables beside the one read (``_side_tables``): a header
            repeated only there is the side table's, not a duplicate of the table read.
    """
    where = {"file": raw.file, "sheet": raw.sheet, "row": label_row}
    problems: list[Problem] = []
    mapped_columns = {c: f for f, (c, _) in chosen.fields.items()}

    groups: dict[str, list[int]] = {}
    for j in range(len(columns.headers)):
        key = _column_key(columns, j)
        if key:
            groups.setdefault(key, []).append(j)
    duplicates: set[int] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        first, *others = group
        duplicates.update(others)
        if all(j in side for j in others):
            continue
        label = _label(columns, first)
        letters = [column_letter(j) for j in group]
        mapped = first in mapped_columns
        problems.append(
            problem(
                "error" if mapped else "warning",
                "header.duplicate",
                {"letters": ", ".join(letters[:-1]), "last": letters[-1], "label": label,
                 "used": letters[0], "n": {"number": len(others)}},
                column=label,
                value=", ".join(letters),
                **where,
            )
        )
    for j, field, used in chosen.superseded:
        if j in duplicates:
            continue
        spec = column_specs.spec(chosen.kind, field)
        problems.append(
            problem(
                "warning",
                "header.same_field",
                {"used": column_letter(used), "used_label": _label(columns, used),
                 "other": column_letter(j), "other_label": _label(columns, j),
                 "field": spec.label},
                column=_label(columns, j),
                **where,
            )
        )
    if columns.hxl_row is not None:
        tags = [t for t in columns.raw_tags if t]
        hxl_excel = raw.first_row + columns.hxl_row
        problems.append(
            problem(
                "note",
                "header.hxl_row",
                {"row": hxl_excel, "tags": ", ".join(tags[:4]) + (", ..." if len(tags) > 4 else "")},
                file=raw.file,
                sheet=raw.sheet,
                row=hxl_excel,
            )
        )
    for field in column_specs.required_fields(chosen.kind):
        if field in chosen.fields:
            continue
        if (chosen.kind, field) == ("presence", "country_iso3") and (
            {"admin1_code", "admin2_code"} & set(chosen.fields)
        ):
            continue  # validation takes the country from the P-codes
        label = column_specs.spec(chosen.kind, field).label
        problems.append(
            problem(
                "error",
                "header.missing_required",
                {"kind": {"text": f"coord.kind.{chosen.kind}"}, "label": label},
                column=label,
                **where,
            )
        )
    return problems


def _unmapped(columns: _Columns, chosen: _Assignment) -> list[str]:
    mapped = {c for c, _ in chosen.fields.values()}
    mapped.update(j for j, _, _ in chosen.superseded)
    mapped.update(chosen.ignored)
    seen: set[str] = set()
    out: list[str] = []
    for j in range(len(columns.headers)):
        if j in mapped:
            continue
        key = _column_key(columns, j)
        if key is None or key in seen:
            continue
        seen.add(key)
        out.append(_label(columns, j))
    return out
