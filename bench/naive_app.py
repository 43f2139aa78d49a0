"""The baseline of bench/: a 4W dashboard as a user would write it in an afternoon.

Not part of maaor. It caches ``pd.read_excel`` of the 4W workbook named by the
``NAIVE_4W_XLSX`` environment variable (the benches write one with the template's column
labels) and shows a country filter (key ``flt_country``, like maaor's), headline numbers,
a chart of organisations per pillar and a map of admin-1 areas, all computed per run.
"""

import os

import pandas as pd
import plotly.express as px
import pydeck as pdk
import streamlit as st

st.set_page_config(page_title="4W", layout="wide")


@st.cache_data
def load(path: str) -> pd.DataFrame:
    return pd.read_excel(path)


df = load(os.environ["NAIVE_4W_XLSX"])
st.title("Who does what where")
countries = st.multiselect("Country", sorted(df["Country"].dropna().unique()), key="flt_country")
view = df[df["Country"].isin(countries)] if countries else df
left, middle, right = st.columns(3)
left.metric("Organisations", view["Organisation"].nunique())
middle.metric("Countries", view["Country"].nunique())
right.metric("Rows", len(view))
per_pillar = view.groupby(["Country", "Pillar"])["Organisation"].nunique().reset_index()
st.plotly_chart(px.bar(per_pillar, x="Pillar", y="Organisation", color="Country", barmode="group"))
areas = (view.dropna(subset=["Latitude", "Longitude"])
         .groupby(["Country", "Admin 1"])
         .agg(lat=("Latitude", "mean"), lon=("Longitude", "mean"), orgs=("Organisation", "nunique"))
         .reset_index())
st.pydeck_chart(pdk.Deck(
    layers=[pdk.Layer("ScatterplotLayer", areas, get_position=["lon", "lat"],
                      get_radius="orgs * 2000", get_fill_color=[230, 159, 0, 200], pickable=True)],
    initial_view_state=pdk.ViewState(latitude=15, longitude=20, zoom=1),
    map_provider=None, tooltip={"text": "{Admin 1}: {orgs} organisations"}))
st.dataframe(view.head(1000))
