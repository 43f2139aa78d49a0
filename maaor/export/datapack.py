"""The XLSX data pack of a briefing: one sheet per slide with the table behind it.

Sheets are named ``NN_<slide key>`` in slide order; a first sheet ``about`` lists each
slide's title, message and source, and a last sheet ``figures`` every headline figure of the
deck with its glossary id, label, value, unit, definition and scope (``maaor.glossary``). Text is neutralised against formula injection
(``maaor.export.tables.neutralise``) like every other download.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from maaor.export.tables import _cell, _plain, neutralise, neutralise_text
from maaor.glossary import GLOSSARY, ignored_filters, scope_note
from maaor.slides import Slide


def sheet_name(n: int, slide: Slide) -> str:
    """Return the sheet name of slide number ``n`` (1-based): ``"03_presence"``."""
    return f"{n:02d}_{slide.key}"[:31]


def _write(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    safe = neutralise(_plain(frame))
    sheet = book.create_sheet(title=title)
    sheet.append([_cell(c) for c in safe.columns])
    for row in safe.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])
    for index, col in enumerate(safe.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, len(str(col)) + 2))


def figures_table(slides: Sequence[Slide]) -> pd.DataFrame:
    """Return the glossary figures of a deck: one row per headline figure.

    Columns figure (glossary id), label, value (as computed; blank when unknown), unit,
    definition and scope (the chosen filters it does not follow, in words; blank when
    it follows them all). Empty when the deck has no title slide.
    """
    title = next((s for s in slides if s.key == "title"), None)
    columns = ["figure", "label", "value", "unit", "definition", "scope"]
    if title is None or "headline" not in title.extra:
        return pd.DataFrame(columns=columns)
    lang, f = title.extra["lang"], title.extra["filters"]
    rows = []
    for figure_id, value in title.extra["headline"].items():
        entry = GLOSSARY[figure_id]
        scope = scope_note([figure_id], f, lang) if ignored_filters(figure_id, f) else ""
        rows.append((figure_id, entry.label(lang), value, entry.unit, entry.help(lang), scope))
    out = pd.DataFrame(rows, columns=columns)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    return out


def datapack_xlsx(slides: Sequence[Slide]) -> bytes:
    """Return the data pack of ``slides`` as XLSX bytes (one sheet per slide's table)."""
    book = Workbook(write_only=True)
    about = book.create_sheet(title="about")
    about.append(["sheet", "title", "message", "source", "notice"])
    for n, slide in enumerate(slides, start=1):
        about.append([_cell(neutralise_text(str(v))) for v in
                      (sheet_name(n, slide), slide.title, slide.message, slide.source,
                       slide.notice or "")])
    for n, slide in enumerate(slides, start=1):
        _write(book, sheet_name(n, slide), slide.table)
    _write(book, "figures", figures_table(slides))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
