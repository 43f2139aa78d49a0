"""Overview (home page): headline figures, a small presence map and the top gaps."""

import datetime as dt

import streamlit as st

from maaor.figures.emergency import emergency_sentence
from maaor.figures.narrative import narrative
from maaor.filters import Filters
from maaor.glossary import FUNDING_IDS, FUNDING_WIDTHS, OVERVIEW_ROWS
from maaor.maps import MIN_COLUMN_MAP_WIDTH
from maaor.ui import data, registry, widgets
from maaor.ui.page import setup
from maaor.ui.safe import md_escape


@data.by_name
@st.cache_data(max_entries=32, show_spinner=False)
def summary(version: int, f: Filters, today: dt.date, lang: str) -> list[str]:
    """The narrative summary (``maaor.figures.narrative``) of the page's data and filters."""
    return [s.text for s in narrative(data.dataset(version), f, today, lang)]


page = setup("overview")
head = page.view("headline")

st.subheader(page.t("overview.headline"))
if page.filters.emergency:
    st.markdown(md_escape(emergency_sentence(page.view("presence.emergency"), page.lang)))
for number, row in enumerate(OVERVIEW_ROWS, start=1):
    widgets.metrics_row(page, head, row, key=f"overview_{number}",
                        widths=FUNDING_WIDTHS if row == FUNDING_IDS else None)
st.caption(page.note("workplan", "presence", "funding", "mechanisms"))

st.subheader(page.t("overview.narrative"))
with st.container(key="overview_narrative"):
    for sentence in summary(page.version, page.filters, page.today, page.lang):
        st.markdown("- " + md_escape(sentence))
st.page_link(registry.page("present").path, label=page.t("overview.to_present"),
             icon=":material/co_present:")

left, right = st.columns([3, 2])
with left:
    st.subheader(page.t("overview.map"))
    widgets.deck(
        page.presence_map(height=380, min_width=MIN_COLUMN_MAP_WIDTH),
        alt=page.t("presence.map.alt"),
        height=380,
        key="overview_map",
    )
    st.caption(page.map_legend())
    st.caption(page.t("map.disclaimer"))
    st.page_link(registry.page("presence").path, label=page.t("overview.to_presence"),
                 icon=":material/arrow_forward:")
with right:
    st.subheader(page.t("overview.gaps"))
    counts = page.view("gaps.counts")
    widgets.flag_counts_chart(page, counts)
    st.page_link(registry.page("gaps").path, label=page.t("overview.to_gaps"),
                 icon=":material/arrow_forward:")

# Drawn: what the next filter change reads is computed in the background, once per version.
data.warm_up(page.version)
