"""AppTest of the coordinator page: sign-in, upload, what changed, publish, names,
history, rollback and edit in place, on a temporary SQLite store."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
import streamlit as st
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from maaor import service, vocab
from maaor.auth import HASH_ENV, hash_password
from maaor.i18n import catalogue
from maaor.ui.safe import md_escape
from tests.paths import ROOT
from tests.upload_files import presence_xlsx

PAGE = ROOT / "pages" / "6_Coordinator.py"
PASSWORD = "correct horse battery staple"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cheap scrypt cost keeps the tests fast; the format is the one production uses.
FAST_HASH = hash_password(PASSWORD, n=2**10)


CLEAN = presence_xlsx([
    ["UNMAS", "Iraq", "Ninewa", "Land release", "active", 10],
    ["HALO Trust", "Iraq", "Anbar", "Explosive ordnance risk education", "active", 5],
])
WITH_ERRORS = presence_xlsx([
    ["UNMAS", "Narnia", "Ninewa", "Land release", "active", 10],
    ["HALO Trust", "Iraq", "Anbar", "Land release", "active", -5],
])
UNKNOWN_ORG = presence_xlsx([
    ["UNMAS", "Iraq", "Ninewa", "Land release", "active", 10],
    ["Zzyzx Demining Group", "Iraq", "Anbar", "Land release", "active", 5],
])


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    """A fresh SQLite store (bootstrapped with the bundled data) and a password hash."""
    monkeypatch.setenv("MAAOR_SQLITE_PATH", str(tmp_path / "store.sqlite"))
    monkeypatch.delenv("MAAOR_DATABASE_URL", raising=False)
    monkeypatch.setenv(HASH_ENV, FAST_HASH)
    monkeypatch.setenv("MAAOR_SIGNIN_MAX_FAILURES", "5")
    # No wait between guesses here (the growing delay has its own tests below).
    monkeypatch.setenv("MAAOR_SIGNIN_DELAY_SECONDS", "0")
    import maaor.ui.page as ui_page

    # Run on its own, the page has no app.py entry point for the navigation links.
    if hasattr(ui_page, "_navigation"):
        monkeypatch.setattr(ui_page, "_navigation", lambda lang: None)
    service.reset_for_tests()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield service.open_store()
    service.reset_for_tests()
    st.cache_data.clear()
    st.cache_resource.clear()


def new_app() -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    # Isolate from any real .streamlit/secrets.toml: the hash comes from the environment.
    at.secrets = {"maaor_tests": {"isolated": True}}
    return at


def sign_in(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.text_input(key="coord_password").input(password)
    at.get("form_submit_button")[0].click()
    return at.run()


def signed_in() -> AppTest:
    at = sign_in(new_app().run())
    assert not at.exception
    assert is_signed_in(at)
    return at


def is_signed_in(at: AppTest) -> bool:
    return any("Signed in as coordinator" in c.value for c in at.caption)


def unescaped(markdown: str) -> str:
    """Markdown text as the reader sees it (the page escapes data with backslashes)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="coord_files").set_value([(name, data, XLSX)])
    return at.run()


# ------------------------------------------------------------------------------ sign-in


def test_no_credentials_explains_and_accepts_nothing(store_env, monkeypatch):
    monkeypatch.delenv(HASH_ENV)
    at = new_app().run()
    assert not at.exception
    assert len(at.text_input) == 0  # no password box at all
    assert any("hash-password" in w for w in texts(at.warning))
    assert any("MAAOR_COORDINATOR_PASSWORD_HASH" in c for c in texts(at.code))
    assert not is_signed_in(at)
    assert len(at.file_uploader) == 0


def test_sign_in_with_the_right_password(store_env):
    at = signed_in()
    assert at.file_uploader(key="coord_files") is not None
    assert [a.action for a in store_env.audit_log(5)][0] == "signin"


def test_wrong_password_is_refused(store_env):
    at = sign_in(new_app().run(), "not the password")
    assert "Wrong password." in texts(at.error)
    assert not is_signed_in(at)
    assert len(at.file_uploader) == 0
    # Counted for this browser's client key (address/session), not for everyone.
    [client] = store_env.signin_clients()
    assert client.failures == 1 and client.key != "coordinator"
    assert client.key.endswith("/" + at.session_state["maaor_signin_client"])


