"""CSV and XLSX downloads of tables, neutralised against formula injection.

A spreadsheet opening a downloaded file treats a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (OWASP "CSV injection"). Every
spreadsheet cell this application writes (CSV, XLSX, PPTX chart data, the annotated and
version workbooks, the data pack) goes through ONE function, :func:`neutralise_text`:
it first removes the characters a spreadsheet would drop or decode (control characters,
``_xHHHH_`` escapes of them), and only then gives text that starts like a formula a
leading ``'``. Numbers stay numbers (a negative amount is not text).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from maaor import columns as column_specs

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms that some spreadsheets (and input methods) take for the ASCII ones.
WIDE_FORMULA_PREFIXES: tuple[str, ...] = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALISER = "'"

# Control characters: C0 except tab, line feed and carriage return (XML 1.0 forbids them
# and openpyxl refuses them), DEL, and C1. Removed BEFORE the formula test: stripping a
# leading "\x01" after the test would leave "=..." unprotected.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# OOXML escapes a character as _xHHHH_; Excel decodes it when it reads a cell. Escapes of
# control characters are removed like the characters themselves.
_CONTROL_ESCAPE_RE = re.compile(r"_x(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F])_")
_ANY_ESCAPE_RE = re.compile(r"_x[0-9a-fA-F]{4}_")
# What a spreadsheet may skip before it looks for "=": spaces, no-break and zero-width
# spaces, the byte-order mark.
_LEADING_BLANKS = (" \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                   "\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff")


def neutralise_text(value: object) -> object:
    """Return ``value`` made safe to write into any spreadsheet cell (one function for all).

    Text is cleaned first, then neutralised:

    1. control characters (C0 but tab/LF/CR, DEL, C1) and ``_xHHHH_`` escapes of them
       are removed;
    2. text that, after leading blanks (space, no-break or zero-width space, BOM),
       starts like a formula (``= + - @``, their full-width forms ``＝ ＋ － ＠``, a tab
       or a carriage return) or with an ``_xHHHH_`` escape (Excel decodes it, e.g.
       ``_x003D_`` to ``=``) gets a leading ``'``.

    Non-text values (numbers, dates, None) are returned unchanged. The signature is
    deliberately one value in, one value out: an output-specific mode (e.g. HXL) can be
    added as a keyword argument without changing callers.

    Args:
        value: a cell value or a column header.

    Returns:
        The value to write.
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL_RE.sub("", _CONTROL_ESCAPE_RE.sub("", value))
    head = text.lstrip(_LEADING_BLANKS)
    if head.startswith(FORMULA_PREFIXES + WIDE_FORMULA_PREFIXES) or _ANY_ESCAPE_RE.match(head):
        return NEUTRALISER + text
    return text


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells and headers cannot start a formula.

    ``str`` columns are handled vectorised; object columns (mixed values) cell by cell,
    leaving their non-text cells as they are.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            # Cell by cell through the one function (missing values stay missing).
            out[col] = series.map(neutralise_text, na_action="ignore")
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
        # Every text cell passes the one function, even one a caller forgot to neutralise
        # (it is idempotent: a neutralised text starts with "'").
        return neutralise_text(value)
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
    # Imported here: every page imports this module for its download buttons, and
    # openpyxl took a tenth of the first page's time; it is needed once a file is asked for.
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

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
