"""CSV and XLSX downloads of tables, neutralised against formula injection.

A spreadsheet opening a downloaded file treats a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (OWASP "CSV injection"). Every text
cell and every column header that starts with one of those characters gets a leading
``'`` before it is written; numbers stay numbers (a negative amount is not text).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from maaor import columns as column_specs

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def neutralise_text(value: object) -> object:
    """Return ``value`` with a leading ``'`` when it is text starting like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return NEUTRALISER + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells and headers cannot start a formula.

    ``str`` columns are handled vectorised; object columns (mixed values) cell by cell,
    leaving their non-text cells as they are.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object:
            out[col] = series.map(neutralise_text)
        elif pd.api.types.is_string_dtype(series.dtype):
            risky = series.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                out[col] = series.where(~risky, NEUTRALISER + series)
    out.columns = [neutralise_text(str(c)) for c in out.columns]
    return out


def hxl_tags(kind: str, columns: Sequence[str], extra: Mapping[str, str] | None = None) -> list[str]:
    """Return the HXL tag of each column: ``extra`` first, then ``maaor/data/columns.csv``.

    Args:
        kind: the canonical table whose column tags apply (``"presence"``, ...).
        columns: column names of the table to export.
        extra: tags for derived columns (e.g. ``{"organisations": "#org+num"}``).

    Returns:
        One tag per column; ``""`` where no tag is known (HXL allows untagged columns).
    """
    known = {spec.field: spec.hxl[0] for spec in column_specs.FIELDS.get(kind, []) if spec.hxl}
    extra = dict(extra or {})
    return [extra.get(c) or known.get(c, "") for c in columns]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text (day precision when there is no time), everything else as is."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            has_time = bool((series.dropna() != series.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d"
            out[col] = series.dt.strftime(fmt)
    return out


def csv_bytes(
    frame: pd.DataFrame,
    kind: str | None = None,
    hxl: bool = False,
    extra_tags: Mapping[str, str] | None = None,
) -> bytes:
    """Return ``frame`` as UTF-8 CSV (with a BOM so spreadsheets read accents), neutralised.

    Args:
        frame: the table to export (headers are its column names).
        kind: canonical table name used to find HXL tags.
        hxl: add an HXL tag row under the header row.
        extra_tags: HXL tags for derived columns.
    """
    safe = neutralise(_plain(frame))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(safe.columns))
    if hxl:
        writer.writerow(hxl_tags(kind or "", [str(c) for c in frame.columns], extra_tags))
    safe.to_csv(buffer, header=False, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if hasattr(value, "item"):  # numpy scalars -> Python scalars openpyxl knows
        return value.item()
    return value


def xlsx_bytes(
    frame: pd.DataFrame,
    sheet_name: str = "data",
    about: Mapping[str, str] | None = None,
) -> bytes:
    """Return ``frame`` as an XLSX workbook, neutralised, with an optional "about" sheet.

    Args:
        frame: the table to export.
        sheet_name: name of the data sheet (truncated to Excel's 31 characters).
        about: label -> text lines written on a second sheet ``about`` (source, data
            version, filters), neutralised like the data.
    """
    safe = neutralise(frame)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(sheet_name)[:31] or "data")
    sheet.append([_cell(c) for c in safe.columns])
    for row in safe.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])
    for index, col in enumerate(safe.columns, start=1):
        width = min(60, max(10, len(str(col)) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    if about:
        notes = book.create_sheet(title="about")
        for label, text in about.items():
            notes.append([_cell(neutralise_text(str(label))), _cell(neutralise_text(str(text)))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
