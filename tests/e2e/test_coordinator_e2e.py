"""End-to-end coordinator round trip: sign in, upload a 4W workbook with one new
organisation, publish it, and see the new figure on the overview in another browser
context (another visitor)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from maaor.auth import hash_password
from maaor.bundled import ROOT as DATA_ROOT
from maaor.bundled import default_sources
from maaor.dataset import Dataset
from maaor.figures.overview import overview_headline
from maaor.figures.presence import aggregate_presence
from maaor.filters import Filters
from maaor.glossary import GLOSSARY
from maaor.i18n import fmt_number
from maaor.load import load_sources
from maaor.sources import Source
from maaor.ui.coordinator import FILES_KEY
from tests.e2e.conftest import (
    assert_drawn,
    en,
    metric_value,
    screenshot,
    start_streamlit,
    wait_rendered,
)

pytestmark = pytest.mark.browser

PASSWORD = "e2e-Coordinator-pass-7431"
PRESENCE_FILE = DATA_ROOT / "data" / "illustrative" / "presence_4w.xlsx"
NEW_ORG = "Harmattan Demining Trust"


def _presence_with_new_org(folder: Path) -> Path:
    """A copy of the bundled 4W workbook with one row of an organisation not in it."""
    wb = openpyxl.load_workbook(PRESENCE_FILE)
    ws = wb["4W presence"]
    headers = [c.value for c in ws[1]]
    row = {
        "Organisation": NEW_ORG, "Organisation type": "National NGO", "Country": "Iraq",
        "Emergency": "Iraq humanitarian response", "Admin 1": "Ninewa",
        "Latitude": 36.34, "Longitude": 43.13, "Pillar": "Land release",
        "Activity type": "Clearance", "Status": "Ongoing",
        "Start": dt.datetime(2024, 1, 1), "End": dt.datetime(2027, 12, 31),
    }
    assert set(row) <= set(headers), headers
    ws.append([row.get(h) for h in headers])
    path = folder / PRESENCE_FILE.name
    wb.save(path)
    return path


def _expected_overview(upload: Path) -> dict:
    """The overview headline of the bundled data with the 4W replaced by ``upload``,
    as the public pages compute it."""
    sources, illustrative = default_sources()
    sources = [Source.from_path(upload) if s.name == upload.name else s for s in sources]
    assert any(s.name == upload.name for s in sources)
    ds = load_sources(sources, illustrative=illustrative).dataset.without_sensitive()
    ds = Dataset({**ds.tables, "presence": aggregate_presence(ds.presence, "point")}, ds.meta)
    return overview_headline(ds, Filters(), dt.date.today())


@pytest.fixture()
def coordinator_server(tmp_path, chromium_path):
    """A dashboard with a coordinator password configured (its own empty store)."""
    env = {"MAAOR_COORDINATOR_PASSWORD_HASH": hash_password(PASSWORD)}
    proc, url = start_streamlit(tmp_path, env_extra=env)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_sign_in_upload_publish_and_see_it_on_the_overview(coordinator_server, browser, tmp_path):
    url = coordinator_server
    upload = _presence_with_new_org(tmp_path)
    expected = _expected_overview(upload)
    context_b = browser.new_context(viewport={"width": 1400, "height": 1000})
    before_page = context_b.new_page()
    before_page.goto(f"{url}/")
    wait_rendered(before_page)
    # issue 11: the overview tile is the glossary's "Active organisations"
    before = metric_value(before_page, GLOSSARY["active_organisations"].label("en"))
    assert before != fmt_number(expected["active_organisations"], "en")  # the upload changes it

    context_a = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context_a.new_page()
        page.goto(f"{url}/Coordinator")
        wait_rendered(page)
        assert_drawn(page, "coord.title")
        page.get_by_label(en("coord.signin.password")).fill(PASSWORD)
        page.get_by_role("button", name=en("coord.signin.submit"), exact=True).click()
        page.get_by_role("tab", name=en("coord.tab.upload")).wait_for(timeout=20_000)
        wait_rendered(page)

        # The data files' uploader (the Upload tab also has one for a list of emergencies).
        page.locator(f'.st-key-{FILES_KEY} [data-testid="stFileUploaderDropzoneInput"]'
                     ).set_input_files(str(upload))
        ok_text = re.escape(en("coord.report.ok", warnings="<n>")).replace("<n>", r"\d+")
        page.get_by_text(re.compile(ok_text)).first.wait_for(timeout=60_000)
        wait_rendered(page)
        screenshot(page, "coordinator_validated")

        page.get_by_role("tab", name=en("coord.tab.publish"), exact=True).click()
        note = page.get_by_label(en("coord.publish.note"))
        note.fill("E2E test: one new organisation in Iraq")
        note.press("Tab")
        wait_rendered(page)
        page.get_by_role("button", name=en("coord.publish.button"), exact=True).click()
        done = en("coord.publish.done", version=2)
        page.get_by_text(done).first.wait_for(timeout=60_000)
        wait_rendered(page)
        screenshot(page, "coordinator_published")
    finally:
        context_a.close()

    # Another visitor (and the first visitor's next load) sees version 2.
    try:
        after_page = context_b.new_page()
        after_page.goto(f"{url}/")
        wait_rendered(after_page)
        assert_drawn(after_page, "page.overview.title")
        caption = after_page.locator('[data-testid="stMainBlockContainer"]').inner_text()
        assert en("page.version", version=2) + " " in caption
        assert metric_value(after_page, GLOSSARY["active_organisations"].label("en")) == (
            fmt_number(expected["active_organisations"], "en"))
        assert metric_value(after_page, GLOSSARY["activities"].label("en")) == fmt_number(
            expected["activities"], "en")
        screenshot(after_page, "overview_after_publish")
    finally:
        context_b.close()
