"""Pick the reader for a file by its extension; never let an exception out."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from maaor.problems import Problem
from maaor.read.csv import read_csv_bytes
from maaor.read.excel import read_workbook
from maaor.read.jsonfile import read_json_bytes
from maaor.read.precheck import PartFacts
from maaor.read.types import ReadResult
from maaor.sources import Source

READERS = {
    ".xlsx": read_workbook,
    ".xlsm": read_workbook,
    ".xls": read_workbook,
    ".ods": read_workbook,
    ".csv": read_csv_bytes,
    ".txt": read_csv_bytes,
    ".tsv": read_csv_bytes,
    ".json": read_json_bytes,
}

#: The file types maaor reads, in words for the user.
READ_TYPES = (
    "Excel workbooks (.xlsx, .xlsm, .xls), OpenDocument spreadsheets (.ods), CSV or text "
    "files (.csv, .tsv, .txt) and JSON files (.json)"
)

_log = logging.getLogger(__name__)


def read_source(source: Source, facts: Mapping[str, PartFacts] | None = None) -> ReadResult:
    """Read one file into RawSheets with the reader for its extension.

    .xlsx/.xlsm/.xls/.ods -> :func:`maaor.read.excel.read_workbook`; .csv/.txt/.tsv ->
    :func:`maaor.read.csv.read_csv_bytes`; .json -> :func:`maaor.read.jsonfile.read_json_bytes`.
    Any other extension gives a ``file.unsupported_type`` error. Any exception raised while
    reading becomes a ``file.unreadable`` error with a plain message.

    Args:
        source: the file; its ``kind`` is set on every sheet read.
        facts: ``PrecheckReport.parts`` of these bytes, passed to the Excel reader so it
            can skip re-scanning sheets the precheck saw to be free of formulas and error
            cells (None: scan every sheet).

    Returns:
        The sheets and problems.
    """
    reader = READERS.get(source.suffix)
    if reader is None:
        shown = source.suffix or "(no extension)"
        return ReadResult(
            [],
            [
                Problem(
                    "error",
                    "file.unsupported_type",
                    f"maaor cannot read {shown} files.",
                    "maaor reads " + READ_TYPES + ". Save the data as one of these "
                    "(an Excel workbook .xlsx is best) and upload that.",
                    file=source.name,
                    value=shown,
                )
            ],
        )
    try:
        result = reader(source, facts) if reader is read_workbook else reader(source)
    except Exception as exc:  # noqa: BLE001 - the user gets a plain message, never a traceback
        _log.warning("reading %s failed: %r", source.name, exc)
        return ReadResult(
            [],
            [
                Problem(
                    "error",
                    "file.unreadable",
                    f"maaor could not read this file ({type(exc).__name__}).",
                    "Open it in Excel or a text editor, save it again as .xlsx or CSV UTF-8, "
                    "and upload that copy.",
                    file=source.name,
                )
            ],
        )
    for sheet in result.sheets:
        if source.kind is not None:
            sheet.kind = source.kind
    return result
