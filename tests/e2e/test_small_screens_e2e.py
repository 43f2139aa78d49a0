"""Small screens (issue 14): a phone opens on the content (the sidebar collapsed on the
first visit, open on a laptop), a chart's toolbar never covers its legend, and count
axes tick at whole numbers. Screenshots: ``test-artifacts/small_<page>_<w>x<h>.png``."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, screenshot, wait_rendered

pytestmark = pytest.mark.browser

PHONE = (390, 844)
LAPTOP = (1366, 768)

SIDEBAR_OPEN = """() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if (!bar) return false;
  const box = bar.getBoundingClientRect();
  return bar.getAttribute('aria-expanded') !== 'false' && box.right > 10 && box.width > 10;
}"""

# The toolbar and the legend of a chart, as drawn (the toolbar shows on hover).
TOOLBAR_AND_LEGEND = """chart => {
  const rect = el => { if (!el) return null; const b = el.getBoundingClientRect();
    return b.width && b.height ? {l: b.left, r: b.right, t: b.top, b: b.bottom} : null; };
  return {bar: rect(chart.querySelector('.modebar')), legend: rect(chart.querySelector('.legend'))};
}"""


def settled(page) -> None:
    """Wait until the page's script run has ended and it is drawn."""
    wait_rendered(page)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           state="attached", timeout=45_000)


def _overlap(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


@pytest.mark.parametrize(("width", "height"), [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_sidebar_is_collapsed_on_a_phone_on_the_first_visit(server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  is_mobile=width < 640, has_touch=width < 640)
    page = context.new_page()
    try:
        page.goto(f"{server}/Work_plan")
        settled(page)
        assert page.evaluate(SIDEBAR_OPEN) is (width >= 640), (width, height)
        h1 = page.locator('[data-testid="stMainBlockContainer"] h1').first
        assert h1.bounding_box()["x"] >= 0 and h1.is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"small_workplan_{width}x{height}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("path", ["Work_plan", "Funding"])
def test_toolbars_never_cover_legends_and_counts_tick_whole_numbers(server, browser, path):
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]})
    page = context.new_page()
    try:
        page.goto(f"{server}/{path}")
        settled(page)
        charts = page.locator('[data-testid="stPlotlyChart"]')
        charts.first.wait_for(state="attached", timeout=45_000)
        checked = 0
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            chart.locator(".main-svg").first.wait_for(state="visible", timeout=20_000)
            chart.hover()
            page.wait_for_timeout(300)
            parts = chart.evaluate(TOOLBAR_AND_LEGEND)
            if parts["bar"] and parts["legend"]:
                assert not _overlap(parts["bar"], parts["legend"]), (path, i, parts)
                checked += 1
        assert checked >= 1, "no chart showed both a toolbar and a legend"
        if path == "Work_plan":  # activities per objective: a count axis
            first = charts.first
            ticks = [tick.strip() for tick in first.locator(".xtick text").all_text_contents()]
            assert ticks and all(re.fullmatch(r"\d[\d,\s]*", tick) for tick in ticks), ticks
        screenshot(page, f"small_{path.lower()}_{PHONE[0]}x{PHONE[1]}")
    finally:
        context.close()
