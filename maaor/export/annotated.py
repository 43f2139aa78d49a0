"""The uploaded file with each problem marked where it is, for the coordinator to fix.

For an .xlsx upload: the original workbook, each problem cell filled (red for errors,
amber for warnings) with a comment giving the message and the fix. For CSV/JSON: the
rows as read, rendered into a workbook and marked the same way. Either way a sheet
"Problems" lists every problem. Text written from data (the rendered rows, the
Problems sheet) is neutralised against formula injection; the original workbook's
own cells are left exactly as the user wrote them.

openpyxl reads and rewrites the workbook: the cells, formats and formulas are kept;
charts and images are not (the annotated file is for fixing the data, not a
replacement of the original).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from maaor.export.tables import _cell, neutralise_text
from maaor.i18n import t
from maaor.load import sheets_as_read
from maaor.problems import Problem
from maaor.sources import Source
from maaor.textkey import match_key

ERROR_COLOUR = "FFFF9999"  # red
WARNING_COLOUR = "FFFFC000"  # amber
NOTE_COLOUR = "FFBDD7EE"  # light blue
FILLS = {
    "error": PatternFill(fill_type="solid", start_color=ERROR_COLOUR, end_color=ERROR_COLOUR),
    "warning": PatternFill(fill_type="solid", start_color=WARNING_COLOUR, end_color=WARNING_COLOUR),
    "note": PatternFill(fill_type="solid", start_color=NOTE_COLOUR, end_color=NOTE_COLOUR),
}
_RANK = {"error": 0, "warning": 1, "note": 2}
#: The columns of the problems sheet (their headers: ``annotated.header.<column>``).
PROBLEM_COLUMNS = ("severity", "file", "sheet", "row", "column", "value", "message", "fix", "code")
COMMENT_AUTHOR = "maaor"
# Header rows are looked for above the problem row, no deeper than this.
_HEADER_SCAN_ROWS = 30
_MAX_COMMENT_CHARS = 2000

_log = logging.getLogger(__name__)


def annotated_workbook(source: Source, problems: Sequence[Problem], lang: str = "en") -> bytes:
    """Return an .xlsx of ``source`` with every problem marked on its cell, told in
    ``lang`` (comments, the problems sheet's name, headers, messages and fixes).

    Args:
        source: the uploaded file.
        problems: the problems found in it (problems naming other files are ignored).
        lang: the language of the coordinator.

    Returns:
        The bytes of an .xlsx workbook. Never raises for a bad file: when the file
        cannot be rendered, the workbook holds the Problems sheet only.
    """
    mine = [p for p in problems if not p.file or p.file == source.name]
    book = None
    if source.suffix in (".xlsx", ".xlsm"):
        try:
            book = load_workbook(io.BytesIO(source.data), keep_vba=False, keep_links=False)
        except Exception as exc:  # noqa: BLE001 - fall back to the rows as read
            _log.warning("openpyxl could not open %s: %r", source.name, exc)
    if book is None:
        book = _rendered(source)
    for sheet_name, cell_problems in _by_cell(book, mine).items():
        sheet = book[sheet_name]
        for (row, col), found in cell_problems.items():
            _mark(sheet.cell(row=row, column=col), found, lang)
    _problems_sheet(book, mine, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rendered(source: Source) -> Workbook:
    """The rows of a CSV/JSON (or unreadable workbook) as read, neutralised."""
    book = Workbook()
    book.remove(book.active)
    try:
        sheets = sheets_as_read(source)
    except Exception as exc:  # noqa: BLE001 - reading should not raise; be sure
        _log.warning("reading %s for annotation failed: %r", source.name, exc)
        sheets = []
    used: set[str] = set()
    for raw in sheets:
        title = _unique_title(raw.sheet or Path(source.name).stem or "data", used)
        sheet = book.create_sheet(title=title)
        values = raw.cells.to_numpy(dtype=object)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                value = _cell(neutralise_text(value))
                if value is not None:
                    sheet.cell(row=raw.first_row + i, column=j + 1, value=value)
    return book


def _unique_title(title: str, used: set[str]) -> str:
    for bad in '[]:*?/\\':
        title = title.replace(bad, " ")
    base = title.strip()[:31] or "data"
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _sheet_for(book: Workbook, problem: Problem) -> str | None:
    if problem.sheet and problem.sheet in book.sheetnames:
        return problem.sheet
    data_sheets = list(book.sheetnames)  # the problems sheet is added after the marks
    # CSV/JSON problems name no sheet: the rendering has the one sheet of the file.
    if problem.sheet is None and len(data_sheets) == 1:
        return data_sheets[0]
    return None


def _column_index(sheet, header: str, row: int, cache: dict) -> int | None:
    """The column whose header (above ``row``) reads ``header`` (case/accent-insensitive)."""
    key = (sheet.title, header)
    if key in cache:
        return cache[key]
    wanted_exact, wanted_key = header.strip(), match_key(header)
    found = None
    last = min(max(row - 1, 1), _HEADER_SCAN_ROWS, sheet.max_row or 1)
    fuzzy = None
    for cells in sheet.iter_rows(min_row=1, max_row=last):
        for cell in cells:
            value = cell.value
            if value is None:
                continue
            text = str(value).strip()
            if text == wanted_exact:
                found = cell.column
                break
            if fuzzy is None and wanted_key and match_key(text) == wanted_key:
                fuzzy = cell.column
        if found is not None:
            break
    result = found if found is not None else fuzzy
    cache[key] = result
    return result


def _by_cell(book: Workbook, problems: Sequence[Problem]) -> dict[str, dict[tuple[int, int], list[Problem]]]:
    """Problems grouped by sheet and (row, column) cell; whole-row problems go on column A."""
    cells: dict[str, dict[tuple[int, int], list[Problem]]] = {}
    cache: dict = {}
    for problem in problems:
        if problem.row is None or problem.row < 1:
            continue
        name = _sheet_for(book, problem)
        if name is None:
            continue
        col = _column_index(book[name], problem.column, problem.row, cache) if problem.column else None
        # A problem standing for several rows (one cause) marks each of them.
        for row in problem.rows or (problem.row,):
            cells.setdefault(name, {}).setdefault((row, col or 1), []).append(problem)
    return cells


def _clean(text: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))


def _mark(cell, found: list[Problem], lang: str = "en") -> None:
    found = sorted(found, key=lambda p: _RANK[p.severity])
    cell.fill = FILLS[found[0].severity]
    lines = []
    for p in found:
        line = t("annotated.line", lang, severity=t(f"cli.severity.{p.severity}", lang),
                 message=p.message_in(lang))
        if p.column and cell.column == 1:
            line += t("annotated.column", lang, column=p.column)
        fix = p.fix_in(lang)
        if fix:
            line += "\n" + t("annotated.fix", lang, fix=fix)
        lines.append(line)
    text = _clean("\n\n".join(lines))[:_MAX_COMMENT_CHARS]
    comment = Comment(text, COMMENT_AUTHOR)
    comment.width = 320
    comment.height = min(400, 60 + 18 * text.count("\n") + len(text) // 3)
    cell.comment = comment


def _problems_sheet(book: Workbook, problems: Sequence[Problem], lang: str = "en") -> None:
    used = {n.casefold() for n in book.sheetnames}
    sheet = book.create_sheet(title=_unique_title(t("annotated.sheet", lang), used), index=0)
    sheet.append([t(f"annotated.header.{c}", lang) for c in PROBLEM_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for p in sorted(problems, key=lambda p: (_RANK[p.severity], p.sheet or "", p.row or 0)):
        # A problem standing for several rows names them all (its first alone would hide
        # the others from whoever reads this sheet rather than the marked cells).
        values = (t(f"coord.problem.severity.{p.severity}", lang), p.file, p.sheet, p.row_label,
                  p.column, p.value, p.message_in(lang), p.fix_in(lang), p.code)
        sheet.append([_cell(neutralise_text(v)) for v in values])
        sheet.cell(row=sheet.max_row, column=1).fill = FILLS[p.severity]
    widths = (10, 24, 18, 7, 20, 24, 60, 60, 22)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    book.active = 0
    sheet.sheet_view.tabSelected = True
