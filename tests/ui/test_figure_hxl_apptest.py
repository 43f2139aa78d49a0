"""With the HXL switch on, every table download of every browsing page carries a tag for
every column: the figure tables' derived columns (counts, shares, lists) included."""

from __future__ import annotations

import csv
import io

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from maaor.ui.page import HXL_PREFERENCE
from tests.conftest import bundled_app_store
from tests.paths import ROOT

PAGES = ("app.py", "pages/1_Work_plan.py", "pages/2_Presence.py", "pages/3_Gaps.py",
         "pages/4_Funding.py", "pages/5_Results.py")


@pytest.fixture(scope="module")
def version(tmp_path_factory):
    with bundled_app_store(tmp_path_factory.mktemp("store")) as svc:
        yield svc.current_version()


@pytest.mark.parametrize("page", PAGES)
def test_every_column_of_every_table_download_is_tagged(version, page, monkeypatch):
    downloaded: dict[str, bytes] = {}
    real_button = DeltaGenerator.download_button

    def keep_download(self, label, data=None, *args, **kwargs):
        if kwargs["key"].startswith("dl_csv_"):
            downloaded[kwargs["key"]] = data() if callable(data) else data
        return real_button(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", keep_download)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "app.py":
        at.switch_page(page)
    at.session_state[HXL_PREFERENCE] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert downloaded, "the page has table downloads"
    for key, data in downloaded.items():
        header, tags = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[:2]
        untagged = [h for h, tag in zip(header, tags, strict=True) if not tag.startswith("#")]
        assert not untagged, f"{page} {key}: untagged {untagged}"
