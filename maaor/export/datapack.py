"""The XLSX data pack of a briefing: one sheet per slide with the table behind it.

Sheets are named ``NN_<slide key>`` in slide order; a first sheet ``about`` lists each
slide's title, message and source, then ``figures`` every headline figure of the deck
with its glossary id, label, value, unit, definition and scope, and a last sheet
``definitions`` every glossary figure's label, unit and definition (``maaor.glossary``).
Sheets read in the pack's language: headers are the interface's column names, countries
are named (not ISO3 codes), pillars, rules and statuses by their labels, and values are
rounded (whole dollars, percentages to one decimal). Text is neutralised against formula
injection (``maaor.export.tables.neutralise``) like every other download.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from maaor import vocab
from maaor.export.tables import _cell, _plain, neutralise, neutralise_text
from maaor.glossary import GLOSSARY, ignored_filters, scope_note
from maaor.i18n import DEFAULT_LANGUAGE, catalogue, country_name, t
from maaor.slides import Slide

# Table columns whose header is another catalogue key than ``col.<column>``.
HEADER_KEYS = {
    "country_iso3": "col.country",
    "not_reported": "status.not_reported",
    "progress_pct": "col.progress",
    "expected_pct": "col.expected",
    "disaggregation": "results.disaggregation",
    "item": "datapack.item",
    "figure": "datapack.figure",
    "label": "datapack.label",
    "unit": "datapack.unit",
    "definition": "datapack.definition",
    "scope": "datapack.scope",
    "sheet": "datapack.sheet",
    "title": "datapack.title",
    "message": "datapack.message",
    "source": "datapack.source",
    "notice": "datapack.notice",
}
# Columns whose codes are shown by their vocabulary label.
VOCAB_COLUMNS = {"pillar": "pillar", "disaggregation": "disaggregation"}


def header(column: str, lang: str) -> str:
    """Return the human header of a data-pack column in ``lang``: the figure's glossary
    label, else the interface's column name, else the column name itself."""
    if column in GLOSSARY:
        return GLOSSARY[column].label(lang)
    key = HEADER_KEYS.get(column, f"col.{column}")
    if key in catalogue(lang) or key in catalogue(DEFAULT_LANGUAGE):
        return t(key, lang)
    return column


def readable(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``frame`` as a reader sees it: countries named, codes by their labels,
    numbers rounded, headers in ``lang``.

    Money (``*_usd``) is rounded to whole dollars, percentages (``pct`` in the name)
    to one decimal, other decimals to two.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column == "country_iso3" or column.endswith("_iso3"):
            out[column] = [country_name(v, lang) if isinstance(v, str) else v for v in values]
        elif column in VOCAB_COLUMNS:
            out[column] = [vocab.label(VOCAB_COLUMNS[column], v, lang) if isinstance(v, str)
                           else v for v in values]
        elif column == "rule":
            out[column] = [t(f"rule.{v}", lang) if isinstance(v, str) else v for v in values]
        elif pd.api.types.is_float_dtype(values):
            digits = 0 if column.endswith("_usd") else 1 if "pct" in column or "progress" in column else 2
            out[column] = values.round(digits)
    out.columns = [header(str(c), lang) for c in out.columns]
    return out


def definitions_table(lang: str) -> pd.DataFrame:
    """Return every glossary figure's label, unit and definition in ``lang``."""
    rows = [(entry.label(lang), t(f"datapack.unit.{entry.unit}", lang), entry.help(lang))
            for entry in GLOSSARY.values()]
    return pd.DataFrame(rows, columns=[header(c, lang) for c in ("label", "unit", "definition")])


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


def pack_language(slides: Sequence[Slide]) -> str:
    """Return the language the deck was written in (its title slide says)."""
    title = next((s for s in slides if s.key == "title"), None)
    return title.extra.get("lang", DEFAULT_LANGUAGE) if title is not None else DEFAULT_LANGUAGE


def datapack_xlsx(slides: Sequence[Slide]) -> bytes:
    """Return the data pack of ``slides`` as XLSX bytes (one sheet per slide's table),
    in the deck's language."""
    lang = pack_language(slides)
    book = Workbook(write_only=True)
    about = book.create_sheet(title="about")
    about.append([header(c, lang) for c in ("sheet", "title", "message", "source", "notice")])
    for n, slide in enumerate(slides, start=1):
        about.append([_cell(neutralise_text(str(v))) for v in
                      (sheet_name(n, slide), slide.title, slide.message, slide.source,
                       slide.notice or "")])
    for n, slide in enumerate(slides, start=1):
        _write(book, sheet_name(n, slide), readable(slide.table, lang))
    figures = figures_table(slides)
    figures["unit"] = [t(f"datapack.unit.{u}", lang) for u in figures["unit"]]
    _write(book, "figures", readable(figures, lang))
    _write(book, "definitions", definitions_table(lang))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
