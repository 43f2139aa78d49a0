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
import time
from dataclasses import dataclass

import streamlit as st

from maaor import maps
from maaor.export.datapack import datapack_xlsx
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
STYLE = """
<style>
.st-key-present_slide h1 { font-size: 3.1rem; line-height: 1.15; color: #08306b; }
.st-key-present_message p { font-size: 2.1rem; font-weight: 600; line-height: 1.25;
  color: #111111; }
.st-key-present_slide [data-testid="stMetricValue"] { font-size: 3rem; color: #084594; }
.st-key-present_slide [data-testid="stMetricLabel"] p { font-size: 1.2rem; color: #111111; }
.st-key-present_slide [data-testid="stAlertContainer"] p { font-size: 1.2rem; }
</style>
"""


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
    auto = _int_param(AUTO_PARAM, 0)
    shown = st.session_state.get(SHOWN_KEY)
    if not shown or shown[0] != number:
        st.session_state[SHOWN_KEY] = (number, time.monotonic())
    return Show(slides, number, auto if auto in AUTO_CHOICES else 0, meeting, meeting_date)


# ------------------------------------------------------------------------------ drawing


def navigation(page: Page, show: Show) -> None:
    """Previous / Next, the slide number and version, and the auto-advance choice."""
    number, total = show.number, show.total
    bar = st.columns([1, 1, 6, 2], vertical_alignment="center")
    bar[0].button(page.t("present.previous"), key="present_prev",
                  icon=":material/arrow_back:", on_click=_go, args=(number - 1,),
                  disabled=number <= 1, width="stretch")
    bar[1].button(page.t("present.next"), key="present_next",
                  icon=":material/arrow_forward:", on_click=_go, args=(number + 1,),
                  disabled=number >= total, width="stretch")
    bar[2].caption(md_escape(page.t("slide.number", n=number, total=total) + " · "
                             + page.version_text()))
    st.session_state["present_auto"] = show.auto
    bar[3].selectbox(page.t("present.auto"), options=AUTO_CHOICES, key="present_auto",
                     format_func=lambda s: page.t("present.auto.off") if not s
                     else page.t("present.auto.seconds", n=s),
                     on_change=_set_param, args=(AUTO_PARAM, "present_auto"),
                     label_visibility="collapsed")


def slide(page: Page, show: Show) -> None:
    """Draw the slide shown: title, message, big numbers, its chart or map, notice, source."""
    current_slide, number = show.slide, show.number
    with st.container(key="present_slide"):
        st.title(md_escape(current_slide.title))
        with st.container(key="present_message"):
            st.markdown(md_escape(current_slide.message))
        chart = current_slide.chart
        if chart.kind == "none":
            columns = st.columns(4)
            for i, big in enumerate(current_slide.numbers):
                with columns[i % 4]:
                    widgets.metric(md_escape(big.label), big.text)
        else:
            left, right = st.columns([1, 3])
            with left:
                for big in current_slide.numbers:
                    widgets.metric(md_escape(big.label), big.text)
            with right:
                if chart.kind == "map":
                    widgets.deck(
                        maps.presence_deck(chart.by_country, chart.by_admin1, page.lang,
                                           data.basemap_style()),
                        alt=chart.alt, height=520, key=f"present_map_{number}",
                    )
                    st.caption(page.t("presence.map.legend"))
                elif chart.categories:
                    st.plotly_chart(plotly_figure(chart, page.lang), theme=None,
                                    config=widgets.PRESENT_PLOTLY_CONFIG,
                                    key=f"present_chart_{number}", width="stretch")
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
