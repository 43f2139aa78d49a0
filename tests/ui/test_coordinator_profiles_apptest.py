"""AppTest of the mapping profiles on the Coordinator page (issue 10 item 6): a column
and a value the upload could not place are confirmed once, saved as a profile of the
sheet's headers, applied to the next upload of the same shape; listed and deleted."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.ui.test_coordinator_apptest import signed_in, store_env, texts, upload  # noqa: F401

ROWS = [
    ["Organisation", "Country", "Zone", "Colour", "Pillar"],
    ["UNMAS", "Iraq", "Ninewa", "blue", "Land release"],
    ["HALO Trust", "Iraq", "Anbar", "red", "Clr"],
]


def xlsx(rows) -> bytes:
    book = Workbook()
    book.active.title = "4W"
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_confirm_a_column_and_a_value_once_then_the_profile_applies(store_env):  # noqa: F811
    at = upload(signed_in(), "partners.xlsx", xlsx(ROWS))
    assert not at.exception
    zone = at.selectbox(key="coord_profile_0_c0")
    assert "'Zone'" in zone.label and "Ninewa" in zone.label
    colour = at.selectbox(key="coord_profile_0_c1")
    assert "'Colour'" in colour.label
    value = at.selectbox(key="coord_profile_0_v0")
    assert "'Clr'" in value.label
    zone.set_value("admin1")
    colour.set_value("(ignore)")
    value.set_value("land_release")
    at.button(key="coord_profile_save").click()
    at = at.run()
    assert not at.exception
    (profile,) = store_env.mapping_profiles()
    assert profile.kind == "presence"
    assert profile.columns["Zone"] == "admin1" and profile.columns["Colour"] == "(ignore)"
    assert profile.values == {"pillar": {"Clr": "land_release"}}
    # Checked again with the profile: nothing left to confirm, and the report says so.
    assert "Every column and value of the upload was placed with confidence." in texts(at.info)
    upload_state = at.session_state["coord_upload"]
    (report,) = upload_state.result.reports
    assert {c.header: c.how for c in report.columns}["Zone"] == "profile"
    assert any(p.code == "profile.applied" for p in report.problems)
    assert upload_state.result.dataset.presence["pillar"].tolist() == ["land_release", "land_release"]
    # Listed, exportable and deleted.
    assert at.selectbox(key="coord_profile_delete_choice").value == profile.signature
    at.button(key="coord_profile_delete").click()
    at = at.run()
    assert not at.exception
    assert store_env.mapping_profiles() == []
    assert at.selectbox(key="coord_profile_0_c0") is not None  # the columns are back to confirm
