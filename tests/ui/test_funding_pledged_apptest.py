"""The Funding page shows pledges apart from funding received, and only when rows state
pledges (issue 10, item 5: received is what "funded" means)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.bundled import default_sources
from maaor.figures.funding import funding_headline, pledged_total
from maaor.glossary import GLOSSARY
from maaor.i18n import fmt_money
from tests.conftest import bundled_app_store
from tests.paths import ROOT

APP = str(ROOT / "app.py")


def _funding_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/4_Funding.py")
    return at.run()


def test_pledges_get_their_own_tile_and_never_change_funded(tmp_path):
    pledged = GLOSSARY["pledged_usd"].label("en")
    with bundled_app_store(tmp_path):
        at = _funding_page()
        assert not at.exception
        assert pledged not in {m.label for m in at.metric}  # no row states a pledge

        store = service.open_store()
        ds = store.load(store.current_version())
        funding = ds.funding.copy()
        funding["pledged_usd"] = funding["funded_usd"].fillna(0.0) + 1_000_000.0
        sources, _ = default_sources()
        store.publish(replace(ds, tables={**ds.tables, "funding": funding}), sources,
                      by="lead", note="pledges")
        service.reset_for_tests()
        st.cache_data.clear()  # as after the few seconds of the short caches
        at = _funding_page()
        assert not at.exception
        shown = {m.label: m.value for m in at.metric}
        assert shown[pledged] == fmt_money(pledged_total(funding), "en")
        funded = GLOSSARY["funded_no_requirement_usd"].label("en")
        assert shown[funded] == fmt_money(funding_headline(funding)["funded_no_requirement_usd"], "en")
