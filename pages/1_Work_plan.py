"""Work plan: objective > output > activity, progress per objective, timeline, detail."""

from dataclasses import replace

import streamlit as st

from maaor import charts
from maaor.filters import Filters
from maaor.glossary import WORKPLAN_ROW
from maaor.ui import data, widgets
from maaor.ui.history import progress_history
from maaor.ui.page import setup
from maaor.ui.safe import md_escape
from maaor.ui.widgets import Columns
from maaor.viewparams import WORKPLAN_ACTIVITY

page = setup("workplan")
head = page.view("headline.row", WORKPLAN_ROW)
widgets.metrics_row(page, head, WORKPLAN_ROW, key="workplan")

st.subheader(page.t("workplan.by_objective"))
by_objective = page.view("workplan.by_objective")
widgets.chart(
    page,
    lambda: charts.status_by_objective(by_objective, page.lang, page.note("workplan")),
    by_objective,
    "progress_by_objective",
    page.columns("workplan.by_objective"),
    kind="workplan",
    tables=("workplan",),
    alt=page.t("workplan.by_objective.alt"),
    empty="narrative.activities.none",
)

st.subheader(page.t("workplan.hierarchy"))
st.caption(page.t("workplan.hierarchy.help"))
for objective_id, objective in by_objective[["objective_id", "objective"]].itertuples(index=False):
    only = replace(page.filters, objectives=(objective_id,))
    with st.expander(md_escape(f"{objective_id} – {objective}")):
        outputs = page.view_with("workplan.by_output", only)
        st.markdown(f"**{page.t('workplan.outputs')}**")
        widgets.table(
            page, outputs, f"outputs_{objective_id}", page.columns("workplan.by_output"),
            kind="workplan", tables=("workplan",),
        )
        st.markdown(f"**{page.t('workplan.activities')}**")
        widgets.table(page, page.view_with("workplan.rows", only), f"activities_{objective_id}",
                      page.columns("workplan.rows"), kind="workplan", tables=("workplan",))

st.subheader(page.t("workplan.timeline"))
timeline = page.view("workplan.timeline")
widgets.chart(
    page,
    lambda: charts.timeline(timeline, page.today, page.lang, page.note("workplan")),
    timeline,
    "timeline",
    page.columns("workplan.timeline"),
    kind="workplan",
    tables=("workplan",),
    alt=page.t("workplan.timeline.alt"),
)

st.subheader(page.t("workplan.versions"))
st.caption(page.t("workplan.versions.help"))
history = progress_history(page.version)
widgets.chart(
    page,
    lambda: charts.progress_over_versions(history, page.lang, page.note("workplan")),
    history,
    "progress_over_versions",
    Columns(
        {"version": "col.version", "created_at": "col.created_at",
         "activities": "col.activities", "completed": "col.completed",
         "pct_completed": "col.pct_completed", "mean_progress": "col.mean_progress"},
        percents=("pct_completed", "mean_progress"), dates=("created_at",),
    ),
    kind=None,
    alt=page.t("workplan.versions.alt"),
    filtered=False,
)

st.subheader(page.t("workplan.detail"))
activity_ids = list(page.view_with("workplan.rows", Filters())["activity_id"])
chosen = widgets.url_selectbox(page, WORKPLAN_ACTIVITY, activity_ids, page.t("workplan.detail.choose"))
if chosen:
    detail = page.view("workplan.activity", chosen)
    st.markdown("#### " + md_escape(f"{chosen} – {detail['activity'].iloc[0]}"))
    widgets.record(page, detail, page.columns("workplan.activity"))

# Drawn: what the next filter change reads is computed in the background, once per version.
data.warm_up(page.version)
