"""Results: indicators against baseline and target (bullet charts), on / off track, by objective."""

from dataclasses import replace

import streamlit as st

from maaor import charts, vocab
from maaor.ui import widgets
from maaor.ui.page import setup
from maaor.ui.safe import md_escape
from maaor.viewparams import RESULTS_SEX_AGE

page = setup("results")

# Without a year chosen, indicators are shown for the latest year reported.
year = page.filters.year or page.view("results.latest_year")
if page.filters.year is None and year is not None:
    st.caption(page.t("results.latest_year", year=year))
page = replace(page, filters=replace(page.filters, year=year))

by_objective = page.view("results.by_objective")

st.subheader(page.t("results.by_objective"))
widgets.chart(
    page,
    lambda: charts.results_status(by_objective, page.lang, page.note("indicators")),
    by_objective,
    "results_by_objective",
    page.columns("results.by_objective"),
    kind="indicators",
    tables=("indicators",),
    alt=page.t("results.by_objective.alt"),
    empty="narrative.results.none",
)

st.subheader(page.t("results.indicators"))
disaggregation = st.segmented_control(
    page.t("results.disaggregation"),
    options=list(vocab.codes("disaggregation")),
    format_func=lambda c: vocab.label("disaggregation", c, page.lang),
    required=True,
    **widgets.url_bound(RESULTS_SEX_AGE, vocab.codes("disaggregation"), "total"),
)
st.caption(page.t("results.bullet.legend"))
INDICATOR_COLUMNS = page.columns("results.rows")
for number, objective in enumerate(by_objective["objective"], start=1):
    rows = page.view("results.rows", objective, disaggregation)
    if rows.empty:
        continue
    st.markdown("#### " + md_escape(objective))
    widgets.chart(
        page,
        lambda rows=rows: charts.indicator_bullets(rows, page.lang, page.note("indicators")),
        rows,
        f"indicators_{number}_{disaggregation}",
        INDICATOR_COLUMNS,
        kind="indicators",
        tables=("indicators",),
        alt=page.t("results.bullets.alt"),
    )
