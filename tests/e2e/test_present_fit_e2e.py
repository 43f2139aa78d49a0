"""Present mode in any room: every slide within the viewport, buttons never cut, the
keyboard moves the slides (EN and FR, phone to wide screen), and a shared link with every
view choice set restores each widget.

Screenshots go to ``test-artifacts/present_fit_<lang>_<w>x<h>_<n>.png``.
"""

from __future__ import annotations

import re

import pytest

from maaor.i18n import t
from tests.e2e.conftest import screenshot, wait_rendered

pytestmark = pytest.mark.browser

SLIDES = 8
# (width, height): phone, 4:3 projector, laptop, full HD; 4:3 and 16:9 at 3840x2160 width.
VIEWPORTS = [(390, 844), (1024, 768), (1366, 768), (1920, 1080)]
LARGE = [(3840, 2160), (2048, 1536)]
# A phone stacks the numbers above the chart: its slides scroll (the fit is asked from
# 1024x768 up); its buttons must still be whole.
FITS_FROM_WIDTH = 1024

TRUNCATED_BUTTONS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] button, [data-testid="stMain"] [data-baseweb="select"]'))
  .filter(b => b.offsetParent !== null)
  .filter(b => b.scrollWidth > b.clientWidth + 1)
  .map(b => (b.getAttribute('aria-label') || b.innerText || '').trim())"""

SLIDE_BOX = """() => {
  const box = document.querySelector('.st-key-present_slide').getBoundingClientRect();
  const main = document.querySelector('[data-testid="stMain"]');
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          scrolled: main ? main.scrollTop : 0,
          width: window.innerWidth, height: window.innerHeight};
}"""


def _h1(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip()


def _wait_slide(page, number: int) -> None:
    page.wait_for_url(re.compile(rf"slide={number}(&|$)") if number > 1
                      else re.compile(r"/Present"), timeout=20_000)
    wait_rendered(page)


def _settled(page) -> None:
    """Wait until the slide is drawn at the size the browser reported (one rerun)."""
    wait_rendered(page)
    page.wait_for_timeout(600)
    wait_rendered(page)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_every_slide_fits_and_no_button_is_cut(server, browser, lang, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for number in range(1, SLIDES + 1):
            page.goto(f"{server}/Present?slide={number}&lang={lang}")
            _settled(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.evaluate(TRUNCATED_BUTTONS) == [], (lang, width, number)
            box = page.evaluate(SLIDE_BOX)
            assert box["left"] >= 0 and box["right"] <= width + 1, (number, box)
            if width >= FITS_FROM_WIDTH:
                assert box["scrolled"] == 0
                assert box["bottom"] <= height, (lang, width, height, number, box)
            if number in (1, 3, 5) or width == 390:
                screenshot(page, f"present_fit_{lang}_{width}x{height}_{number}")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), LARGE)
def test_slides_fit_a_4k_screen_and_a_4_3_one(server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for number in range(1, SLIDES + 1):
            page.goto(f"{server}/Present?slide={number}")
            _settled(page)
            box = page.evaluate(SLIDE_BOX)
            assert box["bottom"] <= height and box["right"] <= width + 1, (number, box)
        screenshot(page, f"present_fit_en_{width}x{height}_{SLIDES}")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_keyboard_moves_the_slides_wherever_the_focus_is(server, browser, lang):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{server}/Present?lang={lang}")
        _settled(page)
        # The focus where a screen reader's virtual cursor would leave it: on the title.
        page.locator('[data-testid="stMainBlockContainer"] h1').first.click()
        page.keyboard.press("ArrowRight")
        _wait_slide(page, 2)
        assert _h1(page) == t("slide.headline.title", lang)
        status = page.locator("[data-maaor-live]")
        assert t("slide.number", lang, n=2, total=SLIDES) in status.inner_text()
        page.keyboard.press("PageDown")
        _wait_slide(page, 3)
        page.keyboard.press("Space")
        _wait_slide(page, 4)
        page.keyboard.press("ArrowLeft")
        _wait_slide(page, 3)
        page.keyboard.press("End")
        _wait_slide(page, SLIDES)
        page.keyboard.press("Home")
        page.wait_for_url(re.compile(r"slide=1(&|$)"), timeout=20_000)
        wait_rendered(page)
        page.keyboard.press("6")
        page.keyboard.press("Enter")
        _wait_slide(page, 6)
        # P pauses auto-advance and P again resumes it at the same pace.
        page.goto(f"{server}/Present?lang={lang}&slide=2&auto=60")
        _settled(page)
        page.keyboard.press("p")
        page.wait_for_url(lambda url: "auto=" not in url, timeout=20_000)
        page.keyboard.press("p")
        page.wait_for_url(re.compile(r"auto=60"), timeout=20_000)
        # Typing in a field is the field's: the meeting name takes the letters.
        page.get_by_text(t("present.settings", lang)).first.click()
        field = page.get_by_label(t("present.meeting", lang))
        field.click()
        field.press("ArrowRight")
        assert "slide=2" in page.url
        screenshot(page, f"present_keys_{lang}")
    finally:
        context.close()


def test_a_shared_link_restores_every_view_choice(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/Funding?by=donor&lang=fr")
        wait_rendered(page)
        chosen = page.locator('.st-key-by button[aria-checked="true"], '
                              '.st-key-by button[kind$="Active"]')
        assert chosen.first.inner_text().strip() == t("funding.by.donor", "fr")
        page.goto(f"{server}/Results?sex_age=women")
        wait_rendered(page)
        chosen = page.locator('.st-key-sex_age button[aria-checked="true"], '
                              '.st-key-sex_age button[kind$="Active"]')
        assert chosen.first.inner_text().strip().lower().startswith("wom")
        page.goto(f"{server}/Presence?matrix=UKR")
        wait_rendered(page)
        box = page.locator(".st-key-matrix").first
        box.scroll_into_view_if_needed()
        shown = box.evaluate("""e => e.textContent + ' ' + Array.from(e.querySelectorAll('input'))
                                 .map(i => i.value + ' ' + (i.getAttribute('aria-label') || ''))
                                 .join(' ')""")
        assert "Ukraine" in shown, shown
        screenshot(page, "view_link_presence")
    finally:
        context.close()