def test_lock_out_after_five_wrong_passwords(store_env):
    at = new_app().run()
    for _ in range(4):
        at = sign_in(at, "wrong")
        assert "Wrong password." in texts(at.error)
    at = sign_in(at, "wrong")
    assert any("locked" in e for e in texts(at.error))
    # Even the right password is refused while locked.
    at = sign_in(at, PASSWORD)
    assert any("locked" in e for e in texts(at.error))
    assert not is_signed_in(at)


class ProxiedContext:
    """``st.context`` of a request that came through nginx on loopback."""

    ip_address = None  # Streamlit's answer for 127.0.0.1
    headers = {"X-Forwarded-For": "10.1.1.1, 203.0.113.9"}


@pytest.mark.parametrize(("trusted", "address"), [("127.0.0.1", "203.0.113.9"),
                                                  ("", "127.0.0.1")])
def test_client_address_comes_from_a_trusted_proxy_only(store_env, monkeypatch, trusted,
                                                        address):
    monkeypatch.setattr(st, "context", ProxiedContext())
    monkeypatch.setenv("MAAOR_TRUSTED_PROXIES", trusted)
    at = sign_in(new_app().run(), "wrong")
    assert "Wrong password." in texts(at.error)
    [client] = store_env.signin_clients()
    assert client.key == f"{address}/{at.session_state['maaor_signin_client']}"


def test_lock_out_of_another_browser_does_not_refuse_the_coordinator(store_env):
    attacker = new_app().run()
    for _ in range(5):
        attacker = sign_in(attacker, "guess")
    assert any("locked" in e for e in texts(attacker.error))
    # The real coordinator, in another browser session, signs in with the password.
    at = sign_in(new_app().run(), PASSWORD)
    assert not at.exception
    assert is_signed_in(at)
    assert not any("locked" in e for e in texts(at.error))


def test_attempts_left_and_the_growing_wait_are_shown(store_env, monkeypatch):
    monkeypatch.setenv("MAAOR_SIGNIN_DELAY_SECONDS", "30")
    at = sign_in(new_app().run(), "wrong")
    assert "Wrong password." in texts(at.error)
    assert ("4 attempt(s) left before sign-in is locked for 15 minute(s) for this browser."
            in texts(at.warning))
    assert any(i.startswith("Wait 30 s before trying again") for i in texts(at.info))
    # Right away, even the right password is not checked: the wait is said again.
    at = sign_in(at, PASSWORD)
    assert not is_signed_in(at)
    assert any(e.startswith("Wait ") and "before trying again" in e for e in texts(at.error))
    assert store_env.signin_clients()[0].failures == 1


def test_sign_in_page_in_french_shows_attempts_left(store_env):
    at = new_app()
    at.query_params["lang"] = "fr"
    at = sign_in(at.run(), "faux")
    assert "Mot de passe incorrect." in texts(at.error)
    assert any(w.startswith("Encore 4 essai(s)") for w in texts(at.warning))


def test_sign_out(store_env):
    at = signed_in()
    at.button(key="coord_signout").click()
    at = at.run()
    assert not is_signed_in(at)
    assert at.text_input(key="coord_password") is not None


# ------------------------------------------------------------------------------- upload


def test_upload_with_errors_shows_report_and_disables_publish(store_env):
    at = upload(signed_in(), "bad.xlsx", WITH_ERRORS)
    assert not at.exception
    assert any("2 error(s)" in e for e in texts(at.error))
    # One expander per group of identical problems; its rows in a table inside.
    labels = [unescaped(e.label) for e in at.expander]
    assert any("**error** · 4W › Country — 1 row (2): 'Narnia' is not a country the dashboard "
               "recognises." in label for label in labels), labels
    frames = [df.value for df in at.dataframe]
    # Headers and severities are in the page language (English here).
    problems = next(f for f in frames if "Problem" in f.columns and "Severity" in f.columns)
    narnia = problems[problems["Value"] == "Narnia"]
    assert list(narnia["Severity"]) == ["error"]
    assert list(narnia["Row"]) == ["2"] and list(narnia["Column"]) == ["Country"]
    assert at.button(key="coord_publish").disabled
    annotated = [b for b in at.get("download_button") if "problems marked" in b.label]
    assert len(annotated) == 1


