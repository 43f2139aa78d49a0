"""CSV and tab-separated text -> one RawSheet of text cells.

Everything stays text here: ``40.000,50`` reaches validation as the text "40.000,50".
Row ``i`` of the grid is line ``1 + i`` of the file; a record whose quoted field spans
several lines sits on the line where it starts and the lines it covers are empty grid
rows (the header mapper drops empty rows).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter

import pandas as pd

from maaor.problems import Problem, problem
from maaor.read.types import RawSheet, ReadResult
from maaor.sources import Source

SEPARATORS = (",", ";", "\t")
SNIFF_LINES = 50
HEADER_ZONE = 30
MAX_LINE_PROBLEMS = 20
MAX_CELL_CHARS = 32_767  # the most an Excel cell holds
MAX_FIELD_CHARS = 16 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def read_csv_bytes(source: Source) -> ReadResult:
    """Read a CSV/TSV file into one RawSheet (``sheet=None``, ``first_row=1``).

    Encoding: a BOM (UTF-8, UTF-16, UTF-32) decides; otherwise strict UTF-8, otherwise
    cp1252 (latin-1 for the bytes cp1252 does not define). A file mixing UTF-8 lines and
    cp1252 lines is decoded line by line with a ``csv.mixed_encoding`` warning naming the
    cp1252 lines. The separator (comma, semicolon or tab) is sniffed on the first lines.
    The expected width is the most common field count of the first 30 records (the
    narrower on a tie); a row with non-empty cells beyond it keeps them in extra columns
    and gets a ``csv.extra_cells`` warning; short rows are padded with None.

    Args:
        source: the file (its ``kind`` is copied to the sheet).

    Returns:
        The sheet (none for an empty file) and problems; never raises on bad input.
    """
    problems: list[Problem] = []
    text, encoding_problems = decode_text(source.data, source.name)
    problems.extend(encoding_problems)
    first_row = 1
    lines_skipped = 0
    separator = None
    first_line, _, rest = text.partition("\n")
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        # Excel's "sep=;" hint line names the separator and is not data.
        separator = first_line.strip()[4]
        text = rest
        first_row = 2
        lines_skipped = 1
    if not text.strip():
        problems.append(
            problem("error", "file.empty", key="file.empty.text", file=source.name)
        )
        return ReadResult([], problems)
    if separator is None:
        separator = sniff_separator(text, prefer_tab=source.suffix == ".tsv")
    records, record_problems = _records(text, separator, source.name, lines_skipped)
    problems.extend(record_problems)
    grid, width_problems = _grid(records, source.name, lines_skipped)
    problems.extend(width_problems)
    cells = pd.DataFrame(grid, dtype=object)
    if cells.size:
        cells = cells.where(cells.ne(""), None)
    return ReadResult(
        [RawSheet(source.name, None, cells, first_row=first_row, kind=source.kind)], problems
    )


def decode_text(data: bytes, file: str) -> tuple[str, list[Problem]]:
    """Decode CSV bytes to text (see :func:`read_csv_bytes`) and say what was guessed."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(codec), []
            except UnicodeDecodeError:
                return body.decode(codec, errors="replace"), [
                    problem("warning", "csv.encoding_replaced", {"encoding": label}, file=file)
                ]
    if _looks_utf16_without_bom(data):
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(codec, errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    return _decode_lines(data, file)


def _looks_utf16_without_bom(data: bytes) -> bool:
    head = data[:200]
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return False
    even_nul = head[0::2].count(0)
    odd_nul = head[1::2].count(0)
    half = len(head) // 2
    # ASCII text in UTF-16 has a NUL in every other byte, on one side only.
    return (odd_nul >= 0.9 * half and even_nul == 0) or (even_nul >= 0.9 * half and odd_nul == 0)


def _decode_single_byte(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _decode_lines(data: bytes, file: str) -> tuple[str, list[Problem]]:
    lines = data.split(b"\n")
    utf8_lines = 0
    single_byte_lines: list[int] = []
    decoded: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        try:
            decoded.append(line.decode("utf-8"))
            utf8_lines += 1
        except UnicodeDecodeError:
            decoded.append(_decode_single_byte(line))
            single_byte_lines.append(number)
    if not utf8_lines:
        # One legacy encoding throughout: decode as a whole (same result, one call).
        return _decode_single_byte(data), []
    shown = ", ".join(str(n) for n in single_byte_lines[:MAX_LINE_PROBLEMS])
    more = len(single_byte_lines) - MAX_LINE_PROBLEMS
    params = {"n": {"number": len(single_byte_lines)}, "lines": shown,
              "more": {"number": max(more, 0)}}
    mixed = problem("warning", "csv.mixed_encoding", params,
                    key="csv.mixed_encoding.more" if more > 0 else None,
                    file=file, row=single_byte_lines[0],
                    value=shown)
    return "\n".join(decoded), [mixed]


def sniff_separator(text: str, prefer_tab: bool = False) -> str:
    """Return the separator (",", ";" or tab) that splits the first lines most consistently.

    Each candidate parses the first lines (quotes respected); the one whose most common
    field count is above 1 and shared by most lines wins, then the one giving more
    columns. A ``.tsv`` file prefers tab on a tie; comma is the default.
    """
    sample_lines = text.splitlines()[:SNIFF_LINES]
    sample = "\n".join(line for line in sample_lines if line.strip())
    best = (",", (-1.0, 0, 0))
    for sep in SEPARATORS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=sep) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        width, share = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        tie_break = 1 if (prefer_tab and sep == "\t") else 0
        score = (share / len(counts), width, tie_break)
        if score > best[1]:
            best = (sep, score)
    return best[0]


def _records(
    text: str, separator: str, file: str, lines_skipped: int
) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """(start line, fields) for each record; blank lines are left out."""
    # The csv module refuses fields over a process-wide limit (other libraries raise it
    # too); raise it to our own bound so the outcome does not depend on import order.
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    check_long = len(text) > MAX_CELL_CHARS
    start = 1
    try:
        for fields in reader:
            if fields:
                records.append((start, fields))
                if check_long and len(problems) < MAX_LINE_PROBLEMS:
                    longest = max(map(len, fields))
                    if longest > MAX_CELL_CHARS:
                        problems.append(_long_cell(file, start + lines_skipped, longest))
            start = reader.line_num + 1
    except csv.Error as exc:
        line = start + lines_skipped
        problems.append(
            problem("error", "csv.unreadable_line", {"line": line, "reason": str(exc)},
                    file=file, row=line)
        )
    return records, problems


def _long_cell(file: str, line: int, length: int) -> Problem:
    # An error, not a warning: a cell longer than any spreadsheet cell would reach every
    # viewer of every page that shows it (issue 12).
    return problem("error", "csv.long_cell",
                   {"line": line, "chars": {"number": length},
                    "limit": {"number": MAX_CELL_CHARS}},
                   file=file, row=line)


def _grid(
    records: list[tuple[int, list[str]]], file: str, lines_skipped: int
) -> tuple[list[list[str | None]], list[Problem]]:
    problems: list[Problem] = []
    header_zone = [len(f) for _, f in records[:HEADER_ZONE] if any(c.strip() for c in f)]
    counts = Counter(n for n in header_zone if n > 1) or Counter(header_zone) or Counter([0])
    top = max(counts.values())
    # On a tie the shorter width wins: a long row is the exception, not the header.
    width = min(n for n, c in counts.items() if c == top)
    long_lines: list[int] = []
    grid: list[list[str | None]] = []
    full_width = max((len(f) for _, f in records), default=0)
    for start, fields in records:
        while len(grid) < start - 1:
            grid.append([None] * full_width)
        if len(fields) > width and any(c.strip() for c in fields[width:]):
            long_lines.append(start + lines_skipped)
        grid.append(fields + [None] * (full_width - len(fields)))
    for line in long_lines[:MAX_LINE_PROBLEMS]:
        problems.append(
            problem("warning", "csv.extra_cells", {"line": line, "width": width}, file=file,
                    row=line)
        )
    if len(long_lines) > MAX_LINE_PROBLEMS:
        problems.append(
            problem("warning", "csv.extra_cells",
                    {"n": {"number": len(long_lines) - MAX_LINE_PROBLEMS}},
                    key="csv.extra_cells.more", file=file)
        )
    return grid, problems
