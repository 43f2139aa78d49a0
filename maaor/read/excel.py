"""Spreadsheets (.xlsx, .xlsm, .xls, .ods) -> one RawSheet per sheet.

Cell values come from python-calamine in one call per sheet. Calamine turns error cells
(``#REF!``) and formulas without a cached value into empty cells, so a bounded regex scan
of each sheet's XML finds them: error cells get their text back in the grid and in
``error_cells``; uncached formulas are listed in ``formula_no_cache``. When the
precheck's ``PartFacts`` show that a sheet's XML holds no formula and no error marker,
that scan is skipped. Old Excel (.xls) and OpenDocument (.ods) files are read by the same
calamine call (their error cells and formulas are not scanned). Merged ranges come from
calamine (.xlsx, .xls) or from a bounded scan of ``content.xml`` (.ods). python-calamine
reads a sheet's merged ranges in a second pass over its whole XML; for a long sheet the
precheck saw without merged cells that pass is cut short (``_without_merge_pass``).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import html
import io
import posixpath
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from itertools import chain, repeat

import numpy as np
import pandas as pd
import python_calamine as pc
from defusedxml import ElementTree

from maaor.problems import Problem, problem
from maaor.read.precheck import PartFacts
from maaor.read.types import RawSheet, ReadResult
from maaor.sources import Source

# Largest sheet rectangle (rows x columns from A1) turned into a grid.
MAX_CELLS = 6_000_000
# Bytes of one sheet's XML scanned for error cells and uncached formulas.
MAX_SCAN_BYTES = 512 * 1024 * 1024
# Error cells / uncached formulas recorded per sheet.
MAX_RECORDED = 100_000
# Merged ranges kept per sheet (a sheet with more is read without them, with a note).
MAX_MERGES = 20_000
_CHUNK = 1 << 20

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # optional namespace prefix, e.g. "x:"
_CELL = re.compile(rb"<" + _P + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"c>)", re.S)
_INTERESTING = re.compile(rb"<" + _P + rb"f\b|\bt\s*=\s*[\"']e[\"']")
_REF = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_TYPE = re.compile(rb"\bt\s*=\s*[\"'](\w+)[\"']")
_FORMULA = re.compile(rb"<" + _P + rb"f\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"f>)", re.S)
_VALUE = re.compile(rb"<" + _P + rb"v\b[^>]*?(?:/>|>(.*?)</" + _P + rb"v>)", re.S)
_FAST_HITS = (re.compile(rb"<f[\s>/]"), re.compile(rb" t=\"e\""), re.compile(rb" t='e'"))
_INLINE = re.compile(rb"<" + _P + rb"is\b")
_SHARED_INDEX = re.compile(rb"\bsi\s*=\s*[\"'](\d+)[\"']")
_SHARED = re.compile(rb"\bt\s*=\s*[\"']shared[\"']")


def column_letter(index: int) -> str:
    """Return the Excel column letters of a 0-based column index (0 -> "A", 27 -> "AB")."""
    letters = ""
    n = index + 1
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Return the 0-based column index of Excel column letters ("A" -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def read_workbook(source: Source, facts: Mapping[str, PartFacts] | None = None) -> ReadResult:
    """Read every sheet of an .xlsx/.xlsm/.xls workbook or .ods spreadsheet into RawSheets.

    Values are as calamine gives them (str, float, bool, datetime/date/time); empty
    cells are None; grid row ``i`` is Excel row ``i + 1`` and grid column ``j`` is
    column ``column_letter(j)``. Hidden and very hidden sheets come back with
    ``hidden=True``. Chart and macro sheets are left out with a note.

    Args:
        source: the workbook (its ``kind`` is copied to every sheet).
        facts: what ``maaor.read.precheck.precheck_report`` found per zip member of
            these same bytes; sheets whose part is missing from it are scanned.

    Returns:
        The sheets and problems. Unreadable workbooks give an error problem; this
        function raises only on programming errors (``read_source`` catches those).
    """
    problems: list[Problem] = []
    parts = _sheet_parts(source.data) if source.suffix in (".xlsx", ".xlsm") else {}
    workbook = _without_merge_pass(source.data, parts, facts)
    try:
        if workbook is None:
            workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(source.data))
    except pc.PasswordError:
        return ReadResult(
            [],
            [
                problem("error", "file.password", key="file.password.excel", file=source.name)
            ],
        )
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        return ReadResult([], [_unreadable(source.name, exc)])
    ods_merges = _ods_merges(source.data) if source.suffix == ".ods" else {}
    sheets: list[RawSheet] = []
    for meta in workbook.sheets_metadata:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            problems.append(
                problem("note", "sheet.not_a_table", {"sheet": meta.name}, file=source.name,
                        sheet=meta.name)
            )
            continue
        hidden = meta.visible != pc.SheetVisibleEnum.Visible
        part = parts.get(meta.name)
        scan = part is not None and _needs_scan(facts.get(part) if facts else None)
        raw, sheet_problems = _read_sheet(workbook, meta.name, source, part if scan else None)
        problems.extend(sheet_problems)
        if raw is not None:
            raw.hidden = hidden
            merges = ods_merges.get(meta.name) if source.suffix == ".ods" else raw.merged
            raw.merged = _bounded_merges(merges, raw, problems)
            sheets.append(raw)
    return ReadResult(sheets, problems)


# Sheets whose XML inflates to less than this are read as stored (the copy below would
# cost more than calamine's pass over them).
MERGE_PASS_MIN_BYTES = 1024 * 1024
# What calamine's merged-cell reader finds first in a sheet it need not search: an empty
# list, which ends its pass over the XML at once.
_NO_MERGES = b"<mergeCells></mergeCells>"
_ZIP_LOCAL = struct.Struct("<IHHHHHIIIHH")
_ZIP_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_ZIP_END = struct.Struct("<IHHHHIIH")


def _without_merge_pass(
    data: bytes, parts: Mapping[str, str], facts: Mapping[str, PartFacts] | None
) -> pc.CalamineWorkbook | None:
    """The workbook opened from a copy in which calamine skips its merged-cell pass over
    the sheets known to have no merged cells; None when there is no such sheet (or the
    copy cannot be made: the caller opens the file as it is).

    python-calamine reads a sheet's merged ranges with every sheet it returns: a second
    pass over the whole sheet XML, about 40 % of its time on a long sheet. Where the
    precheck saw no ``mergeCell`` in a sheet's XML the answer is known (none), so the copy
    opens that XML with an empty ``<mergeCells>`` element, at which the pass stops. The
    cell values are read by the same code from the same bytes; the copy reuses every
    compressed member as it is (the prefix is a stored deflate block of its own in front
    of the sheet's compressed data).
    """
    if not facts:
        return None
    quiet = {
        part for part in parts.values()
        if (fact := facts.get(part)) is not None and not fact.merge_marks
        and fact.inflated_bytes >= MERGE_PASS_MIN_BYTES
    }
    if not quiet:
        return None
    try:
        copy = _prefixed_copy(data, quiet, _NO_MERGES)
        return None if copy is None else pc.CalamineWorkbook.from_filelike(io.BytesIO(copy))
    except Exception:  # noqa: BLE001 - the file is then opened as it is
        return None


def _prefixed_copy(data: bytes, members: set[str], prefix: bytes) -> bytes | None:
    """A copy of the zip ``data`` in which each of ``members`` starts with ``prefix``
    (before its XML declaration); None when one of them cannot be prefixed (compressed
    other than by deflate, a byte-order mark, not XML).

    The copy is one join of the pieces (headers, and views of the stored members): a
    12 MB workbook is copied once, not four times (22 -> 6 ms at 100,000 rows).
    """
    pieces: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    view = memoryview(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = sorted(z.infolist(), key=lambda i: i.header_offset)
        for info in infos:
            fields = _ZIP_LOCAL.unpack_from(data, info.header_offset)
            if fields[0] != 0x04034B50:
                return None
            flag, method, mtime, mdate = fields[2], fields[3], fields[4], fields[5]
            name_start = info.header_offset + _ZIP_LOCAL.size
            name = data[name_start : name_start + fields[9]]
            if flag & 0x01 or name != info.orig_filename.encode(
                "utf-8" if info.flag_bits & 0x800 else "cp437"
            ):
                return None  # encrypted, or named otherwise than in the directory
            start = name_start + fields[9] + fields[10]
            raw = [view[start : start + info.compress_size]]
            crc, size = info.CRC, info.file_size
            if info.filename in members:
                if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    return None
                with z.open(info) as fh:
                    if not fh.read(64).lstrip().startswith(b"<"):
                        return None  # a byte-order mark or no XML: left as it is
                if method == zipfile.ZIP_DEFLATED:
                    # A stored deflate block of its own in front of the member's blocks.
                    raw.insert(0, b"\x00" + struct.pack("<HH", len(prefix), len(prefix) ^ 0xFFFF)
                               + prefix)
                else:
                    raw.insert(0, prefix)
                crc = _crc_of_concatenation(zlib.crc32(prefix), crc, size)
                size += len(prefix)
            compressed = sum(len(piece) for piece in raw)
            flag &= ~0x08  # sizes and CRC are in the header: no data descriptor
            pieces.append(_ZIP_LOCAL.pack(0x04034B50, 20, flag, method, mtime, mdate, crc,
                                          compressed, size, len(name), 0))
            pieces.append(name)
            pieces.extend(raw)
            central.append(_ZIP_CENTRAL.pack(0x02014B50, 20, 20, flag, method, mtime, mdate,
                                             crc, compressed, size, len(name), 0, 0, 0, 0, 0,
                                             offset))
            central.append(name)
            offset += _ZIP_LOCAL.size + len(name) + compressed
    directory = b"".join(central)
    pieces.append(directory)
    pieces.append(_ZIP_END.pack(0x06054B50, 0, 0, len(infos), len(infos), len(directory),
                                offset, 0))
    return b"".join(pieces)


# CRC-32 arithmetic in GF(2)[x] modulo its polynomial, in zlib's bit order (the
# reflected polynomial 0xEDB88320; the top bit 1 << 31 stands for x^0).
_CRC_POLY = 0xEDB88320
_X0 = 1 << 31


def _times_mod_p(a: int, b: int) -> int:
    """The product a(x) * b(x) modulo the CRC-32 polynomial (both in reflected order)."""
    product = 0
    bit = _X0
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1
    return product


def _x_powers_of_two() -> tuple[int, ...]:
    """x^(2^k) modulo the polynomial for k = 0..31 (x^(2^(k+1)) is x^(2^k) squared)."""
    powers = [_X0 >> 1]  # x^1
    for _ in range(31):
        powers.append(_times_mod_p(powers[-1], powers[-1]))
    return tuple(powers)


_X_POWERS = _x_powers_of_two()


def _crc_of_concatenation(crc_a: int, crc_b: int, length_b: int) -> int:
    """CRC-32 of A followed by B from the CRC-32s of A and B and the length of B.

    CRC-32 is linear: crc(A + B) = crc(B) xor (``crc_a`` shifted over ``length_b`` zero
    bytes). Shifting a CRC over n bytes multiplies it by x^(8n) modulo the polynomial;
    x^(8n) is made from the powers x^(2^k) of the bits of 8n, so a 100 MB sheet costs a
    few dozen small multiplications, not a pass over 100 MB of zeros (0.05 s).
    """
    shift = _X0  # x^0
    exponent, k = length_b, 3  # 8n = n << 3: bit j of n is bit j + 3 of 8n
    while exponent:
        if exponent & 1:
            shift = _times_mod_p(_X_POWERS[k & 31], shift)
        exponent >>= 1
        k += 1
    return _times_mod_p(shift, crc_a) ^ crc_b


def _needs_scan(fact: PartFacts | None) -> bool:
    """False only when the precheck saw the whole part and none of the markers
    ``scan_sheet_xml`` looks for (so it would find nothing and not be truncated)."""
    if fact is None:
        return True
    return fact.formula_marks or fact.error_marks or fact.inflated_bytes > MAX_SCAN_BYTES


def _unreadable(file: str, exc: BaseException) -> Problem:
    return problem("error", "file.unreadable", {"reason": type(exc).__name__},
                   key="file.unreadable.excel", file=file)


def _read_sheet(
    workbook: pc.CalamineWorkbook, name: str, source: Source, part: str | None
) -> tuple[RawSheet | None, list[Problem]]:
    # The collector stays paused until calamine's row lists are freed: re-enabled while
    # they live, its next collection walks every one of them.
    with _gc_paused():
        try:
            sheet = workbook.get_sheet_by_name(name)
            end = sheet.end
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS:
                return None, [
                    problem("error", "sheet.too_large",
                            {"sheet": name, "rows": {"number": end[0] + 1},
                             "columns": {"number": end[1] + 1}},
                            file=source.name, sheet=name)
                ]
            rows = sheet.to_python(skip_empty_area=False) if end is not None else []
            merged = tuple(
                (r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or ())
            )
        except Exception as exc:  # noqa: BLE001 - one bad sheet must not stop the others
            return None, [
                problem("error", "sheet.unreadable",
                        {"sheet": name, "reason": type(exc).__name__},
                        file=source.name, sheet=name)
            ]
        cells = _grid(rows)
        del rows
    problems: list[Problem] = []
    errors: dict[tuple[int, int], str] = {}
    uncached: dict[tuple[int, int], str] = {}
    if part is not None:
        try:
            errors, uncached, truncated = scan_sheet_xml(source.data, part)
        except Exception:  # noqa: BLE001 - the values are read; only the scan is lost
            truncated = True
        if truncated:
            problems.append(
                problem("note", "sheet.scan_incomplete", {"sheet": name}, file=source.name,
                        sheet=name)
            )
    cells = _place_scan(cells, errors, uncached)
    return (
        RawSheet(
            source.name,
            name,
            cells,
            first_row=1,
            error_cells=errors,
            formula_no_cache=uncached,
            kind=source.kind,
            merged=merged,
        ),
        problems,
    )


def _bounded_merges(merges, raw: RawSheet, problems: list[Problem]) -> tuple:
    """The sheet's merged ranges inside its grid, or none (with a note) when there are
    more than ``MAX_MERGES``."""
    if not merges:
        return ()
    if len(merges) > MAX_MERGES:
        problems.append(
            problem("note", "sheet.merges_not_read",
                    {"sheet": raw.sheet, "n": {"number": len(merges)}},
                    file=raw.file, sheet=raw.sheet)
        )
        return ()
    height, width = raw.cells.shape
    return tuple(
        (r0, c0, min(r1, height - 1), min(c1, width - 1))
        for r0, c0, r1, c1 in merges
        if 0 <= r0 < height and 0 <= c0 < width and (r1 > r0 or c1 > c0)
    )


_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]{0,4000}?)(/?)>"
)
_ODS_ROWS_REPEATED = re.compile(rb'number-rows-repeated\s*=\s*["\'](\d{1,12})')
_ODS_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated\s*=\s*["\'](\d{1,12})')
_ODS_ROWS_SPANNED = re.compile(rb'number-rows-spanned\s*=\s*["\'](\d{1,7})')
_ODS_COLUMNS_SPANNED = re.compile(rb'number-columns-spanned\s*=\s*["\'](\d{1,7})')
_ODS_TABLE_NAME = re.compile(rb'table:name\s*=\s*"([^"]{0,400})"')


def _ods_merges(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name -> merged ranges of an .ods file, from content.xml streamed in chunks
    (the precheck bounded its size and repeats); {} when it cannot be read."""
    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z, z.open("content.xml") as fh:
            pending = b""
            current: list[tuple[int, int, int, int]] = []
            row = col = 0
            row_repeat = 1
            while True:
                chunk = fh.read(_CHUNK)
                text = pending + chunk
                cut = text.rfind(b">") + 1 if chunk else len(text)
                segment, pending = text[:cut], text[cut:]
                for m in _ODS_TAG.finditer(segment):
                    closing, name, attrs, empty = m.groups()
                    if name == b"table" and not closing:
                        found = _ODS_TABLE_NAME.search(attrs)
                        title = html.unescape(found.group(1).decode("utf-8", "replace")) if found else ""
                        current = merges.setdefault(title, [])
                        row = col = 0
                    elif name == b"table-row" and not closing:
                        rep = _ODS_ROWS_REPEATED.search(attrs)
                        row_repeat, col = (int(rep.group(1)) if rep else 1), 0
                        if empty:
                            row += row_repeat
                    elif name == b"table-row":
                        row += row_repeat
                    elif name in (b"table-cell", b"covered-table-cell") and not closing:
                        rows = _ODS_ROWS_SPANNED.search(attrs)
                        cols = _ODS_COLUMNS_SPANNED.search(attrs)
                        if name == b"table-cell" and (rows or cols) and len(current) <= MAX_MERGES:
                            r_span = int(rows.group(1)) if rows else 1
                            c_span = int(cols.group(1)) if cols else 1
                            if r_span > 1 or c_span > 1:
                                current.append((row, col, row + r_span - 1, col + c_span - 1))
                        rep = _ODS_COLUMNS_REPEATED.search(attrs)
                        col += int(rep.group(1)) if rep else 1
                if not chunk:
                    break
    except Exception:  # noqa: BLE001 - calamine read the values; merges are best effort
        return {}
    return merges


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cell values are allocated.

    The cells hold no reference cycles, but allocating them triggers full collections
    that walk every object already alive (about 0.1 s per 100,000-row sheet)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _grid(rows: list[list[object]]) -> pd.DataFrame:
    """Object DataFrame of calamine's rows with empty strings as None.

    A rectangular grid is copied into one object array in row order, block by block of
    rows, and each block's row lists are emptied and dropped as soon as it is copied: the
    cells and lists are then let go while still in the processor's cache, not in a second
    pass over the whole sheet (``rows`` is left a list of None; the caller drops it).
    Filling the array in row order, as calamine made the cells, costs half of filling it
    column by column. Ragged rows take the general path (and are left as they are).
    """
    width = len(rows[0]) if rows else 0
    if width and len(set(map(len, rows))) == 1:
        grid = np.empty((len(rows), width), dtype=object)
        flat = grid.reshape(-1)  # a view: the array is C-contiguous
        for start in range(0, len(rows), _GRID_BLOCK):
            block = rows[start : start + _GRID_BLOCK]
            flat[start * width : (start + len(block)) * width] = np.fromiter(
                chain.from_iterable(block), dtype=object, count=len(block) * width
            )
            for row in block:
                row.clear()
            rows[start : start + len(block)] = repeat(None, len(block))
        grid[_empty_strings(grid)] = None
        return pd.DataFrame(grid, dtype=object, copy=False)
    # Short rows padded with None, as pandas pads them (it warns that it will stop).
    longest = max(map(len, rows), default=0)
    cells = pd.DataFrame([[*row, *[None] * (longest - len(row))] for row in rows], dtype=object)
    if cells.size:
        cells = cells.where(cells.ne(""), None)
    return cells


#: Rows copied into the grid at a time (about 4 MB of cells for a 23-column sheet, which
#: stay cached until their row lists are emptied).
_GRID_BLOCK = 2048


_EMPTY = ""


def _empty_strings(grid: np.ndarray) -> np.ndarray:
    """The mask of the cells of calamine's grid that are the empty string.

    ``grid == ""`` compares every cell with Python's rich comparison: 0.18 s for a
    100,000-row 4W, mostly floats asking str and str asking floats. In CPython every
    empty ``str`` the C API makes is one object (calamine's empty cells and empty texts
    come from ``PyUnicode_FromStringAndSize``; ``test_read_excel`` checks it on a real
    read), so comparing the cells' object pointers with its address gives the same
    mask in a few milliseconds. Elsewhere (another Python, a grid that is not one
    contiguous block) the cells are compared.
    """
    contiguous = grid.flags.f_contiguous or grid.flags.c_contiguous
    if grid.dtype != object or not grid.size or not contiguous \
            or sys.implementation.name != "cpython":
        return grid == _EMPTY
    # The array's memory read as the pointers it holds (numpy will not view an object
    # array as integers); ``grid`` outlives ``pointers``, which is dropped on return.
    memory = (ctypes.c_char * grid.nbytes).from_address(grid.__array_interface__["data"][0])
    order = "C" if grid.flags.c_contiguous else "F"
    pointers = np.frombuffer(memory, dtype=np.intp).reshape(grid.shape, order=order)
    return pointers == id(_EMPTY)


def _place_scan(
    cells: pd.DataFrame, errors: dict[tuple[int, int], str], uncached: dict[tuple[int, int], str]
) -> pd.DataFrame:
    """Put error texts into the grid, growing it to reach every scanned cell."""
    positions = [*errors, *uncached]
    if not positions:
        return cells
    height = max(max(r for r, _ in positions) + 1, cells.shape[0])
    width = max(max(c for _, c in positions) + 1, cells.shape[1])
    if height * width > MAX_CELLS:
        return cells
    if (height, width) != cells.shape:
        grown = np.full((height, width), None, dtype=object)
        grown[: cells.shape[0], : cells.shape[1]] = cells.to_numpy()
        cells = pd.DataFrame(grown, dtype=object)
    for (r, c), text in errors.items():
        cells.iat[r, c] = text
    return cells


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from the workbook part and its relationships."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            book = "xl/workbook.xml"
            if "_rels/.rels" in names:
                for rel in ElementTree.fromstring(z.read("_rels/.rels")):
                    if rel.get("Type", "").endswith("/officeDocument"):
                        book = rel.get("Target", book).lstrip("/")
            rels_name = posixpath.join(
                posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels"
            )
            targets: dict[str, str] = {}
            for rel in ElementTree.fromstring(z.read(rels_name)):
                if rel.tag == f"{{{_NS_PKG}}}Relationship":
                    target = rel.get("Target", "")
                    if target.startswith("/"):
                        path = target.lstrip("/")
                    else:
                        path = posixpath.normpath(posixpath.join(posixpath.dirname(book), target))
                    targets[rel.get("Id", "")] = path
            parts: dict[str, str] = {}
            for element in ElementTree.fromstring(z.read(book)).iter():
                if element.tag.endswith("}sheet") or element.tag == "sheet":
                    rid = element.get(f"{{{_NS_REL}}}id")
                    path = targets.get(rid or "")
                    if path in names:
                        parts[element.get("name", "")] = path
            return parts
    except Exception:  # noqa: BLE001 - calamine read the workbook; the scan is best effort
        return {}


def scan_sheet_xml(
    data: bytes, part: str
) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str], bool]:
    """Find error cells and formulas without a cached value in one sheet's XML.

    Streams the zip member in chunks cut at row ends and looks only at chunks holding a
    formula or an error cell, so a sheet of plain values costs one regex search per MB.

    Args:
        data: the workbook bytes.
        part: zip member of the sheet, e.g. ``"xl/worksheets/sheet1.xml"``.

    Returns:
        ``({(row, col): "#REF!"}, {(row, col): "=A2*2"}, truncated)`` with 0-based grid
        positions; ``truncated`` is True when a limit stopped the scan.
    """
    errors: dict[tuple[int, int], str] = {}
    uncached: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[str, str]] = {}
    truncated = False
    with zipfile.ZipFile(io.BytesIO(data)) as z, z.open(part) as fh:
        pending = b""
        scanned = 0
        while True:
            chunk = fh.read(_CHUNK)
            scanned += len(chunk)
            if scanned > MAX_SCAN_BYTES:
                truncated = True
                break
            pending += chunk
            if chunk:
                cut = _last_row_end(pending)
                if cut < 0:
                    continue
                segment, pending = pending[:cut], pending[cut:]
            else:
                segment, pending = pending, b""
            if _may_be_interesting(segment) and _INTERESTING.search(segment):
                _scan_segment(segment, errors, uncached, masters)
                if len(errors) + len(uncached) >= MAX_RECORDED:
                    truncated = True
                    break
            if not chunk:
                break
    return errors, uncached, truncated