def french_4w() -> bytes:
    """A French 4W (French headers and words) with problems of every kind: of its layout
    (a column the dashboard does not read), of values (an unknown status on three rows, a
    country read from another spelling, a date that does not exist) and across rows (a
    repeated row)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "4W"
    sheet.append(["Organisation", "Pays", "Admin 1", "Pilier", "Statut", "Date de début",
                  "Couleur"])
    rows = [
        ["UNMAS", "Irak", "Ninive", "Dépollution", "Peut-être", "01/03/2022", "rouge"],
        ["HALO Trust", "Afganistan", "Kaboul", "Déminage", "En cours", "31/02/2022", "bleu"],
        ["UNMAS", "Irak", "Anbar", "Dépollution", "Peut-être", "01/04/2022", "rouge"],
        ["UNMAS", "Irak", "Bassora", "Éducation aux risques", "En cours", "01/05/2022", "vert"],
        ["HALO Trust", "Irak", "Kirkouk", "Dépollution", "Peut-être", "01/06/2022", "rouge"],
        ["UNMAS", "Irak", "Bassora", "Éducation aux risques", "En cours", "01/05/2022", "vert"],
    ]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_french_upload_tells_every_problem_in_french_grouped(store_env):
    at = new_app()
    at.query_params["lang"] = "fr"
    at = at.run()
    at = sign_in(at)
    at = upload(at, "4w.xlsx", french_4w())
    assert not at.exception
    labels = [unescaped(e.label) for e in at.expander]
    # The three statuses are one group naming its rows; errors come first.
    assert labels[0] == ("**erreur** · 4W › Statut — 3 lignes (2, 4, 6) : « Peut-être » n'est pas "
                         "un statut connu."), labels
    assert any("1 ligne (3) : « 31/02/2022 » n'existe pas : février 2022 compte 28 jours."
               in label for label in labels), labels
    assert any("1 ligne (3) : « Afganistan » a été lu comme Afghanistan." in label
               for label in labels), labels
    # the layout problem (a column not read) and the repeated row, in French too
    assert any("4W › Couleur — 1 ligne (1) : La colonne G (« Couleur ») n'a pas été chargée"
               in label for label in labels), labels
    assert any("1 ligne (7) : La même organisation, le même lieu et la même activité" in label
               for label in labels), labels
    fixes = [unescaped(m.value) for m in at.markdown if m.value.startswith("**Comment corriger")]
    # Suggestions are the French labels of the vocabulary.
    assert any("Prévu, En cours, Terminé" in f for f in fixes), fixes
    frames = [df.value for df in at.dataframe if "Problème" in df.value.columns]
    shown = [*labels, *fixes, *(text for f in frames for col in ("Problème", "Comment corriger")
                                if col in f.columns for text in f[col])]
    assert shown
    # No English sentence of the catalogue reaches the French page, nor the package name.
    english = {v for k, v in catalogue("en").items() if k.startswith("problem.")
               and catalogue("fr")[k] != v}

    def plain(text: str) -> str:  # the text without its {parameters}
        return re.sub(r"\{[^}]*\}", "", text).lower()

    words = {w for text in english for w in re.findall(r"[a-z]{5,}", plain(text))
             if w not in {word for fr in catalogue("fr").values()
                          for word in re.findall(r"[a-z]{5,}", plain(fr))}}
    assert {"column", "loaded", "known", "exist"} <= words
    for text in shown:
        assert "maaor" not in text.lower()
        found = {w for w in re.findall(r"[a-z]{5,}", text.lower())} & words
        assert not found, (text, found)


def test_upload_clean_shows_what_changed_then_publish(store_env):
    at = upload(signed_in(), "4w.xlsx", CLEAN)
    assert not at.exception
    assert any("No errors" in s for s in texts(at.success))
    labels = texts(at.markdown)
    assert any(m.startswith("**4W rows added and removed, per country and pillar: ") for m in labels)
    # Tables the upload does not carry are kept from version 1.
    assert any("kept from version 1" in i and "work plan" in i for i in texts(at.info))
    # By default a 4W of Iraq replaces Iraq only: the other countries' rows are kept.
    v1 = service.load_dataset(1).presence
    others = set(v1["country_iso3"].dropna()) - {"IRQ"}
    assert any(i.startswith("4W presence: the rows of ") and f" {len(others)} countries" in i
               for i in texts(at.info))
    presence = next(df.value for df in at.dataframe
                    if list(df.value.columns) == ["Country", "Pillar", "Rows added", "Rows removed"])
    assert set(presence["Country"]) == {"IRQ"}

    publish = at.button(key="coord_publish")
    assert not publish.disabled
    at.text_input(key="coord_note").input("4W update for Iraq")
    # It removes more rows of Iraq than it adds: a second confirmation is needed.
    removed = int((v1["country_iso3"] == "IRQ").sum())
    assert removed > 2
    assert any(w.startswith(f"Publishing this removes {removed} row(s) and adds 2.")
               for w in texts(at.warning))
    at.button(key="coord_publish").click()
    at = at.run()
    assert (f"Not published: this removes {removed} row(s) and adds 2. Confirm the removal first."
            in texts(at.error))
    assert service.current_version() == 1
    at.checkbox(key="coord_confirm_removal").check()
    at.button(key="coord_publish").click()
    at = at.run()
    assert not at.exception
    assert "Published as version 2; it is now the version everyone sees." in texts(at.success)
    assert service.current_version() == 2
    published = service.load_dataset(2)
    iraq = published.presence[published.presence["country_iso3"] == "IRQ"]
    assert sorted(iraq["org"]) == ["The HALO Trust", "UNMAS"]
    kept = published.presence[published.presence["country_iso3"] != "IRQ"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, v1[v1["country_iso3"] != "IRQ"].reset_index(drop=True))
    assert len(published.workplan) == len(service.load_dataset(1).workplan) > 0
    history = next(df.value for df in at.dataframe if "note" in df.value.columns and "who" in df.value.columns)
    row = history[history["version"] == "2"].iloc[0]
    assert row["note"] == "4W update for Iraq"
    assert row["who"] == "coordinator"
    assert row["files"] == "4w.xlsx"
    assert row["current"] == "✓"
    # The download picker opens on the current version, not on version 1.
    assert at.selectbox(key="coord_history_pick_2").value == 2
    # The coordinator who published sees the new version (no "newer version" notice).
    assert not any("was published while" in i for i in texts(at.info))


def test_what_changed_speaks_in_field_labels_and_the_users_formats():
    from maaor.ui.coordinator import changes_in_words, funding_in_words

    changed = pd.DataFrame({
        "activity_id": ["1.1.1", "1.1.1", "1.1.1", "1.1.2"],
        "field": ["budget_usd", "last_update", "leads", "status"],
        "before": [None, pd.Timestamp("2019-03-05"), "UNMAS", "ongoing"],
        "after": [1_809_143_000.0, pd.Timestamp("2019-06-30"), "UNMAS; HALO Trust", "cancelled"],
    })
    en = changes_in_words(changed, "en")
    assert en["field"].tolist() == ["Budget (USD)", "Last update", "Lead", "Status"]
    assert en["before"].tolist() == ["", "5 Mar 2019", "UNMAS", "Ongoing"]
    assert en["after"].tolist() == ["USD 1.8B", "30 Jun 2019", "UNMAS; HALO Trust", "Cancelled"]
    fr = changes_in_words(changed, "fr")
    assert fr["field"].tolist() == ["Budget (USD)", "Dernière mise à jour", "Chef de file", "Statut"]
    assert fr["after"].tolist()[:2] == ["1,8\u00a0Md\u00a0USD", "30 juin 2019"]
    assert fr["after"].tolist()[3] == vocab.label("wp_status", "cancelled", "fr")
    funding = pd.DataFrame({"measure": ["funded_usd"], "before": [40_000.0], "after": [None]})
    assert funding_in_words(funding, "en")[["before", "after"]].iloc[0].tolist() == \
        ["USD 40K", "unknown"]


def test_edit_in_place_shows_statuses_by_their_labels(store_env):
    at = signed_in()
    # The work plan's editor (the list of emergencies has its own, after it).
    editor = at.get("data_editor")[0]
    options = json.loads(editor.proto.columns)["status"]["type_config"]["options"]
    # Shown by their labels, stored as codes.
    assert options == [{"value": c, "label": vocab.label("wp_status", c, "en")}
                       for c in vocab.codes("wp_status")]
    assert {"value": "cancelled", "label": "Cancelled"} in options


def test_replace_everything_is_an_explicit_choice_and_names_what_goes(store_env):
    at = upload(signed_in(), "4w.xlsx", CLEAN)
    at.checkbox(key="coord_confirm_removal").check()  # confirmed for the default scope ...
    at = at.run()
    at.radio(key="coord_scope").set_value("all")
    at = at.run()
    assert not at.exception
    assert not at.checkbox(key="coord_confirm_removal").value  # ... not for this one
    v1 = service.load_dataset(1).presence
    gone = sorted(set(v1["country_iso3"].dropna()) - {"IRQ"})
    from maaor.i18n import country_name

    names = ", ".join(sorted(country_name(c, "en") for c in gone))
    headline = f"Removes the 4W presence of {len(gone)} countries: {names}."
    assert any(headline in w for w in texts(at.warning))
    at.text_input(key="coord_note").input("4W of Iraq only")
    at.checkbox(key="coord_confirm_removal").check()
    at.button(key="coord_publish").click()
    at = at.run()
    assert not at.exception
    assert "Published as version 2; it is now the version everyone sees." in texts(at.success)
    assert sorted(service.load_dataset(2).presence["org"]) == ["The HALO Trust", "UNMAS"]


def test_publish_needs_a_note(store_env):
    at = upload(signed_in(), "4w.xlsx", CLEAN)
    at.button(key="coord_publish").click()
    at = at.run()
    assert "Write a short note first (what this update is)." in texts(at.error)
    assert service.current_version() == 1


def test_unknown_organisation_added_then_revalidated(store_env):
    at = upload(signed_in(), "4w.xlsx", UNKNOWN_ORG)
    box = at.selectbox(key="coord_alias_0")
    assert box.label == "Zzyzx Demining Group"
    box.set_value("__new__")
    at.button(key="coord_alias_save").click()
    at = at.run()
    assert not at.exception
    assert store_env.aliases() == {"Zzyzx Demining Group": "Zzyzx Demining Group"}
    assert "No unknown organisation names in the upload." in texts(at.info)


def test_unknown_admin1_name_confirmed_once_then_placed(store_env):
    data = presence_xlsx([["UNMAS", "Iraq", "Ninewa Old City", "Land release", "active", 10]])
    at = upload(signed_in(), "4w.xlsx", data)
    box = at.selectbox(key="coord_place_0")
    assert box.label == "Ninewa Old City · Iraq"
    assert box.options[1].startswith("Ninewa (IQG15)")  # the closest area first
    box.set_value("IQG15")
    at.button(key="coord_place_save").click()
    at = at.run()
    assert not at.exception
    assert store_env.aliases() == {"admin1:IRQ:Ninewa Old City": "IQG15"}
    assert "No unknown admin-1 names in the upload." in texts(at.info)
    # a place name is not an organisation name
    assert "No unknown organisation names in the upload." in texts(at.info)
    assert not [e for e in at.expander if e.label.startswith("Stored organisation names")]


# ---------------------------------------------------------------- history and rollback


def test_rollback_publishes_a_version_equal_to_an_older_one(store_env):
    from maaor.load import load_sources
    from maaor.sources import Source

    result = load_sources([Source("4w.xlsx", CLEAN)])
    store_env.publish(result.dataset, [Source("4w.xlsx", CLEAN)], by="test", note="only a 4W")
    at = signed_in()
    at.selectbox(key="coord_rollback_to").set_value(1)
    at.text_input(key="coord_rollback_note").input("back to the bundled data")
    at.button(key="coord_rollback").click()
    at = at.run()
    assert any("equal to version 1" in w for w in texts(at.warning))
    assert service.current_version() == 2  # nothing happens before the confirmation
    at.button(key="coord_rollback_confirm").click()
    at = at.run()
    assert not at.exception
    assert "Version 3 published, equal to version 1." in texts(at.success)
    assert store_env.current_version() == 3
    v1, v3 = store_env.load(1), store_env.load(3)
    for name, table in v1.tables.items():
        pd.testing.assert_frame_equal(v3.tables[name], table)
    kinds = [(v.id, v.kind, v.parent) for v in store_env.history()]
    assert kinds[0] == (3, "rollback", 1)


# ------------------------------------------------------------------------ edit in place


def test_edit_in_place_publishes_the_edited_status(store_env):
    at = signed_in()
    first = store_env.load(1).workplan.iloc[0]
    new_status = "cancelled" if first["status"] != "cancelled" else "completed"
    at.session_state["coord_editor"] = {
        "edited_rows": {0: {"status": new_status, "comment": "checked by phone"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="coord_edit_note").input("status of one activity")
    at.button(key="coord_edit_publish").click()
    at = at.run()
    assert not at.exception
    assert any(s.startswith("Edits of 1 activity(ies) published as version 2") for s in texts(at.success))
    edited = store_env.load(2).workplan.set_index("activity_id")
    assert edited.loc[first["activity_id"], "status"] == new_status
    assert edited.loc[first["activity_id"], "comment"] == "checked by phone"
    info = store_env.history()[0]
    assert (info.kind, info.parent, info.note) == ("edit", 1, "status of one activity")
    assert info.files[-1].name.startswith("edits-")


def test_contacts_shown_to_the_signed_in_coordinator(store_env):
    at = signed_in()
    full = store_env.load(1).mechanisms
    emails = set(full["email"].dropna())
    assert emails, "the bundled mechanisms carry (fictitious) contacts"
    shown = next(df.value for df in at.dataframe if "E-mail" in df.value.columns)
    assert set(shown["E-mail"]) == emails


# ------------------------------------------------------------------------- emergencies


def test_the_list_of_emergencies_is_edited_and_published_as_a_version(store_env):
    at = signed_in()
    assert "Emergencies" in texts(at.subheader)
    # Chad joins Central Sahel (row 2 of the list) and a bad type is caught first.
    at.session_state["coord_emergencies_editor"] = {
        "edited_rows": {1: {"countries": "BFA|MLI|NER|TCD"}, 2: {"type": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="coord_emergencies_note").input("Chad joins Central Sahel")
    at.button(key="coord_emergencies_publish").click()
    at = at.run()
    assert not at.exception
    assert "Nothing was published: correct the list (problems below)." in texts(at.error)
    assert store_env.current_version() == 1
    at.session_state["coord_emergencies_editor"] = {
        "edited_rows": {1: {"countries": "BFA|MLI|NER|TCD"}},
        "added_rows": [{"id": "chad-floods-2024", "name_en": "Chad floods 2024",
                        "countries": "TCD", "type": "disaster", "start_year": 2024}],
        "deleted_rows": [],
    }
    at.text_input(key="coord_emergencies_note").input("Chad joins Central Sahel")
    at.button(key="coord_emergencies_publish").click()
    at = at.run()
    assert not at.exception
    assert "Version 2 published with 21 emergencies." in texts(at.success)
    from maaor.emergencies import emergencies_of

    listed = {e.id: e for e in emergencies_of(store_env.load(2))}
    assert listed["central-sahel"].countries == ("BFA", "MLI", "NER", "TCD")
    assert listed["chad-floods-2024"].name_fr == "Chad floods 2024"  # French defaults to English
    info = store_env.history()[0]
    assert (info.kind, info.parent, info.note) == ("edit", 1, "Chad joins Central Sahel")


def test_unknown_emergency_name_confirmed_once_then_linked_with_a_note(store_env):
    book = Workbook()
    sheet = book.active
    sheet.append(["Organisation", "Country", "Admin 1", "Pillar", "Emergency"])
    sheet.append(["UNMAS", "Mali", "Gao", "Land release", "Sahel crisis 2019"])
    out = io.BytesIO()
    book.save(out)
    at = upload(signed_in(), "4w.xlsx", out.getvalue())
    box = at.selectbox(key="coord_emergency_name_0")
    assert box.label == "Sahel crisis 2019"
    assert box.options[1] == "Central Sahel crisis (central-sahel)"  # the closest first
    box.set_value("central-sahel")
    at.button(key="coord_emergency_name_save").click()
    at = at.run()
    assert not at.exception
    assert store_env.aliases() == {"emergency:Sahel crisis 2019": "central-sahel"}
    assert "No unknown emergency name in the upload." in texts(at.info)
    # Not an organisation name either.
    assert not [e for e in at.expander if e.label.startswith("Stored organisation names")]


def emergencies_csv(edit) -> bytes:
    """The current list as ``maaor emergencies --out`` writes it, changed by ``edit``."""
    from maaor import usecases
    from maaor.export.tables import csv_bytes

    _, table = usecases.emergency_table()
    return csv_bytes(edit(table))


def test_a_list_of_emergencies_file_is_checked_then_published(store_env):
    at = signed_in()
    assert "Upload a list of emergencies" in texts(at.subheader)

    def bad(table):
        table.loc[table["id"] == "central-sahel", "countries"] = "BFA|MLI|Narnia"
        table.loc[table["id"] == "iraq", "type"] = "war"
        return table

    uploader = at.file_uploader(key="coord_emergencies_file_0")
    uploader.set_value([("emergencies.csv", emergencies_csv(bad), "text/csv")])
    at = at.run()
    assert not at.exception
    # The file name is data: written escaped into the Markdown message.
    assert (md_escape("emergencies.csv") + ": nothing can be published until these problems "
            "are corrected in the file.") in texts(at.error)
    shown = next(df.value for df in at.dataframe if "File" in df.value.columns)
    # Rows as the file's reader counts them: the header is row 1.
    ids = pd.read_csv(io.BytesIO(emergencies_csv(lambda t: t)), encoding="utf-8-sig")["id"]
    row_of = {i: str(n + 2) for n, i in enumerate(ids)}
    assert shown[["File", "Row", "Column", "Value"]].values.tolist() == [
        ["emergencies.csv", row_of["central-sahel"], "countries", "Narnia"],
        ["emergencies.csv", row_of["iraq"], "type", "war"],
    ]
    assert shown["How to fix it"].tolist()[1] == "Use one of: country, regional, disaster."
    assert at.button(key="coord_emergencies_file_publish").disabled
    assert store_env.current_version() == 1

    def chad(table):
        table.loc[table["id"] == "central-sahel", "countries"] = "BFA|MLI|NER|TCD"
        return table

    at.file_uploader(key="coord_emergencies_file_0").set_value(
        [("emergencies.csv", emergencies_csv(chad), "text/csv")])
    at = at.run()
    assert not at.exception
    assert (md_escape("emergencies.csv") + ": 20 emergencies read, no problem. Publish to make "
            "them the list of a new version.") in texts(at.success)
    button = at.button(key="coord_emergencies_file_publish")
    assert not button.disabled
    at.text_input(key="coord_emergencies_file_note").input("Chad joins Central Sahel")
    at.button(key="coord_emergencies_file_publish").click()
    at = at.run()
    assert not at.exception
    assert "Version 2 published with 20 emergencies." in texts(at.success)
    from maaor.emergencies import emergencies_of

    listed = {e.id: e for e in emergencies_of(store_env.load(2))}
    assert listed["central-sahel"].countries == ("BFA", "MLI", "NER", "TCD")
    info = store_env.history()[0]
    assert (info.kind, info.parent, info.note) == ("edit", 1, "Chad joins Central Sahel")
    assert info.files[-1].name.startswith("emergencies-")
    # The uploader starts empty again (a new key): nothing left to publish twice.
    assert not [u for u in at.file_uploader if u.key == "coord_emergencies_file_0"]
