"""Funding: required vs funded by country, year, donor and channel; work-plan budget; FTS beside."""

import streamlit as st

from maaor import charts, vocab
from maaor.i18n import country_name, fmt_money, fmt_percent
from maaor.ui import widgets
from maaor.ui.page import setup

page = setup("funding")
head = page.view("funding.headline")

cols = st.columns(4)
with cols[0]:
    widgets.metric(page.t("metric.required"), fmt_money(head["required_usd"], page.lang),
                   help=page.t("metric.money.help"))
with cols[1]:
    widgets.metric(page.t("metric.funded"), fmt_money(head["funded_usd"], page.lang))
with cols[2]:
    widgets.metric(page.t("metric.gap"), fmt_money(head["gap_usd"], page.lang),
                   help=page.t("metric.gap.help"))
with cols[3]:
    widgets.metric(page.t("metric.pct_funded"), fmt_percent(head["pct_funded"], page.lang))

BY_LABELS = {
    "country_iso3": lambda v: country_name(v, page.lang),
    "year": str,
    "donor": str,
    "channel": lambda v: vocab.label("channel", v, page.lang),
}

st.subheader(page.t("funding.by"))
by = st.segmented_control(
    page.t("funding.by.choose"),
    options=list(BY_LABELS),
    format_func=lambda c: page.t(f"funding.by.{c}"),
    default="country_iso3",
    required=True,
    key="funding_by",
)
by_frame = page.view("funding.by", (by,))
widgets.chart(
    page,
    lambda: charts.required_vs_funded(by_frame, by, page.lang, page.note("funding"), label=BY_LABELS[by]),
    by_frame,
    f"funding_by_{by}",
    page.columns("funding.by", (by,)),
    kind="funding",
    tables=("funding",),
    alt=page.t("funding.by.alt"),
)

st.subheader(page.t("funding.budget"))
budget = page.view("funding.budget")
widgets.chart(
    page,
    lambda: charts.required_vs_funded(budget, "objective", page.lang, page.note("workplan")),
    budget,
    "workplan_budget",
    page.columns("funding.budget"),
    kind="workplan",
    tables=("workplan",),
    alt=page.t("funding.budget.alt"),
)

st.subheader(page.t("funding.fts"))
st.caption(page.t("funding.fts.source", source=page.t("fts.source")))
st.info(page.t("fts.caveat"), icon=":material/info:")
fts = page.view("funding.fts")
fts_columns = page.columns("funding.fts")
if fts.empty:
    st.caption(page.t("funding.fts.none"))
else:
    widgets.chart(
        page,
        lambda: charts.fts_bars(fts, page.lang, page.note("fts"), label=lambda c: country_name(c, page.lang)),
        fts, "fts_mine_action", fts_columns, kind="fts", tables=("fts",),
        alt=page.t("funding.fts.alt"),
    )
