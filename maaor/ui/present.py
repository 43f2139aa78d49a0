"""Plenary mode's machinery: the slides of the current filters, drawn full-screen.

The slides are ``maaor.slides.slide_deck`` of the public dataset under the page filters
(the same records the PPTX draws). The slide number lives in the URL (``?slide=3``), so
a presenter can jump to a slide and a link reopens it; auto-advance (``?auto=20``) moves
on with a timed fragment; the meeting's name and date (``?meeting=``, ``?date=``) title
the first slide. Nothing here needs the internet: the map has no basemap unless one is
configured, and the charts are plain plotly bars. ``pages/7_Present.py`` calls the
functions below in order.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import streamlit.components.v2 as components_v2

from maaor.export.datapack import datapack_xlsx
from maaor.export.mapimage import presence_png
from maaor.export.pptx import briefing_pptx
from maaor.filters import Filters
from maaor.slides import Slide, plotly_figure, slide_deck, with_meeting
from maaor.ui import data, widgets
from maaor.ui.page import Page
from maaor.ui.safe import md_escape
from maaor.viewparams import PRESENT_PARAMS

SLIDE_PARAM, AUTO_PARAM, MEETING_PARAM, DATE_PARAM = PRESENT_PARAMS
AUTO_CHOICES = (0, 10, 20, 30, 60)  # seconds per slide; 0 = off
SHOWN_KEY = "present_shown"  # (slide number, monotonic time it was first drawn)
VIEWPORT_KEY = "present_viewport"  # (width, height) the browser reported, CSS pixels
PAUSED_KEY = "present_paused_auto"  # seconds per slide before P paused auto-advance
DEFAULT_VIEWPORT = (1366, 768)  # until the browser has said (the first draw)
KEYS_JS = (Path(__file__).with_name("present_keys.js")).read_text(encoding="utf-8")

# Sizes follow the viewport (vh, vw, clamp): the slide fits from 1024x768 to 3840x2160,
# 16:9 or 4:3. No external CSS or font. In full screen (F) only the slide is left.
STYLE = """
<style>
.st-key-present_slide h1 { font-size: clamp(1.25rem, min(4.6vh, 3.4vw), 4.4rem);
  line-height: 1.15; color: #08306b; padding: 0 0 0.2em 0; }
.st-key-present_message p { font-size: clamp(0.95rem, min(2.7vh, 2vw), 2.7rem);
  font-weight: 600; line-height: 1.25; color: #111111; margin: 0 0 0.2em 0; }
.st-key-present_message [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
.st-key-present_slide [data-testid="stMetricValue"] {
  font-size: clamp(1.1rem, min(3.8vh, 2.8vw), 4.4rem); color: #084594; }
.st-key-present_slide [data-testid="stMetricValue"] > div { line-height: 1.15; }
.st-key-present_slide [data-testid="stMetricLabel"] p {
  font-size: clamp(0.75rem, min(1.7vh, 1.2vw), 1.8rem); color: #111111; }
.st-key-present_slide [data-testid="stMetric"] { padding: min(0.8vh, 0.6rem) 0.8rem;
  height: auto; min-height: 0; }
.st-key-present_slide [data-testid="stMetric"] > div { height: auto; min-height: 0; padding: 0; }
.st-key-present_slide [data-testid="stAlertContainer"] { padding: 0.3rem 0.75rem; }
.st-key-present_slide [data-testid="stAlertContainer"] p,
.st-key-present_slide [data-testid="stCaptionContainer"] p {
  font-size: clamp(0.75rem, min(1.7vh, 1.2vw), 1.6rem); margin: 0; }
.st-key-present_slide, .st-key-present_slide [data-testid="stVerticalBlock"] {
  gap: min(1.1vh, 0.9rem); }
.st-key-present_map img { display: block; max-width: 100%; height: auto;
  max-height: 50vh; width: auto !important; object-fit: contain; margin: 0 auto; }
[data-testid="stMainBlockContainer"] { padding-top: 3rem; padding-bottom: 1rem; }
/* A phone: the big numbers two by two, not one under the other. */
@media (max-width: 640px) {
  .st-key-present_numbers [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.5rem) !important; min-width: calc(50% - 0.5rem) !important; }
  .st-key-present_numbers [data-testid="stHorizontalBlock"] { flex-wrap: wrap; gap: 0.5rem; }
  .st-key-present_side { display: grid !important; grid-template-columns: 1fr 1fr; gap: 0.5rem; }
  [data-testid="stMainBlockContainer"] { padding-left: 0.75rem; padding-right: 0.75rem; }
}
/* Buttons show their icon; their word stays as the accessible name (never cut). */
.st-key-present_controls button [data-testid="stMarkdownContainer"] {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.st-key-present_controls button { min-width: 2.75rem; }
:focus-visible { outline: 3px solid #08306b !important; outline-offset: 2px; }
/* Presenting (full screen): the slide alone. */
html:fullscreen .st-key-present_controls, html:fullscreen .st-key-present_extras,
html:fullscreen header[data-testid="stHeader"],
html:fullscreen [data-testid="stSidebarCollapsedControl"],
html:fullscreen [data-testid="stSidebar"] { display: none !important; }
html:fullscreen [data-testid="stMainBlockContainer"] { padding-top: 1rem; }
</style>
"""
KEYS_HTML = (
    '<div data-maaor-live role="status" aria-live="polite" aria-atomic="true" class="sr"></div>'
    '<div data-maaor-jump aria-live="assertive" class="jump"></div>'
)
KEYS_CSS = """
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.jump { font-size: 1rem; font-weight: 600; color: #08306b; min-height: 0; }
"""
_keys = components_v2.component("maaor_present_keys", html=KEYS_HTML, css=KEYS_CSS,
                                    js=KEYS_JS)


def font_size(viewport: tuple[int, int]) -> int:
    """Return the base type size in pixels of a slide chart on ``viewport``."""
    width, height = viewport
    return int(min(max(min(height / 42, width / 60), 11), 40))


def chart_height(viewport: tuple[int, int]) -> int:
    """Return the chart (or map) height in pixels that keeps a slide within a viewport
    of ``viewport`` (width, height) CSS pixels.

    What stands above and below the chart (controls, title, message, notice, source)
    is sized in vh/vw by :data:`STYLE`; the chart gets the rest. A narrow screen (one
    column: the numbers above the chart) leaves it less.
    """
    width, height = viewport
    rest = 0.78 * height - 220
    if width < 640:  # Streamlit stacks columns: the big numbers stand above the chart
        rest -= 240
    return int(min(max(rest, 180), 1500))


# ------------------------------------------------------------------------------- caches


@st.cache_data(max_entries=16, show_spinner=False)
def deck(version: int, f: Filters, today: dt.date, lang: str) -> list[Slide]:
    """The slides of ``version`` under ``f`` (cached per version, filters, day, language)."""
    return slide_deck(data.dataset(version), f, today, lang)


@st.cache_data(max_entries=8, show_spinner=False)
def pack(version: int, f: Filters, today: dt.date, lang: str, meeting: str,
         when: dt.date | None) -> bytes:
    """The briefing PPTX (built on click, cached like the slides plus the meeting)."""
    return briefing_pptx(deck(version, f, today, lang), data.dataset(version).meta, meeting,
                         when, lang)


@st.cache_data(max_entries=8, show_spinner=False)
def datapack(version: int, f: Filters, today: dt.date, lang: str, meeting: str,
             when: dt.date | None) -> bytes:
    """The XLSX data pack of the same slides."""
    return datapack_xlsx(with_meeting(deck(version, f, today, lang), meeting, when, lang))


@st.cache_data(max_entries=16, show_spinner=False)
def map_png(version: int, f: Filters, today: dt.date, lang: str) -> bytes:
    """The presence map of the deck as a PNG (drawn once per version, filters, language),
    so the map arrives with its slide instead of seconds after it."""
    chart = next(s.chart for s in deck(version, f, today, lang) if s.chart.kind == "map")
    return presence_png(chart.by_country, chart.by_admin1, lang, size=(1600, 900),
                        extent_iso3=chart.extent or None)


_WARMING: set[tuple] = set()  # map pictures being drawn ahead, per process


def warm_map(version: int, f: Filters, today: dt.date, lang: str) -> None:
    """Draw the map picture of these slides in the background (once per process and
    key), so it is ready when the presenter reaches the map slide."""
    key = (version, f, today, lang)
    if key in _WARMING:
        return
    _WARMING.add(key)
    threading.Thread(target=map_png, args=key, daemon=True, name="maaor-map-warm").start()


# ------------------------------------------------------------------------ URL and state


@dataclass(frozen=True)
class Show:
    """What is on screen: the slides, the one shown, the meeting and auto-advance.

    Attributes:
        slides: the deck, titled with the meeting.
        number: the slide shown (1-based, within the deck).
        auto: seconds per slide (0: off).
        meeting: the meeting's name ("" when none).
        meeting_date: the meeting's date, or None.
    """

    slides: list[Slide]
    number: int
    auto: int
    meeting: str
    meeting_date: dt.date | None

    @property
    def total(self) -> int:
        """How many slides."""
        return len(self.slides)

    @property
    def slide(self) -> Slide:
        """The slide shown."""
        return self.slides[self.number - 1]


def _int_param(name: str, default: int) -> int:
    try:
        return int(st.query_params.get(name, default))
    except (TypeError, ValueError):
        return default


def _meeting_date() -> dt.date | None:
    try:
        return dt.date.fromisoformat(st.query_params.get(DATE_PARAM, ""))
    except ValueError:
        return None


def _go(number: int) -> None:
    st.query_params[SLIDE_PARAM] = str(number)


def _set_param(name: str, key: str) -> None:
    value = st.session_state.get(key)
    if isinstance(value, dt.date):
        value = value.isoformat()
    if value in (None, "", 0):
        if name in st.query_params:
            del st.query_params[name]
    else:
        st.query_params[name] = str(value)


def current(page: Page) -> Show:
    """Return what the URL asks to show (slide number clamped to the deck), and note
    when the slide was first drawn (auto-advance counts from then)."""
    st.html(STYLE)
    meeting = st.query_params.get(MEETING_PARAM, "")[:200]
    meeting_date = _meeting_date()
    slides = with_meeting(deck(page.version, page.filters, page.today, page.lang), meeting,
                          meeting_date, page.lang)
    number = min(max(_int_param(SLIDE_PARAM, 1), 1), len(slides))
    if slides[number - 1].chart.kind != "map":
        warm_map(page.version, page.filters, page.today, page.lang)
    auto = _int_param(AUTO_PARAM, 0)
    shown = st.session_state.get(SHOWN_KEY)
    if not shown or shown[0] != number:
        st.session_state[SHOWN_KEY] = (number, time.monotonic())
    return Show(slides, number, auto if auto in AUTO_CHOICES else 0, meeting, meeting_date)


# ------------------------------------------------------------------------------ drawing


def _on_key_go() -> None:
    wanted = st.session_state.get("present_keys", {}).get("go")
    if isinstance(wanted, int) and wanted >= 1:
        _go(wanted)


def _on_key_pause() -> None:
    auto = _int_param(AUTO_PARAM, 0)
    if auto:  # pause: remember the pace, stop
        st.session_state[PAUSED_KEY] = auto
        del st.query_params[AUTO_PARAM]
    elif st.session_state.get(PAUSED_KEY):  # resume at the pace P paused
        st.query_params[AUTO_PARAM] = str(st.session_state.pop(PAUSED_KEY))


def _on_viewport() -> None:
    size = (st.session_state.get("present_keys") or {}).get("viewport") or {}
    try:
        st.session_state[VIEWPORT_KEY] = (int(size["w"]), int(size["h"]))
    except (KeyError, TypeError, ValueError):
        pass


def viewport() -> tuple[int, int]:
    """The browser's viewport (width, height) as last reported, or a laptop's.

    The keyboard component's state is read on every run, not only in its change
    callback: a resize reported while a key's rerun is under way is then never lost
    (the slide would stay sized for the old window until the next resize).
    """
    _on_viewport()
    return st.session_state.get(VIEWPORT_KEY, DEFAULT_VIEWPORT)


def keyboard(page: Page, show: Show) -> None:
    """Mount the keyboard and viewport listener (``present_keys.js``): keys move the
    slides wherever the focus is, and a screen reader hears the new slide's title."""
    width, height = viewport()
    _keys(
        key="present_keys",
        data={
            "number": show.number,
            "total": show.total,
            "announce": page.t("slide.number", n=show.number, total=show.total) + ": "
            + show.slide.title,
            "jump_label": page.t("present.jump_typed", n="{n}"),
            "viewport": {"w": width, "h": height},
        },
        on_go_change=_on_key_go,
        on_pause_change=_on_key_pause,
        on_viewport_change=_on_viewport,
        width="stretch",
        height="content",
    )


def navigation(page: Page, show: Show) -> None:
    """Previous / Next (icons, their words as accessible names and tooltips), the slide
    number and version, and the auto-advance choice. Hidden in full screen."""
    number, total = show.number, show.total
    with st.container(key="present_controls", horizontal=True, vertical_alignment="center",
                      gap="small"):
        st.button(page.t("present.previous"), key="present_prev", help=page.t("present.previous"),
                  icon=":material/arrow_back:", on_click=_go, args=(number - 1,),
                  disabled=number <= 1)
        st.button(page.t("present.next"), key="present_next", help=page.t("present.next"),
                  icon=":material/arrow_forward:", on_click=_go, args=(number + 1,),
                  disabled=number >= total)
        st.caption(md_escape(page.t("slide.number", n=number, total=total) + " · "
                             + page.version_text()), width="stretch")
        st.session_state["present_auto"] = show.auto
        st.selectbox(page.t("present.auto"), options=AUTO_CHOICES, key="present_auto",
                     format_func=lambda s: page.t("present.auto.short_off") if not s
                     else page.t("present.auto.short", n=s),
                     on_change=_set_param, args=(AUTO_PARAM, "present_auto"),
                     label_visibility="collapsed", width=150)


def slide(page: Page, show: Show) -> None:
    """Draw the slide shown: title, message, big numbers, its chart or map, notice, source.

    The chart and the map are sized to the viewport (:func:`chart_height`); the map is
    a picture drawn once per version and filters (:func:`map_png`).
    """
    current_slide, number = show.slide, show.number
    height, type_px = chart_height(viewport()), font_size(viewport())
    chart = current_slide.chart
    if viewport()[0] < 640 and chart.kind == "bar":  # a phone scrolls: bars stay readable
        bars = len(chart.categories) * (1 if chart.stacked else max(len(chart.series), 1))
        height = max(height, 120 + 12 * bars)
    with st.container(key="present_slide"):
        st.title(md_escape(current_slide.title), anchor=False)
        with st.container(key="present_message"):
            st.markdown(md_escape(current_slide.message))
        chart = current_slide.chart
        if chart.kind == "none":
            with st.container(key="present_numbers"):
                columns = st.columns(4)
                for i, big in enumerate(current_slide.numbers):
                    with columns[i % 4]:
                        widgets.metric(md_escape(big.label), big.text)
        else:
            left, right = st.columns([1, 3])
            with left, st.container(key="present_side"):
                for big in current_slide.numbers:
                    widgets.metric(md_escape(big.label), big.text)
            with right:
                if chart.kind == "map":
                    with st.container(key="present_map"):
                        # The map picture's height follows the viewport like the charts'.
                        st.html("<style>.st-key-present_map img { max-height: 62vh; }</style>")
                        st.image(map_png(page.version, page.filters, page.today, page.lang),
                                 alt=chart.alt, width="stretch")  # its legend is drawn in
                elif chart.categories:
                    st.plotly_chart(plotly_figure(chart, page.lang, height=height,
                                                  font_size=type_px), theme=None,
                                    config=widgets.PRESENT_PLOTLY_CONFIG,
                                    key=f"present_chart_{number}", width="stretch",
                                    alt=chart.alt)
                else:
                    st.info(md_escape(chart.empty) if chart.empty else page.t("table.empty"))
                if chart.note:
                    st.caption(md_escape(chart.note))
        if current_slide.notice:
            st.warning(md_escape(current_slide.notice), icon=":material/info:")
        st.caption(md_escape(current_slide.source))


def auto_advance(show: Show) -> None:
    """Move to the next slide (the first after the last) every ``show.auto`` seconds."""
    if not show.auto:
        return
    number, total, auto = show.number, show.total, show.auto

    @st.fragment(run_every=auto)
    def _advance() -> None:
        at, since = st.session_state.get(SHOWN_KEY, (number, time.monotonic()))
        if at == number and time.monotonic() - since >= auto - 0.5:
            _go(number % total + 1)
            st.rerun(scope="app")

    _advance()


def speaker_notes(page: Page, show: Show) -> None:
    """The narrative sentences of the slide shown, in an expander."""
    with st.expander(page.t("present.notes"), icon=":material/record_voice_over:"):
        for sentence in show.slide.notes:
            st.markdown("- " + md_escape(sentence.text))


def settings_and_downloads(page: Page, show: Show) -> None:
    """Jump to a slide, the meeting's name and date, and the briefing pack downloads."""
    number, slides = show.number, show.slides
    with st.expander(page.t("present.settings"), icon=":material/tune:"):
        jump = st.selectbox(page.t("present.jump"), options=list(range(1, show.total + 1)),
                            index=number - 1, key=f"present_jump_{number}",
                            format_func=lambda n: f"{n}. {slides[n - 1].title}")
        if jump != number:
            _go(jump)
            st.rerun()
        st.session_state["present_meeting"] = show.meeting
        st.text_input(page.t("present.meeting"), key="present_meeting", max_chars=200,
                      on_change=_set_param, args=(MEETING_PARAM, "present_meeting"))
        st.session_state["present_date"] = show.meeting_date
        st.date_input(page.t("present.meeting_date"), key="present_date", format="YYYY-MM-DD",
                      on_change=_set_param, args=(DATE_PARAM, "present_date"))
        stem = f"maaor_briefing_v{page.version}"
        key = (page.version, page.filters, page.today, page.lang, show.meeting,
               show.meeting_date)
        left, right = st.columns(2)
        left.download_button(
            page.t("present.download.pptx"),
            data=lambda: pack(*key),
            file_name=f"{stem}.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            key="present_dl_pptx", on_click="ignore", icon=":material/slideshow:",
            width="stretch",
        )
        right.download_button(
            page.t("present.download.xlsx"),
            data=lambda: datapack(*key),
            file_name=f"{stem}_data.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="present_dl_xlsx", on_click="ignore", icon=":material/table:",
            width="stretch",
        )
        st.caption(page.t("present.filters_hint"))
        st.caption(page.t("present.keys"))
