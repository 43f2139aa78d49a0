"""WCAG 2.1 AA with axe-core on every page and every Present slide, EN and FR: no serious
or critical finding; every chart keeps its text alternative.

The whole report is saved as ``test-artifacts/axe-report.json`` (CI keeps it).
"""

from __future__ import annotations

import json

import pytest

from maaor.ui import registry
from tests.conftest import require_or_skip
from tests.e2e.axe import BLOCKING, axe_run, axe_source, counts
from tests.e2e.conftest import ARTIFACTS, SLIDES, wait_rendered

pytestmark = pytest.mark.browser

PAGES = [p.url.strip("./") for p in registry.PAGES if not p.presenting]
REPORT: dict[str, dict] = {}


@pytest.fixture(scope="module")
def axe() -> str:
    source = axe_source()
    if source is None:
        require_or_skip("axe-core not fetched: run .ci/fetch-axe (npm registry)")
    return source


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if REPORT:
        ARTIFACTS.mkdir(exist_ok=True)
        summary = {name: counts(v["violations"]) for name, v in REPORT.items()}
        (ARTIFACTS / "axe-report.json").write_text(
            json.dumps({"summary": summary, "pages": REPORT}, indent=1, ensure_ascii=False),
            encoding="utf-8")


def _scan(page, name: str, axe: str) -> list[dict]:
    # the page's own style (maaor.ui.page.ACCESSIBLE_STYLE) is part of what is checked
    page.wait_for_function("""() => Array.from(document.querySelectorAll('style'))
                                  .some(s => s.textContent.includes('#595959'))""")
    wait_rendered(page)
    violations = axe_run(page, axe)
    REPORT[name] = {"url": page.url, "violations": violations}
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_or_critical_finding(server, browser, axe, path, lang):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/{path}?lang={lang}")
        wait_rendered(page)
        page.wait_for_timeout(800)
        blocking = _scan(page, f"{path or 'Overview'}_{lang}", axe)
        assert blocking == [], json.dumps(blocking, indent=1)[:4000]
        # every chart keeps its text alternative
        charts = page.locator('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]')
        for i in range(charts.count()):
            labelled = charts.nth(i).evaluate(
                """e => { const a = e.closest('[aria-label]') || e.querySelector('[aria-label]')
                                || e.querySelector('[role="img"]');
                          return !!(a && (a.getAttribute('aria-label') || '').trim()); }""")
            assert labelled, (path, i)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_slide_has_no_serious_or_critical_finding(server, browser, axe, lang):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        for number in range(1, SLIDES + 1):
            page.goto(f"{server}/Present?slide={number}&lang={lang}")
            wait_rendered(page)
            page.wait_for_timeout(800)
            blocking = _scan(page, f"Present_{number}_{lang}", axe)
            assert blocking == [], (number, json.dumps(blocking, indent=1)[:4000])
            images = page.locator(".st-key-present_map img")
            for i in range(images.count()):
                assert (images.nth(i).get_attribute("alt") or "").strip()
    finally:
        context.close()