def _may_be_interesting(segment: bytes) -> bool:
    """Cheap literal test before the regex: most segments hold neither formulas nor errors."""
    return any(marker in segment for marker in (b"<f", b":f", b'"e"', b"'e'"))


def _last_row_end(buffer: bytes) -> int:
    """Index just after the last ``</row>`` (any prefix) in ``buffer``, or -1."""
    end = len(buffer)
    while True:
        i = buffer.rfind(b"row>", 0, end)
        if i < 0:
            return -1
        j = i
        while j > 0 and (buffer[j - 1 : j].isalnum() or buffer[j - 1 : j] in b"_.-:"):
            j -= 1
        if buffer[j - 2 : j] == b"</":
            return i + 4
        end = i


def _interesting_cells(segment: bytes):
    """Cell matches of the cells holding a formula or an error, in document order.

    Unprefixed sheets (nearly all) jump from each ``<f`` / ``t="e"`` back to its ``<c``,
    so a sheet where every row has a formula is not parsed cell by cell.
    """
    if b"<c " not in segment:
        yield from (m for m in _CELL.finditer(segment) if _INTERESTING.search(m.group(0)))
        return
    starts = set()
    for pattern in _FAST_HITS:
        for hit in pattern.finditer(segment):
            start = segment.rfind(b"<c ", 0, hit.start())
            if start >= 0:
                starts.add(start)
    for start in sorted(starts):
        match = _CELL.match(segment, start)
        if match is not None:
            yield match


