"""Gaps: every flag raised on the work plan and on country pillars, with the rule that raised it."""

import streamlit as st

from maaor.figures.gaps import RULES
from maaor.glossary import GAPS_ROW
from maaor.ui import data, widgets
from maaor.ui.page import setup
from maaor.viewparams import GAPS_TAB

page = setup("gaps")
counts = page.view("gaps.counts")
activity_flags = page.view("gaps.flags", "activity")
country_flags = page.view("gaps.flags", "country")

widgets.metrics_row(page, page.view("headline"), GAPS_ROW, key="gaps")

widgets.flag_counts_chart(page, counts)

with st.expander(page.t("gaps.rules"), icon=":material/help:"):
    # Catalogue text only (no data): safe as Markdown.
    st.markdown("\n".join(f"- **{page.t(f'rule.{code}')}**: {page.t(f'rule.help.{code}')}"
                          for code in RULES))

activities_tab, countries_tab = st.tabs([page.t("gaps.activities"), page.t("gaps.countries")],
                                         key=GAPS_TAB, bind="query-params")
with activities_tab:
    st.caption(page.t("gaps.activities.help"))
    widgets.table(
        page, activity_flags, "activity_flags", page.columns("gaps.flags", "activity"),
        tables=("workplan",),
    )
with countries_tab:
    st.caption(page.t("gaps.countries.help"))
    widgets.table(
        page, country_flags, "country_flags", page.columns("gaps.flags", "country"),
        tables=("presence", "mechanisms"),
    )

# Drawn: what the next filter change reads is computed in the background, once per version.
data.warm_up(page.version)
