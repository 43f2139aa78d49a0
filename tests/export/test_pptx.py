"""Briefing pack: the PPTX holds the slides in order with the figure functions' numbers,
native charts, the map image and speaker notes; the XLSX data pack is neutralised; the
PPTX converts with LibreOffice; ``python -m maaor brief`` writes it from the store."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation

from maaor.export.datapack import datapack_xlsx
from maaor.export.pptx import briefing_pptx
from maaor.figures.funding import funding_by, funding_headline
from maaor.figures.overview import overview_headline
from maaor.figures.progress import progress_by_objective, workplan_headline
from maaor.filters import Filters, filter_funding, filter_workplan
from maaor.i18n import country_name, fmt_money, fmt_number, fmt_percent
from maaor.slides import SLIDE_KEYS, slide_deck
from tests.conftest import require_or_skip
from tests.paths import ROOT

TODAY = dt.date(2026, 1, 15)
MEETING, MEETING_DATE = "National Directors Meeting", dt.date(2026, 2, 10)


@pytest.fixture(scope="module")
def ds():
    from maaor.bundled import load_default

    return load_default().dataset


def _build(ds, f, lang="en"):
    slides = slide_deck(ds, f, TODAY, lang)
    return slides, Presentation(io.BytesIO(briefing_pptx(slides, ds.meta, MEETING,
                                                         MEETING_DATE, lang)))


def _shape(slide, name):
    return next(s for s in slide.shapes if s.name == name)


def _numbers(slide) -> dict[str, str]:
    """Big numbers of a slide: key -> the value paragraph's text."""
    return {s.name.split(":", 1)[1]: s.text_frame.paragraphs[0].text
            for s in slide.shapes if s.name.startswith("number:")}


def _series(slide) -> dict[str, tuple]:
    chart = _shape(slide, "chart").chart
    return {s.name: tuple(s.values) for s in chart.plots[0].series}


@pytest.mark.parametrize("f", [Filters(), Filters(countries=("IRQ",))], ids=["all", "IRQ"])
def test_pptx_slides_in_order_with_the_functions_numbers(ds, f):
    slides, deck = _build(ds, f)
    pages = {s.name: s for s in deck.slides}
    assert [s.name for s in deck.slides] == list(SLIDE_KEYS)
    assert _shape(pages["title"], "title").text_frame.text == MEETING
    assert _shape(pages["title"], "message").text_frame.text.startswith("10 Feb 2026 · ")

    head = overview_headline(ds, f, TODAY)
    shown = _numbers(pages["headline"])
    if f.countries:  # issue 11: the global work plan is hidden, not shown as filtered
        assert "activities" not in shown and "pct_completed" not in shown
    else:
        assert shown["activities"] == fmt_number(head["activities"], "en")
        assert shown["pct_completed"] == fmt_percent(head["pct_completed"], "en")
    assert shown["required_usd"] == fmt_money(head["required_usd"], "en")
    assert shown["gap_usd"] == fmt_money(head["gap_usd"], "en")

    wp = filter_workplan(ds.workplan, f)
    work = workplan_headline(wp, TODAY)
    assert _numbers(pages["progress"])["completed"] == fmt_number(work["completed"], "en")
    by_objective = progress_by_objective(wp)
    series = _series(pages["progress"])
    assert series["Completed"] == tuple(float(v) for v in by_objective["completed"])
    assert series["Delayed"] == tuple(float(v) for v in by_objective["delayed"])
    chart = _shape(pages["progress"], "chart").chart
    assert list(chart.plots[0].categories) == [f"{i} {o}" for i, o in zip(
        by_objective["objective_id"], by_objective["objective"], strict=True)]

    rows = filter_funding(ds.funding, f)
    money = funding_headline(rows)
    assert _numbers(pages["funding"])["funded_against_requirement_usd"] == fmt_money(
        money["funded_against_requirement_usd"], "en")
    assert _numbers(pages["funding"])["funded_no_requirement_usd"] == fmt_money(
        money["funded_no_requirement_usd"], "en")
    dimension = "year" if f.countries else "country_iso3"
    table = funding_by(rows, [dimension])
    if dimension == "country_iso3":
        table = table.sort_values("required_usd", ascending=False, kind="stable").head(12)
    funded = _series(pages["funding"])["Funded against the requirement"]
    assert funded == tuple(float(v) for v in table["funded_against_requirement_usd"])

    # the same slide records drew the file: every chart value is the record's value
    for slide in slides:
        if slide.chart.kind == "bar" and slide.chart.categories:
            drawn = _series(pages[slide.key])
            for spec in slide.chart.series:
                assert drawn[spec.name] == spec.values, (slide.key, spec.name)


