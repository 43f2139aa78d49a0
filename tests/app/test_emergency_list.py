"""The list of emergencies as versioned data (maaor.usecases.emergencies): published with
a version, used by that version's filters, brought back by a rollback; emergency names
confirmed once; funding rows linked like 4W rows (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from maaor import usecases
from maaor.emergencies import emergencies_in_use, emergencies_of, load_emergencies
from maaor.filters import Filters, country_scope
from maaor.usecases.refusal import Refused
from tests import hostile
from tests.upload_files import xlsx_bytes


def sahel_with_chad(version: int) -> list[dict]:
    """The current list with Chad added to Central Sahel and a new flood emergency."""
    _, table = usecases.emergency_table(version)
    rows = table.to_dict("records")
    for row in rows:
        if row["id"] == "central-sahel":
            row["countries"] = "BFA|MLI|NER|TCD"
    rows.append({"id": "chad-floods-2024", "name_en": "Chad floods 2024",
                 "name_fr": "Inondations au Tchad 2024", "countries": "TCD", "type": "disaster",
                 "start_year": 2024, "end_year": 2024, "aliases": "Chad floods"})
    return rows


def test_version_one_uses_the_bundled_list(app_store):
    assert usecases.emergency_list() == load_emergencies()
    version, table = usecases.emergency_table()
    assert version == 1 and len(table) == len(load_emergencies())
    central = table.set_index("id").loc["central-sahel"]
    assert central["countries"] == "BFA|MLI|NER"  # as the editor shows it


def test_a_published_list_is_the_versions_and_a_rollback_restores_the_previous(app_store):
    outcome = usecases.publish_emergencies(sahel_with_chad(1), base_version=1, by="coord",
                                           note="Chad in Central Sahel; Chad floods")
    assert outcome.problems == () and outcome.version == 2
    info = app_store.history()[0]
    assert (info.kind, info.parent) == ("edit", 1)
    assert info.files[-1].name.startswith("emergencies-")
    listed = usecases.emergency_list()
    assert len(listed) == len(load_emergencies()) + 1
    central = next(e for e in listed if e.id == "central-sahel")
    assert central.countries == ("BFA", "MLI", "NER", "TCD")
    # Everything else of the version is version 1's.
    v1, v2 = app_store.load(1), app_store.load(2)
    assert v2.presence.equals(v1.presence) and v2.workplan.equals(v1.workplan)
    # The version's list drives the filters: Central Sahel now sets four countries.
    with emergencies_in_use(emergencies_of(v2)):
        assert country_scope(Filters(emergency="central-sahel")) == ("BFA", "MLI", "NER", "TCD")
    with emergencies_in_use(emergencies_of(v1)):
        assert country_scope(Filters(emergency="central-sahel")) == ("BFA", "MLI", "NER")
    # Rollback to version 1: the bundled list again.
    version = usecases.rollback(1, by="coord")
    assert version == 3
    assert usecases.emergency_list() == load_emergencies()
    assert usecases.emergency_list(2) == listed  # history keeps the edited list


def test_an_unchanged_list_publishes_nothing_and_a_bad_one_names_each_cell(app_store):
    _, table = usecases.emergency_table()
    same = usecases.publish_emergencies(table, base_version=1, by="coord", note="")
    assert same.version is None and same.problems == ()
    rows = sahel_with_chad(1)
    rows[0]["countries"] = "AFG|Narnia"
    rows[1]["type"] = "war"
    rows[-1]["start_year"] = "2025"  # after its end year
    bad = usecases.publish_emergencies(rows, base_version=1, by="coord", note="x",
                                       labels={"countries": "Countries (ISO3)"})
    assert bad.version is None
    assert [(p.code, p.row, p.column, p.value) for p in bad.problems] == [
        ("emergencies.country_invalid", 2, "Countries (ISO3)", "Narnia"),
        ("emergencies.type_invalid", 3, "type", "war"),
        ("emergencies.years_order", len(rows) + 1, "end_year", "2024"),
    ]
    assert bad.problems[1].fix == "Use one of: country, regional, disaster."
    assert bad.problems[0].message_in("fr") == "« Narnia » n'est ni un code ni un nom de pays."
    assert app_store.current_version() == 1
    with pytest.raises(Refused):  # a change needs a note
        usecases.publish_emergencies(sahel_with_chad(1), base_version=1, by="coord", note=" ")


def test_a_stale_base_is_refused(app_store):
    usecases.publish_emergencies(sahel_with_chad(1), base_version=1, by="a", note="first")
    rows = sahel_with_chad(1)
    rows[0]["name_fr"] = "Afghanistan (réponse)"
    with pytest.raises(Refused) as refused:
        usecases.publish_emergencies(rows, base_version=1, by="b", note="second")
    assert refused.value.kind == "conflict"


def test_uploads_link_rows_to_the_current_versions_list(app_store):
    usecases.publish_emergencies(sahel_with_chad(1), base_version=1, by="coord", note="floods")
    upload = usecases.prepare_upload([("4w.xlsx", four_w([
        ["UNMAS", "Chad", "Lac", "Land release", "active", "Chad floods"],
        ["UNMAS", "Chad", "Lac", "Land release", "active", "Lake Chad floods"],
    ]))])
    codes = {(p.code, p.value) for p in upload.result.problems if p.code.startswith("emergency")}
    # "Chad floods" is an alias of the version's new emergency; the other name is not.
    assert codes == {("emergency.unknown", "Lake Chad floods")}
    ((name, closest),) = upload.unknown_emergencies()
    assert name == "Lake Chad floods"
    assert closest[:2] == ("chad-floods-2024", "lake-chad-basin")  # the version's own first


def test_an_emergency_name_confirmed_once_is_applied_with_a_note(app_store):
    data = four_w([["UNMAS", "Mali", "Gao", "Land release", "active", "Sahel crisis 2019"],
                   ["UNMAS", "Mali", "Mopti", "Land release", "active", "Sahel crisis 2019"]])
    first = usecases.prepare_upload([("4w.xlsx", data)])
    assert [name for name, _ in first.unknown_emergencies()] == ["Sahel crisis 2019"]
    with pytest.raises(Refused):
        usecases.save_emergency_name("Sahel crisis 2019", "no-such-emergency", by="coord")
    usecases.save_emergency_name("Sahel crisis 2019", "central-sahel", by="coord")
    assert app_store.aliases() == {"emergency:Sahel crisis 2019": "central-sahel"}
    again = usecases.prepare_upload([("4w.xlsx", data)])
    assert again.unknown_emergencies() == []
    (note,) = [p for p in again.result.problems if p.code.startswith("emergency")]
    assert (note.severity, note.code, note.rows) == ("note", "emergency.alias_applied", (2, 3))
    # Named as the reader reads it, with the id in brackets.
    assert note.message == ("'Sahel crisis 2019' read as the emergency Central Sahel crisis "
                            "(central-sahel) (a name confirmed on the Coordinator page): "
                            "2 rows (2-3).")
    assert note.message_in("fr").startswith(
        "« Sahel crisis 2019 » lu comme l'urgence Crise au Sahel central (central-sahel) (")
    # An emergency name is neither an organisation alias nor an admin-1 one.
    assert again.unknown_organisations() == []


def four_w(rows: list[list[object]]) -> bytes:
    """A 4W workbook with an Emergency column."""
    return xlsx_bytes(["Organisation", "Country", "Admin 1", "Pillar", "Status", "Emergency"],
                      rows, title="Sheet")


def test_a_list_file_is_checked_before_it_is_published(app_store):
    # An XLSX as a coordinator writes it: a header of their own words, one bad cell.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Identifier", "English name", "Countries", "Type", "Start year"])
    sheet.append(["central-sahel", "Central Sahel crisis", "BFA|MLI|NER|TCD", "regional", 2019])
    sheet.append(["sudan", "Sudan crisis", "SDN", "war", 2023])
    out = io.BytesIO()
    book.save(out)
    checked = usecases.check_list_file("list.xlsx", out.getvalue())
    assert checked.version == 1 and not checked.publishable
    assert [(p.file, p.row, p.column, p.value) for p in checked.problems] == [
        ("list.xlsx", 3, "Type", "war")]
    refused = usecases.publish_list_file(checked, by="coord", note="x")
    assert refused.version is None and refused.problems == checked.problems
    assert app_store.current_version() == 1
    sheet.cell(row=3, column=4).value = "country"
    out = io.BytesIO()
    book.save(out)
    checked = usecases.check_list_file("list.xlsx", out.getvalue())
    assert checked.publishable and checked.problems == ()
    outcome = usecases.publish_list_file(checked, by="coord", note="two emergencies")
    assert outcome.version == 2
    assert [(e.id, e.countries) for e in usecases.emergency_list()] == [
        ("central-sahel", ("BFA", "MLI", "NER", "TCD")), ("sudan", ("SDN",))]


@pytest.mark.parametrize("hostile_bytes", [hostile.million_rows_xlsx, hostile.entity_expansion_xlsx])
def test_a_hostile_list_file_is_refused_by_the_upload_pre_check(app_store, hostile_bytes):
    """A list file is an upload: the pre-check's bounds hold before openpyxl opens it."""
    checked = usecases.check_list_file("emergencies.xlsx", hostile_bytes())
    assert not checked.publishable and checked.emergencies == ()
    assert checked.problems and all(p.blocks_publishing for p in checked.problems)
    assert {p.file for p in checked.problems} == {"emergencies.xlsx"}
    # The pre-check's own problems (a reader's failure would be file.unreadable).
    assert [p.code for p in checked.problems] in (["xlsx.far_cell"], ["xlsx.dtd"])
    assert app_store.current_version() == 1
