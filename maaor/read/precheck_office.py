"""Bounded structural checks of old Excel (.xls, OLE2) and OpenDocument (.ods) files.

The same discipline as the .xlsx checks of ``maaor.read.precheck``: before calamine
opens the bytes, look only at structure, within ``Limits``, never with a full parser.

* ``.xls``: the OLE2 header (magic number, sector sizes, a FAT that fits in the file),
  a workbook stream named in the directory, no encryption, and the sheet extents that
  the BIFF ``DIMENSIONS`` records declare (rows x columns within the cell limit: calamine
  holds the whole rectangle of a sheet).
* ``.ods``: a zip whose members are few, bounded and not over-compressed, with a
  ``content.xml``, not encrypted, without DTDs; ``content.xml`` is streamed in bounded
  chunks and the rows and columns that hold data are counted with their
  ``number-rows-repeated`` / ``number-columns-repeated`` factors, so a tiny file that
  repeats one cell a million times is refused before calamine expands it.

Both functions return error Problems (empty when a reader may open the file) and never
raise on any bytes; the isolated child process (``maaor.read.isolate``) is the second
line of defence, as for every format.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from io import BytesIO
from typing import TYPE_CHECKING

from maaor.problems import Problem, problem
from maaor.sources import Source

if TYPE_CHECKING:
    from maaor.read.precheck import Limits

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# BIFF8 DIMENSIONS record: type 0x0200, length 14, then rwMic, rwMac (uint32),
# colMic, colMac (uint16), reserved (uint16, 0).
_DIMENSIONS = re.compile(re.escape(b"\x00\x02\x0e\x00"))
_MAX_DIMENSION_RECORDS = 10_000
_XLS_MAX_ROWS = 65_536
_XLS_MAX_COLUMNS = 256
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

# ODS content.xml tokens. The scan keys on the "table:" prefix every ODF writer uses.
_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]{0,4000}?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated\s*=\s*["\'](\d{1,12})')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated\s*=\s*["\'](\d{1,12})')
_VALUE_TYPE = re.compile(rb"value-type\s*=")
_TABLE_NAME = re.compile(rb'table:name\s*=\s*"([^"]{0,200})"')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 1 << 20
_PENDING_MAX = 64 * 1024


def check_xls(source: Source, limits: Limits) -> list[Problem]:
    """Structural checks of an old-format Excel (.xls) file; [] when calamine may open it.

    Args:
        source: the file.
        limits: the bounds of ``maaor.read.precheck``.

    Returns:
        Error Problems naming the file.
    """
    data = source.data
    if not data.startswith(_OLE_MAGIC):
        return [_not_what_named(source, "xls")]
    if _ENCRYPTED_PACKAGE in data:
        return [_encrypted(source)]
    if len(data) < 512:
        return [_error(source, "xls.damaged")]
    sector_shift, mini_shift = struct.unpack("<HH", data[30:34])
    (fat_sectors,) = struct.unpack("<I", data[44:48])
    if sector_shift not in (9, 12) or mini_shift != 6:
        return [_error(source, "xls.damaged")]
    sector = 1 << sector_shift
    # Every FAT sector maps sector/4 sectors; a FAT far larger than the file is forged.
    if fat_sectors == 0 or fat_sectors > len(data) // sector + 1:
        return [_error(source, "xls.damaged")]
    if not any(name in data for name in _WORKBOOK_STREAMS):
        return [
            _error(source, "xls.no_workbook")
        ]
    found = 0
    for m in _DIMENSIONS.finditer(data):
        found += 1
        if found > _MAX_DIMENSION_RECORDS:
            break
        record = data[m.end() : m.end() + 14]
        if len(record) < 14:
            break
        rw_min, rw_max, col_min, col_max, reserved = struct.unpack("<IIHHH", record)
        plausible = (
            reserved == 0 and rw_min <= rw_max <= _XLS_MAX_ROWS and col_min <= col_max <= _XLS_MAX_COLUMNS
        )
        if plausible and rw_max * col_max > limits.max_cells:
            return [
                _error(
                    source,
                    "sheet.too_large",
                    {"rows": {"number": rw_max}, "columns": {"number": col_max},
                     "cells": {"number": rw_max * col_max}, "limit": {"number": limits.max_cells}},
                    key="sheet.too_large.xls",
                    value=f"{rw_max}x{col_max}",
                )
            ]
    return []


def check_ods(source: Source, limits: Limits) -> list[Problem]:
    """Structural checks of an OpenDocument spreadsheet (.ods); [] when calamine may open it.

    Args:
        source: the file.
        limits: the bounds of ``maaor.read.precheck``.

    Returns:
        Error Problems naming the file.
    """
    data = source.data
    if data.startswith(_OLE_MAGIC):
        return [_not_what_named(source, "ods", what="problem.what.ole")]
    if not data.startswith(_ZIP_MAGIC):
        return [_not_what_named(source, "ods")]
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return [_error(source, "ods.damaged")]
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_zip_entries:
            return [
                _error(
                    source,
                    "ods.too_many_entries",
                    {"n": {"number": len(infos)}, "limit": {"number": limits.max_zip_entries}},
                    value=str(len(infos)),
                )
            ]
        by_name = {i.filename: i for i in infos}
        if "content.xml" not in by_name:
            return [_not_what_named(source, "ods", what="problem.what.zip_no_sheet")]
        if any(i.flag_bits & 0x1 for i in infos):
            return [_encrypted(source)]
        total = 0
        for info in infos:
            total += info.file_size
            too_big = info.file_size > limits.max_member_bytes
            ratio = info.file_size / max(info.compress_size, 1)
            if too_big or (info.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio):
                return [
                    _error(
                        source,
                        "ods.member_too_large",
                        {"part": info.filename, "size": {"bytes": info.file_size},
                         "ratio": {"number": ratio}, "limit": {"bytes": limits.max_member_bytes},
                         "max_ratio": {"number": limits.max_ratio}},
                        value=info.filename,
                    )
                ]
        if total > limits.max_total_bytes:
            return [
                _error(
                    source,
                    "ods.zip_too_large",
                    {"size": {"bytes": total}, "limit": {"bytes": limits.max_total_bytes}},
                    value=str(total),
                )
            ]
        manifest = by_name.get("META-INF/manifest.xml")
        if manifest is not None and manifest.file_size <= 4 * 1024 * 1024:
            try:
                if b"encryption-data" in zf.read(manifest):
                    return [_encrypted(source)]
            except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError,
                    NotImplementedError, RuntimeError):
                return [_error(source, "ods.damaged")]
        try:
            return _content_problems(source, zf, by_name["content.xml"], limits)
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError,
                NotImplementedError, RuntimeError):
            return [_error(source, "ods.damaged")]


def _content_problems(source: Source, zf: zipfile.ZipFile, info: zipfile.ZipInfo,
                      limits: Limits) -> list[Problem]:
    """Stream content.xml: refuse DTDs and sheets whose data reach past the limits."""
    sheet = None
    row = 0  # rows started so far in the current table
    max_row = max_col = 0
    col = 0
    row_repeat = 1
    row_has_data = False
    row_last_col = 0
    pending = b""
    read = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            read += len(chunk)
            if read > limits.max_member_bytes:
                return [_error(source, "ods.member_too_large", key="ods.member_too_large.declared",
                               value=info.filename)]
            text = pending + chunk
            if _DTD.search(text):
                return [_error(source, "ods.dtd")]
            cut = text.rfind(b">") + 1 if chunk else len(text)
            segment, pending = text[:cut], text[cut:]
            if len(pending) > _PENDING_MAX:
                return [_error(source, "ods.damaged")]
            for m in _ODS_TAG.finditer(segment):
                closing, name, attrs, empty = m.groups()
                if name == b"table" and not closing:
                    named = _TABLE_NAME.search(attrs)
                    sheet = named.group(1).decode("utf-8", "replace") if named else None
                    row = max_row = max_col = 0
                elif name == b"table-row" and not closing:
                    rep = _ROWS_REPEATED.search(attrs)
                    row_repeat = int(rep.group(1)) if rep else 1
                    col, row_has_data, row_last_col = 0, False, 0
                    if empty:
                        row += row_repeat
                elif name == b"table-row":
                    if row_has_data:
                        max_row = row + row_repeat
                        max_col = max(max_col, row_last_col)
                    row += row_repeat
                elif name in (b"table-cell", b"covered-table-cell") and not closing:
                    rep = _COLUMNS_REPEATED.search(attrs)
                    repeat = int(rep.group(1)) if rep else 1
                    has_data = bool(_VALUE_TYPE.search(attrs)) or not empty
                    col += repeat
                    if has_data:
                        row_has_data = True
                        row_last_col = col
                if max_row > limits.max_rows or max_col > limits.max_columns \
                        or max_row * max_col > limits.max_cells:
                    where = ({"text": "problem.where.sheet", "params": {"sheet": sheet}} if sheet
                             else {"text": "problem.where.a_sheet"})
                    return [
                        _error(
                            source,
                            "sheet.too_large",
                            {"where": where, "row": {"number": max_row},
                             "columns": {"number": max_col}, "max_rows": {"number": limits.max_rows},
                             "max_columns": {"number": limits.max_columns},
                             "limit": {"number": limits.max_cells}},
                            key="sheet.too_large.ods",
                            value=f"{max_row}x{max_col}",
                        )
                    ]
            if not chunk:
                break
    return []


#: The message of a file that is not the kind its name says, by the kind named.
_WRONG_TYPE = {"xls": "file.wrong_type.xls", "ods": "file.wrong_type.ods"}


def _not_what_named(source: Source, named: str, what: str | None = None) -> Problem:
    """The file is not the ``named`` kind ("xls" or "ods") its name says; ``what`` is the
    catalogue entry of what it is (found from its bytes when not given)."""
    from maaor.read.precheck import _describe

    what = what or _describe(source.data) or "problem.what.other"
    return _error(source, "file.wrong_type", {"suffix": source.suffix, "what": {"text": what}},
                  key=_WRONG_TYPE[named])


def _encrypted(source: Source) -> Problem:
    return _error(source, "file.password")


def _error(source: Source, code: str, params: dict | None = None, *, key: str | None = None,
           value: str | None = None) -> Problem:
    """An error of the file ``source`` told by the catalogue entry of ``key`` (default
    ``code``) with ``params``."""
    return problem("error", code, params, key=key, file=source.name, value=value)