def test_map_is_an_image_and_notes_hold_narrative_and_version(ds):
    slides, deck = _build(ds, Filters())
    pages = {s.name: s for s in deck.slides}
    picture = _shape(pages["presence"], "map")
    assert picture.image.content_type == "image/png"
    assert picture.image.size[0] >= 1000
    notes = pages["title"].notes_slide.notes_text_frame.text
    for sentence in slides[0].notes:
        assert sentence.text in notes
    assert "Data loaded" in notes  # the bundled dataset is not a published version
    funding_notes = pages["funding"].notes_slide.notes_text_frame.text
    assert next(s for s in slides if s.key == "funding").notes[0].text in funding_notes
    for page in deck.slides:
        assert _shape(page, "notice").text_frame.text.startswith("Illustrative data")


def test_french_pack(ds):
    _, deck = _build(ds, Filters(year=2021), "fr")
    pages = {s.name: s for s in deck.slides}
    assert _shape(pages["funding"], "title").text_frame.text == "Financement requis et reçu"
    assert _shape(pages["results"], "slide_number").text_frame.text == f"Diapositive {len(SLIDE_KEYS)} sur {len(SLIDE_KEYS)}"


def test_datapack_one_sheet_per_slide_and_neutralised(ds):
    slides = slide_deck(ds, Filters(), TODAY, "en")
    progress, funding_at = SLIDE_KEYS.index("progress"), SLIDE_KEYS.index("funding")
    table = slides[progress].table.copy()
    table.loc[0, "objective"] = "=HYPERLINK(\"http://evil.example\")"
    slides[progress] = type(slides[progress])(**{**slides[progress].__dict__, "table": table})
    book = load_workbook(io.BytesIO(datapack_xlsx(slides)), read_only=True)
    assert book.sheetnames == ["about"] + [f"{n:02d}_{k}" for n, k in
                                           enumerate(SLIDE_KEYS, start=1)] + ["figures",
                                                                              "definitions"]
    rows = list(book[f"{progress + 1:02d}_progress"].values)
    header = list(rows[0])
    # Headers are the interface's words (issue 14: no snake_case in the pack).
    assert rows[1][header.index("Objective")] == "'=HYPERLINK(\"http://evil.example\")"
    sheet = f"{funding_at + 1:02d}_funding"
    funding = pd.DataFrame(list(book[sheet].values)[1:], columns=list(book[sheet].values)[0])
    assert funding["Funding required"].sum() == pytest.approx(
        slides[funding_at].table["required_usd"].sum(), abs=len(funding))  # whole dollars


