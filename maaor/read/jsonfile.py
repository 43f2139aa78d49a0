"""JSON record files (a 3W exported as ``[{"organisation": ..., "status": ...}, ...]``).

Two shapes are read into one RawSheet (``sheet=None``):

* an array of flat objects: grid row 1 (row number 1) holds the keys, the union in
  first-seen order, and record ``i`` (0-based) is row number ``i + 2``;
* an array of arrays (HXL JSON "arrays" style, header row then optional hashtag row
  then data): array ``i`` is row number ``i + 1``.

An object whose only value is such an array (``{"data": [...]}``, as HDX HAPI answers)
is unwrapped. An OCHA FTS API v1 answer (``{"status", "data", "meta"}``) is unwrapped by
``maaor.read.ocha``: its ``data.flows`` become one row per flow.
"""

from __future__ import annotations

import json

import pandas as pd

from maaor.problems import Problem, problem
from maaor.read.ocha import fts_api_clusters, fts_api_grid, fts_api_problem, is_fts_api
from maaor.read.types import RawSheet, ReadResult
from maaor.sources import Source

MAX_RECORD_PROBLEMS = 20
MAX_CELL_CHARS = 32_767  # the most an Excel cell holds


def read_json_bytes(source: Source) -> ReadResult:
    """Read a JSON file of records into one RawSheet (see the module docstring).

    Nested values (objects, arrays) inside a record are kept as JSON text with one
    warning. Invalid JSON, or JSON that is not an array of objects/arrays, gives an
    error problem and no sheet.

    Args:
        source: the file (its ``kind`` is copied to the sheet).

    Returns:
        The sheet and problems; never raises on bad input.
    """
    where = {"file": source.name}
    try:
        document = json.loads(source.data)
    except (ValueError, RecursionError) as exc:
        at = {"line": exc.lineno, "column": exc.colno} if hasattr(exc, "lineno") else {}
        return ReadResult(
            [],
            [
                problem("error", "json.invalid", at, key="json.invalid.at" if at else None,
                        row=getattr(exc, "lineno", None), **where)
            ],
        )
    problems: list[Problem] = []
    if is_fts_api(document):
        # An FTS API v1 answer: its flows are a table; its totals by cluster lack the plan.
        grid = fts_api_grid(document)
        if grid is None:
            clusters = fts_api_clusters(document)
            if clusters is not None:
                return ReadResult([], [fts_api_problem(source.name, clusters)])
            return ReadResult([], [_not_records(source.name)])
        width = len(grid[0])
        cells = pd.DataFrame([r + [None] * (width - len(r)) for r in grid], dtype=object)
        if cells.size:
            cells = cells.where(cells.ne(""), None)
        return ReadResult([RawSheet(source.name, None, cells, first_row=1, kind=source.kind)], [])
    if isinstance(document, dict) and len(document) == 1:
        (only,) = document.values()
        if isinstance(only, list):
            document = only
    if (
        not isinstance(document, list)
        or not document
        or not all(isinstance(item, (dict, list)) for item in document)
    ):
        return ReadResult([], [_not_records(source.name)])
    if all(isinstance(item, list) for item in document):
        grid = [[_cell(v) for v in item] for item in document]
        width = max((len(r) for r in grid), default=0)
        grid = [r + [None] * (width - len(r)) for r in grid]
        nested = sum(1 for item in document for v in item if isinstance(v, (dict, list)))
    else:
        keys: dict[str, None] = {}
        for item in document:
            if isinstance(item, dict):
                keys.update(dict.fromkeys(item))
        columns = list(keys)
        grid = [list(columns)]
        nested = 0
        wrong: list[int] = []
        for index, item in enumerate(document):
            if isinstance(item, dict):
                grid.append([_cell(item.get(k)) for k in columns])
                nested += sum(1 for v in item.values() if isinstance(v, (dict, list)))
            else:
                grid.append([None] * len(columns))
                wrong.append(index + 2)
        for row in wrong[:MAX_RECORD_PROBLEMS]:
            problems.append(
                problem("error", "json.record_not_object", {"record": row - 1}, row=row, **where)
            )
    if nested:
        problems.append(
            problem("warning", "json.nested_value", {"n": {"number": nested}}, **where)
        )
    problems.extend(_long_cells(grid, source.name, len(source.data)))
    cells = pd.DataFrame(grid, dtype=object)
    if cells.size:
        cells = cells.where(cells.ne(""), None)
    return ReadResult([RawSheet(source.name, None, cells, first_row=1, kind=source.kind)], problems)


def _long_cells(grid: list[list[object]], file: str, size: int) -> list[Problem]:
    """Errors for text values longer than a spreadsheet cell holds (the first few)."""
    if size <= MAX_CELL_CHARS:
        return []  # a file this small cannot hold such a value
    problems: list[Problem] = []
    for index, row in enumerate(grid):
        for value in row:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                problems.append(
                    problem("error", "json.long_value",
                            {"row": index + 1, "chars": {"number": len(value)},
                             "limit": {"number": MAX_CELL_CHARS}},
                            file=file, row=index + 1, value=value[:40])
                )
                if len(problems) >= MAX_RECORD_PROBLEMS:
                    return problems
                break
    return problems


def _cell(value: object) -> object:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _not_records(file: str) -> Problem:
    return problem("error", "json.not_records", file=file)
