"""Plenary mode: full-screen slides from the live data, with the briefing pack to take away.

The slides are ``maaor.slides.slide_deck`` under the current filters (the same records
the PPTX draws). The slide number lives in the URL (``?slide=3``), so a presenter can
jump to a slide and a link reopens it; auto-advance (``?auto=20``) moves on with a timed
fragment. Nothing here needs the internet: the map has no basemap unless one is
configured, and the charts are plain plotly bars.
"""

import datetime as dt
import time

import streamlit as st

from maaor import maps
from maaor.export.datapack import datapack_xlsx
from maaor.export.pptx import briefing_pptx
from maaor.filters import Filters
from maaor.slides import Slide, plotly_figure, slide_deck, with_meeting
from maaor.ui import data, widgets
from maaor.ui.page import setup
from maaor.ui.safe import md_escape

SLIDE_PARAM, AUTO_PARAM, MEETING_PARAM, DATE_PARAM = "slide", "auto", "meeting", "date"
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


page = setup("present.title", tables=("workplan", "presence", "funding", "indicators",
                                      "mechanisms"), presenting=True)
st.html(STYLE)
meeting = st.query_params.get(MEETING_PARAM, "")[:200]
meeting_date = _meeting_date()
slides = with_meeting(deck(page.version, page.filters, page.today, page.lang), meeting,
                      meeting_date, page.lang)
total = len(slides)
number = min(max(_int_param(SLIDE_PARAM, 1), 1), total)
slide = slides[number - 1]
auto = _int_param(AUTO_PARAM, 0)
auto = auto if auto in AUTO_CHOICES else 0

shown = st.session_state.get(SHOWN_KEY)
if not shown or shown[0] != number:
    st.session_state[SHOWN_KEY] = (number, time.monotonic())

bar = st.columns([1, 1, 6, 2], vertical_alignment="center")
bar[0].button(page.t("present.previous"), key="present_prev", icon=":material/arrow_back:",
              on_click=_go, args=(number - 1,), disabled=number <= 1, width="stretch")
bar[1].button(page.t("present.next"), key="present_next", icon=":material/arrow_forward:",
              on_click=_go, args=(number + 1,), disabled=number >= total, width="stretch")
bar[2].caption(md_escape(page.t("slide.number", n=number, total=total) + " · "
                         + page.version_text()))
st.session_state["present_auto"] = auto
bar[3].selectbox(page.t("present.auto"), options=AUTO_CHOICES, key="present_auto",
                 format_func=lambda s: page.t("present.auto.off") if not s
                 else page.t("present.auto.seconds", n=s),
                 on_change=_set_param, args=(AUTO_PARAM, "present_auto"),
                 label_visibility="collapsed")

with st.container(key="present_slide"):
    st.title(md_escape(slide.title))
    with st.container(key="present_message"):
        st.markdown(md_escape(slide.message))
    chart = slide.chart
    if chart.kind == "none":
        columns = st.columns(4)
        for i, big in enumerate(slide.numbers):
            with columns[i % 4]:
                widgets.metric(md_escape(big.label), big.text)
    else:
        left, right = st.columns([1, 3])
        with left:
            for big in slide.numbers:
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
                                config=widgets.PLOTLY_CONFIG, key=f"present_chart_{number}",
                                width="stretch")
            else:
                st.info(md_escape(chart.empty) if chart.empty else page.t("table.empty"))
            if chart.note:
                st.caption(md_escape(chart.note))
    if slide.notice:
        st.warning(md_escape(slide.notice), icon=":material/info:")
    st.caption(md_escape(slide.source))

if auto:
    @st.fragment(run_every=auto)
    def _advance() -> None:
        """Move to the next slide (the first after the last) once ``auto`` seconds passed."""
        at, since = st.session_state.get(SHOWN_KEY, (number, time.monotonic()))
        if at == number and time.monotonic() - since >= auto - 0.5:
            _go(number % total + 1)
            st.rerun(scope="app")

    _advance()

with st.expander(page.t("present.notes"), icon=":material/record_voice_over:"):
    for sentence in slide.notes:
        st.markdown("- " + md_escape(sentence.text))

with st.expander(page.t("present.settings"), icon=":material/tune:"):
    jump = st.selectbox(page.t("present.jump"), options=list(range(1, total + 1)),
                        index=number - 1, key=f"present_jump_{number}",
                        format_func=lambda n: f"{n}. {slides[n - 1].title}")
    if jump != number:
        _go(jump)
        st.rerun()
    st.session_state["present_meeting"] = meeting
    st.text_input(page.t("present.meeting"), key="present_meeting", max_chars=200,
                  on_change=_set_param, args=(MEETING_PARAM, "present_meeting"))
    st.session_state["present_date"] = meeting_date
    st.date_input(page.t("present.meeting_date"), key="present_date", format="YYYY-MM-DD",
                  on_change=_set_param, args=(DATE_PARAM, "present_date"))
    stem = f"maaor_briefing_v{page.version}"
    left, right = st.columns(2)
    left.download_button(
        page.t("present.download.pptx"),
        data=lambda: pack(page.version, page.filters, page.today, page.lang, meeting,
                          meeting_date),
        file_name=f"{stem}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="present_dl_pptx", on_click="ignore", icon=":material/slideshow:",
        width="stretch",
    )
    right.download_button(
        page.t("present.download.xlsx"),
        data=lambda: datapack(page.version, page.filters, page.today, page.lang, meeting,
                              meeting_date),
        file_name=f"{stem}_data.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="present_dl_xlsx", on_click="ignore", icon=":material/table:", width="stretch",
    )
    st.caption(page.t("present.filters_hint"))
