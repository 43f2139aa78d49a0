"""Work plan: objective > output > activity, progress per objective, timeline, detail."""

from dataclasses import replace

import streamlit as st

from maaor import charts
from maaor.filters import Filters
from maaor.glossary import WORKPLAN_ROW
from maaor.ui import widgets
from maaor.ui.history import progress_history
from maaor.ui.page import setup
from maaor.ui.safe import md_escape
from maaor.ui.widgets import Columns

page = setup("page.workplan.title", tables=("workplan",))
head = page.view("headline")
widgets.metrics_row(page, head, WORKPLAN_ROW, key="workplan")

STATUS_COLUMNS = {
    "not_reported": "status.not_reported",
    "not_started": "col.not_started",
    "ongoing": "col.ongoing",
    "delayed": "col.delayed",
    "completed": "col.completed",
    "cancelled": "col.cancelled",
}
ACTIVITY_COLUMNS = Columns(
    {
        "activity_id": "col.activity_id",
        "activity": "col.activity",
        "status": "col.status",
        "progress": "col.progress",
        "leads": "col.leads",
        "partners": "col.partners",
        "start": "col.start",
        "due": "col.due",
        "budget_usd": "col.budget",
        "funded_usd": "col.funded",
    },
    vocab={"status": "wp_status"},
    percents=("progress",),
    lists=("leads", "partners"),
    dates=("start", "due"),
    money=("budget_usd", "funded_usd"),
)

st.subheader(page.t("workplan.by_objective"))
by_objective = page.view("workplan.by_objective")
widgets.chart(
    page,
    lambda: charts.status_by_objective(by_objective, page.lang, page.note("workplan")),
    by_objective,
    "progress_by_objective",
    Columns(
        {"objective_id": "col.objective_id", "objective": "col.objective",
         "activities": "col.activities", **STATUS_COLUMNS,
         "mean_progress": "col.mean_progress", "pct_completed": "col.pct_completed"},
        percents=("mean_progress", "pct_completed"),
    ),
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
            page, outputs, f"outputs_{objective_id}",
            Columns({"output_id": "col.output_id", "output": "col.output",
                     "activities": "col.activities", "completed": "col.completed",
                     "mean_progress": "col.mean_progress"},
                    percents=("mean_progress",)),
            kind="workplan", tables=("workplan",),
        )
        st.markdown(f"**{page.t('workplan.activities')}**")
        widgets.table(page, page.view_with("workplan.rows", only), f"activities_{objective_id}",
                      ACTIVITY_COLUMNS, kind="workplan", tables=("workplan",))

st.subheader(page.t("workplan.timeline"))
timeline = page.view("workplan.timeline")
widgets.chart(
    page,
    lambda: charts.timeline(timeline, page.today, page.lang, page.note("workplan")),
    timeline,
    "timeline",
    Columns(
        {"activity_id": "col.activity_id", "activity": "col.activity", "leads": "col.leads",
         "status": "col.status", "start": "col.start", "due": "col.due",
         "overdue": "col.overdue"},
        vocab={"status": "wp_status"}, lists=("leads",), dates=("start", "due"),
    ),
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
)

st.subheader(page.t("workplan.detail"))
activity_ids = list(page.view_with("workplan.rows", Filters())["activity_id"])
chosen = widgets.url_selectbox(page, "activity", activity_ids, page.t("workplan.detail.choose"))
if chosen:
    detail = page.view("workplan.activity", chosen)
    st.markdown("#### " + md_escape(f"{chosen} – {detail['activity'].iloc[0]}"))
    widgets.record(page, detail, replace(
        ACTIVITY_COLUMNS,
        headers={"objective": "col.objective", "output": "col.output",
                 **ACTIVITY_COLUMNS.headers, "lead_tentative": "col.lead_tentative",
                 "budget_note": "col.budget_note", "last_update": "col.last_update",
                 "comment": "col.comment"},
        dates=("start", "due", "last_update"),
    ))
