"""Bounded structural checks on a file's raw bytes, before any parser sees them.

A 4.7 KB workbook with values in A1 and XFD1048576 makes calamine allocate the whole
rectangle between them (~550 GB) and abort the Python process; a 2.7 MB workbook whose
sheet XML inflates to 483 MB keeps it busy for a minute and 3 GB. Neither can be caught
once the parser runs, so this module looks at the bytes first: magic numbers, the zip
directory, and the worksheet XML streamed in bounded chunks and scanned with regular
expressions (never a full XML parser). Every check is bounded by ``Limits``; for an
ordinary work plan the whole precheck takes milliseconds.

``precheck`` never raises: whatever the bytes, it returns a list of error Problems
(empty when the file may go on to a reader). ``precheck_report`` returns the same
problems together with what the scan learnt about each XML part of a workbook
(``PartFacts``), which the Excel reader uses to skip a second scan of sheets holding
no formula and no error cell.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import logging
import queue
import re
import struct
import threading
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from itertools import repeat
from pathlib import PurePosixPath
from typing import NamedTuple, TypeVar

import numpy as np

from maaor.problems import Problem, problem
from maaor.read.precheck_office import check_ods, check_xls
from maaor.sources import Source

log = logging.getLogger(__name__)

MB = 1024 * 1024

EXCEL_ZIP_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
JSON_SUFFIXES = (".json",)

# Excel's own grid: 1,048,576 rows by 16,384 columns (XFD).
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class Limits:
    """Upper bounds the precheck enforces. The defaults suit coordination data (work
    plans, 4W tables, funding lists of at most tens of thousands of rows) with a wide
    margin, while keeping what calamine may allocate well under the child process's
    memory limit (calamine stores 32 bytes per cell of the full used rectangle).

    Attributes:
        max_file_bytes: size of the uploaded file (25 MB).
        max_zip_entries: number of members in an .xlsx (2,000; Excel writes a dozen or
            so plus one per sheet, image and comment part).
        max_member_bytes: uncompressed size of any one .xlsx member other than a sheet,
            declared or actually streamed (100 MB).
        max_sheet_bytes: uncompressed size of one sheet's XML (400 MB). It scales with
            the rows and columns allowed: ``max_cells`` cells at about 64 bytes of XML
            each (Excel writes 35-50 per cell: reference, style, type, value), so the
            row limit, not the XML size, stops a sheet of template width (a 23-column
            4W of 200,000 rows is about 155 MB of XML; at the former 100 MB it stopped
            near 129,000 rows).
        max_total_bytes: sum of the declared uncompressed sizes of all members, and of
            the bytes the scan decompresses (500 MB: the largest sheet and the rest).
        max_ratio: uncompressed/compressed size of one member (200; sheet XML compresses
            10-30 times, zip bombs 1,000 times).
        ratio_min_bytes: members smaller than this are not held to ``max_ratio`` (1 MB;
            small parts inflate harmlessly).
        max_rows: highest row number any sheet may use (200,000).
        max_columns: highest column number any sheet may use (500, column SF).
        max_cells: rows x columns of the rectangle from A1 to the furthest used row and
            column (6,000,000, which calamine holds in about 190 MB; the same bound as
            ``maaor.read.excel.MAX_CELLS``).
        max_cell_chars: characters one cell may hold (32,767, Excel's own limit), in
            a sheet, the shared-strings table, a CSV or a JSON file.
        max_shared_strings: entries of a workbook's shared-strings table (2,000,000).
        max_text_bytes: text the string cells of a workbook expand to once each cell
            holds its own copy of the shared string it names (400 MB).
        max_csv_rows: lines of a CSV file, records of a JSON file (200,000, the row
            limit of a sheet).
        max_csv_columns: fields of one CSV line, distinct field names of a JSON file
            (500, the column limit of a sheet).
        max_tags: cell and row tags the exact count of data-holding cells walks before
            it gives up and judges by the fast scan (12,000,000, a few seconds).
        chunk_bytes: size of the decompressed chunks the scan reads (1 MB).

    Only cells that hold data count for the row, column and cell limits: a stale
    ``<dimension>`` or a formatted empty cell far down a sheet never refuses a file.
    """

    max_file_bytes: int = 25 * MB
    max_zip_entries: int = 2000
    max_member_bytes: int = 100 * MB
    max_sheet_bytes: int = 400 * MB
    max_total_bytes: int = 500 * MB
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1 * MB
    max_rows: int = 200_000
    max_columns: int = 500
    max_cells: int = 6_000_000
    max_cell_chars: int = 32_767
    max_shared_strings: int = 2_000_000
    max_text_bytes: int = 400 * MB
    max_csv_rows: int = 200_000
    max_csv_columns: int = 500
    max_tags: int = 12_000_000
    chunk_bytes: int = 1 * MB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class PartFacts:
    """What the precheck's scan of one workbook XML part found.

    Attributes:
        inflated_bytes: bytes the part inflated to.
        formula_marks: the part contains ``<f`` or ``:f`` (a formula element, perhaps).
        error_marks: the part contains ``"e"`` or ``'e'`` (an error-typed cell, perhaps).
        merge_marks: the part contains ``mergeCell`` (merged ranges, perhaps); when it
            does not, the Excel reader spares calamine its pass looking for them.
            True (the cautious answer) unless the scan saw the whole part.
    """

    inflated_bytes: int
    formula_marks: bool
    error_marks: bool
    merge_marks: bool = True


@dataclass(frozen=True)
class PrecheckReport:
    """Outcome of ``precheck_report``.

    Attributes:
        problems: error Problems naming the file (empty when a reader may open it).
        parts: zip member name (as stored) -> facts, for every ASCII-compatible XML part
            of an .xlsx/.xlsm scanned to its end; empty for other files or on refusal.
    """

    problems: list[Problem]
    parts: dict[str, PartFacts] = field(default_factory=dict)

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


# Patterns are bounded ({0,300}, {1,9}) so that a match is never longer than the
# overlap kept between chunks; a match cut by a chunk boundary is found whole in the
# next buffer.
_OVERLAP = 1024
# Bytes of a part read before deciding its encoding (BOM and XML declaration).
_HEAD_BYTES = 256
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PREFIX = rb"<(?:[A-Za-z_][\w.-]{0,30}:)?"
_CELL_COL_RE = re.compile(_PREFIX + rb'c\s[^>]{0,300}?(?<=\s)r="([A-Za-z]{1,9})\d')
_CELL_ROW_RE = re.compile(_PREFIX + rb'c\s[^>]{0,300}?(?<=\s)r="[A-Za-z]{1,9}(\d{1,12})"')
_ROW_RE = re.compile(_PREFIX + rb'row\s[^>]{0,300}?(?<=\s)r="(\d{1,12})"')
# Row start tags are counted as "<row" (which also counts the one <rowBreaks> a sheet
# may have, harmlessly) plus prefixed ones ("<x:row>").
_PREFIXED_ROW_RE = re.compile(rb"<[A-Za-z_][\w.-]{0,30}:row[\s/>]")
_REF_PART_RE = re.compile(r"([A-Za-z]{0,9})(\d{0,12})")
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([^"']{1,40})["']""")
# Encodings in which the ASCII markup we look for is plain bytes; anything else could
# hide a DOCTYPE from a byte scan, so it is refused (Excel writes UTF-8).
_ASCII_COMPATIBLE = re.compile(
    r"^(utf-?8|us-?ascii|ascii|iso-?8859-?\d{1,2}|latin-?1|(windows|cp)-?125\d)$", re.I
)

# workbook.xml and its relationships list sheets, not cells: a few KB even with
# hundreds of sheets.
_WORKBOOK_READ_BYTES = 4 * MB
_SHEET_RE = re.compile(rb"<(?:[\w.-]{1,30}:)?sheet\s[^>]{0,2000}>")
_ATTR_RE = re.compile(rb'([\w.:-]{1,40})\s*=\s*"([^"]{0,1000})"')
_RELATIONSHIP_RE = re.compile(rb"<(?:[\w.-]{1,30}:)?Relationship\s[^>]{0,2000}>")


