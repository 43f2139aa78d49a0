"""Pick the reader for a file by its extension; never let an exception out."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from maaor.problems import problem
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
        shown = source.suffix or None
        return ReadResult(
            [],
            [
                problem("error", "file.unsupported_type", {"suffix": shown},
                        key=None if source.suffix else "file.unsupported_type.none",
                        file=source.name, value=shown)
            ],
        )
    try:
        result = reader(source, facts) if reader is read_workbook else reader(source)
    except Exception as exc:  # noqa: BLE001 - the user gets a plain message, never a traceback
        _log.warning("reading %s failed: %r", source.name, exc)
        return ReadResult(
            [],
            [
                problem("error", "file.unreadable", {"reason": type(exc).__name__},
                        key="file.unreadable.reader", file=source.name)
            ],
        )
    for sheet in result.sheets:
        if source.kind is not None:
            sheet.kind = source.kind
    return result
