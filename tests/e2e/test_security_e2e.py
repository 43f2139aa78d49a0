"""XSS and Markdown payloads in every text field, checked in a real browser.

The bundled dataset gets a payload (``tests/security_payloads.py``) in every free-text
column of every table (objectives, outputs, activities, leads, partners, comments,
budget notes, organisations, emergencies, admin-1 names, presence activities, donors,
recipients, projects, FTS plans, indicators, units, mechanisms, ...). It is published
into the store of a server started from a copy of the app, and every page is opened in
chromium. On every page: no ``alert`` dialog, no element injected from data (an
``img[src=x]``, a script running ``alert(1)``, a link or image to example.org), no
request to example.org, no ``:red[x]`` coloured text; the payloads are shown literally
in expander and heading text, plotly axis labels and hover boxes, and the pydeck
tooltip. A page that raises shows Streamlit's plain message, no traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlparse

import pandas as pd
import pytest

from maaor.dataset import Dataset, conform
from tests import security_payloads as P
from tests.e2e.appcopy import start_copy, stop
from tests.e2e.conftest import PAGE_PATHS, PRESENTING_PATHS, screenshot, wait_rendered

pytestmark = pytest.mark.browser

# The invisible word joiner md_escape puts in bare URLs (maaor.ui.safe).
WJ = "\u2060"

# Free-text columns that keep their bundled values: codes, ids, provenance and the
# columns figures group or join on (a payload there would change what is drawn, not
# how text is shown).
KEEP = {
    "objective_id", "output_id", "activity_id", "budget_group", "status", "org_type",
    "country_iso3", "admin1_code", "admin2_code", "pillar", "channel", "disaggregation",
    "direction", "plan_id", "plan_code", "cluster_code", "cluster", "mechanism_type",
    "_file", "_sheet", "indicator_id", "year",
}


def hostile(dataset: Dataset) -> Dataset:
    """``dataset`` with a payload in every other free-text cell (cycling through them)."""
    tables = {}
    for name, frame in dataset.tables.items():
        frame = frame.copy()
        for col in frame.columns:
            if col in KEEP or str(frame[col].dtype) != "str" or frame.empty:
                continue
            # Distinct values keep distinct groups (organisations, objectives): the
            # payload is the whole value, cycled so that each one is used.
            frame[col] = [P.ALL[i % len(P.ALL)] for i in range(len(frame))]
        if name == "workplan":  # one title per objective / output, as a work plan has
            for col, key in (("objective", "objective_id"), ("output", "output_id")):
                codes = {c: i for i, c in enumerate(pd.unique(frame[key]))}
                frame[col] = [P.ALL[codes[c] % len(P.ALL)] for c in frame[key]]
        tables[name] = conform(name, frame)
    fts = pd.DataFrame({
        "country_iso3": ["AFG", "IRQ"], "year": [2019, 2019], "plan_name": [P.IMG_XSS, P.MD_LINK],
        "cluster": ["Mine Action", "Mine Action"], "required_usd": [1e6, 2e6],
        "funded_usd": [5e5, 1e6], "percent_funded": [50.0, 50.0],
    })
    tables["fts"] = conform("fts", fts)
    return Dataset(tables, dataset.meta)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, chromium_path):
    """A server whose current version is the hostile dataset; yields its URL."""
    from maaor.bundled import default_sources, load_default
    from maaor.store import Store

    tmp = tmp_path_factory.mktemp("xss")
    store_path = tmp / "maaor.sqlite"
    sources, _ = default_sources()
    with Store.open(f"sqlite:///{store_path}") as st:
        st.publish(hostile(load_default().dataset), sources, by="attacker", note=P.IMG_XSS)
    proc, url = start_copy(tmp, store=store_path)
    yield url
    stop(proc)


def outside(url: str) -> bool:
    """True for a request to example.org (the host the payloads point at)."""
    host = urlparse(url).hostname or ""
    return host == "example.org" or host.endswith(".example.org")


def watch(page) -> dict:
    """Record dialogs (and dismiss them) and requests to example.org (and abort them)."""
    seen: dict = {"dialogs": [], "requests": []}

    def on_dialog(dialog) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def block(route) -> None:
        seen["requests"].append(route.request.url)
        route.abort()

    page.route(outside, block)
    page.on("request", lambda r: seen["requests"].append(r.url) if outside(r.url) else None)
    return seen


INJECTED = """() => ({
    img_x: document.querySelectorAll('img[src="x"]').length,
    images_out: Array.from(document.images).filter(i => i.src.includes('example.org')).length,
    links_out: document.querySelectorAll('a[href*="example.org"]').length,
    scripts: Array.from(document.scripts).filter(s => s.text.includes('alert(1)')).length,
    onerror: document.querySelectorAll('[onerror]').length,
    coloured_x: Array.from(document.querySelectorAll('[data-testid="stMain"] span'))
        .filter(s => s.textContent === 'x' && s.children.length === 0
                && getComputedStyle(s).color !== getComputedStyle(s.parentElement).color)
        .length,
})"""


def assert_nothing_injected(page, seen: dict) -> None:
    body = page.locator("body").inner_text()
    # A frontend element that failed on the data shows its JavaScript error instead.
    for sign in ("TypeError", "Cannot read properties", "DeckGlJsonChart", "Traceback"):
        assert sign not in body, (page.url, sign)
    found = page.evaluate(INJECTED)
    assert found == {"img_x": 0, "images_out": 0, "links_out": 0, "scripts": 0, "onerror": 0,
                     "coloured_x": 0}, page.url
    assert seen["dialogs"] == [], page.url
    assert seen["requests"] == [], page.url


def visible_text(page) -> str:
    """Text of the page outside canvases, plus every plotly SVG label."""
    text = page.locator("body").inner_text()
    svg = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot svg text'))"
        ".map(t => t.textContent).join('\\n')")
    return (text + "\n" + svg).replace(WJ, "")


def expand_all(page) -> None:
    """Open every expander (their titles and tables are drawn only when open)."""
    for summary in page.locator('[data-testid="stExpander"] summary').all()[:40]:
        try:
            summary.click(timeout=3000)
        except Exception:  # noqa: BLE001 - an expander scrolled away: the others count
            pass
    page.wait_for_timeout(800)


# Every page of the registry, the presenter's page included.
PATHS = [*PAGE_PATHS, *PRESENTING_PATHS]


@pytest.mark.parametrize("path", PATHS)
def test_payloads_render_as_literal_text_on_every_page(hostile_server, page, path):
    seen = watch(page)
    page.goto(f"{hostile_server}/{path}")
    wait_rendered(page, timeout_ms=90_000)
    expand_all(page)
    screenshot(page, f"security-{path or 'overview'}")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert_nothing_injected(page, seen)
    # Pages whose headings, expander labels or chart axes carry data text (the others
    # show data in canvas tables and the map, checked by the tooltip test).
    if path in ("Work_plan", "Funding", "Results"):
        text = visible_text(page)
        shown = [p for p in (P.IMG_XSS, P.SCRIPT_XSS, P.MD_LINK, P.MD_IMAGE, P.MD_COLOUR)
                 if p in text]
        assert shown, f"no payload shown literally on /{path}"


def test_work_plan_labels_and_headings_keep_markdown_literal(hostile_server, page):
    """Objective titles become expander labels; the chosen activity a heading."""
    from maaor.bundled import load_default

    seen = watch(page)
    wp = hostile(load_default().dataset).workplan
    wanted = wp.loc[wp["activity"] == P.MD_LINK, "activity_id"].iloc[0]
    page.goto(f"{hostile_server}/Work_plan?activity={wanted}")
    wait_rendered(page, timeout_ms=90_000)
    labels = page.locator('[data-testid="stExpander"] summary').all_inner_texts()
    objectives = set(wp["objective"])
    titled = [label.strip().replace(WJ, "").split(" – ", 1) for label in labels
              if " – " in label]
    assert titled
    for _, title in titled:  # every objective title exactly as written
        assert title in objectives, title[:80]
    assert len({t for _, t in titled} & set(P.MARKUP)) >= 2
    heading = page.locator('[data-testid="stMainBlockContainer"] h4').first.inner_text()
    assert heading.strip().replace(WJ, "") == f"{wanted} – {P.MD_LINK}"
    assert_nothing_injected(page, seen)


def test_plotly_hover_shows_the_payload_as_text(hostile_server, page):
    seen = watch(page)
    page.goto(f"{hostile_server}/Work_plan")
    wait_rendered(page, timeout_ms=90_000)
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    bars = chart.locator("g.point path")
    texts = []
    for i in range(min(bars.count(), 8)):
        bars.nth(i).hover(force=True)
        page.wait_for_timeout(300)
        hover = page.locator(".hovertext")
        if hover.count():
            texts.append(hover.first.text_content())
    assert texts, "no plotly hover box appeared"
    assert any(p in t for t in texts for p in (P.IMG_XSS, P.SCRIPT_XSS, P.MD_LINK, P.MD_IMAGE,
                                                P.MD_COLOUR, P.DECK_FUNCTION)), texts
    assert_nothing_injected(page, seen)


def test_map_tooltip_shows_organisations_as_text(hostile_server, page):
    seen = watch(page)
    page.goto(f"{hostile_server}/Presence")
    wait_rendered(page, timeout_ms=90_000)
    deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
    deck.scroll_into_view_if_needed()
    box = deck.bounding_box()
    tip_text = ""
    # The view frames the countries with presence: sweep a grid until a tooltip shows.
    for fy in (0.5, 0.4, 0.6, 0.3, 0.7):
        for fx in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(250)
            tip = page.locator(".deck-tooltip")
            if tip.count() and tip.first.is_visible():
                tip_text = tip.first.inner_text()
                if any(p in tip_text for p in P.MARKUP):
                    break
        if any(p in tip_text for p in P.MARKUP):
            break
    assert any(p in tip_text for p in P.MARKUP), tip_text[:300]
    assert page.locator(".deck-tooltip img, .deck-tooltip a, .deck-tooltip script").count() == 0
    assert_nothing_injected(page, seen)


def test_where_is_heading_escapes_the_organisation_from_the_url(hostile_server, page):
    seen = watch(page)
    page.goto(f"{hostile_server}/Presence?org={quote(P.MD_IMAGE)}")
    wait_rendered(page, timeout_ms=90_000)
    assert_nothing_injected(page, seen)
    assert P.MD_IMAGE in page.locator("body").inner_text().replace(WJ, "")


ERROR_ENTRY = '''
import streamlit as st
from maaor.ui.page import setup

page = setup("overview")
raise RuntimeError("secret-detail-{marker} in " + __file__)
'''


def test_an_error_in_a_page_shows_a_plain_message_and_no_traceback(tmp_path, browser):
    """A page that raises, run with the shipped configuration (showErrorDetails none)."""
    marker = "7f3a"
    proc, url = start_copy(tmp_path, entry=ERROR_ENTRY.replace("{marker}", marker))
    try:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        pg = context.new_page()
        pg.goto(url)
        wait_rendered(pg, timeout_ms=90_000)
        pg.wait_for_selector('[data-testid="stException"], [data-testid="stAlert"]',
                             timeout=30_000)
        body = pg.locator("body").inner_text()
        assert "Traceback" not in body
        assert f"secret-detail-{marker}" not in body
        assert "RuntimeError" not in body
        assert str(Path(tmp_path)) not in body and ".py" not in body
        assert re.search(r"error", body, re.IGNORECASE)
        context.close()
    finally:
        stop(proc)
