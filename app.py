"""Overview (home page): headline figures, a small presence map and the top gaps."""

import datetime as dt

import streamlit as st

from maaor.figures.narrative import narrative
from maaor.filters import Filters
from maaor.i18n import fmt_money, fmt_number, fmt_percent
from maaor.ui import data, registry, widgets
from maaor.ui.page import setup
from maaor.ui.safe import md_escape


@st.cache_data(max_entries=32, show_spinner=False)
def summary(version: int, f: Filters, today: dt.date, lang: str) -> list[str]:
    """The narrative summary (``maaor.figures.narrative``) of the page's data and filters."""
    return [s.text for s in narrative(data.dataset(version), f, today, lang)]


page = setup("overview")
head = page.view("overview")

st.subheader(page.t("overview.headline"))
row1 = st.columns(4)
row2 = st.columns(4)
with row1[0]:
    widgets.metric(page.t("metric.activities"), fmt_number(head["activities"], page.lang))
with row1[1]:
    widgets.metric(page.t("metric.pct_completed"), fmt_percent(head["pct_completed"], page.lang),
                   help=page.t("metric.pct_completed.help"))
with row1[2]:
    widgets.metric(page.t("metric.activities_flagged"),
                   fmt_number(head["activities_flagged"], page.lang),
                   help=page.t("metric.activities_flagged.help"))
with row1[3]:
    widgets.metric(page.t("metric.countries_with_mechanism"),
                   fmt_number(head["countries_with_mechanism"], page.lang),
                   help=page.t("metric.countries_with_mechanism.help"))
with row2[0]:
    widgets.metric(page.t("metric.organisations"), fmt_number(head["organisations"], page.lang))
with row2[1]:
    widgets.metric(page.t("metric.required"), fmt_money(head["required_usd"], page.lang),
                   help=page.t("metric.money.help"))
with row2[2]:
    widgets.metric(page.t("metric.funded"), fmt_money(head["funded_usd"], page.lang),
                   help=page.t("metric.money.help"))
with row2[3]:
    widgets.metric(page.t("metric.gap"), fmt_money(head["gap_usd"], page.lang),
                   help=page.t("metric.gap.help"))
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
        page.presence_map(),
        alt=page.t("presence.map.alt"),
        height=380,
        key="overview_map",
    )
    st.caption(page.t("presence.map.legend") + " " + page.note("presence"))
    st.page_link(registry.page("presence").path, label=page.t("overview.to_presence"),
                 icon=":material/arrow_forward:")
with right:
    st.subheader(page.t("overview.gaps"))
    counts = page.view("gaps.counts")
    widgets.flag_counts_chart(page, counts)
    st.page_link(registry.page("gaps").path, label=page.t("overview.to_gaps"),
                 icon=":material/arrow_forward:")
