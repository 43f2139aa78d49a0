"""The pages offer their whole tables as HXL CSV and JSON for other tools: the public
dataset of the version shown, the same bytes ``maaor export --public`` writes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from maaor import service
from maaor.export.machine import full_table, table_bytes
from maaor.i18n import t
from maaor.ui.page import SOURCE_KEYS
from maaor.views import public_dataset
from tests.conftest import bundled_app_store
from tests.paths import ROOT


@pytest.fixture(scope="module")
def version(tmp_path_factory):
    with bundled_app_store(tmp_path_factory.mktemp("store")) as svc:
        yield svc.current_version()


def test_gaps_page_offers_its_whole_tables_as_hxl_and_json(version, monkeypatch):
    downloaded: dict[str, bytes] = {}
    file_names: dict[str, str] = {}
    real_button = DeltaGenerator.download_button

    def keep_download(self, label, data=None, *args, **kwargs):
        downloaded[kwargs["key"]] = data() if callable(data) else data
        file_names[kwargs["key"]] = kwargs["file_name"]
        return real_button(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", keep_download)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/3_Gaps.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    tables = ("workplan", "presence", "mechanisms", "flags")
    # One table at a time: the select box lists the page's whole tables, the two buttons
    # download the chosen one.
    chooser = at.selectbox(key="dl_full_table")
    assert list(chooser.options) == [t(SOURCE_KEYS[name], "en") for name in tables[:3]] + ["Flags"]
    full: dict[str, bytes] = {}
    for table in tables:
        downloaded.clear()
        chooser.set_value(table).run()
        assert not at.exception, [e.message for e in at.exception]
        assert {k for k in downloaded if k.startswith("dl_full_")} == {"dl_full_hxl", "dl_full_json"}
        full[f"dl_full_{table}_hxl"] = downloaded["dl_full_hxl"]
        full[f"dl_full_{table}_json"] = downloaded["dl_full_json"]
        assert (file_names["dl_full_hxl"], file_names["dl_full_json"]) == (
            f"maaor_v{version}_{table}.hxl.csv", f"maaor_v{version}_{table}.json")
    public = public_dataset(service.load_dataset(version))
    today = dt.date.today()
    for table in tables:
        want = full_table(public, table, today)
        assert full[f"dl_full_{table}_hxl"] == table_bytes(want, table, "hxl")
        assert len(json.loads(full[f"dl_full_{table}_json"])) == len(want)
    presence = json.loads(full["dl_full_presence_json"])
    assert not any(r["focal_point"] or r["contact"] for r in presence)
    assert full["dl_full_presence_hxl"].split(b"\r\n")[1].startswith(b"#org,")
