"""Funding: required vs funded by country, year, donor and channel; work-plan budget; FTS beside."""

import streamlit as st

from maaor import charts, vocab
from maaor.glossary import BUDGET_IDS, FUNDING_IDS, FUNDING_WIDTHS, GLOSSARY
from maaor.i18n import country_name
from maaor.ui import widgets
from maaor.ui.page import setup
from maaor.ui.safe import md_escape
from maaor.viewparams import FUNDING_BY

page = setup("funding")
head = page.view("headline")
widgets.metrics_row(page, head, FUNDING_IDS, key="funding", widths=FUNDING_WIDTHS)
if head["pledged_usd"] is not None:  # pledges shown apart, only where rows state them
    widgets.metrics_row(page, head, ("pledged_usd",), key="pledged")

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
    required=True,
    **widgets.url_bound(FUNDING_BY, list(BY_LABELS), "country_iso3"),
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
    empty="empty.no_funding_rows",
)

st.subheader(page.t("funding.budget"))
budget = page.view("funding.budget")
widgets.metrics_row(page, head, BUDGET_IDS, key="budget", widths=FUNDING_WIDTHS)
widgets.chart(
    page,
    lambda: charts.required_vs_funded(budget, "objective", page.lang, page.note("workplan")),
    budget,
    "workplan_budget",
    page.columns("funding.budget"),
    kind="workplan",
    tables=("workplan",),
    alt=page.t("funding.budget.alt"),
    empty="narrative.activities.none",
)

st.subheader(page.t("funding.fts"))
st.caption(page.t("funding.fts.source", source=page.t("fts.source")))
st.info(page.t("fts.caveat"), icon=":material/info:")
fts = page.view("funding.fts")
fts_columns = page.columns("funding.fts")
if fts.empty:
    st.caption(page.t("funding.fts.none"))
else:
    fts_head = page.view("funding.fts_headline")
    st.caption(md_escape(page.t("funding.fts.reconciled",
                      required=GLOSSARY["required_usd"].text(fts_head["required_usd"], page.lang),
                      funded=GLOSSARY["funded_against_requirement_usd"].text(
                          fts_head["funded_against_requirement_usd"], page.lang),
                      gap=GLOSSARY["gap_usd"].text(fts_head["gap_usd"], page.lang),
                      pct=GLOSSARY["pct_funded"].text(fts_head["pct_funded"], page.lang),
                      beside=GLOSSARY["funded_no_requirement_usd"].text(
                          fts_head["funded_no_requirement_usd"], page.lang))))
    widgets.chart(
        page,
        lambda: charts.fts_bars(fts, page.lang, page.note("fts"), label=lambda c: country_name(c, page.lang)),
        fts, "fts_mine_action", fts_columns, kind="fts", tables=("fts",),
        alt=page.t("funding.fts.alt"),
    )
