"""Presence (4W): map of organisations per country and admin-1 area, pillars, who is where."""

import streamlit as st

from maaor import charts
from maaor.figures.emergency import emergency_sentence
from maaor.glossary import PRESENCE_ROW
from maaor.i18n import country_name, fmt_number
from maaor.ui import data, widgets
from maaor.ui.page import setup
from maaor.ui.safe import md_escape
from maaor.viewparams import PRESENCE_MATRIX

MAX_COUNTRIES_CHARTED = 6

page = setup("presence")
if page.filters.emergency:
    st.markdown(md_escape(emergency_sentence(page.view("presence.emergency"), page.lang)))
widgets.metrics_row(page, page.view("headline.row", PRESENCE_ROW), PRESENCE_ROW, key="presence")

by_country = page.view("presence.by_country")
by_admin1 = page.view("presence.by_admin1")
st.subheader(page.t("presence.map"))
widgets.deck(
    page.presence_map(),
    alt=page.t("presence.map.alt"),
    key="presence_map",
)
st.caption(page.map_legend())
st.caption(page.t("map.disclaimer"))
if data.public_presence_level() in ("country", "admin1"):
    st.caption(page.t("presence.level_country"))
with st.expander(page.t("chart.numbers"), icon=":material/table:"):
    widgets.table(
        page, by_country, "orgs_by_country", page.columns("presence.by_country"),
        kind="presence", tables=("presence",),
    )
    widgets.table(
        page, by_admin1, "orgs_by_admin1", page.columns("presence.by_admin1"),
        kind="presence", tables=("presence",),
    )

st.subheader(page.t("presence.pillars"))
by_pillar = page.view("presence.by_pillar")
pillar_columns = page.columns("presence.by_pillar")
countries_shown = list(by_country["country_iso3"])
if 0 < len(countries_shown) <= MAX_COUNTRIES_CHARTED:
    widgets.chart(
        page,
        lambda: charts.orgs_per_pillar(by_pillar, page.lang, page.note("presence"),
                               label=lambda c: country_name(c, page.lang)),
        by_pillar, "orgs_by_pillar", pillar_columns, kind="presence", tables=("presence",),
        alt=page.t("presence.pillars.alt"),
    )
else:
    st.caption(page.t("presence.pillars.choose", n=MAX_COUNTRIES_CHARTED))
    widgets.table(page, by_pillar, "orgs_by_pillar", pillar_columns, kind="presence",
                  tables=("presence",))


st.subheader(page.t("presence.reached"))
reached = page.view("reached.headline")
widgets.metrics_row(page, {"people_reached": reached["reached_total"]}, ("people_reached",),
                    key="reached")
split = [(page.t(f"col.{part}"), reached[part]) for part in
         ("reached_women", "reached_men", "reached_girls", "reached_boys")]
if any(value is not None for _, value in split):
    st.caption(md_escape(page.t("presence.reached.split") + " " + " · ".join(
        f"{label} {fmt_number(value, page.lang) if value is not None else page.t('value.unknown')}"
        for label, value in split)))
for by, name, title in ((("pillar",), "reached_by_pillar", "presence.reached_by_pillar"),
                        (("country", "admin1"), "reached_by_place", "presence.reached_by_place")):
    st.markdown("**" + page.t(title) + "**")
    widgets.table(page, page.view("reached.by", by), name, page.columns("reached.by", by),
                  kind="presence", tables=("presence",))


@st.fragment
def matrix_section(countries: list[str]) -> None:
    """The organisation x pillar matrix; choosing its country reruns this part only."""
    st.subheader(page.t("presence.matrix"))
    if not countries:
        st.info(page.t("table.empty"))
        return
    default = page.filters.countries[0] if page.filters.countries else countries[0]
    iso3 = st.selectbox(
        page.t("presence.matrix.country"),
        options=countries,
        format_func=lambda c: country_name(c, page.lang),
        **widgets.url_bound(PRESENCE_MATRIX, countries,
                            default if default in countries else countries[0]),
    )
    widgets.pillar_matrix(page, page.view("presence.matrix", iso3), f"matrix_{iso3}")


matrix_section(countries_shown)

st.subheader(page.t("presence.where_is"))
if page.filters.org:
    st.markdown(page.t("presence.where_is.for", org=md_escape(page.filters.org)))
    widgets.table(
        page, page.view("presence.where_is", page.filters.org), "where_is",
        page.columns("presence.where_is"), kind="presence", tables=("presence",),
    )
else:
    st.caption(page.t("presence.where_is.help"))

# Drawn: what the next filter change reads is computed in the background, once per version.
data.warm_up(page.version)
