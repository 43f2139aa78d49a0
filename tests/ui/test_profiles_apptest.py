"""AppTest of the mapping profiles on the Coordinator page: a column not loaded and an
unknown status get drop-downs; saving stores the profile and validates the upload again
with it; the "Mapping profiles" section lists, downloads and (after a confirmation)
deletes a profile."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.ui import test_coordinator_apptest as coordinator_tests
from tests.ui.test_coordinator_apptest import signed_in, texts, unescaped, upload

# The coordinator page's store fixture (a fresh bootstrapped SQLite store, a password).
store_env = coordinator_tests.store_env

HEADERS = ["Organisation", "Country", "Admin 1", "Pillar", "Status", "Remarques internes"]


def partner_4w() -> bytes:
    """A 4W with a column the dashboard does not know and a status it does not know."""
    book = Workbook()
    sheet = book.active
    sheet.title = "4W"
    sheet.append(HEADERS)
    sheet.append(["UNMAS", "Iraq", "Ninewa", "Land release", "En veille", "note 1"])
    sheet.append(["HALO Trust", "Iraq", "Anbar", "Land release", "active", "note 2"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_choices_are_saved_as_a_profile_and_the_upload_is_validated_again(store_env):
    at = upload(signed_in(), "partner.xlsx", partner_4w())
    assert not at.exception
    assert any("1 error(s)" in e for e in texts(at.error))
    column = at.selectbox(key="coord_map_0_c0")
    assert column.label == "Column F: Remarques internes"
    assert "Ignore this column (do not load it)" in column.options
    assert any("First values: note 1, note 2" in unescaped(c) for c in texts(at.caption))
    status = at.selectbox(key="coord_map_0_v_status_0")
    assert status.label == "Status: En veille"
    assert "Planned" in status.options  # vocabulary labels in the page language

    column.set_value("__ignore__")
    status.set_value("planned")
    at.button(key="coord_map_0_save").click()
    at = at.run()
    assert not at.exception

    [saved] = store_env.profiles()
    assert saved.profile.kind == "presence" and saved.saved_by == "coordinator"
    assert saved.profile.columns == {"Remarques internes": None}
    assert saved.profile.values == {"status": {"En veille": "planned"}}
    assert "Mapping profile 'partner.xlsx / 4W' saved; the upload was validated again with it." in [
        unescaped(m) for m in texts(at.success)]
    # Validated again with the profile: no error, nothing left to confirm, and the note.
    assert not any("error(s)" in e for e in texts(at.error))
    assert not [s for s in at.selectbox if s.key and s.key.startswith("coord_map_")]
    assert any("saved mapping profile" in e.label for e in at.expander)
    assert store_env.audit_log()[0].action == "profile_saved"


def test_profiles_are_listed_downloaded_and_deleted_after_confirmation(store_env):
    from maaor.profiles import make_profile

    profile = make_profile("Partner 4W", "presence", HEADERS, {"Remarques internes": None})
    store_env.save_profile(profile, by="coordinator")
    at = signed_in()
    table = next(df.value for df in at.dataframe if "Profile" in df.value.columns)
    assert table["Profile"].tolist() == ["Partner 4W"]
    assert table["Kind of sheet"].tolist() == ["4W presence"]
    [download] = [b for b in at.get("download_button") if "(JSON)" in b.label]
    assert download is not None

    at.button(key="coord_profiles_delete").click()
    at = at.run()
    assert "Tick the confirmation to delete the mapping profile." in texts(at.error)
    assert len(store_env.profiles()) == 1

    at.checkbox(key="coord_profiles_confirm").check()
    at.button(key="coord_profiles_delete").click()
    at = at.run()
    assert not at.exception
    assert store_env.profiles() == []
    assert "Mapping profile 'Partner 4W' deleted." in [unescaped(m) for m in texts(at.success)]
    assert any("No mapping profile saved yet." in i for i in texts(at.info))
    assert store_env.audit_log()[0].action == "profile_deleted"

