"""Present mode in any room (issue 14): every slide within the viewport, no control cut,
the keyboard moves the slides wherever the focus is (a screen reader's included), F asks
for full screen and P pauses auto-advance, and the keyboard focus is visible.

One browser page per language is reused for every size (the viewport is resized and the
slides moved with the keyboard, as a presenter would), so the whole module runs in a
few minutes. Screenshots of what the room sees (the viewport) go to
``test-artifacts/present_fit_<lang>_<w>x<h>_<n>.png``.
"""

from __future__ import annotations

import re

import pytest

from maaor.i18n import t
from tests.e2e.conftest import ARTIFACTS, SLIDES, wait_rendered

pytestmark = pytest.mark.browser

# (width, height): phone; 4:3 projector; 16:9 720p; laptop; full HD; 1440p; 4K (16:9);
# 4:3 at 2048x1536. French at the four sizes of the issue.
SIZES = {
    "en": [(390, 844), (1024, 768), (1280, 720), (1366, 768), (1920, 1080), (2560, 1440),
           (3840, 2160), (2048, 1536)],
    "fr": [(390, 844), (1024, 768), (1366, 768), (1920, 1080)],
}
CASES = [(lang, w, h) for lang, sizes in SIZES.items() for w, h in sizes]
# A phone stacks the numbers above the chart: its slides scroll (the fit is asked from
# 1024x768 up); its controls must still be whole.
FITS_FROM_WIDTH = 1024
RUN_MS = 45_000  # the longest a slide may take to draw on a busy two-core machine