def _sheet(book, name) -> pd.DataFrame:
    rows = list(book[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_datapack_reads_in_the_pack_language(ds, lang):
    from maaor.glossary import GLOSSARY
    from maaor.i18n import t

    slides = slide_deck(ds, Filters(), TODAY, lang)
    book = load_workbook(io.BytesIO(datapack_xlsx(slides)), read_only=True)
    for name in book.sheetnames:
        header = [str(h) for h in next(book[name].values)]
        snake = [h for h in header if "_" in h]
        assert snake == [], (name, snake)
    funding_at = SLIDE_KEYS.index("funding")
    funding = _sheet(book, f"{funding_at + 1:02d}_funding")
    country = t("col.country", lang)
    assert sorted(funding[country]) == sorted(country_name(c, lang)
                                              for c in slides[funding_at].table["country_iso3"])
    assert not any(len(str(c)) == 3 and str(c).isupper() for c in funding[country])
    for column in funding.columns:
        values = [v for v in funding[column] if isinstance(v, float) and v == v]  # not NaN
        places = 0 if column != GLOSSARY["pct_funded"].label(lang) else 1
        assert all(round(v, places) == v for v in values), column
    definitions = _sheet(book, "definitions")
    assert len(definitions) == len(GLOSSARY)
    assert set(definitions.iloc[:, 0]) == {e.label(lang) for e in GLOSSARY.values()}
    assert all(isinstance(d, str) and len(d) > 20 for d in definitions.iloc[:, 2])


def _chart_xml(slide) -> str:
    from lxml import etree

    return etree.tostring(_shape(slide, "chart").chart._chartSpace).decode()


@pytest.mark.parametrize("f", [Filters(), Filters(year=2021)], ids=["all", "2021"])
def test_every_category_of_every_chart_is_labelled_at_a_size_that_fits(ds, f):
    from lxml import etree
    from pptx.util import Emu

    slides, deck = _build(ds, f)
    charted = 0
    for spec, page in zip(slides, deck.slides, strict=True):
        if spec.chart.kind != "bar" or not spec.chart.categories:
            continue
        charted += 1
        frame = _shape(page, "chart")
        xml = etree.fromstring(_chart_xml(page).encode())
        ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
              "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
        skips = xml.findall(".//c:catAx/c:tickLblSkip", ns)
        assert [s.get("val") for s in skips] == ["1"], spec.key
        assert xml.find(".//c:catAx/c:delete", ns).get("val") == "0"
        sizes = xml.findall(".//c:catAx/c:txPr//a:defRPr", ns)
        label_pt = int(sizes[0].get("sz")) / 100
        # each category's band holds its label (the viewer has no reason to skip any)
        assert label_pt * len(spec.chart.categories) <= Emu(frame.height).pt - 60, spec.key
        assert list(frame.chart.plots[0].categories) == list(spec.chart.categories)
    assert charted >= 3


def test_french_pack_numbers_carry_the_french_locale(ds):
    slides, deck = _build(ds, Filters(), "fr")
    funding = next(p for s, p in zip(slides, deck.slides, strict=True) if s.key == "funding")
    xml = _chart_xml(funding)
    assert '[$-40C]#,##0.0,," M"' in xml
    slides_en, deck_en = _build(ds, Filters(), "en")
    funding_en = next(p for s, p in zip(slides_en, deck_en.slides, strict=True)
                      if s.key == "funding")
    assert "[$-40C]" not in _chart_xml(funding_en)
    assert '#,##0.0,,"M"' in _chart_xml(funding_en)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        require_or_skip("LibreOffice (soffice) not installed: apt-get install -y "
                        "--no-install-recommends libreoffice-impress-nogui")
    return found


def test_pptx_converts_to_pdf_with_libreoffice(ds, tmp_path):
    soffice = _soffice()
    slides = slide_deck(ds, Filters(), TODAY, "en")
    path = tmp_path / "briefing.pptx"
    path.write_bytes(briefing_pptx(slides, ds.meta, MEETING, MEETING_DATE, "en"))
    env = dict(os.environ, HOME=str(tmp_path))  # a private LibreOffice profile
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, env=env, timeout=180, capture_output=True)
    pdf = (tmp_path / "briefing.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert _pdf_pages(tmp_path / "briefing.pdf") == len(SLIDE_KEYS)


def _pdftotext() -> str:
    found = shutil.which("pdftotext")
    if not found:
        require_or_skip("pdftotext not installed: apt-get install -y poppler-utils")
    return found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_libreoffice_render_names_every_country_of_the_slides(ds, tmp_path, lang):
    import re

    soffice, pdftotext = _soffice(), _pdftotext()
    slides = slide_deck(ds, Filters(), TODAY, lang)
    path = tmp_path / "briefing.pptx"
    path.write_bytes(briefing_pptx(slides, ds.meta, MEETING, MEETING_DATE, lang))
    env = dict(os.environ, HOME=str(tmp_path))
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, env=env, timeout=180, capture_output=True)
    pages = []
    for number in range(1, len(slides) + 1):
        out = subprocess.run([pdftotext, "-layout", "-f", str(number), "-l", str(number),
                              str(tmp_path / "briefing.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        pages.append(" ".join(out.split()))
    for slide, text in zip(slides, pages, strict=True):
        if slide.chart.kind != "bar":
            continue
        missing = [c for c in slide.chart.categories
                   if " ".join(str(c).split())[:25] not in text]
        assert missing == [], (lang, slide.key, missing)
    funding = pages[[s.key for s in slides].index("funding")]
    if lang == "fr":
        assert re.search(r"\d+,\d M", funding), funding[:400]  # 183,7 M
        assert not re.search(r"\d+\.\dM", funding)
    else:
        assert re.search(r"\d+\.\dM", funding), funding[:400]


def _pdf_pages(path: Path) -> int:
    """Page count of a PDF (pdfinfo when present, else the /Type /Page objects)."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        return int(next(x for x in out.splitlines() if x.startswith("Pages:")).split()[1])
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_cli_brief_writes_the_pack_from_the_store(tmp_path):
    env = dict(os.environ, MAAOR_SQLITE_PATH=str(tmp_path / "store.sqlite"))
    env.pop("MAAOR_DATABASE_URL", None)
    out, pack = tmp_path / "x.pptx", tmp_path / "x.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "maaor", "brief", "--out", str(out), "--country", "IRQ",
         "--year", "2021", "--meeting", MEETING, "--date", "2026-02-10", "--lang", "fr",
         "--datapack", str(pack)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(SLIDE_KEYS)} slides, data version 1" in done.stdout
    deck = Presentation(str(out))
    assert [s.name for s in deck.slides] == list(SLIDE_KEYS)
    assert _shape(deck.slides[0], "title").text_frame.text == MEETING
    assert _shape(deck.slides[0], "message").text_frame.text == (
        f"10 févr. 2026 · {country_name('IRQ', 'fr')} · 2021")
    assert load_workbook(pack, read_only=True).sheetnames[1] == "01_title"


def test_cli_brief_rejects_a_bad_date(tmp_path):
    done = subprocess.run([sys.executable, "-m", "maaor", "brief", "--out", "x.pptx",
                           "--date", "10/02/2026"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "not a YYYY-MM-DD date" in done.stderr


def _texts(deck) -> dict[str, str]:
    """Every text of each slide (shapes and notes), by slide name."""
    out = {}
    for page in deck.slides:
        parts = [s.text_frame.text for s in page.shapes if s.has_text_frame]
        if page.has_notes_slide:
            parts.append(page.notes_slide.notes_text_frame.text)
        out[page.name] = "\n".join(parts)
    return out


@pytest.mark.parametrize(("lang", "presence", "pillars", "money"), [
    # French: 0 and 1 are singular; amounts "32,7 M USD" (Babel's decimal comma and units)
    ("fr", "1 organisation active dans 1 pays.",
     "0 pilier attendu n'a aucune organisation active, dans 0 pays.",
     "32,7\u00a0M\u00a0USD reçus pour 56,4\u00a0M\u00a0USD requis"),
    ("en", "1 active organisation in 1 country.",
     "0 expected pillars have no active organisation, in 0 countries.",
     "USD 32.7M received against USD 56.4M required"),
])
def test_pack_text_has_the_language_plurals_and_number_formats(ds, lang, presence, pillars, money):
    # One organisation in one country: the counts that French and English treat apart.
    _, deck = _build(ds, Filters(countries=("CAF",), org="UNMAS"), lang)
    texts = _texts(deck)
    assert presence in texts["presence"]
    assert pillars in texts["pillars"]
    assert money in texts["funding"]
    everything = "\n".join(texts.values())
    if lang == "fr":
        # no English decimal point in an amount, and the meeting's month in French
        assert not re.search(r"\d\.\d\s?M", everything)
        assert "10 févr. 2026" in texts["title"]
        assert "1 organisations" not in everything and "0 piliers" not in everything
    else:
        assert "10 Feb 2026" in texts["title"]


def _emergency_expected(ds, emergency: str, lang: str = "en"):
    """The emergency's figures as the functions compute them on the public view."""
    from maaor.figures.emergency import emergency_sentence, emergency_summary
    from maaor.figures.reached import reached_headline
    from maaor.filters import filter_presence
    from maaor.views import public_dataset

    rows = filter_presence(public_dataset(ds).presence, Filters(emergency=emergency))
    return emergency_sentence(emergency_summary(rows, emergency), lang), reached_headline(rows)


def test_pptx_of_an_emergency_has_it_in_the_title_and_its_figures(ds):
    from maaor.views import public_dataset

    f = Filters(emergency="central-sahel")
    slides = slide_deck(public_dataset(ds), f, TODAY, "en")
    deck = Presentation(io.BytesIO(briefing_pptx(slides, ds.meta, None, None, "en")))
    pages = {s.name: s for s in deck.slides}
    assert _shape(pages["title"], "title").text_frame.text == (
        "Mine Action AoR briefing: Central Sahel crisis")
    assert _shape(pages["title"], "message").text_frame.text == (
        "Central Sahel crisis – Burkina Faso, Mali, Niger")
    sentence, reached = _emergency_expected(ds, "central-sahel")
    assert sentence.startswith("Central Sahel crisis: 4 active organisations in 3 countries")
    assert _shape(pages["presence"], "message").text_frame.text == sentence
    shown = _numbers(pages["reached"])
    assert shown["people_reached"] == fmt_number(reached["reached_total"], "en")
    for part in ("reached_women", "reached_men", "reached_girls", "reached_boys"):
        assert shown[part] == fmt_number(reached[part], "en")
    head = overview_headline(public_dataset(ds), f, TODAY)
    assert _numbers(pages["headline"])["active_organisations"] == fmt_number(
        head["active_organisations"], "en") == "4"


def test_cli_brief_for_an_emergency(tmp_path, ds):
    import json

    env = dict(os.environ, MAAOR_SQLITE_PATH=str(tmp_path / "store.sqlite"))
    env.pop("MAAOR_DATABASE_URL", None)
    out = tmp_path / "sahel.pptx"
    done = subprocess.run(
        [sys.executable, "-m", "maaor", "brief", "--out", str(out), "--emergency",
         "central-sahel", "--lang", "fr", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["filters"]["emergency"] == "central-sahel"
    deck = Presentation(str(out))
    pages = {s.name: s for s in deck.slides}
    assert _shape(pages["title"], "title").text_frame.text == (
        "Point sur le DR Lutte antimines : Crise au Sahel central")
    sentence, reached = _emergency_expected(ds, "central-sahel", "fr")
    assert _shape(pages["presence"], "message").text_frame.text == sentence
    assert _numbers(pages["reached"])["people_reached"] == fmt_number(reached["reached_total"], "fr")
    assert report["figures"]["people_reached"]["value"] == reached["reached_total"]
    unknown = subprocess.run(
        [sys.executable, "-m", "maaor", "brief", "--out", str(tmp_path / "x.pptx"),
         "--emergency", "atlantis"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300)
    assert unknown.returncode == 2 and "unknown emergency 'atlantis'" in unknown.stderr
