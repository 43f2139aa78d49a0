"""Whole tables of a published version for other tools: CSV, HXL CSV, JSON, XLSX.

One function per question: which tables (:data:`EXPORT_TABLES`), what a table holds
(:func:`full_table`), what the public may see (:func:`maaor.views.public_dataset`) and the bytes of one
format (:func:`table_bytes`). ``maaor export`` and the pages' "data for other tools"
downloads both call these, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from maaor.dataset import Dataset
from maaor.export.hxl import hxl_csv_bytes
from maaor.export.tables import csv_bytes, xlsx_bytes

EXPORT_TABLES = ("workplan", "presence", "funding", "indicators", "mechanisms", "flags")
FORMATS = ("csv", "hxl", "json", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv",
    "hxl": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "hxl": "hxl.csv", "json": "json", "xlsx": "xlsx"}


def full_table(dataset: Dataset, table: str, today: dt.date) -> pd.DataFrame:
    """Return the whole table ``table`` of ``dataset`` (``flags``: every activity and
    country flag as of ``today``, ``maaor.figures.gaps.all_flags``).

    Raises:
        KeyError: ``table`` is not one of :data:`EXPORT_TABLES`.
    """
    if table not in EXPORT_TABLES:
        raise KeyError(f"unknown table {table!r}; one of {', '.join(EXPORT_TABLES)}")
    if table == "flags":
        from maaor.figures.gaps import all_flags

        return all_flags(dataset, today).reset_index(drop=True)
    return dataset.tables[table]


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return ``frame`` as a list of objects: missing values null, dates ISO 8601
    (``YYYY-MM-DD``; with a time ``YYYY-MM-DDTHH:MM:SS``), numbers as numbers."""
    columns = [str(c) for c in frame.columns]
    return [
        {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def json_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as a UTF-8 JSON array of objects (see :func:`json_records`)."""
    return json.dumps(json_records(frame), ensure_ascii=False, indent=1).encode("utf-8")


def table_bytes(frame: pd.DataFrame, table: str, fmt: str, *,
                neutralise_hxl: bool = False, about: Mapping[str, str] | None = None) -> bytes:
    """Return the bytes of ``frame`` (full table ``table``) in format ``fmt``.

    Args:
        frame: the table.
        table: its name (HXL tags, sheet name).
        fmt: "csv" (spreadsheet CSV, neutralised), "hxl" (HXL CSV, no BOM),
            "json" (array of objects) or "xlsx" (neutralised).
        neutralise_hxl: neutralise formulas in HXL output too (see maaor.export.hxl).
        about: lines of the XLSX "about" sheet.
    """
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "hxl":
        return hxl_csv_bytes(frame, table, neutralise_formulas=neutralise_hxl)
    if fmt == "json":
        return json_bytes(frame)
    if fmt == "xlsx":
        return xlsx_bytes(frame, sheet_name=table, about=about)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
