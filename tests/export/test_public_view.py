"""One public view: ``python -m maaor brief`` (PPTX and data pack) applies the public
transformation the pages apply, aggregation level included (issue 11, item 6)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from maaor.bundled import load_default
from maaor.i18n import catalogue, country_name
from tests.paths import ROOT


@pytest.fixture(scope="module")
def admin1_names() -> list[str]:
    """Admin-1 names of the bundled 4W that cannot come from anything but the 4W's
    locations: names that are also a country name, an interface text or a text of
    another table (e.g. "Sahel" in a mechanism's name) are left out."""
    ds = load_default().dataset
    names = set(ds.presence["admin1"].dropna().astype(str))
    other = [text for lang in ("en", "fr") for text in catalogue(lang).values()]
    for name in ("workplan", "funding", "fts", "indicators", "mechanisms"):
        frame = ds.tables[name]
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
                other.extend(str(v) for v in frame[col].dropna().unique())
    codes = set(ds.presence["country_iso3"].dropna()) | set(ds.mechanisms["country_iso3"].dropna())
    other.extend(country_name(c, lang) for c in codes for lang in ("en", "fr"))
    blob = "\n".join(other)
    kept = sorted(n for n in names if not _word(n).search(blob))
    assert len(kept) >= 80, kept  # the check below covers most of the 97 names
    return kept


def _word(name: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _pptx_texts(path: Path) -> list[str]:
    """Every text of a PPTX: shapes, tables, notes, chart categories and series, and the
    workbooks embedded behind the charts."""
    out: list[str] = []
    deck = Presentation(str(path))
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                out.extend(cell.text for row in shape.table.rows for cell in row.cells)
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                for plot in chart.plots:
                    out.extend(str(c) for c in plot.categories)
                    out.extend(s.name for s in plot.series)
                blob = chart.part.chart_workbook.xlsx_part.blob
                out.extend(_xlsx_texts(blob))
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return out


def _xlsx_texts(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for v in row if v is not None]


def _brief(tmp_path: Path, level: str, monkeypatch) -> tuple[list, list[str], list[str]]:
    """Run ``python -m maaor brief`` (its main function) at public presence ``level`` on a
    fresh store of the bundled data; return (the slides it drew, PPTX texts, data-pack
    texts)."""
    from maaor import cli, service
    from maaor.export import pptx

    drawn: list = []
    real = pptx.briefing_pptx

    def spy(slides, *args, **kwargs):
        drawn.append(slides)
        return real(slides, *args, **kwargs)

    monkeypatch.setattr(pptx, "briefing_pptx", spy)
    monkeypatch.setenv("MAAOR_SQLITE_PATH", str(tmp_path / "store.sqlite"))
    monkeypatch.delenv("MAAOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("MAAOR_PUBLIC_PRESENCE_LEVEL", level)
    out, pack = tmp_path / f"{level}.pptx", tmp_path / f"{level}.xlsx"
    service.reset_for_tests()
    try:
        assert cli.main(["brief", "--out", str(out), "--datapack", str(pack)]) == 0
    finally:
        service.reset_for_tests()
    return drawn[0], _pptx_texts(out), _xlsx_texts(pack.read_bytes())


def _found(names: list[str], texts: list[str]) -> list[str]:
    blob = "\n".join(texts)
    return [n for n in names if _word(n).search(blob)]


def _map_rows(slides) -> list[str]:
    """Admin-1 areas of the presence map (the chart data behind the map picture)."""
    chart = next(s for s in slides if s.key == "presence").chart
    return sorted(chart.by_admin1["admin1"].dropna().astype(str))


def test_brief_at_country_level_holds_no_admin1_name(tmp_path, admin1_names, monkeypatch):
    slides, pptx_texts, pack_texts = _brief(tmp_path, "country", monkeypatch)
    assert _map_rows(slides) == []
    assert _found(admin1_names, pptx_texts) == []
    assert _found(admin1_names, pack_texts) == []
    # The same figures otherwise: every country is still on the presence slide.
    presence = load_default().dataset.presence
    assert (sorted(next(s for s in slides if s.key == "presence").table["country_iso3"])
            == sorted(presence["country_iso3"].dropna().unique()))


def test_brief_at_point_level_keeps_the_areas(tmp_path, admin1_names, monkeypatch):
    # The check above can fail: at the finest level the map's chart data hold the areas.
    slides, _, _ = _brief(tmp_path, "point", monkeypatch)
    assert len(set(_map_rows(slides)) & set(admin1_names)) >= 50


def test_only_views_applies_the_public_transformation():
    """Pages, downloads, slides and the CLI reach the public dataset through
    ``maaor.views.public_dataset`` only: no other code drops sensitive columns or
    coarsens presence itself."""
    pattern = re.compile(r"\.without_sensitive\(|\baggregate_presence\(")
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
             *sorted((ROOT / "maaor").rglob("*.py"))]
    callers = sorted(
        str(p.relative_to(ROOT)) for p in files
        if p.name not in ("dataset.py", "presence.py") and pattern.search(p.read_text("utf-8"))
    )
    assert callers == ["maaor/views.py"]