# Every control of the page whose text is cut: an element (the control or anything in
# it with room for text) whose content is wider than its box. Visually hidden
# accessible names (1 px boxes) are not text on screen.
# A text field's value (a selectbox shows its choice in one) is measured with its font.
TRUNCATED = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const valueCut = (input) => {
    const s = getComputedStyle(input);
    ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return ctx.measureText(input.value || '').width > room + 1;
  };
  const controls = document.querySelectorAll(
    '[data-testid="stMain"] button, [data-testid="stMain"] input, '
    + '[data-testid="stMain"] summary, [data-testid="stMain"] [role="combobox"]');
  const cut = [];
  for (const control of controls) {
    if (!control.checkVisibility()) continue;
    for (const el of [control, ...control.querySelectorAll('*')]) {
      if (el.clientWidth <= 1 || !el.checkVisibility()) continue;
      if (el.scrollWidth > el.clientWidth + 1
          || (el.tagName === 'INPUT' && el.type !== 'hidden' && valueCut(el))) {
        cut.push((control.getAttribute('aria-label') || control.innerText || control.value
                  || control.tagName).trim() + ' [' + el.tagName + ']');
        break;
      }
    }
  }
  return cut;
}"""

SLIDE_BOX = """() => {
  const box = document.querySelector('.st-key-present_slide').getBoundingClientRect();
  const main = document.querySelector('[data-testid="stMain"]');
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          scrolled: main ? main.scrollTop : 0};
}"""

# The slide's pictures and charts are drawn (plotly draws after the script run).
DRAWN = """() => {
  const slide = document.querySelector('.st-key-present_slide');
  if (!slide || document.querySelector('[data-testid="stMain"] [data-stale="true"]')) return false;
  const charts = Array.from(slide.querySelectorAll('[data-testid="stPlotlyChart"]'));
  const images = Array.from(slide.querySelectorAll('img'));
  return charts.every(c => c.querySelector('.main-svg'))
    && images.every(i => i.complete && i.naturalWidth > 0);
}"""

# The focus ring of an element: what differs between focused and not.
RING = """el => { const s = getComputedStyle(el);
  return {outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
          width: parseFloat(s.outlineWidth) || 0, style: s.outlineStyle,
          shadow: s.boxShadow}; }"""


# The accessible name of the focused element, roughly (its label or its text).
FOCUSED_NAME = """() => { const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return '';
  return (el.getAttribute('aria-label') || el.innerText || el.value || el.tagName).trim(); }"""
TABS = 25  # Tab presses: through the controls, the expanders and the sidebar toggle


def drawn(page, number: int, size: tuple[int, int] | None = None) -> None:
    """Wait until slide ``number`` is drawn for ``size`` (the page's viewport by default):
    the keyboard component says which slide and viewport the run drew
    (``present_keys.js``), the run has ended, and its charts and picture are drawn."""
    w, h = size or (page.viewport_size["width"], page.viewport_size["height"])
    page.locator(f'[data-maaor-live][data-shown="{number}@{w}x{h}"]').wait_for(
        state="attached", timeout=RUN_MS)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           state="attached", timeout=RUN_MS)
    page.wait_for_function(DRAWN, timeout=RUN_MS)
    page.wait_for_timeout(150)  # plotly's responsive relayout after the last frame


def resize(page, width: int, height: int) -> None:
    """Resize the window and wait until the slide shown is redrawn for it."""
    page.set_viewport_size({"width": width, "height": height})
    drawn(page, slide_url(page), (width, height))


def slide_url(page) -> int:
    match = re.search(r"[?&]slide=(\d+)", page.url)
    return int(match.group(1)) if match else 1


@pytest.fixture(scope="module")
def presenter(server, browser):
    """One browser page per language, opened on the first slide (reused by the tests)."""
    pages, contexts = {}, []

    def open_(lang: str):
        if lang not in pages:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            contexts.append(context)
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda e: page.errors.append(str(e)))
            page.goto(f"{server}/Present?lang={lang}")
            wait_rendered(page)
            drawn(page, 1)
            pages[lang] = page
        return pages[lang]

    yield open_
    for context in contexts:
        context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize(("lang", "width", "height"), CASES,
                         ids=[f"{lang}-{w}x{h}" for lang, w, h in CASES])
def test_every_slide_fits_and_no_control_is_cut(presenter, lang, width, height):
    page = presenter(lang)
    resize(page, width, height)
    page.keyboard.press("Home")
    drawn(page, 1)
    for number in range(1, SLIDES + 1):
        where = (lang, f"{width}x{height}", f"slide {number}")
        assert page.locator('[data-testid="stException"]').count() == 0, where
        assert page.evaluate(TRUNCATED) == [], where
        box = page.evaluate(SLIDE_BOX)
        assert box["left"] >= 0 and box["right"] <= width + 1, (where, box)
        if width >= FITS_FROM_WIDTH:
            assert box["scrolled"] == 0, (where, box)
            assert box["bottom"] <= height, (where, box)
            assert box["top"] < 0.2 * height, (where, box)  # no band of blank above
        _shot(page, f"present_fit_{lang}_{width}x{height}_{number}")
        if number < SLIDES:
            page.keyboard.press("ArrowRight")
            drawn(page, number + 1)
    assert page.errors == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_keyboard_moves_the_slides_wherever_the_focus_is(presenter, lang):
    page = presenter(lang)
    resize(page, 1366, 768)
    page.keyboard.press("Home")
    drawn(page, 1)
    # The focus where a screen reader's virtual cursor would leave it: on the title.
    page.locator('[data-testid="stMainBlockContainer"] h1').first.click()
    page.keyboard.press("ArrowRight")
    drawn(page, 2)
    assert slide_url(page) == 2
    h1 = page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip()
    assert h1 == t("slide.headline.title", lang)
    live = page.locator("[data-maaor-live]")
    assert t("slide.number", lang, n=2, total=SLIDES) in live.inner_text()
    for key, number in [("PageDown", 3), ("Space", 4), ("ArrowLeft", 3), ("PageUp", 2),
                        ("End", SLIDES), ("Home", 1)]:
        page.keyboard.press(key)
        drawn(page, number)
        assert slide_url(page) == number, key
    page.keyboard.press("6")
    page.keyboard.press("Enter")
    drawn(page, 6)
    assert slide_url(page) == 6

    # Every control Tab reaches shows where the focus is (WCAG 2.4.7).
    page.locator('[data-testid="stMainBlockContainer"] h1').first.click()
    unringed, reached = [], set()
    for _ in range(TABS):
        page.keyboard.press("Tab")
        name = page.evaluate(FOCUSED_NAME)
        if not name:  # past the last control: the document itself
            continue
        ring = page.evaluate(f"() => ({RING})(document.activeElement)")
        reached.add(name)
        if not ((ring["style"] != "none" and ring["width"] >= 2) or ring["shadow"] != "none"):
            unringed.append((name, ring))
    assert unringed == [], unringed
    assert len(reached) >= 5, reached  # the controls, not one element over and over

    # On a control (Tab to it, as a keyboard or screen-reader user does): its focus is
    # drawn, and the keys still move the slides.
    next_name = t("present.next", lang)
    page.locator('[data-testid="stMainBlockContainer"] h1').first.click()
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).endswith(next_name):
            break
    else:
        pytest.fail("Tab never reached the Next button")
    nxt = page.get_by_role("button", name=next_name, exact=True)
    prev = page.get_by_role("button", name=t("present.previous", lang), exact=True)
    focused, other = nxt.evaluate(RING), prev.evaluate(RING)
    assert focused["style"] != "none" and focused["width"] >= 2, focused
    assert focused["outline"] != other["outline"] or focused["shadow"] != other["shadow"]
    assert "rgba(0, 0, 0, 0)" not in focused["outline"], focused
    _shot(page, f"present_focus_{lang}")
    page.keyboard.press("ArrowRight")  # focus on the Next button: still next
    drawn(page, 7)
    assert slide_url(page) == 7
    prev.focus()
    page.keyboard.press("3")
    page.keyboard.press("Enter")  # digits then Enter on a button: the slide, not the click
    drawn(page, 3)
    assert slide_url(page) == 3

    # F asks the browser for full screen: the controls and extras hide, the slide stays.
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === document.documentElement",
                           timeout=10_000)
    assert not page.locator(".st-key-present_controls").is_visible()
    assert not page.locator(".st-key-present_extras").is_visible()
    assert page.locator(".st-key-present_slide").is_visible()
    box = page.evaluate(SLIDE_BOX)
    size = page.evaluate("() => [window.innerWidth, window.innerHeight]")
    assert box["bottom"] <= size[1] and box["right"] <= size[0] + 1, (box, size)
    _shot(page, f"present_fullscreen_{lang}")
    page.keyboard.press("F")
    page.wait_for_function("() => document.fullscreenElement === null", timeout=10_000)
    assert page.locator(".st-key-present_controls").is_visible()
    assert page.errors == []


def test_p_pauses_and_resumes_auto_advance_and_fields_keep_their_keys(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{server}/Present?lang=fr&slide=2&auto=60")
        wait_rendered(page)
        drawn(page, 2)
        auto = t("present.auto.short", "fr", n=60)
        assert page.locator(".st-key-present_auto input").input_value() == auto
        page.keyboard.press("p")
        page.wait_for_url(lambda url: "auto=" not in url, timeout=RUN_MS)
        drawn(page, 2)
        off = t("present.auto.short_off", "fr")
        assert page.locator(".st-key-present_auto input").input_value() == off
        page.keyboard.press("P")
        page.wait_for_url(re.compile(r"auto=60"), timeout=RUN_MS)
        drawn(page, 2)
        assert page.locator(".st-key-present_auto input").input_value() == auto
        # Typing in a field is the field's: the meeting name takes the letters and arrows.
        page.get_by_text(t("present.settings", "fr")).first.click()
        field = page.get_by_label(t("present.meeting", "fr"))
        field.click()
        field.press("ArrowRight")
        field.press("f")
        field.press("p")
        page.wait_for_timeout(500)
        assert slide_url(page) == 2 and "auto=60" in page.url
        assert page.evaluate("() => document.fullscreenElement") is None
        assert field.input_value().endswith("fp")
    finally:
        context.close()