def precheck(source: Source, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Check a file's bytes before any reader parses them.

    Looks only at structure (size, magic numbers, zip directory, streamed sheet XML),
    within the bounds of ``limits``; it never raises whatever the bytes.

    Args:
        source: the uploaded file.
        limits: bounds to enforce.

    Returns:
        Error Problems naming the file; an empty list when a reader may open it.
    """
    return precheck_report(source, limits).problems


def precheck_report(source: Source, limits: Limits = DEFAULT_LIMITS) -> PrecheckReport:
    """Check a file's bytes like ``precheck`` and keep what the scan saw of each part.

    Args:
        source: the uploaded file.
        limits: bounds to enforce.

    Returns:
        The problems (as ``precheck`` returns them) and, for a workbook that passed,
        ``PartFacts`` per XML part; never raises.
    """
    parts: dict[str, PartFacts] = {}
    try:
        problems = _precheck(source, limits, parts)
    except Exception:  # noqa: BLE001 - a precheck that raises would defeat its purpose
        log.exception("precheck failed on %r", source.name)
        return PrecheckReport(
            [
                _error(source, "file.unreadable", key="file.unreadable.precheck")
            ]
        )
    return PrecheckReport(problems, {} if problems else parts)


def _precheck(source: Source, limits: Limits, parts: dict[str, PartFacts]) -> list[Problem]:
    data = source.data
    if not data:
        return [
            _error(source, "file.empty")
        ]
    if len(data) > limits.max_file_bytes:
        return [
            _error(source, "file.too_large",
                   {"size": {"bytes": len(data)}, "limit": {"bytes": limits.max_file_bytes}},
                   value=str(len(data)))
        ]
    suffix = source.suffix
    if suffix in EXCEL_ZIP_SUFFIXES:
        return _check_xlsx(source, limits, parts)
    if suffix == ".xls":
        return _check_xls(source) or check_xls(source, limits)
    if suffix == ".ods":
        return check_ods(source, limits)
    if suffix in TEXT_SUFFIXES:
        return _check_text(source) or _csv_shape_problems(source, limits)
    if suffix in JSON_SUFFIXES:
        return _json_shape_problems(source, limits)
    return []


# --- what a file really is ----------------------------------------------------------


def _describe(data: bytes) -> str | None:
    """The catalogue entry naming the kind of file ``data`` is from its magic number
    (``problem.what.*``; None if not known)."""
    if data.startswith(_PDF_MAGIC):
        return "problem.what.pdf"
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            return "problem.what.encrypted_excel"
        return "problem.what.ole"
    if data.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        return _describe_zip(data)
    for magic, what in (
        (b"\x89PNG", "problem.what.png"),
        (b"\xff\xd8\xff", "problem.what.jpeg"),
        (b"GIF8", "problem.what.gif"),
        (b"{\\rtf", "problem.what.rtf"),
    ):
        if data.startswith(magic):
            return what
    return None


def _describe_zip(data: bytes) -> str:
    count = _declared_entry_count(data)
    if count is not None and count > DEFAULT_LIMITS.max_zip_entries:
        # Not worth listing: whatever it is, it is no workbook a person typed.
        return "problem.what.zip"
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            names = {n.lower() for n in zf.namelist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "problem.what.damaged_zip"
    if "xl/workbook.xml" in names:
        return "problem.what.xlsx"
    if "xl/workbook.bin" in names:
        return "problem.what.xlsb"
    if "word/document.xml" in names:
        return "problem.what.docx"
    if "ppt/presentation.xml" in names:
        return "problem.what.pptx"
    if "content.xml" in names and "mimetype" in names:
        return "problem.what.odf"
    return "problem.what.zip"


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(sample) - 3
    return True


# --- .xls ----------------------------------------------------------------------------


def _check_xls(source: Source) -> list[Problem]:
    data = source.data
    if data.startswith(_OLE_MAGIC) and _ENCRYPTED_PACKAGE in data:
        return [_encrypted(source)]
    return []


def _encrypted(source: Source) -> Problem:
    return _error(source, "file.encrypted")


# --- .xlsx / .xlsm -------------------------------------------------------------------


def _check_xlsx(source: Source, limits: Limits, parts: dict[str, PartFacts]) -> list[Problem]:
    data = source.data
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            return [_encrypted(source)]
        return [
            _error(source, "file.legacy_xls", {"suffix": source.suffix})
        ]
    if not data.startswith(_ZIP_MAGIC):
        what = _describe(data)
        if what is None and _looks_like_text(data[:4096]):
            return [_error(source, "file.not_xlsx", {"suffix": source.suffix},
                           key="file.not_xlsx.text")]
        if what is None:
            return [_error(source, "file.not_xlsx", {"suffix": source.suffix},
                           key="file.not_xlsx.unknown")]
        return [_error(source, "file.not_xlsx", {"suffix": source.suffix, "what": {"text": what}})]

    declared = _declared_entry_count(data)
    if declared is not None and declared > limits.max_zip_entries:
        return [_too_many_entries(source, declared, limits)]
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return [_corrupt(source)]
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_zip_entries:
            return [_too_many_entries(source, len(infos), limits)]
        problems = _check_directory(source, infos, limits)
        if problems:
            return problems
        return _scan_members(source, zf, infos, limits, parts)


def _declared_entry_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile builds
    one object per entry (None when absent or zip64)."""
    tail = data[-(65_535 + 22) :]
    at = tail.rfind(_EMPTY_ZIP_MAGIC)
    if at < 0 or at + 22 > len(tail):
        return None
    (total,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return None if total == 0xFFFF else total


def _check_directory(
    source: Source, infos: list[zipfile.ZipInfo], limits: Limits
) -> list[Problem]:
    names = {i.filename.lower() for i in infos}
    if "xl/workbook.xml" not in names:
        what = _describe_zip(source.data)
        return [
            _error(source, "file.not_xlsx", {"suffix": source.suffix, "what": {"text": what}})
        ]
    if any(i.flag_bits & 0x1 for i in infos):
        return [_encrypted(source)]
    total = 0
    for info in infos:
        total += info.file_size
        # Sheets sit in xl/worksheets/ (a sheet elsewhere is held to max_sheet_bytes by
        # the scan, which knows the workbook's sheets).
        limit = (_sheet_byte_limit(limits) if _in_worksheets(info.filename)
                 else limits.max_member_bytes)
        if info.file_size > limit:
            return [
                _error(
                    source,
                    "xlsx.member_too_large",
                    {"part": info.filename, "size": {"bytes": info.file_size},
                     "limit": {"bytes": limit}, "why": _sheet_limit_why(limits)},
                    key="xlsx.member_too_large.sheet" if _in_worksheets(info.filename) else None,
                    value=info.filename,
                )
            ]
        if info.file_size > limits.ratio_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                return [
                    _error(
                        source,
                        "xlsx.ratio",
                        {"part": info.filename, "ratio": {"number": ratio},
                         "limit": {"number": limits.max_ratio}},
                        value=info.filename,
                    )
                ]
    if total > limits.max_total_bytes:
        return [
            _error(source, "xlsx.zip_too_large",
                   {"size": {"bytes": total}, "limit": {"bytes": limits.max_total_bytes}},
                   value=str(total))
        ]
    return []


def _in_worksheets(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("xl/worksheets/") and lower.count("/") == 2


def _sheet_byte_limit(limits: Limits) -> int:
    """Bytes one sheet's XML may unpack to (never less than any other part's limit)."""
    return max(limits.max_sheet_bytes, limits.max_member_bytes)


def _sheet_limit_why(limits: Limits) -> dict:
    """Why a sheet may hold that much XML (the limits it stands for), as a parameter."""
    return {"text": "problem.xlsx.sheet_room",
            "params": {"cells": {"number": limits.max_cells},
                       "rows": {"number": limits.max_rows},
                       "columns": {"number": limits.max_cells // limits.max_rows}}}


def _too_many_entries(source: Source, count: int, limits: Limits) -> Problem:
    return _error(source, "xlsx.too_many_entries",
                  {"n": {"number": count}, "limit": {"number": limits.max_zip_entries}},
                  value=str(count))


def _corrupt(source: Source) -> Problem:
    return _error(source, "xlsx.corrupt")


@dataclass
class _SheetScan:
    """What streaming one XML member found."""

    byte_limit: int = 0
    bytes_read: int = 0
    too_large: bool = False
    dtd: bool = False
    bad_encoding: str | None = None
    letters: set[bytes] = field(default_factory=set)  # two-letter and wider columns
    far_letters: bytes = b""  # column of the cell with the highest row number found
    max_cell_row: int = 0
    max_row_attr: int = 0
    row_tags: int = 0
    transcoded: bool = False  # UTF-16/32 part: the buffers are not the stored bytes
    cell_tags: int = 0  # "<c " / "<c>" / "<c/" start tags (unprefixed)
    cell_tags_with_r: int = 0  # those written '<c r="..."' (Excel's own way)
    prefixed_cells: bool = False  # "<x:c ...>": counted exactly, not by the fast scan
    row_cells: int = 0  # most cell tags between two row tags of one buffer
    string_cells: int = 0  # cells typed t="s" (they name a shared string)
    text: _TextRuns | None = None  # long text runs (sheets and the shared strings)
    si_lengths: array | None = None  # bytes of each shared string (sharedStrings.xml)
    formula_marks: bool = False
    error_marks: bool = False
    merge_marks: bool = False
    crc: int = 0  # CRC-32 of the inflated bytes, checked as zipfile would
    header_name_ok: bool = False  # local header names the member as the directory does


_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))
_CELL_REF_TAIL_RE = re.compile(rb"""\sr=["']([A-Za-z]{1,9}\d{1,12})["']""")


def _chars(data: bytes) -> int:
    """Characters in UTF-8 ``data`` (continuation bytes not counted)."""
    return len(data.translate(None, _CONTINUATION_BYTES))


@dataclass
class _TextRuns:
    """Finds the first text longer than a cell may hold, across chunk boundaries.

    Text is what lies between one tag's ``>`` and the next ``<``; a run longer than
    ``limit`` characters is a cell text (or shared string) too long for any cell.
    """

    limit: int
    run_chars: int = 0  # characters of the run still open at the end of the last chunk
    run_head: bytes = b""  # its first bytes (shown in the message)
    run_before: bytes = b""  # bytes before it (to find the cell reference)
    found_chars: int = 0
    found_head: bytes = b""
    found_ref: str | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found_chars:
            return
        first = chunk.find(b"<")
        if first < 0:  # the open run goes on through the whole chunk
            if not self.run_head:
                self.run_head = chunk[:60]
            self.run_chars += _chars(chunk)
            return
        self._check(self.run_chars + _chars(chunk[:first]), self.run_head or chunk[:60],
                    self.run_before)
        if self.found_chars:
            return
        last = chunk.rfind(b"<")
        # A run of more than ``limit`` bytes covers a whole window of limit/2 bytes: only
        # when some window holds no "<" are the runs measured one by one (in C, a few
        # dozen byte searches per megabyte otherwise).
        step = max(self.limit // 2, 1)
        if any(chunk.find(b"<", at, at + step) < 0 for at in range(first, last - step, step)):
            at = first + 1
            for piece in chunk[first + 1:last].split(b"<"):
                if len(piece) > self.limit:
                    text = piece.split(b">", 1)[-1]
                    self._check(_chars(text), text[:60], chunk[max(0, at - 2000):at])
                    if self.found_chars:
                        return
                at += len(piece) + 1
        tail = chunk[last + 1:]
        text = tail.split(b">", 1)[1] if b">" in tail else b""
        self.run_chars = _chars(text)
        self.run_head = text[:60]
        self.run_before = chunk[max(0, len(chunk) - len(text) - 2000):len(chunk) - len(text)]

    def finish(self) -> None:
        """Judge the run still open at the end of the part."""
        self._check(self.run_chars, self.run_head, self.run_before)

    def _check(self, chars: int, head: bytes, before: bytes) -> None:
        if chars > self.limit and not self.found_chars:
            refs = _CELL_REF_TAIL_RE.findall(before)
            self.found_chars = chars
            self.found_head = head
            self.found_ref = refs[-1].decode("ascii").upper() if refs else None


class _Damaged(Exception):
    """A zip member whose stored bytes cannot be inflated as its directory entry says."""


def _scan_members(
    source: Source,
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    limits: Limits,
    parts: dict[str, PartFacts],
) -> list[Problem]:
    sheet_names = _sheet_names(zf, infos, limits)
    budget = limits.max_total_bytes
    sheets: list[tuple[zipfile.ZipInfo, str, _SheetScan]] = []
    shared: _SheetScan | None = None
    for info in infos:
        lower = info.filename.lower()
        if not lower.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = lower in sheet_names or (
            lower.startswith("xl/worksheets/") and lower.count("/") == 2
        )
        is_shared = lower == "xl/sharedstrings.xml"
        sheet = sheet_names.get(lower, PurePosixPath(info.filename).stem)
        part_limit = _sheet_byte_limit(limits) if is_sheet else limits.max_member_bytes
        try:
            scan = _scan_member(source.data, info, min(part_limit, budget), limits,
                                cells=is_sheet, shared_strings=is_shared)
        except (_Damaged, zlib.error, struct.error, ValueError, UnicodeError) as exc:
            log.info("precheck: cannot inflate %r of %r: %s", info.filename, source.name, exc)
            return [_corrupt(source)]
        budget -= scan.bytes_read
        if is_sheet:
            problems = _member_problems(source, info, scan, sheet, limits)
            if not problems and _needs_exact_extent(scan, limits):
                problems = _exact_extent_problems(source, info, scan, sheet, limits)
            sheets.append((info, sheet, scan))
        else:
            problems = _member_problems(source, info, scan, None, limits)
            if not problems and is_shared:
                problems = _shared_string_problems(source, scan, limits)
                shared = scan
        if problems:
            return problems
        if not scan.transcoded and scan.header_name_ok and scan.crc == info.CRC:
            parts[info.filename] = PartFacts(
                scan.bytes_read, scan.formula_marks, scan.error_marks, scan.merge_marks
            )
    if shared is not None and shared.si_lengths is not None:
        return _expanded_text_problems(source, sheets, shared.si_lengths, limits)
    return []


# Fast scan patterns, anchored on the literal ``r=`` of a cell or row reference rather
# than on every ``<`` (which cost seconds on a 100,000-row sheet): only references that
# could breach a limit are extracted, so a normal sheet yields almost no matches.
_WIDE_COL_RE = re.compile(rb"""r=["']([A-Za-z]{2,9})\d""")
# Row tags: the unprefixed pattern starts with the literal "<row", which the regex engine
# finds by fast search; the prefixed one ("<x:row") runs only on buffers holding ":row".
_ROW_ATTR_RE = re.compile(rb"""<row[^>]{0,300}?\sr=["'](\d{1,12})""")
_PREFIXED_ROW_ATTR_RE = re.compile(rb"""<[\w.-]{1,30}:row[^>]{0,300}?\sr=["'](\d{1,12})""")
_CELL_ROW_RES: dict[int, re.Pattern[bytes]] = {}


_FAST_REF_RES: dict[int, re.Pattern[bytes]] = {}


def _fast_refs_re(min_digits: int) -> re.Pattern[bytes]:
    """``_WIDE_COL_RE`` and ``_cell_rows_re(min_digits)`` in one pass over the ``r=``
    of every cell (each pass costs about 0.1 s on a 100,000-row sheet).

    A match is ``(first letter, other letters, digits, b"")`` for a reference of two to
    nine letters (every one, as ``_WIDE_COL_RE`` finds it; its row digits as
    ``_cell_rows_re`` would take them) or ``(letter, b"", b"", digits)`` for a one-letter
    reference whose row has at least ``min_digits`` digits. The first letter is matched
    once for both (about half the cost of ``(?:[A-Za-z]{2,9}...|[A-Za-z]...)``).
    """
    rx = _FAST_REF_RES.get(min_digits)
    if rx is None:
        rx = re.compile(
            rb"""r=["']([A-Za-z])(?:([A-Za-z]{1,8})(\d{1,12})|(\d{%d,12}))""" % min_digits
        )
        _FAST_REF_RES[min_digits] = rx
    return rx


def _cell_rows_re(min_digits: int) -> re.Pattern[bytes]:
    """Pattern for cell references whose row number has at least ``min_digits`` digits."""
    rx = _CELL_ROW_RES.get(min_digits)
    if rx is None:
        rx = re.compile(rb"""r=["']([A-Za-z]{1,9})(\d{%d,12})""" % min_digits)
        _CELL_ROW_RES[min_digits] = rx
    return rx


def _scan_member(data: bytes, info: zipfile.ZipInfo, byte_limit: int, limits: Limits, *,
                 cells: bool = True, shared_strings: bool = False) -> _SheetScan:
    scan = _SheetScan(byte_limit=byte_limit)
    if cells or shared_strings:
        scan.text = _TextRuns(limits.max_cell_chars)
    if shared_strings:
        scan.si_lengths = array("Q")
    si_open = -1  # bytes of the shared string still open (-1: before the first)
    buffers = _counted_buffers(data, info, byte_limit, limits.chunk_bytes, scan)
    try:
        si_open = _scan_buffers(buffers, scan, cells, shared_strings, si_open)
    finally:
        buffers.close()  # a read-ahead thread ends here, however the scan ended
    if scan.text is not None and not scan.too_large and not scan.dtd:
        scan.text.finish()
    if shared_strings and si_open >= 0:
        scan.si_lengths.append(si_open)
    return scan


def _min_digits(scan: _SheetScan) -> int:
    """Digits a cell's row number needs to be sought as a far cell: one more than the
    rows seen so far have. It never decreases as the scan goes on (each number it is
    made of only grows)."""
    known = max(scan.max_row_attr, scan.row_tags, scan.max_cell_row, 1)
    return len(str(known)) + 1


def _scan_buffers(buffers: Iterator[tuple[bytes, int, _Tags]], scan: _SheetScan, cells: bool,
                  shared_strings: bool, si_open: int) -> int:
    """Scan the buffers of one member into ``scan``; return the bytes of the shared
    string still open."""
    for buf, new, tags in buffers:
        # Rows seen before this buffer set the threshold, so a far cell and its own far
        # row tag in the same buffer are both found. (``tags.refs`` may have been told
        # with a smaller threshold: it then only says True more often.)
        min_digits = _min_digits(scan)
        # "<!" first (found among the "<" the counts located, for free; the case-blind
        # regex over a 77 MB sheet costs several times more): no "<!", no DTD.
        if tags.bang and _DTD_RE.search(buf):
            scan.dtd = True
            break
        fresh = buf[len(buf) - new:]
        if scan.text is not None:
            scan.text.feed(fresh)
        if shared_strings:
            si_open = _note_shared_strings(fresh, scan, si_open)
        if cells:
            _note_cells(buf, fresh, scan, tags)
        refs = _fast_refs_re(min_digits).findall(buf) if tags.refs else []
        scan.letters.update(first + rest for first, rest, _, _ in refs if rest)
        prefixed = tags.colon_row
        top = tags.row_max
        if top is None:
            top = max(map(int, _ROW_ATTR_RE.findall(buf)), default=0)
        if prefixed:
            top = max(top, max(map(int, _PREFIXED_ROW_ATTR_RE.findall(buf)), default=0))
        scan.max_row_attr = max(scan.max_row_attr, top)
        # Rows without r="" are numbered by position, so count the tags too; the
        # overlap's own tags were counted with the previous buffer.
        old = buf[: len(buf) - new]
        scan.row_tags += tags.rows
        if prefixed:
            scan.row_tags += len(_PREFIXED_ROW_RE.findall(buf)) - len(
                _PREFIXED_ROW_RE.findall(old)
            )
        _note_marks(buf, scan)
        # A cell claiming a row with more digits than any row seen so far is the far-cell
        # trick; cells within the rows' own order of magnitude cannot be more than ten
        # times further, so only longer row numbers need extracting.
        for first, rest, wide_digits, one_letter_digits in refs:
            letters = first + rest
            digits = wide_digits if rest else one_letter_digits
            if len(digits) >= min_digits and int(digits) > scan.max_cell_row:
                scan.max_cell_row, scan.far_letters = int(digits), letters
    return si_open


_PREFIXED_CELL_RE = re.compile(rb"<[\w.-]{1,30}:c[\s/>]")


class _Tags(NamedTuple):
    """Start tags of one buffer (see ``_TagCounter.count``)."""

    cells: int  # "<c" not starting "<col" or "<cf", wholly in the new bytes
    cells_with_r: int  # '<c r="', wholly in the new bytes
    rows: int  # "<row" not wholly in the overlap (it was counted with the buffer before)
    strings: int  # 't="s"' and "t='s'" (string-typed cells), wholly in the new bytes
    colon_c: bool  # the buffer holds ":c" (a prefixed cell, perhaps)
    colon_row: bool  # the buffer holds ":row" (a prefixed row tag, perhaps)
    refs: bool  # False: ``_fast_refs_re(min_digits)`` finds nothing in the buffer
    bang: bool  # the buffer holds "<!" (``b"<!" in buf``)
    # The highest row number ``_ROW_ATTR_RE`` finds in the buffer (0: none), or None
    # when some "<row" of it is not written '<row r="<digit>' (the regex then decides).
    row_max: int | None = None


_LT, _C, _R, _O, _L, _W, _F, _SPACE, _EQ, _QUOTE = b'<crolwf ="'
_T, _S, _APOSTROPHE, _COLON, _BANG = b"ts':!"
# Bytes a pattern may reach past its start (``<c r="``: 5): the masks keep this many
# False entries after the buffer, so a tag cut by the buffer's end matches nothing.
_MASK_SLACK = 8
# Bytes compared once per buffer and read at several offsets; the others go to scratch.
_KEPT_BYTES = (_LT, _C, _O, _R, _EQ, _QUOTE, _APOSTROPHE)


class _TagCounter:
    """Counts the start tags of buffer after buffer (``count``) in numpy arrays it keeps
    between buffers.

    Every test is a comparison of the whole buffer with one byte, and a pattern is the
    AND of those masks read at the pattern's offsets (``"<c"`` at ``p`` is
    ``lt[p] & c[p + 1]``), counted with ``count_nonzero``: about fifty passes at memory
    speed into arrays written with ``out=``. The former way (the positions of every
    "<", "=" and ":", and gathers at them) made fresh arrays of 8 bytes per "<" for
    each buffer: 0.17-0.29 s on a 77 MB sheet, up to 0.1 s of it the kernel's for some
    77,000 freshly touched pages; this takes 0.10 s and touches its pages once per part
    (plus 0.02 s reading the row numbers, ``_row_attr_max``, which spares the scan a
    0.04 s regex). Bytes most sheets never hold ("'", "l", "f", ":", "!") are looked
    for first with a single-byte search (memchr), and their passes skipped.

    Memory: thirteen arrays of one byte per byte of the largest buffer seen (about
    13 MB for a 1 MB chunk, whatever it holds), reused for every buffer of a part.
    One counter serves one thread.
    """

    def __init__(self) -> None:
        self._size = 0
        self._apostrophes = True  # the buffer being counted holds a "'"
        self._kept: dict[int, np.ndarray] = {}
        self._scratch = np.zeros(0, dtype=bool)
        self._work: list[np.ndarray] = []
        self._u8 = np.zeros(0, dtype=np.uint8)

    def _room(self, n: int) -> None:
        size = n + _MASK_SLACK
        if size <= self._size:
            return
        self._kept = {byte: np.zeros(size, dtype=bool) for byte in _KEPT_BYTES}
        self._scratch = np.zeros(size, dtype=bool)
        self._work = [np.zeros(size, dtype=bool) for _ in range(4)]
        self._u8 = np.zeros(size, dtype=np.uint8)
        self._size = size

    def count(self, buf: bytes, old_len: int, min_digits: int = 1) -> _Tags:
        """Count the cell and row start tags and string-typed cells of ``buf`` whose first
        ``old_len`` bytes are the overlap with the buffer before, and tell whether it holds
        ``:c`` and ``:row``.

        The numbers are those of ``bytes.count`` (``fresh.count(b"<c") - fresh.count(b"<col")
        - fresh.count(b"<cf")``, ``fresh.count(b'<c r="')``, ``buf.count(b"<row") -
        old.count(b"<row")``, ``fresh.count(b't="s"') + fresh.count(b"t='s'")``: none of
        these patterns can overlap itself, so a count is the number of positions where it
        starts), found by numpy passes over the whole buffer instead of ten substring
        searches (0.05 s instead of 0.45 s on a 77 MB sheet).

        ``refs`` is False only when no ``r=`` and quote is followed by a letter and then a
        second letter or ``min_digits`` digits, which every match of
        ``_fast_refs_re(min_digits)`` starts with: a sheet of template width within its
        rows' order of magnitude is then spared that regex (0.15 s on the same sheet).
        ``bang`` is ``b"<!" in buf``, a numpy pass when the buffer holds a "!" at all (the
        substring search costs 0.05 s on the same sheet).

        Memory: this counter's arrays, one byte per byte of the buffer thirteen times over
        whatever the buffer holds (about 13 MB for a hostile 1 MB chunk).
        """
        n = len(buf)
        self._room(n)
        a = np.frombuffer(buf, dtype=np.uint8)
        kept = self._kept
        # Sheets quote with '"': with no "'" at all (memchr), its mask is not needed.
        self._apostrophes = b"'" in buf
        for byte, mask in kept.items():
            if byte != _APOSTROPHE or self._apostrophes:
                np.equal(a, byte, out=mask[:n])
                mask[n:n + _MASK_SLACK] = False
        x = self._scratch

        def one(byte: int) -> np.ndarray:
            np.equal(a, byte, out=x[:n])
            x[n:n + _MASK_SLACK] = False
            return x

        def at(mask: np.ndarray, k: int) -> np.ndarray:
            return mask[k:k + n]

        lt, c, o, r = kept[_LT], kept[_C], kept[_O], kept[_R]
        eq, quote, apostrophe = kept[_EQ], kept[_QUOTE], kept[_APOSTROPHE]
        cell, w, w3, w4 = (work[:n] for work in self._work)
        count, and_, or_ = np.count_nonzero, np.logical_and, np.logical_or

        and_(at(lt, 0), at(c, 1), out=cell)  # "<c"
        cells = count(cell[old_len:])
        # "<col" and "<cf" are no cells (a single-byte search, memchr, first: the rows of
        # most sheets hold no "l" and no "f").
        if b"l" in buf:
            and_(at(o, 2), at(one(_L), 3), out=w)
            cells -= count(and_(w, cell, out=w)[old_len:])
        if b"f" in buf:
            cells -= count(and_(at(one(_F), 2), cell, out=w)[old_len:])
        and_(cell, at(one(_SPACE), 2), out=w)
        and_(w, at(r, 3), out=w)
        and_(w, at(eq, 4), out=w)
        with_r = count(and_(w, at(quote, 5), out=w)[old_len:])
        and_(at(lt, 0), at(r, 1), out=w)
        and_(w, at(o, 2), out=w)
        and_(w, at(one(_W), 3), out=w)
        starts = np.flatnonzero(w)  # of "<row": a few hundred per buffer
        rows = len(starts) - int(np.searchsorted(starts, old_len - 3))  # not in the overlap
        row_max = _row_attr_max(a, starts)
        and_(at(one(_T), 0), at(eq, 1), out=w)
        and_(w, at(one(_S), 3), out=w)
        and_(at(quote, 2), at(quote, 4), out=w3)
        if self._apostrophes:
            or_(w3, and_(at(apostrophe, 2), at(apostrophe, 4), out=w4), out=w3)
        and_(w, w3, out=w)
        strings = count(w[old_len:])
        colon_c = colon_row = bang = False
        if b":" in buf:  # memchr: most sheets hold a few colons or none
            colon = one(_COLON)
            colon_c = bool(and_(at(colon, 0), at(c, 1), out=w).any())
            and_(at(colon, 0), at(r, 1), out=w)
            and_(w, at(o, 2), out=w)
            colon_row = bool(and_(w, at(one(_W), 3), out=w).any())
        if b"!" in buf:
            bang = bool(and_(at(lt, 0), at(one(_BANG), 1), out=w).any())
        refs = self._refs(a, min_digits)
        return _Tags(int(cells), int(with_r), int(rows), int(strings), colon_c, colon_row,
                     refs, bang, row_max)

    def _refs(self, a: np.ndarray, min_digits: int) -> bool:
        """Whether some ``r=`` + quote is followed by a letter and then a letter or
        ``min_digits`` digits (with the masks of ``count`` for ``a``)."""
        n = len(a)
        kept, x, u = self._kept, self._scratch, self._u8[:n]
        first, w = self._work[2][:n], self._work[3][:n]
        and_ = np.logical_and
        and_(kept[_R][:n], kept[_EQ][1:n + 1], out=first)
        if self._apostrophes:
            np.logical_or(kept[_QUOTE][2:n + 2], kept[_APOSTROPHE][2:n + 2], out=w)
            and_(first, w, out=first)
        else:
            and_(first, kept[_QUOTE][2:n + 2], out=first)
        # Letters: only A-Z and a-z fold (| 0x20) into a-z, which minus "a" is below 26.
        np.bitwise_or(a, 0x20, out=u)
        np.subtract(u, ord("a"), out=u)
        np.less(u, 26, out=x[:n])
        x[n:n + _MASK_SLACK] = False
        and_(first, x[3:n + 3], out=first)  # r=" and a letter
        if and_(first, x[4:n + 4], out=w).any():  # a second letter
            return True
        if min_digits <= 0:
            return True
        np.subtract(a, ord("0"), out=u)
        np.less(u, 10, out=x[:n])
        for k in range(4, 4 + min_digits):
            # Only starts whose k-th byte lies in the buffer can have that digit.
            if k >= n:
                return False
            first = and_(first[:n - k], x[k:n], out=first[:n - k])
        return bool(first.any())


# Row tags read by ``_row_attr_max`` in one buffer, at most (its arrays hold about 300
# bytes per tag: 5 MB at this bound); a buffer with more is left to the regex.
_ROW_ATTR_MAX_TAGS = 16_384
_ROW_NUMBER_DIGITS = 12  # as ``_ROW_ATTR_RE`` takes them
_TENS = 10 ** np.arange(_ROW_NUMBER_DIGITS - 1, -1, -1, dtype=np.int64)
_ROW_TAIL = np.arange(4, 8 + _ROW_NUMBER_DIGITS)  # offsets of ' r="' and the digits
_ROW_R_QUOTE = int.from_bytes(b' r="', "little")
_ROW_R_APOSTROPHE = int.from_bytes(b" r='", "little")


def _row_attr_max(a: np.ndarray, starts: np.ndarray) -> int | None:
    """``max(map(int, _ROW_ATTR_RE.findall(buf)), default=0)`` for the bytes ``a`` of
    ``buf`` whose "<row" start at ``starts``, read off those positions; None unless
    every one is followed by ``' r="'`` (or ``" r='"``) and a digit.

    That regex finds a match only at a "<row"; at such a one its lazy ``[^>]{0,300}?``
    takes nothing, so the match is the tag's first 8 bytes and up to 12 digits, which
    hold no "<": each of these "<row" is matched once, and nothing else is. Excel and
    the libraries write every row tag so (a buffer holding "<rowBreaks" or a row without
    its number goes to the regex), sparing the scan a regex pass that holds the GIL
    (0.04 s on a 77 MB sheet, 0.02 s this way).
    """
    if not len(starts):
        return 0
    if len(starts) > _ROW_ATTR_MAX_TAGS:
        return None
    at = starts[:, None] + _ROW_TAIL
    if starts[-1] + _ROW_TAIL[-1] < len(a):
        tail = a[at]
    else:  # bytes past the buffer: no digit, no attribute
        past = at >= len(a)
        tail = np.take(a, at, mode="clip")
        tail[past] = 0
    head = tail.view("<u4")[:, 0]  # the 4 bytes after "<row"
    digits = tail[:, 4:] - np.uint8(ord("0"))  # a non-digit wraps to 10 or more
    is_digit = digits < 10
    if not (((head == _ROW_R_QUOTE) | (head == _ROW_R_APOSTROPHE)) & is_digit[:, 0]).all():
        return None
    run = np.logical_and.accumulate(is_digit, axis=1)  # the digits the regex takes
    # Left-aligned in twelve places, then shifted right by the places left empty.
    aligned = (digits * run).astype(np.int64) @ _TENS
    return int((aligned // 10 ** (_ROW_NUMBER_DIGITS - run.sum(axis=1))).max())


def _note_cells(buf: bytes, fresh: bytes, scan: _SheetScan, tags: _Tags) -> None:
    """Count cell tags of the new bytes: all of them, those with an ``r=""`` reference
    (both from ``tags``), and string-typed ones. Cells without a reference are placed by
    position, so a row of them can be far wider than any reference says (the exact count
    then decides)."""
    # "<c" also starts "<col" and "<cfRule" (a few, outside the rows): not cells.
    scan.cell_tags += tags.cells
    scan.cell_tags_with_r += tags.cells_with_r
    scan.string_cells += tags.strings
    if scan.cell_tags > scan.cell_tags_with_r:
        # Cells placed by position: how many one row holds (per buffer, in C; a row cut
        # by a buffer boundary is counted in two halves, which the caller allows for).
        scan.row_cells = max(scan.row_cells,
                             max(map(bytes.count, buf.split(b"<row"), repeat(b"<c"))))
    if not scan.prefixed_cells and tags.colon_c and _PREFIXED_CELL_RE.search(buf):
        scan.prefixed_cells = True


def _note_shared_strings(fresh: bytes, scan: _SheetScan, open_bytes: int) -> int:
    """Record the byte length of each shared string (``<si>`` entry) of the new bytes;
    return the length of the one still open (-1: none opened yet).

    An entry runs from its "<si" (3 bytes) to the next one. The lengths of the entries
    closed in this chunk go in with one ``extend`` over ``map`` (in C: a Python loop
    over the 57,000 strings of a 100k-row 4W cost 0.02 s)."""
    pieces = _SI_SPLIT_RE.split(fresh)
    if open_bytes >= 0:
        open_bytes += len(pieces[0])
    if len(pieces) == 1:
        return open_bytes
    lengths = scan.si_lengths
    if open_bytes >= 0:
        lengths.append(open_bytes)
    lengths.extend(map(_SI_TAG_BYTES.__add__, map(len, pieces[1:-1])))
    return len(pieces[-1]) + _SI_TAG_BYTES


_SI_TAG_BYTES = len(b"<si")


# An entry's start tag, "<si>" or prefixed "<x:si ...>" (a tag cut by a chunk boundary
# merges two entries into one: the count stays within one per megabyte).
_SI_SPLIT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?si(?=[\s/>])")


def _note_marks(buf: bytes, scan: _SheetScan) -> None:
    """Record whether ``buf`` holds the markers the Excel reader's formula / error-cell
    scan looks for (``maaor.read.excel``). A single-byte search (memchr) first: plain
    value sheets usually hold no "f" and no "e" at all outside their first buffer."""
    if not scan.formula_marks and b"f" in buf:
        scan.formula_marks = b"<f" in buf or b":f" in buf
    if not scan.error_marks and b"e" in buf:
        scan.error_marks = b'"e"' in buf or b"'e'" in buf
    if not scan.merge_marks and b"g" in buf:
        # Tags are matched whole within a buffer: the overlap keeps one cut by a chunk
        # boundary whole in the next. The "g" first (memchr): cell XML holds none, and
        # the search for the whole word cost 0.02 s on a 77 MB sheet.
        scan.merge_marks = b"mergeCell" in buf


def _buffers(
    data: bytes, info: zipfile.ZipInfo, byte_limit: int, chunk_bytes: int, scan: _SheetScan,
    *, ahead: bool = True,
) -> Iterator[tuple[bytes, int]]:
    """Yield (overlap tail + new chunk, length of the new part) over one member,
    transcoded to UTF-8 when the part is UTF-16/32. Stops early, setting
    ``scan.too_large`` or ``scan.bad_encoding``, when the member inflates past
    ``byte_limit`` or uses an encoding a byte scan cannot see through. ``ahead``: a
    large member may be inflated by a second thread (see ``_inflate``)."""
    decoder = None
    tail = b""
    head = b""  # the first bytes, held back until the encoding can be told
    decided = False
    for chunk in _inflate(data, info, byte_limit, chunk_bytes, scan, ahead=ahead):
        if not decided:
            head += chunk
            if len(head) < _HEAD_BYTES:
                continue
            chunk, head, decided = head, b"", True
            decoder = _decoder_for(chunk, scan)
            if scan.bad_encoding is not None:
                return
            scan.transcoded = decoder is not None
        if decoder is not None:
            chunk = decoder.decode(chunk).encode("utf-8")
        buf = tail + chunk
        yield buf, len(chunk)
        tail = buf[-_OVERLAP:]
    if head:
        decoder = _decoder_for(head, scan)
        scan.transcoded = decoder is not None
        if scan.bad_encoding is None:
            chunk = head if decoder is None else decoder.decode(head, True).encode("utf-8")
            yield tail + chunk, len(chunk)


def _counted_buffers(
    data: bytes, info: zipfile.ZipInfo, byte_limit: int, chunk_bytes: int, scan: _SheetScan
) -> Iterator[tuple[bytes, int, _Tags]]:
    """``_buffers`` with the ``_Tags`` of each buffer (its refs told with the threshold
    ``_min_digits(scan)`` had when the buffer was counted).

    A large member (``READ_AHEAD_MIN_BYTES``) is inflated and cut into buffers by a
    second thread at most ``_READ_AHEAD_CHUNKS`` buffers ahead, which also counts the
    tags of every other buffer: the counts are numpy passes that release the GIL, so
    the two cores share the 0.1 s of inflating and the 0.1 s of counting of a 77 MB
    sheet while the scan's regular expressions run (the scan alone took the 0.3 s of
    its part). The threshold a buffer counted ahead was told with can be smaller than
    the scan's own when it reaches that buffer (the scan has seen more rows since):
    more digits asked for only finds fewer references, so such ``refs`` is True
    whenever the scan's own would be, and the regex the scan then runs with its own
    threshold finds what it would have found; no fact changes.

    Memory: the two threads' counters, each ``_TagCounter``'s thirteen bytes per byte
    of buffer (about 27 MB for 1 MB chunks of anything), for the time of the part.
    """
    counter = _TagCounter()
    if info.file_size < READ_AHEAD_MIN_BYTES:
        for buf, new in _buffers(data, info, byte_limit, chunk_bytes, scan):
            yield buf, new, counter.count(buf, len(buf) - new, _min_digits(scan))
        return

    own = _TagCounter()  # the second thread's arrays

    def count_ahead(item: tuple[bytes, int, _Tags | None]) -> tuple[bytes, int, _Tags | None]:
        buf, new, _ = item
        return buf, new, own.count(buf, len(buf) - new, _min_digits(scan))

    pieces = ((buf, new, None) for buf, new in
              _buffers(data, info, byte_limit, chunk_bytes, scan, ahead=False))
    ahead = _read_ahead(pieces, _READ_AHEAD_CHUNKS, count_ahead)
    try:
        for buf, new, tags in ahead:
            if tags is None:
                tags = counter.count(buf, len(buf) - new, _min_digits(scan))
            yield buf, new, tags
    finally:
        ahead.close()


# Members that inflate to at least this many bytes (as their directory entry says) are
# inflated by a second thread a few chunks ahead of the scan.
READ_AHEAD_MIN_BYTES = 8 * MB
# Chunks inflated ahead of the scan, at most (each ``Limits.chunk_bytes``).
_READ_AHEAD_CHUNKS = 2


def _inflate(
    data: bytes, info: zipfile.ZipInfo, byte_limit: int, chunk_bytes: int, scan: _SheetScan,
    *, ahead: bool = True,
) -> Iterator[bytes]:
    """Inflate one member straight from its stored bytes, in chunks of at most
    ``chunk_bytes``, counting what comes out in ``scan.bytes_read``.

    The zip directory's uncompressed size is not trusted: Python's zipfile stops at it,
    but other readers inflate the whole stream, so this measures the stream itself and
    sets ``scan.too_large`` once it passes ``byte_limit``. Raises _Damaged when the
    stored bytes do not match the directory.

    A large member is inflated by a second thread at most ``_READ_AHEAD_CHUNKS`` chunks
    ahead of the caller (``_read_ahead``): zlib and CRC-32 release the GIL, so with a
    second core free they overlap the scan of a 77 MB sheet instead of adding about a
    quarter of its time (0.1 s). The limits are the same: the byte limit is checked as
    each chunk comes out of zlib, and a scan that stops early stops the inflating too
    (at most ``_READ_AHEAD_CHUNKS`` + 1 chunks later). ``ahead=False`` inflates in the
    calling thread whatever the size (``_counted_buffers`` runs it in its own thread).
    """
    pieces = _inflate_member(data, info, byte_limit, chunk_bytes, scan)
    if ahead and info.file_size >= READ_AHEAD_MIN_BYTES:
        return _read_ahead(pieces, _READ_AHEAD_CHUNKS)
    return pieces


_END = object()
_Item = TypeVar("_Item")


def _read_ahead(pieces: Iterator[_Item], depth: int,
                spare: Callable[[_Item], _Item] | None = None) -> Iterator[_Item]:
    """Yield what ``pieces`` yields, computed by a second thread at most ``depth`` items
    ahead; an exception it raises is raised here, in order.

    ``spare``: work on an item the caller could do itself, done by the second thread
    instead (the item handed over is what it returns) when it would otherwise wait:
    the caller is ``depth`` items behind. So the work goes to whichever thread has time.

    The thread ends before this generator does, however it ends (exhausted, an
    exception, or closed by its caller), so nothing touches the caller's state after.
    """
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for piece in pieces:
                if spare is not None and ahead.full():
                    if stop.is_set():
                        return
                    piece = spare(piece)
                ahead.put(piece)
                if stop.is_set():
                    return
            last: object = _END
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            last = exc
        ahead.put(last)

    worker = threading.Thread(target=produce, name="precheck-inflate", daemon=True)
    worker.start()
    try:
        while True:
            item = ahead.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        # Unblock a producer waiting for room, then wait for it to stop.
        while worker.is_alive():
            try:
                ahead.get(timeout=0.01)
            except queue.Empty:
                pass
        worker.join()


def _inflate_member(
    data: bytes, info: zipfile.ZipInfo, byte_limit: int, chunk_bytes: int, scan: _SheetScan
) -> Iterator[bytes]:
    """The chunks of ``_inflate``, computed in the calling thread."""
    byte_limit = max(byte_limit, 0)
    chunk_bytes = max(chunk_bytes, 1)
    start = info.header_offset
    header = data[start : start + 30]
    if len(header) < 30 or not header.startswith(_ZIP_MAGIC):
        raise _Damaged("no local file header")
    (flags,) = struct.unpack("<H", header[6:8])
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    stored_name = data[start + 30 : start + 30 + name_len]
    scan.header_name_ok = (
        stored_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        == info.orig_filename
    )
    begin = start + 30 + name_len + extra_len
    stored = memoryview(data)[begin : begin + info.compress_size]
    if len(stored) < info.compress_size:
        raise _Damaged("member runs past the end of the file")
    if info.compress_type == zipfile.ZIP_STORED:
        pieces: Iterator[bytes] = (
            bytes(stored[i : i + chunk_bytes]) for i in range(0, len(stored), chunk_bytes)
        )
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _inflate_deflate(stored, chunk_bytes)
    else:
        raise _Damaged(f"compression method {info.compress_type} is not used by Excel")
    for piece in pieces:
        room = byte_limit - scan.bytes_read
        if len(piece) > room:
            scan.bytes_read += len(piece)
            scan.too_large = True
            return
        scan.bytes_read += len(piece)
        scan.crc = zlib.crc32(piece, scan.crc)
        yield piece
    if scan.bytes_read != info.file_size:
        raise _Damaged(
            f"inflates to {scan.bytes_read} bytes, the directory says {info.file_size}"
        )


def _inflate_deflate(stored: memoryview, chunk_bytes: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    step = 64 * 1024
    for i in range(0, len(stored), step):
        pending = bytes(stored[i : i + step])
        while pending:
            out = inflater.decompress(pending, chunk_bytes)
            pending = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                return
    while not inflater.eof:
        out = inflater.decompress(b"", chunk_bytes)
        if not out:
            return
        yield out


def _decoder_for(first: bytes, scan: _SheetScan):
    """Incremental decoder when the part is UTF-16/32 (None for ASCII-compatible bytes);
    sets ``scan.bad_encoding`` for declared encodings a byte scan cannot see through."""
    if first.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return codecs.getincrementaldecoder("utf-32")("replace")
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return codecs.getincrementaldecoder("utf-16")("replace")
    if first.startswith(b"<\x00"):
        return codecs.getincrementaldecoder("utf-16-le")("replace")
    if first.startswith(b"\x00<"):
        return codecs.getincrementaldecoder("utf-16-be")("replace")
    m = _XML_ENCODING_RE.match(first.removeprefix(b"\xef\xbb\xbf"))
    if m:
        name = m.group(1).decode("ascii", "replace").strip()
        if not _ASCII_COMPATIBLE.match(name) and not name.lower().startswith("utf-16"):
            scan.bad_encoding = name
    return None


def _member_problems(
    source: Source,
    info: zipfile.ZipInfo,
    scan: _SheetScan,
    sheet: str | None,
    limits: Limits,
) -> list[Problem]:
    part = info.filename
    where = ({"text": "problem.where.sheet", "params": {"sheet": sheet}} if sheet
             else {"text": "problem.where.part", "params": {"part": part}})
    if scan.too_large:
        return [
            _error(
                source,
                "xlsx.inflated",
                {"where": where, "size": {"bytes": scan.byte_limit},
                 "sheet_limit": {"bytes": _sheet_byte_limit(limits)},
                 "why": _sheet_limit_why(limits),
                 "part_limit": {"bytes": limits.max_member_bytes},
                 "limit": {"bytes": limits.max_total_bytes}},
                sheet=sheet,
                value=part,
            )
        ]
    if scan.bad_encoding is not None:
        return [
            _error(source, "xlsx.encoding", {"where": where, "encoding": scan.bad_encoding},
                   sheet=sheet, value=scan.bad_encoding)
        ]
    if scan.dtd:
        return [
            _error(source, "xlsx.dtd", {"where": where}, sheet=sheet, value=part)
        ]
    if sheet is None:
        return []
    # A <dimension> is only the writer's claim (often stale, e.g. "A1:XFD1048576"):
    # the cells that hold data decide (see _extent_problems), never the claim alone.
    if scan.text is not None and scan.text.found_chars:
        return [_long_text(source, scan.text, limits, sheet=sheet)]
    return []


def _long_text(source: Source, runs: _TextRuns, limits: Limits, *,
               sheet: str | None) -> Problem:
    head = html.unescape(runs.found_head.decode("utf-8", "replace"))[:40]
    if sheet is None:
        key = "xlsx.cell_too_long.shared"
    else:
        key = "xlsx.cell_too_long.cell" if runs.found_ref else "xlsx.cell_too_long"
    return _error(
        source,
        "xlsx.cell_too_long",
        {"sheet": sheet, "cell": runs.found_ref, "chars": {"number": runs.found_chars},
         "head": head, "limit": {"number": limits.max_cell_chars}},
        key=key,
        sheet=sheet,
        value=runs.found_ref or head,
    )


@dataclass(frozen=True)
class _Extent:
    """How far a sheet's cells reach: highest row, highest column and its letters."""

    max_row: int
    max_col: int
    letters: str

    def over(self, limits: Limits) -> bool:
        return (self.max_row > limits.max_rows or self.max_col > limits.max_columns
                or self.max_row * self.max_col > limits.max_cells)


def _fast_extent(scan: _SheetScan) -> _Extent:
    """The extent the fast scan saw: every reference and row tag, with data or not."""
    wide = max((s.upper() for s in scan.letters), key=lambda s: (len(s), s), default=b"")
    max_row = max(scan.max_cell_row, scan.max_row_attr, scan.row_tags)
    # Only two-letter and wider columns are extracted; with none, column Z bounds them.
    max_col = column_number(wide.decode("ascii")) if wide else (26 if max_row else 0)
    if scan.cell_tags > scan.cell_tags_with_r:
        max_col += 2 * scan.row_cells  # cells placed by position after the widest reference
    letters = max((wide, scan.far_letters.upper()), key=lambda s: (len(s), s)).decode("ascii")
    return _Extent(max_row, max_col, letters)


def _needs_exact_extent(scan: _SheetScan, limits: Limits) -> bool:
    """The fast scan cannot clear the sheet: it reaches past a limit (perhaps only with
    empty formatted cells), or a row holds so many cells placed by position (no
    ``r=""``) that they may reach past the column limit."""
    wide_rows = 2 * scan.row_cells + 26 > limits.max_columns
    return scan.prefixed_cells or wide_rows or _fast_extent(scan).over(limits)


def _exact_extent_problems(source: Source, info: zipfile.ZipInfo, scan: _SheetScan,
                           sheet: str, limits: Limits) -> list[Problem]:
    fast = _fast_extent(scan)
    exact = _exact_extent(source.data, info, scan.bytes_read, limits)
    if exact is None:  # cannot be judged within bounds: the fast scan's extent decides
        extent = fast
        if scan.cell_tags > scan.cell_tags_with_r or scan.prefixed_cells:
            # Cells without references may reach as far as one per tag.
            extent = _Extent(fast.max_row, max(fast.max_col, limits.max_columns + 1),
                             fast.letters)
        return _extent_problems(source, extent, sheet, limits)
    if not exact.over(limits):
        return []
    # Data lies past a limit. The exact walk stops at the first such cell; name the
    # sheet's extent as far as its cells go (the fast scan's rows) when rows are over.
    if exact.max_row > limits.max_rows and exact.max_col <= limits.max_columns:
        extent = _Extent(max(exact.max_row, fast.max_row), fast.max_col, fast.letters)
    elif exact.max_row <= limits.max_rows and exact.max_col <= limits.max_columns:
        # Over the cell limit only: the walk stopped at the first cell past it, so its
        # last row is not the sheet's (a 30,002-row sheet was named A1:HB28572). The
        # fast scan's rows go as far as the sheet does, within the row limit.
        rows = fast.max_row if fast.max_row <= limits.max_rows else exact.max_row
        extent = _Extent(max(exact.max_row, rows), exact.max_col, exact.letters)
    else:
        extent = exact
    return _extent_problems(source, extent, sheet, limits)


def _extent_problems(source: Source, extent: _Extent, sheet: str,
                     limits: Limits) -> list[Problem]:
    max_row, max_col, max_col_letters = extent.max_row, extent.max_col, extent.letters
    if max_row > limits.max_rows or max_col > limits.max_columns:
        parts = []
        if max_row > limits.max_rows:
            parts.append({"text": "problem.xlsx.far_cell.row",
                          "params": {"row": {"number": max_row},
                                     "limit": {"number": limits.max_rows}}})
        if max_col > limits.max_columns:
            parts.append({"text": "problem.xlsx.far_cell.column",
                          "params": {"letters": max_col_letters, "column": {"number": max_col},
                                     "limit": {"number": limits.max_columns}}})
        return [
            _error(
                source,
                "xlsx.far_cell",
                {"sheet": sheet, "first": parts[0], "second": parts[-1]},
                key="xlsx.far_cell" if len(parts) == 1 else "xlsx.far_cell.both",
                sheet=sheet,
                value=f"{max_col_letters or 'A'}{max(max_row, 1)}",
            )
        ]
    if max_row * max_col > limits.max_cells:
        return [
            _error(
                source,
                "xlsx.too_many_cells",
                {"sheet": sheet, "range": f"A1:{max_col_letters}{max_row}",
                 "cells": {"number": max_row * max_col}, "limit": {"number": limits.max_cells},
                 "columns": {"number": max_col},
                 "rows": {"number": limits.max_cells // max(max_col, 1)}},
                sheet=sheet,
                value=f"A1:{max_col_letters}{max_row}",
            )
        ]
    return []


# Tags that matter for where data lies: cells, and what gives a cell a value.
_TAG_RE = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]{0,30}:)?(c|v|is|f)((?:\s[^>]*?)?)(/?)>")
_R_ATTR_RE = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]{0,9})\$?(\d{0,12})["']""")
_ROW_SPLIT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?row(?=[\s/>])")
_SHEETDATA_END_RE = re.compile(rb"</(?:[A-Za-z_][\w.-]{0,30}:)?sheetData\s*>")
_DATA_MARKS = (b"<v", b"<is", b"<f", b":v>", b":v ", b":is", b":f>", b":f ")
_PENDING_MAX = 8 * MB  # one row's XML longer than this is no row Excel writes


def _exact_extent(data: bytes, info: zipfile.ZipInfo, byte_limit: int,
                  limits: Limits) -> _Extent | None:
    """Return how far the cells HOLDING DATA reach (a value, an inline string or a
    formula): a formatted empty cell, an empty row or a stale ``<dimension>`` does not
    count. Cells without a reference take the next column, rows without one the next
    row, as Excel places them.

    Row by row: a row without data marks is skipped with a byte search; a row whose
    cells could reach past the column limit has its cells walked one by one. Stops as
    soon as a data cell passes a limit. Returns None when it cannot judge within its
    bounds (a row of more than 8 MB, more than ``limits.max_tags`` cells walked); the
    caller then judges by the fast scan.
    """
    scan = _SheetScan(byte_limit=byte_limit)
    row = max_row = max_col = walked = 0
    pending = b""
    ended = False

    def judge(segment: bytes) -> _Extent | None | bool:
        nonlocal row, max_row, max_col, walked
        head = segment[:1]
        if head not in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
            return False  # "<rowBreaks" and the like: not a row
        gt = segment.find(b">")
        ref = _R_ATTR_RE.search(segment, 0, gt if gt >= 0 else len(segment))
        row = int(ref.group(2)) if ref and ref.group(2) else row + 1
        if not any(mark in segment for mark in _DATA_MARKS):
            return False
        # Where its cells may reach: the widest reference (column Z when none has two
        # letters, as in the fast scan), plus one column per cell without a reference.
        cells = (segment.count(b"<c ") + segment.count(b"<c>") + segment.count(b"<c/")
                 + segment.count(b":c ") + segment.count(b":c>") + segment.count(b":c/"))
        positional = cells - segment.count(b'<c r="') - segment.count(b"<c r='")
        bound = max((column_number(x.decode("ascii")) for x in _WIDE_COL_RE.findall(segment)),
                    default=26) + max(positional, 0)
        # A reference may place a cell on another row than its row tag says.
        far = [int(d) for _, d in _cell_rows_re(len(str(row)) + 1).findall(segment)]
        last_col, last_row = bound, max(row, *far) if far else row
        if bound > limits.max_columns:
            # Walk the cells: only those holding data count.
            last_col = 0
            walked += segment.count(b"<c") + segment.count(b":c")
            if walked > limits.max_tags:
                return None
            col, in_cell, has_data, cell_col, cell_row = 0, False, False, 0, row
            for m in _TAG_RE.finditer(segment):
                closing, name, attrs, empty = m.groups()
                if name == b"c" and not closing:
                    cref = _R_ATTR_RE.search(attrs) if attrs else None
                    letters, digits = cref.groups() if cref else (b"", b"")
                    col = column_number(letters.decode("ascii")) if letters else col + 1
                    cell_col, cell_row = col, int(digits) if digits else row
                    in_cell, has_data = not empty, False
                elif name == b"c":
                    if in_cell and has_data:
                        last_col = max(last_col, cell_col)
                        last_row = max(last_row, cell_row)
                    in_cell = False
                elif in_cell and not closing:
                    has_data = True
            if last_col == 0:
                return False
        max_row = max(max_row, last_row)
        max_col = max(max_col, last_col)
        if max_row > limits.max_rows or max_col > limits.max_columns \
                or max_row * max_col > limits.max_cells:
            return _Extent(max_row, max_col, column_letters(max_col))
        return False

    for buf, new in _buffers(data, info, byte_limit, limits.chunk_bytes, scan):
        if ended:
            break
        text = pending + buf[len(buf) - new:]
        end = _SHEETDATA_END_RE.search(text)
        if end:
            text, ended = text[:end.start()], True
        pieces = _ROW_SPLIT_RE.split(text)
        pending = pieces.pop() if not ended else b""
        if len(pending) > _PENDING_MAX:
            return None
        # The piece before the first row (the sheet's head) starts with "<": judged as
        # no row. Later buffers start with the rest of the row held back as pending.
        for segment in pieces:
            verdict = judge(segment)
            if verdict is None or isinstance(verdict, _Extent):
                return verdict
    if pending:
        verdict = judge(pending)
        if verdict is None or isinstance(verdict, _Extent):
            return verdict
    return _Extent(max_row, max_col, column_letters(max_col) if max_col else "")


def column_letters(number: int) -> str:
    """Excel column letters of a column number (1 -> ``"A"``, 16384 -> ``"XFD"``)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _shared_string_problems(source: Source, scan: _SheetScan, limits: Limits) -> list[Problem]:
    if scan.text is not None and scan.text.found_chars:
        return [_long_text(source, scan.text, limits, sheet=None)]
    count = len(scan.si_lengths) if scan.si_lengths is not None else 0
    if count > limits.max_shared_strings:
        return [
            _error(
                source,
                "xlsx.too_many_strings",
                {"n": {"number": count}, "limit": {"number": limits.max_shared_strings}},
                value=str(count),
            )
        ]
    return []


_STRING_CELL_INDEX_RE = re.compile(
    rb"""t=["']s["'][^>]{0,300}>\s{0,20}<(?:[A-Za-z_][\w.-]{0,30}:)?v>\s{0,20}(\d{1,12})\s{0,20}<"""
)


def _expanded_text_problems(source: Source, sheets: list[tuple[zipfile.ZipInfo, str, _SheetScan]],
                            lengths: array, limits: Limits) -> list[Problem]:
    """Refuse a workbook whose string cells, each given its own copy of the shared text
    it names (as readers do), add up to more than ``limits.max_text_bytes``: a small file
    can name one long text from millions of cells."""
    longest = max(lengths, default=0)
    if sum(scan.string_cells for _, _, scan in sheets) * longest <= limits.max_text_bytes:
        return []
    total = 0
    count = len(lengths)
    for info, sheet, scan in sheets:
        if scan.string_cells == 0:
            continue
        walk = _SheetScan(byte_limit=scan.bytes_read)
        for buf, new in _buffers(source.data, info, scan.bytes_read, limits.chunk_bytes, walk):
            # Index matches are short; a match cut by the boundary is whole in the overlap
            # and counted once: only matches ending in the new bytes count.
            start = len(buf) - new
            for m in _STRING_CELL_INDEX_RE.finditer(buf):
                if m.end() > start:
                    index = int(m.group(1))
                    if index < count:
                        total += lengths[index]
            if total > limits.max_text_bytes:
                return [
                    _error(
                        source,
                        "xlsx.text_too_large",
                        {"limit": {"bytes": limits.max_text_bytes}, "sheet": sheet},
                        sheet=sheet,
                    )
                ]
    return []


def column_number(letters: str) -> int:
    """Column number of Excel column letters (``"A"`` -> 1, ``"XFD"`` -> 16384)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _sheet_names(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
) -> dict[str, str]:
    """Map lower-cased worksheet member paths to sheet names as the user sees them, from
    xl/workbook.xml and its relationships (regexes over bounded reads; {} on failure)."""
    by_lower = {i.filename.lower(): i for i in infos}
    workbook = _bounded_read(zf, by_lower.get("xl/workbook.xml"), limits)
    rels = _bounded_read(zf, by_lower.get("xl/_rels/workbook.xml.rels"), limits)
    if not workbook or not rels:
        return {}
    targets: dict[str, str] = {}
    for tag in _RELATIONSHIP_RE.findall(rels):
        attrs = _attrs(tag)
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attrs["Id"]] = _normalise_path(path)
    names: dict[str, str] = {}
    for tag in _SHEET_RE.findall(workbook):
        attrs = _attrs(tag)
        rid = next((v for k, v in attrs.items() if k.endswith(":id") or k == "id"), None)
        if rid in targets and "name" in attrs:
            names[targets[rid].lower()] = attrs["name"]
    return names


def _bounded_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo | None, limits: Limits) -> bytes:
    if info is None:
        return b""
    try:
        with zf.open(info) as fh:
            return fh.read(min(_WORKBOOK_READ_BYTES, limits.max_member_bytes))
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError,
            NotImplementedError, RuntimeError):
        return b""


def _attrs(tag: bytes) -> dict[str, str]:
    out = {}
    for key, value in _ATTR_RE.findall(tag):
        name = key.decode("utf-8", "replace")
        out[name] = html.unescape(value.decode("utf-8", "replace"))
    return out


def _normalise_path(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


# --- CSV / text ----------------------------------------------------------------------


def _check_text(source: Source) -> list[Problem]:
    data = source.data
    if b"\x00" not in data or _is_wide_unicode(data):
        return []
    what = _describe(data)
    if what is None:
        return [_error(source, "file.binary")]
    return [_error(source, "file.binary", {"what": {"text": what}}, key="file.binary.known")]


def _csv_shape_problems(source: Source, limits: Limits) -> list[Problem]:
    """Refuse a CSV with more lines than a sheet's row limit, or a line with more fields
    than its column limit, before a parser allocates a grid for them.

    Lines and separators are counted in the bytes (in C). Only when some line holds
    more separators than the column limit are its fields counted exactly (a quoted
    text may hold commas), with the separator the reader would use.
    """
    data = source.data
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines > limits.max_csv_rows + 1:  # + the header row
        return [
            _error(
                source,
                "csv.too_many_rows",
                {"n": {"number": lines}, "limit": {"number": limits.max_csv_rows}},
                value=str(lines),
            )
        ]
    rows = data.split(b"\n")
    most = max(max(map(bytes.count, rows, repeat(sep))) for sep in (b",", b";", b"\t"))
    if most + 1 <= limits.max_csv_columns:
        return []
    from maaor.read.csv import decode_text, sniff_separator  # only for a suspect line

    text, _ = decode_text(data, source.name)
    separator = sniff_separator(text, prefer_tab=source.suffix == ".tsv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    line = 1
    try:
        for fields in reader:
            if len(fields) > limits.max_csv_columns:
                return [
                    _error(
                        source,
                        "csv.too_many_columns",
                        {"line": line, "n": {"number": len(fields)},
                         "limit": {"number": limits.max_csv_columns}},
                        row=line,
                        value=str(len(fields)),
                    )
                ]
            line = reader.line_num + 1
    except csv.Error:
        return []  # the reader reports the unreadable line with its own message
    return []


_JSON_KEY_RE = re.compile(rb'"((?:[^"\\]|\\.){0,200})"\s*:')


def _json_shape_problems(source: Source, limits: Limits) -> list[Problem]:
    """Refuse a JSON file with more records than a sheet's row limit, or more distinct
    field names than its column limit, before the parser builds them.

    Records are counted as the objects (``{``) or the inner lists (``[``) of the file,
    an upper bound; field names are collected only when the file holds more colons than
    the column limit.
    """
    data = source.data
    records = max(data.count(b"{"), data.count(b"[") - 1)
    if records > limits.max_csv_rows:
        return [
            _error(
                source,
                "json.too_many_records",
                {"n": {"number": records}, "limit": {"number": limits.max_csv_rows}},
                value=str(records),
            )
        ]
    if data.count(b":") > limits.max_csv_columns:
        names: set[bytes] = set()
        for m in _JSON_KEY_RE.finditer(data):
            names.add(m.group(1))
            if len(names) > limits.max_csv_columns:
                return [
                    _error(
                        source,
                        "json.too_many_fields",
                        {"limit": {"number": limits.max_csv_columns}},
                        key="json.too_many_fields.names",
                        value=str(len(names)),
                    )
                ]
    widest = max(map(bytes.count, data.split(b"["), repeat(b","))) + 1
    if data.lstrip()[:1] == b"[" and data.count(b"{") == 0 and widest > limits.max_csv_columns:
        return [
            _error(
                source,
                "json.too_many_fields",
                {"n": {"number": widest}, "limit": {"number": limits.max_csv_columns}},
                value=str(widest),
            )
        ]
    return []


def _is_wide_unicode(data: bytes) -> bool:
    """True for UTF-16/UTF-32 text: a byte-order mark, or NUL bytes that all fall on
    the same byte of each 2-byte unit, as in ASCII text saved as UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return True
    sample = data[:65536]
    if len(sample) < 2:
        return False
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    zeros = even + odd
    return zeros > 0 and min(even, odd) <= zeros // 100 and max(even, odd) >= len(sample) // 8


# --- helpers -------------------------------------------------------------------------


def _error(
    source: Source,
    code: str,
    params: dict | None = None,
    *,
    key: str | None = None,
    sheet: str | None = None,
    value: str | None = None,
    row: int | None = None,
) -> Problem:
    """An error of the file ``source`` told by the catalogue entry of ``key`` (default
    ``code``) with ``params``."""
    return problem("error", code, params, key=key, file=source.name, sheet=sheet, row=row,
                   value=value)