def _scan_segment(
    segment: bytes,
    errors: dict[tuple[int, int], str],
    uncached: dict[tuple[int, int], str],
    masters: dict[bytes, tuple[str, str]],
) -> None:
    for match in _interesting_cells(segment):
        attributes, inner = match.group(1), match.group(2) or b""
        type_match = _TYPE.search(attributes)
        cell_type = type_match.group(1) if type_match else b"n"
        value = _VALUE.search(inner)
        value_text = (value.group(1) or b"") if value else b""
        is_error = cell_type == b"e" and bool(value_text.strip())
        formula = None if is_error else _FORMULA.search(inner)
        if not is_error and formula is None:
            continue
        shared = formula is not None and _SHARED.search(formula.group(1)) is not None
        cached = (
            bool(value_text)
            or (value is not None and cell_type in (b"str", b"inlineStr"))
            or _INLINE.search(inner) is not None
        )
        if not is_error and cached and not shared:
            continue  # the common case: a formula with its saved result
        ref = _REF.search(attributes)
        if ref is None:
            continue
        ref_text = ref.group(1).decode("ascii").upper() + ref.group(2).decode("ascii")
        position = (int(ref.group(2)) - 1, column_index(ref.group(1).decode("ascii")))
        if is_error:
            errors[position] = _text(value_text).strip()
            continue
        formula_text = _text(formula.group(2) or b"")
        shared_index = _SHARED_INDEX.search(formula.group(1)) if shared else None
        if formula_text and shared_index:
            masters[shared_index.group(1)] = (formula_text, ref_text)
        if cached:
            continue
        if formula_text:
            uncached[position] = "=" + formula_text
        elif shared_index and shared_index.group(1) in masters:
            master_text, master_ref = masters[shared_index.group(1)]
            uncached[position] = f"={master_text} (shared with {master_ref})"
        else:
            uncached[position] = "=(shared formula)"


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", errors="replace"))
